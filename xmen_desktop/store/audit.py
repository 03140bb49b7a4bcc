"""The audit trail: every change in the log (with who made it) and the events beside it.

Events (sign-ins, failed sign-ins, exports, imports, prints of ballots, restores, erasures)
are append-only rows of ``audit_event``; changes come from the change log itself, one line per
row per save, so nothing is recorded twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from xmen_desktop.domain import hlc
from xmen_desktop.domain.access import SYSTEM
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import access
from xmen_desktop.store.common import now_text
from xmen_desktop.store.models import AuditEvent

EVENT_KINDS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "export": "导出",
    "import": "导入",
    "print_ballots": "打印表决票",
    "backup": "备份",
    "restore": "恢复备份",
    "erase": "删除个人信息",
    "subject_export": "导出个人信息",
}

RECORD_LABELS: dict[str, str] = {
    "site": "站点",
    "estate": "小区",
    "household": "住户",
    "resident": "居民",
    "body_member": "机构成员",
    "estate_setting": "小区设置",
    "topic": "议题",
    "topic_transition": "议题进程",
    "topic_support": "附议",
    "consultation_round": "征询轮次",
    "consultation_contact": "征询记录",
    "vote": "表决",
    "ballot": "表决票",
    "ballot_event": "计票记录",
    "review_resolution": "核对结论",
    "attachment": "附件",
    "notice": "通知公告",
    "notice_estate": "通知公告的小区",
    "notice_posting": "通知张贴记录",
    "project": "自治项目",
    "project_status_change": "项目状态",
    "project_member": "项目成员",
    "budget_line": "预算",
    "expense": "支出",
    "milestone": "项目节点",
    "project_log": "项目日志",
    "meeting": "会议",
    "agenda_item": "议程",
    "invitee": "参会人",
    "resolution": "决议",
    "operator": "操作员",
    "erasure": "个人信息删除标记",
}
# Fields whose values never appear in the audit trail.
SECRET_FIELDS = frozenset({"password_hash", "pin_hash"})
# Names of fields the record forms do not label (they are not typed in by hand).
_MORE_FIELD_LABELS = {
    "area_centi": "面积",
    "address_key": "地址",
    "estate_id": "小区",
    "display_name": "姓名",
    "username": "用户名",
    "estates": "负责小区",
    "disabled": "停用",
    "pin_allowed": "可用PIN",
    "state": "状态",
    "status": "状态",
    "returned": "交回",
    "choice": "选择",
    "attendance": "到会",
    "minutes": "纪要",
    "progress": "进度",
}


def field_label(field: str) -> str:
    from xmen_desktop.domain.validation import FIELD_LABELS

    return FIELD_LABELS.get(field) or _MORE_FIELD_LABELS.get(field) or field


def record(
    session: Session,
    kind: str,
    detail: str = "",
    *,
    estate_id: str | None = None,
    username: str | None = None,
) -> AuditEvent | None:
    """Note an event in the same transaction as whatever it describes.

    In a read session (an export, a print) the event is written by the store right after
    the read succeeds (see ``Store.read``).
    """
    if session.info.get("readonly"):
        session.info.setdefault("audit_later", []).append((kind, detail, estate_id, username))
        return None
    person = access.actor(session)
    event = AuditEvent(
        at=now_text(),
        operator=username or (person.username if person is not SYSTEM else "system"),
        site_id=str(session.info.get("site_id") or ""),
        kind=kind,
        estate_id=estate_id,
        detail=detail,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    operator: str | None = None
    estate_id: str | None = None
    # A record table ("household") or an event kind ("sign_in").
    kind: str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    limit: int = 5000


@dataclass(frozen=True)
class AuditLine:
    at: str  # local time, "2026-11-27 09:30:12"
    operator: str
    estate_id: str | None
    estate_name: str
    kind: str  # record table or event kind
    kind_label: str
    action: str  # 新增 | 修改 | 删除 | the event's label
    row_id: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "operator": self.operator,
            "estate": self.estate_id,
            "estate_name": self.estate_name,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "action": self.action,
            "row_id": self.row_id,
            "detail": self.detail,
        }


_ESTATE_NAMES = {e.id: e.name for e in ESTATES}


def _local(stamp_ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(stamp_ms / 1000)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _local_from_iso(text_value: str) -> tuple[str, int]:
    moment = datetime.datetime.fromisoformat(text_value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    ms = int(moment.timestamp() * 1000)
    return _local(ms), ms


def _day_bounds_ms(day: datetime.date, end: bool) -> int:
    moment = datetime.datetime.combine(
        day + datetime.timedelta(days=1 if end else 0), datetime.time()
    )
    return int(moment.timestamp() * 1000)


def audit_lines(session: Session, where: AuditFilter) -> list[AuditLine]:
    """Changes and events, newest first, as the person's role allows them to be seen."""
    if where.estate_id is not None:
        access.require_estate(session, where.estate_id)
    visible = access.visible_estates(session)
    since_ms = _day_bounds_ms(where.since, False) if where.since else None
    until_ms = _day_bounds_ms(where.until, True) if where.until else None
    lines: list[tuple[int, AuditLine]] = []
    if where.kind is None or where.kind in RECORD_LABELS:
        lines += _change_lines(session, where, visible, since_ms, until_ms)
    if where.kind is None or where.kind in EVENT_KINDS:
        lines += _event_lines(session, where, visible, since_ms, until_ms)
    lines.sort(key=lambda pair: pair[0], reverse=True)
    return [line for _, line in lines[: where.limit]]


