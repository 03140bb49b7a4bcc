"""Everything held about one person, for their request to see it (个人信息保护法 第四十五条).

``household_report`` gathers what the roster holds about a household (the tenant of record)
and its residents; ``resident_report`` what it holds about one resident. Each is a plain
``SubjectReport`` of titled sections (headers and rows of text) with no Qt and no reportlab in
it: ``write_subject_xlsx`` writes it as a workbook here, ``printing.subject.subject_pdf`` as a
PDF. The person's own data is shown in full (their phone, how they voted: it is theirs); the
history of changes says when, by whom, and which fields changed, never the values, which may
be other people's.

Producing a report is recorded in the audit trail by address and record number, never by name
or file name: the audit trail is append-only and outlives an erasure.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from xmen_desktop.domain import hlc
from xmen_desktop.domain.access import SIGN_IN_FIRST, SYSTEM
from xmen_desktop.domain.estates import BODY_KINDS, ESTATES
from xmen_desktop.domain.projects import ATTENDANCE, MEETING_FORMS, PROJECT_STATES
from xmen_desktop.domain.topics import CHANNELS, STATES
from xmen_desktop.domain.validation import area_text
from xmen_desktop.store import access, audit
from xmen_desktop.store.errors import NotFound, SignInRequired, StoreError
from xmen_desktop.store.models import (
    Ballot,
    BodyMember,
    ConsultationContact,
    ConsultationRound,
    Erasure,
    Household,
    Invitee,
    Meeting,
    Project,
    ProjectMember,
    Resident,
    Synced,
    Topic,
    TopicSupport,
    Vote,
)
from xmen_desktop.store.topics import CONSULT_METHODS, OPINIONS

TITLE = "个人信息查询结果"

# What each field is called in the history of changes (address_key, cl are never shown).
FIELD_LABELS: dict[str, str] = {
    "tenant": "承租人",
    "address": "地址",
    "phone": "电话",
    "size": "人数",
    "area_centi": "面积",
    "notes": "备注",
    "estate_id": "小区",
    "name": "姓名",
    "relation": "与承租人关系",
    "gender": "性别",
    "birth_year": "出生年份",
    "household_id": "所属住户",
    "body": "机构",
    "role": "职务",
    "term_start": "任期开始",
    "term_end": "任期结束",
    "resident_id": "居民",
    "title": "标题",
    "description": "内容",
    "category": "类别",
    "proposer_household_id": "提出户",
    "proposer_resident_id": "提出人",
    "proposer_name": "提出人姓名",
    "channel": "提出方式",
    "raised_on": "提出日期",
    "state": "状态",
    "topic_id": "议题",
    "supported_on": "附议日期",
    "note": "备注",
    "round_id": "征询轮次",
    "method": "征询方式",
    "opinion": "意见",
    "said": "所说的话",
    "contacted_on": "征询日期",
    "vote_id": "表决",
    "number": "编号",
    "serial": "票号",
    "returned": "是否交回",
    "choice": "表决意见",
    "blank": "空白票",
    "spoilt": "废票",
    "recorded_at": "登记时间",
    "recorded_by": "登记人",
    "meeting_id": "会议",
    "attendance": "到会情况",
    "proxy_name": "受托人",
    "project_id": "项目",
    "lead_name": "负责人",
    "lead_resident_id": "负责人",
}
_HIDDEN_FIELDS = frozenset({"cl", "address_key"})

RECORD_LABELS: dict[str, str] = {
    "household": "住户",
    "resident": "家庭成员",
    "body_member": "机构任职",
    "topic": "议题",
    "topic_support": "附议",
    "consultation_contact": "征询记录",
    "ballot": "表决票",
    "invitee": "会议邀请",
    "project_member": "项目成员",
    "project": "项目",
}


@dataclass(frozen=True)
class Section:
    """One table of the report: a title, column headers, and rows of plain text."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Said instead of an empty table.
    empty: str = "没有记录。"


