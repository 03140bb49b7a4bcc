"""The review queue: fields two PCs changed differently where a person must decide.

Items are derived from the log on every PC (see store.sync). A decision is an ordinary logged
edit of the field plus a synced ReviewResolution naming every entry it supersedes, so the item
clears on every PC that receives it and neither side's value is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store.changelog import decode_value
from xmen_desktop.store.common import now_text, operator
from xmen_desktop.store.errors import NotFound, StoreError
from xmen_desktop.store.models import TABLE_BY_NAME, ReviewResolution

KIND_LABELS = {
    "conflict": "两台电脑改成了不同的值",
    "edit_vs_delete": "一台电脑删除了，另一台电脑修改了",
}


@dataclass(frozen=True)
class Candidate:
    entry: str
    value: Any
    site_name: str
    at_ms: int


@dataclass(frozen=True)
class ReviewEntry:
    tbl: str
    row_id: str
    field: str
    kind: str
    candidates: tuple[Candidate, ...]
    summary: str

    @property
    def key(self) -> str:
        return f"{self.tbl}/{self.row_id}/{self.field}"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "table": self.tbl,
            "row": self.row_id,
            "field": self.field,
            "kind": self.kind,
            "summary": self.summary,
            "candidates": [
                {"entry": c.entry, "value": c.value, "site": c.site_name} for c in self.candidates
            ],
        }


def _describe(session: Session, table: str, row_id: str) -> str:
    if table == "ballot":
        row = session.execute(
            text("SELECT serial, address, tenant FROM ballot WHERE id = :r"), {"r": row_id}
        ).first()
        if row:
            return f"表决票 {row[0]}（{row[1]} {row[2]}）"
    if table == "household":
        row = session.execute(
            text("SELECT address, tenant FROM household WHERE id = :r"), {"r": row_id}
        ).first()
        if row:
            return f"住户 {row[0]} {row[1]}"
    if table == "resident":
        row = session.execute(
            text("SELECT name FROM resident WHERE id = :r"), {"r": row_id}
        ).first()
        if row:
            return f"居民 {row[0]}"
    return f"{table} {row_id[:8]}"


def list_reviews(session: Session) -> list[ReviewEntry]:
    names = dict(session.execute(text("SELECT id, name FROM site")).all())
    items = []
    for table, row_id, name, kind, raw in session.execute(
        text("SELECT tbl, row_id, field, kind, candidates FROM review_item ORDER BY found_at, tbl")
    ):
        candidates = tuple(
            Candidate(
                c["entry"],
                decode_value(table, name, c["value"]),
                names.get(c["site"], c["site"][:8]),
                c["hlc"] >> 16,
            )
            for c in json.loads(raw)
        )
        items.append(
            ReviewEntry(table, row_id, name, kind, candidates, _describe(session, table, row_id))
        )
    return items


def ballots_in_review(session: Session, ballot_ids: list[str]) -> set[str]:
    found = {
        row_id
        for (row_id,) in session.execute(
            text("SELECT row_id FROM review_item WHERE tbl = 'ballot'")
        )
    }
    return found.intersection(ballot_ids)


def resolve_review(
    session: Session, key: str, *, choose: int | None = None, value: Any = None
) -> None:
    """Decide an item: keep candidate ``choose`` (1-based) or enter a new ``value``."""
    try:
        table, row_id, name = key.split("/")
    except ValueError:
        raise StoreError("待核对事项的编号应为 表/记录/字段（见 sync review list）") from None
    item = next((i for i in list_reviews(session) if i.key == key), None)
    if item is None:
        raise NotFound(f"没有这条待核对事项：{key}（可能已在别的电脑上处理过）")
    if choose is not None:
        if not 1 <= choose <= len(item.candidates):
            raise StoreError(f"请从 1 到 {len(item.candidates)} 中选一个")
        value = item.candidates[choose - 1].value
    elif value is None:
        raise StoreError("请选择保留哪一个值，或填写新的值")
    model = TABLE_BY_NAME[table]
    row = session.get(model, row_id)
    if row is None:
        raise NotFound("这条记录在本机还不存在，请先导入包含它的同步包")
    if name == "cl":
        # Keep the delete (even) or bring the row back in a new generation (odd).
        wanted_live = bool(int(value) % 2)
        if row.is_live != wanted_live:
            row.cl += 1
        value = row.cl
    else:
        setattr(row, name, value)
    # Always a new logged edit, even when the kept value is the one that won here: PCs that
    # receive the decision must find an entry that supersedes every candidate, or the item
    # comes back there.
    flag_modified(row, name)
    entries = sorted(c.entry for c in item.candidates)
    session.add(
        ReviewResolution(
            id=natural_id("review", table, row_id, name, *entries),
            tbl=table,
            row_id=row_id,
            field=name,
            superseded=json.dumps(entries),
            value=json.dumps(value, ensure_ascii=False, default=str),
            resolved_by=operator(session),
            at=now_text(),
        )
    )
    session.flush()
    session.execute(
        text("DELETE FROM review_item WHERE tbl = :t AND row_id = :r AND field = :f"),
        {"t": table, "r": row_id, "f": name},
    )


def review_counts(session: Session) -> tuple[int, int]:
    """(fields waiting, records waiting): one ballot may wait on several fields."""
    fields = session.execute(text("SELECT count(*) FROM review_item")).scalar_one()
    records = session.execute(
        text("SELECT count(*) FROM (SELECT DISTINCT tbl, row_id, kind FROM review_item)")
    ).scalar_one()
    return int(fields), int(records)