def _person_and_estate(
    where: AuditFilter, visible: frozenset[str] | None, *, also_mine: str | None
) -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses and parameters for the filters both kinds of line share."""
    clauses = ["1 = 1"]
    params: dict[str, Any] = {"limit": where.limit}
    if where.operator:
        clauses.append("operator = :operator")
        params["operator"] = where.operator
    if where.estate_id:
        clauses.append("estate_id = :estate")
        params["estate"] = where.estate_id
    if visible is not None:
        names = ", ".join(f":v{i}" for i in range(len(visible))) or "NULL"
        params.update({f"v{i}": estate for i, estate in enumerate(sorted(visible))})
        if also_mine is None:
            clauses.append(f"estate_id IN ({names})")
        else:
            clauses.append(f"(estate_id IN ({names}) OR operator = :me)")
            params["me"] = also_mine
    return clauses, params


def _change_lines(
    session: Session,
    where: AuditFilter,
    visible: frozenset[str] | None,
    since_ms: int | None,
    until_ms: int | None,
) -> list[tuple[int, AuditLine]]:
    # Someone who sees some estates sees changes of those estates only.
    clauses, params = _person_and_estate(where, visible, also_mine=None)
    if where.kind in RECORD_LABELS:
        clauses.append("tbl = :tbl")
        params["tbl"] = where.kind
    if since_ms is not None:
        clauses.append("hlc >= :since")
        params["since"] = since_ms << hlc.LOGICAL_BITS
    if until_ms is not None:
        clauses.append("hlc < :until")
        params["until"] = until_ms << hlc.LOGICAL_BITS
    # One line per row per save: a save stamps all its fields of one row with one clock.
    query = f"""
        SELECT hlc, coalesce(operator, ''), estate_id, tbl, row_id,
               group_concat(field, ','), max(field = 'cl' AND CAST(value AS INTEGER) % 2 = 0),
               min(base_site IS NULL)
        FROM change_log
        WHERE {" AND ".join(clauses)}
        GROUP BY site_id, hlc, tbl, row_id
        ORDER BY hlc DESC
        LIMIT :limit
    """
    lines = []
    for stamp, operator, estate, table, row_id, fields, deleted, fresh in session.execute(
        text(query), params
    ):
        names = [field_label(f) for f in fields.split(",") if f != "cl" and f not in SECRET_FIELDS]
        names = list(dict.fromkeys(names))  # address and its key read as one
        if deleted:
            action, detail = "删除", ""
        elif fresh and "cl" in fields.split(","):
            action, detail = "新增", ""
        else:
            action, detail = "修改", "、".join(names)
        wall = hlc.wall_ms(stamp)
        lines.append(
            (
                wall,
                AuditLine(
                    at=_local(wall),
                    operator=operator,
                    estate_id=estate,
                    estate_name=_ESTATE_NAMES.get(estate or "", ""),
                    kind=table,
                    kind_label=RECORD_LABELS.get(table, table),
                    action=action,
                    row_id=row_id,
                    detail=detail,
                ),
            )
        )
    return lines


def _event_lines(
    session: Session,
    where: AuditFilter,
    visible: frozenset[str] | None,
    since_ms: int | None,
    until_ms: int | None,
) -> list[tuple[int, AuditLine]]:
    # Their estates' events, and their own (a sign-in belongs to no estate).
    clauses, params = _person_and_estate(where, visible, also_mine=access.actor(session).username)
    if where.kind in EVENT_KINDS:
        clauses.append("kind = :kind")
        params["kind"] = where.kind
    query = f"""
        SELECT at, operator, estate_id, kind, id, detail FROM audit_event
        WHERE {" AND ".join(clauses)} ORDER BY at DESC LIMIT :limit
    """
    lines = []
    for at, operator, estate, kind, row_id, detail in session.execute(text(query), params):
        local, ms = _local_from_iso(at)
        if (since_ms is not None and ms < since_ms) or (until_ms is not None and ms >= until_ms):
            continue
        label = EVENT_KINDS.get(kind, kind)
        lines.append(
            (
                ms,
                AuditLine(
                    at=local,
                    operator=operator,
                    estate_id=estate,
                    estate_name=_ESTATE_NAMES.get(estate or "", ""),
                    kind=kind,
                    kind_label=label,
                    action=label,
                    row_id=row_id,
                    detail=detail,
                ),
            )
        )
    return lines


AUDIT_HEADERS = ("时间", "操作员", "小区", "类别", "操作", "内容", "记录编号")


def export_audit_xlsx(lines: list[AuditLine], path: Any) -> None:
    """The lines as a spreadsheet (written to a temporary name, then moved into place)."""
    from pathlib import Path

    from openpyxl import Workbook

    target = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = "操作记录"
    sheet.append(list(AUDIT_HEADERS))
    for line in lines:
        sheet.append(
            [
                line.at,
                line.operator,
                line.estate_name,
                line.kind_label,
                line.action,
                line.detail,
                line.row_id,
            ]
        )
    for column, width in zip("ABCDEFG", (20, 14, 10, 14, 12, 40, 38), strict=True):
        sheet.column_dimensions[column].width = width
    partial = target.with_name(target.name + ".partial")
    book.save(partial)
    partial.replace(target)