@dataclass(frozen=True)
class SubjectReport:
    """Everything held about one household or one resident, as titled sections of text."""

    kind: str  # household | resident
    subject_id: str
    name: str  # the tenant's or the resident's name as held (（已删除） after an erasure)
    address: str
    estate_name: str
    produced_at: str  # local time, "2026-03-01 10:20"
    produced_by: str  # who produced it ("" before any operator exists)
    site_name: str  # on which PC
    sections: tuple[Section, ...]
    erased: bool = False

    @property
    def title(self) -> str:
        return TITLE

    @property
    def who(self) -> str:
        """承租人 王阿毛（小西门 复兴东路 12 弄 3 号 201 室）."""
        role = "承租人" if self.kind == "household" else "居民"
        return f"{role} {self.name}（{self.estate_name} {self.address}）"

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)


# ---------------------------------------------------------------------------- small texts

_ESTATE_NAMES = {e.id: e.name for e in ESTATES}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _local_time(iso: str | None) -> str:
    """An ISO UTC time (as rows keep it) in local time, to the minute."""
    if not iso:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _clock_time(stamp: int) -> str:
    moment = datetime.datetime.fromtimestamp(hlc.wall_ms(stamp) / 1000)
    return moment.strftime("%Y-%m-%d %H:%M")


def _state(row: Synced, live: str = "有效", gone: str = "已删除") -> str:
    return live if row.is_live else gone


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _ballot_choice(ballot: Ballot) -> str:
    if not ballot.returned:
        return "未交回"
    if ballot.spoilt:
        return "废票"
    if ballot.blank:
        return "空白票"
    return ballot.choice or ""


# ---------------------------------------------------------------------------- gathering


class _Gatherer:
    """Collects the rows of one person and the description of each, for the history."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[tuple[str, str], str] = {}

    def note(self, row: Synced, description: str) -> None:
        self.rows[(type(row).__tablename__, row.id)] = description

    def all(self, model: type[Any], *criteria: Any) -> list[Any]:
        return list(self.session.exec(select(model).where(*criteria)).all())

    def topic_title(self, topic_id: str | None) -> str:
        topic = self.session.get(Topic, topic_id) if topic_id else None
        return topic.title if topic is not None else ""

    # -------------------------------------------------------------- sections

    def residents(self, residents: Sequence[Resident]) -> Section:
        rows = []
        for r in residents:
            self.note(r, f"家庭成员 {r.name}")
            rows.append(
                (
                    r.name,
                    r.relation,
                    r.gender,
                    _text(r.birth_year),
                    r.phone or "",
                    r.notes,
                    _state(r, "在册", "已移出名册"),
                )
            )
        return Section(
            "家庭成员",
            ("姓名", "与承租人关系", "性别", "出生年份", "电话", "备注", "状态"),
            tuple(rows),
        )

    def memberships(self, resident_ids: Sequence[str]) -> Section:
        members = (
            self.all(BodyMember, col(BodyMember.resident_id).in_(resident_ids))
            if resident_ids
            else []
        )
        rows = []
        for m in sorted(members, key=lambda m: (m.body, m.name, m.id)):
            self.note(m, f"{BODY_KINDS.get(m.body, m.body)}成员 {m.name}")
            rows.append(
                (
                    BODY_KINDS.get(m.body, m.body),
                    m.name,
                    m.role,
                    _text(m.term_start),
                    _text(m.term_end),
                    m.notes,
                    _state(m, "在任", "已卸任或删除"),
                )
            )
        return Section(
            "自治机构任职",
            ("机构", "姓名", "职务", "任期开始", "任期结束", "备注", "状态"),
            tuple(rows),
        )

    def topics(self, household_id: str | None, resident_ids: Sequence[str]) -> Section:
        criteria = []
        if household_id:
            criteria.append(Topic.proposer_household_id == household_id)
        if resident_ids:
            criteria.append(col(Topic.proposer_resident_id).in_(resident_ids))
        found: dict[str, Topic] = {}
        for criterion in criteria:
            for topic in self.all(Topic, criterion):
                found[topic.id] = topic
        rows = []
        for t in sorted(found.values(), key=lambda t: (t.raised_on, t.id)):
            self.note(t, f"议题 {t.title}")
            rows.append(
                (
                    t.title,
                    _text(t.raised_on),
                    t.proposer_name,
                    CHANNELS.get(t.channel, t.channel),
                    STATES.get(t.state, t.state) if t.is_live else "已删除",
                )
            )
        return Section(
            "提出的议题", ("议题", "提出日期", "提出人", "提出方式", "当前状态"), tuple(rows)
        )

    def supports(self, household_id: str) -> Section:
        rows = []
        for s in sorted(
            self.all(TopicSupport, TopicSupport.household_id == household_id),
            key=lambda s: (s.supported_on, s.id),
        ):
            title = self.topic_title(s.topic_id)
            self.note(s, f"附议 {title}")
            rows.append((title, _text(s.supported_on), s.note, _state(s, "有效", "已撤回")))
        return Section("附议", ("议题", "附议日期", "备注", "状态"), tuple(rows))

    def consultations(self, household_id: str) -> Section:
        rows = []
        contacts = self.all(ConsultationContact, ConsultationContact.household_id == household_id)
        for c in sorted(contacts, key=lambda c: (c.contacted_on, c.id)):
            consultation = self.session.get(ConsultationRound, c.round_id)
            title = self.topic_title(consultation.topic_id if consultation else None)
            self.note(c, f"征询记录 {title}")
            rows.append(
                (
                    title,
                    f"第{consultation.number}轮" if consultation else "",
                    _text(c.contacted_on),
                    CONSULT_METHODS.get(c.method, c.method),
                    OPINIONS.get(c.opinion, c.opinion),
                    c.said,
                )
            )
        return Section(
            "征询记录", ("议题", "轮次", "日期", "方式", "意见", "所说的话"), tuple(rows)
        )

    def ballots(self, household_id: str) -> Section:
        rows = []
        for b in sorted(
            self.all(Ballot, Ballot.household_id == household_id), key=lambda b: (b.serial, b.id)
        ):
            vote = self.session.get(Vote, b.vote_id)
            question = vote.question if vote is not None else ""
            self.note(b, f"表决票 {b.serial}")
            rows.append(
                (
                    question,
                    b.serial,
                    b.tenant,
                    _yes(b.returned),
                    _ballot_choice(b) if b.is_live else "已作废",
                    _local_time(b.recorded_at),
                )
            )
        return Section(
            "表决票",
            ("表决事项", "票号", "票上姓名", "是否交回", "表决意见", "登记时间"),
            tuple(rows),
        )

    def invitations(self, household_id: str | None, resident_ids: Sequence[str]) -> Section:
        found: dict[str, Invitee] = {}
        if household_id:
            for i in self.all(Invitee, Invitee.household_id == household_id):
                found[i.id] = i
        if resident_ids:
            for i in self.all(Invitee, col(Invitee.resident_id).in_(resident_ids)):
                found[i.id] = i
        rows = []
        listed = []
        for i in found.values():
            meeting = self.session.get(Meeting, i.meeting_id)
            listed.append((meeting, i))
        for meeting, i in sorted(
            listed, key=lambda p: (p[0].held_on if p[0] else datetime.date.min, p[1].id)
        ):
            title = meeting.title if meeting else ""
            self.note(i, f"会议邀请 {title}")
            rows.append(
                (
                    title,
                    MEETING_FORMS.get(meeting.form, meeting.form) if meeting else "",
                    _text(meeting.held_on) if meeting else "",
                    i.name,
                    ATTENDANCE.get(i.attendance, "未登记") if i.is_live else "已取消邀请",
                    i.proxy_name,
                )
            )
        return Section(
            "会议邀请与到会",
            ("会议", "类型", "日期", "受邀人", "到会情况", "受托人"),
            tuple(rows),
        )

    def projects(self, resident_ids: Sequence[str]) -> Section:
        if not resident_ids:
            return Section("自治项目", ("项目", "姓名", "角色", "项目状态"), ())
        rows = []
        members = self.all(ProjectMember, col(ProjectMember.resident_id).in_(resident_ids))
        led = self.all(Project, col(Project.lead_resident_id).in_(resident_ids))
        listed = {m.project_id for m in members}
        for m in sorted(members, key=lambda m: (m.project_id, m.id)):
            project = self.session.get(Project, m.project_id)
            title = project.title if project else ""
            self.note(m, f"项目成员 {title}")
            status = PROJECT_STATES.get(project.status, project.status) if project else ""
            rows.append((title, m.name, m.role if m.is_live else f"{m.role}（已退出）", status))
        for p in led:
            self.note(p, f"项目 {p.title}")
            if p.id not in listed:
                rows.append((p.title, p.lead_name, "负责人", PROJECT_STATES.get(p.status, "")))
        return Section("自治项目", ("项目", "姓名", "角色", "项目状态"), tuple(rows))

    def erasures(self) -> list[Erasure]:
        ids = [row_id for _, row_id in self.rows]
        found: list[Erasure] = []
        for chunk in _chunks(ids):
            found += self.all(Erasure, col(Erasure.target_id).in_(chunk))
        return found

    def history(self) -> Section:
        """Every change to the gathered rows: when, who, on which PC, which fields."""
        operators = dict(
            self.session.execute(text("SELECT username, display_name FROM operator")).all()
        )
        sites = dict(self.session.execute(text("SELECT id, name FROM site")).all())
        by_table: dict[str, list[str]] = {}
        for table, row_id in self.rows:
            by_table.setdefault(table, []).append(row_id)
        saves: list[tuple[int, str, str, str, str, list[str], bool, bool]] = []
        for table, ids in by_table.items():
            for chunk in _chunks(ids):
                marks = ", ".join(f":r{i}" for i in range(len(chunk)))
                params: dict[str, Any] = {f"r{i}": row_id for i, row_id in enumerate(chunk)}
                params["t"] = table
                # One line per save: a save stamps all its fields of one row with one clock.
                query = f"""
                    SELECT hlc, site_id, coalesce(operator, ''), row_id,
                           group_concat(field, ','),
                           max(field = 'cl' AND CAST(value AS INTEGER) % 2 = 0),
                           max(field = 'cl' AND base_site IS NULL)
                    FROM change_log WHERE tbl = :t AND row_id IN ({marks})
                    GROUP BY site_id, hlc, row_id
                """
                for stamp, site, who, row_id, fields, deleted, created in self.session.execute(
                    text(query), params
                ):
                    saves.append(
                        (stamp, site, who, table, row_id, fields.split(","), deleted, created)
                    )
        rows = []
        for stamp, site, who, table, row_id, fields, deleted, created in sorted(saves):
            if deleted:
                action, changed = "删除", ""
            elif created:
                action, changed = "新增", ""
            else:
                action = "修改"
                changed = "、".join(
                    FIELD_LABELS.get(f, f) for f in fields if f not in _HIDDEN_FIELDS
                )
            if who == "system" or not who:
                person = "本机" if who == "system" else ""
            else:
                person = operators.get(who, who)
            rows.append(
                (
                    _clock_time(stamp),
                    person,
                    sites.get(site, site[:8]),
                    self.rows[(table, row_id)],
                    action,
                    changed,
                )
            )
        return Section(
            "修改记录", ("时间", "操作员", "电脑", "记录", "操作", "改动的内容"), tuple(rows)
        )


def _chunks(items: list[str], size: int = 400) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _find(session: Session, model: type[Any], row_id: str, what: str) -> Any:
    """The row, live or deleted: a deleted row's data is still held, so it is reported."""
    access.check_row(session, model.__tablename__, row_id)
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"找不到这条{what}记录（编号 {row_id}），请核对编号")
    return row


def _check_role(session: Session) -> None:
    # The report holds phone numbers in full: for the roles that work with them.
    person = access.actor(session)
    if not person.signed_in:
        raise SignInRequired(SIGN_IN_FIRST)
    access.require(session, person.sees_phones, "导出个人信息")


def _erasure_facts(gatherer: _Gatherer) -> list[tuple[str, str]]:
    markers = gatherer.erasures()
    if not markers:
        return []
    latest = max(markers, key=lambda m: m.erased_at)
    return [
        (
            "个人信息删除",
            f"已于 {_local_time(latest.erased_at)} 按本人要求删除"
            + (f"（经办：{latest.erased_by}）" if latest.erased_by else ""),
        )
    ]


def _producer(session: Session) -> tuple[str, str, str]:
    person = access.actor(session)
    # Before any operator exists the PC itself works: the report names only the PC then.
    who = person.display_name if person is not SYSTEM else ""
    site_name = session.execute(
        text("SELECT site_name FROM local_identity WHERE id = 1")
    ).scalar_one_or_none()
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return now, who, str(site_name or "")


def _audit(session: Session, what: str, estate_id: str, file_name: str) -> None:
    # The kind of file, never its name: a name often carries the person's, and the audit
    # trail is append-only, so it would outlive an erasure.
    kind = {".pdf": "PDF 文件", ".xlsx": "Excel 文件"}.get(Path(file_name).suffix.lower(), "")
    audit.record(
        session,
        "subject_export",
        f"导出了{what}的个人信息" + (f"（{kind}）" if kind else ""),
        estate_id=estate_id,
    )


def household_report(session: Session, household_id: str, *, file_name: str = "") -> SubjectReport:
    """Everything held about a household and its residents (audited)."""
    _check_role(session)
    household: Household = _find(session, Household, household_id, "住户")
    gatherer = _Gatherer(session)
    gatherer.note(household, "住户")
    residents = sorted(
        gatherer.all(Resident, Resident.household_id == household.id),
        key=lambda r: (not r.is_live, r.birth_year is None, r.birth_year or 0, r.id),
    )
    resident_ids = [r.id for r in residents]
    sections = [
        gatherer.residents(residents),
        gatherer.memberships(resident_ids),
        gatherer.topics(household.id, resident_ids),
        gatherer.supports(household.id),
        gatherer.consultations(household.id),
        gatherer.ballots(household.id),
        gatherer.invitations(household.id, resident_ids),
        gatherer.projects(resident_ids),
    ]
    estate_name = _ESTATE_NAMES.get(household.estate_id, "")
    facts = [
        ("承租人", household.tenant),
        ("小区", estate_name),
        ("地址", household.address),
        ("电话", household.phone or ""),
        ("家庭人口", f"{household.size} 人" if household.size is not None else ""),
        (
            "建筑面积",
            f"{area_text(household.area_centi)} 平方米" if household.area_centi is not None else "",
        ),
        ("备注", household.notes),
        ("名册状态", "在册" if household.is_live else "已从名册删除"),
        *_erasure_facts(gatherer),
        ("记录编号", household.id),
    ]
    sections.insert(0, Section("基本信息", ("项目", "内容"), tuple(facts)))
    sections.append(gatherer.history())
    _audit(session, f"一户（{household.address}）", household.estate_id, file_name)
    produced_at, produced_by, site_name = _producer(session)
    return SubjectReport(
        kind="household",
        subject_id=household.id,
        name=household.tenant,
        address=household.address,
        estate_name=estate_name,
        produced_at=produced_at,
        produced_by=produced_by,
        site_name=site_name,
        sections=tuple(sections),
        erased=bool(_erasure_facts(gatherer)),
    )


def resident_report(session: Session, resident_id: str, *, file_name: str = "") -> SubjectReport:
    """Everything held about one resident (audited)."""
    _check_role(session)
    resident: Resident = _find(session, Resident, resident_id, "居民")
    household: Household = _find(session, Household, resident.household_id, "住户")
    gatherer = _Gatherer(session)
    gatherer.note(resident, f"居民 {resident.name}")
    ids = [resident.id]
    sections = [
        gatherer.memberships(ids),
        gatherer.topics(None, ids),
        gatherer.invitations(None, ids),
        gatherer.projects(ids),
    ]
    estate_name = _ESTATE_NAMES.get(household.estate_id, "")
    facts = [
        ("姓名", resident.name),
        ("小区", estate_name),
        ("住址", household.address),
        ("与承租人关系", resident.relation),
        ("性别", resident.gender),
        ("出生年份", _text(resident.birth_year)),
        ("电话", resident.phone or ""),
        ("备注", resident.notes),
        ("名册状态", "在册" if resident.is_live else "已从名册删除"),
        *_erasure_facts(gatherer),
        ("记录编号", resident.id),
    ]
    sections.insert(0, Section("基本信息", ("项目", "内容"), tuple(facts)))
    sections.append(gatherer.history())
    _audit(
        session,
        f"一位居民（{household.address}，居民编号 {resident.id[:8]}）",
        household.estate_id,
        file_name,
    )
    produced_at, produced_by, site_name = _producer(session)
    return SubjectReport(
        kind="resident",
        subject_id=resident.id,
        name=resident.name,
        address=household.address,
        estate_name=estate_name,
        produced_at=produced_at,
        produced_by=produced_by,
        site_name=site_name,
        sections=tuple(sections),
        erased=bool(_erasure_facts(gatherer)),
    )


# ---------------------------------------------------------------------------- the workbook

# Excel's limit on a sheet's name, and the characters it refuses there.
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = str.maketrans({c: "－" for c in "[]:*?/\\"})


def write_subject_xlsx(report: SubjectReport, path: Path | str) -> Path:
    """The report as a workbook, one sheet per section (the first says who and when).

    Written to a ``.partial`` name beside the target and renamed into place when complete, so
    a failed export never leaves half a file or destroys an earlier one.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    target = Path(path)
    book = Workbook()
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="E8E8E8")
    wrap = Alignment(wrap_text=True, vertical="top")
    cover = book.active
    cover.title = "说明"
    for line in (
        (report.title,),
        ("查询对象", report.who),
        ("导出时间", report.produced_at),
        ("经办人", report.produced_by),
        ("导出电脑", report.site_name),
        ("说明", "本文件列出本系统保存的与您有关的全部信息，每一类在单独的工作表中。"),
    ):
        if len(line) == 1 or line[1]:
            cover.append(list(line))
    cover["A1"].font = Font(bold=True, size=16)
    cover.column_dimensions["A"].width = 14
    cover.column_dimensions["B"].width = 70
    used: set[str] = {cover.title}
    for section in report.sections:
        name = section.title.translate(_SHEET_NAME_BAD)[:_SHEET_NAME_MAX]
        while name in used:
            name = name[: _SHEET_NAME_MAX - 1] + "'"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append(list(section.headers))
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = shade
        if not section.rows:
            sheet.append([section.empty])
        for row in section.rows:
            sheet.append(list(row))
        for index, header in enumerate(section.headers):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            longest = max(
                [
                    _cells_wide(header),
                    *(_cells_wide(row[index]) for row in section.rows if index < len(row)),
                ]
            )
            sheet.column_dimensions[letter].width = min(60, max(8, longest + 2))
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
        sheet.freeze_panes = "A2"
    partial = target.with_name(f".{target.name}.partial")
    try:
        book.save(partial)
        _fsync(partial)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"无法写入 {target}：{error.strerror or error}") from error
    return target


def _cells_wide(text: str) -> float:
    """How many of Excel's character cells a text takes: a Chinese character two."""
    return sum(2.0 if ord(char) >= 0x2E80 else 1.1 for char in text)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
