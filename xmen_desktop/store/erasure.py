"""Erasing a person's data on request (个人信息保护法): wipe, mark, and keep it wiped.

Erasing a household wipes its tenant's name, phone and notes, every resident of it, and every
copy of their names elsewhere (ballots, meeting invitations, body and project memberships,
topics they raised, what they said when consulted, a review decision that chose one of those
values). Erasing one resident wipes that resident and the copies of their name. The flat stays
on the roster (address, size, area): it is not personal, and votes and counts still need it.

Each wiped row gets an ``erasure`` marker, which syncs. A row is *erased* when it has a marker,
or when it names an erased household or resident (``LINKS``): so a ballot or a resident that
another PC made before it heard of the erasure is wiped too when it arrives. Then:

- the old values are overwritten in this PC's change log, and the losing values kept for
  review (``conflict``, ``review_item``) are dropped;
- whenever a bundle brings a personal field of an erased row (an older bundle, or an edit made
  elsewhere before the marker arrived), its value is replaced by the wiped one before it is
  logged, and this PC's own older entries are scrubbed when a marker arrives
  (``scrub_incoming``, called by the sync merge);
- a session may not write a personal value into an erased row again (``_refuse_erased``), or
  this PC would hold a value that every other PC scrubs: the PCs would never agree again.

The wiped values are the same everywhere and entries keep their identity, so every PC that has
seen the same entries holds the same data, whatever the order of imports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session, select

from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store import audit
from xmen_desktop.store.access import check_row
from xmen_desktop.store.changelog import LoggedSession, encode_value
from xmen_desktop.store.common import now_text, tombstone
from xmen_desktop.store.errors import NotFound, StoreError
from xmen_desktop.store.models import (
    TABLE_BY_NAME,
    Erasure,
    Household,
    Resident,
    ReviewResolution,
    Synced,
)

ERASED_NAME = "（已删除）"

# Per table, the personal fields and the value each is wiped to.
WIPED: dict[str, dict[str, Any]] = {
    "household": {"tenant": ERASED_NAME, "phone": None, "notes": ""},
    "resident": {
        "name": ERASED_NAME,
        "phone": None,
        "notes": "",
        "gender": "",
        "birth_year": None,
        "relation": "",
    },
    "body_member": {"name": ERASED_NAME, "notes": ""},
    "ballot": {"tenant": ERASED_NAME},
    "invitee": {"name": ERASED_NAME, "proxy_name": ""},
    "project_member": {"name": ERASED_NAME},
    "project": {"lead_name": ERASED_NAME},
    "topic": {"proposer_name": ERASED_NAME},
    "topic_support": {"note": ""},
    "consultation_contact": {"said": ""},
    # A person's review decision on a personal field records the value chosen.
    "review_resolution": {"value": None},
}

# (table, column, table it names): rows that copy a household's or a resident's personal
# data. Residents first: a household's residents are erased with it, and rows naming them too.
LINKS: tuple[tuple[str, str, str], ...] = (
    ("resident", "household_id", "household"),
    ("ballot", "household_id", "household"),
    ("topic_support", "household_id", "household"),
    ("consultation_contact", "household_id", "household"),
    ("invitee", "household_id", "household"),
    ("topic", "proposer_household_id", "household"),
    ("invitee", "resident_id", "resident"),
    ("body_member", "resident_id", "resident"),
    ("project_member", "resident_id", "resident"),
    ("topic", "proposer_resident_id", "resident"),
    ("project", "lead_resident_id", "resident"),
)

ALREADY_ERASED = "这户的个人信息已经删除过了，不需要再删除。"
REFUSED_AFTER_ERASURE = (
    "这一户（或这位居民）的个人信息已按本人要求删除，不能再填写姓名、电话、备注等个人信息。"
    "如果是新的承租人入住，请先删除这户，再新增一户。"
)


def erasure_id(table: str, row_id: str) -> str:
    return natural_id("erasure", table, row_id)


def is_erased(session: Session, table: str, row_id: str) -> bool:
    """Whether this row itself carries a marker (rows naming an erased one are not asked)."""
    connection = session.connection()
    return (
        connection.exec_driver_sql(
            "SELECT 1 FROM erasure WHERE id = ?", (erasure_id(table, row_id),)
        ).first()
        is not None
    )


# ---------------------------------------------------------------------------- erasing


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure did, for the message shown afterwards."""

    rows: int  # rows wiped, the household's or resident's own included
    residents: int  # residents wiped (and removed from the roster)
    address: str


def _linked_rows(session: Session, households: set[str], residents: set[str]) -> list[Synced]:
    """Every row holding a copy of these households' or residents' personal data (deleted
    rows too: a tombstone keeps its fields)."""
    rows: dict[tuple[str, str], Synced] = {}
    targets = {"household": households, "resident": residents}
    for table, column, target in LINKS:
        ids = targets[target]
        if not ids:
            continue
        model = TABLE_BY_NAME[table]
        found = session.exec(select(model).where(getattr(model, column).in_(sorted(ids)))).all()
        for row in found:
            rows[(table, row.id)] = row
            if table == "resident":
                residents.add(row.id)
    # Review decisions that chose a value of one of these rows' personal fields.
    wiped_ids = {row_id for _, row_id in rows} | households | residents
    if wiped_ids:
        for decision in session.exec(
            select(ReviewResolution).where(
                ReviewResolution.row_id.in_(sorted(wiped_ids))  # type: ignore[attr-defined]
            )
        ).all():
            if decision.field in WIPED.get(decision.tbl, {}):
                rows[("review_resolution", decision.id)] = decision
    return list(rows.values())


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing would wipe, for the question asked first (nothing is changed)."""

    kind: str  # household | resident
    id: str
    name: str
    address: str
    residents: int  # residents leaving the roster (a household's live ones)
    copies: dict[str, int]  # other records holding their names, by label: {"表决票": 2}
    already: bool  # already erased

    def lines(self) -> list[str]:
        """What will be wiped, one plain line each (shown before the person confirms)."""
        if self.kind == "household":
            lines = [f"承租人 {self.name} 的姓名、电话和备注"]
            if self.residents:
                lines.append(f"{self.residents} 位家庭成员的全部资料（从名册中移出）")
        else:
            lines = [f"居民 {self.name} 的全部资料（从名册中移出）"]
        if self.copies:
            listed = "、".join(f"{label} {n} 条" for label, n in self.copies.items())
            lines.append(f"其他记录里的姓名和意见：{listed}")
        return lines


COPY_LABELS: dict[str, str] = {
    "ballot": "表决票",
    "invitee": "会议邀请",
    "body_member": "机构任职",
    "project_member": "项目成员",
    "project": "项目负责人",
    "topic": "提出的议题",
    "topic_support": "附议",
    "consultation_contact": "征询记录",
}


def preview_household(session: Session, household_id: str) -> ErasurePreview:
    household: Household = _find(session, Household, household_id, "住户")
    residents: set[str] = set()
    rows = _linked_rows(session, {household.id}, residents)
    return _preview("household", household.id, household.tenant, household.address, rows, session)


def preview_resident(session: Session, resident_id: str) -> ErasurePreview:
    resident: Resident = _find(session, Resident, resident_id, "居民")
    household: Household = _find(session, Household, resident.household_id, "住户")
    rows = [resident, *_linked_rows(session, set(), {resident.id})]
    return _preview("resident", resident.id, resident.name, household.address, rows, session)


def _preview(
    kind: str, row_id: str, name: str, address: str, rows: list[Synced], session: Session
) -> ErasurePreview:
    copies: dict[str, int] = {}
    for row in rows:
        label = COPY_LABELS.get(type(row).__tablename__)
        if label:
            copies[label] = copies.get(label, 0) + 1
    living = sum(1 for row in rows if isinstance(row, Resident) and row.is_live)
    return ErasurePreview(
        kind, row_id, name, address, living, copies, is_erased(session, kind, row_id)
    )


def _wipe(session: Session, rows: Iterable[Synced]) -> list[tuple[str, str]]:
    """Wipe the rows' personal fields, tombstone residents, mark every row; flush."""
    stamp, who = now_text(), str(session.info.get("operator") or "")
    wiped: list[tuple[str, str]] = []
    for row in rows:
        table = type(row).__tablename__
        for name, value in WIPED[table].items():
            setattr(row, name, value)
        if isinstance(row, Resident):
            tombstone(row)
        marker = session.get(Erasure, erasure_id(table, row.id))
        if marker is None:
            session.add(
                Erasure(
                    id=erasure_id(table, row.id),
                    tbl=table,
                    target_id=row.id,
                    erased_at=stamp,
                    erased_by=who,
                )
            )
        elif not marker.is_live:
            marker.cl += 1
        wiped.append((table, row.id))
    session.flush()
    return wiped


@contextlib.contextmanager
def _zeroing(session: Session) -> Iterator[Any]:
    """A raw cursor on the session's connection, with freed space in the file zeroed while
    the erasure writes (so old values do not linger in free pages)."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    before = cursor.execute("PRAGMA secure_delete").fetchone()[0]
    cursor.execute("PRAGMA secure_delete = ON")
    try:
        yield cursor
    finally:
        cursor.execute(f"PRAGMA secure_delete = {int(before)}")


def _scrub_after(cursor: Any, wiped: list[tuple[str, str]]) -> None:
    """Overwrite the old values in this PC's log and drop the losing values kept for review."""
    _prepare(cursor)
    cursor.executemany("INSERT OR IGNORE INTO erased_row VALUES (?, ?)", wiped)
    _scrub_log(cursor)


def _find(session: Session, table: type[Synced], row_id: str, what: str) -> Any:
    """The row, live or deleted (a deleted household's data is still held, so it can be
    erased); AccessDenied for an estate outside the person's role."""
    check_row(session, table.__tablename__, row_id)
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(f"找不到这条{what}记录（编号 {row_id}），请核对编号")
    return row


def erase_household(session: Session, household_id: str, reason: str = "") -> ErasureResult:
    """Wipe everything personal about a household and its residents.

    The flat stays on the roster (address, size, area); the residents leave it.
    """
    household: Household = _find(session, Household, household_id, "住户")
    if is_erased(session, "household", household.id):
        raise StoreError(ALREADY_ERASED)
    residents: set[str] = set()
    with _zeroing(session) as cursor:
        rows = [household, *_linked_rows(session, {household.id}, residents)]
        wiped = _wipe(session, rows)
        _scrub_after(cursor, wiped)
    reason = reason.strip()
    audit.record(
        session,
        "erase",
        f"删除了一户的个人信息（{household.address}，连同 {len(residents)} 位家庭成员）"
        + (f"，原因：{reason}" if reason else ""),
        estate_id=household.estate_id,
    )
    session.flush()
    return ErasureResult(len(wiped), len(residents), household.address)


def erase_resident(session: Session, resident_id: str, reason: str = "") -> ErasureResult:
    """Wipe one resident (and the copies of their name) and remove them from the roster.

    The tenant of record is erased with the household (``erase_household``): their name is
    the household's too.
    """
    resident: Resident = _find(session, Resident, resident_id, "居民")
    household: Household = _find(session, Household, resident.household_id, "住户")
    if is_erased(session, "resident", resident.id) or is_erased(session, "household", household.id):
        raise StoreError("这位居民的个人信息已经删除过了，不需要再删除。")
    if resident.name.strip() and resident.name.strip() == household.tenant.strip():
        raise StoreError(
            f"{resident.name}是这户的承租人：请在住户上删除个人信息（家庭成员会一并删除）。"
        )
    with _zeroing(session) as cursor:
        rows = [resident, *_linked_rows(session, set(), {resident.id})]
        wiped = _wipe(session, rows)
        _scrub_after(cursor, wiped)
    reason = reason.strip()
    audit.record(
        session,
        "erase",
        f"删除了一位居民的个人信息（{household.address}，居民编号 {resident.id[:8]}）"
        + (f"，原因：{reason}" if reason else ""),
        estate_id=household.estate_id,
    )
    session.flush()
    return ErasureResult(len(wiped), 1, household.address)


def settle_file(store: Any) -> None:
    """After an erasure is committed: fold the write-ahead log into the database file and
    empty it, so the pages that held the old values are gone from the folder too. Another
    reader may hold the log open; then this is done at the next checkpoint instead."""
    import sqlite3

    # Outside any transaction: the engine's connections begin one on first use.
    connection = store.engine.raw_connection()
    try:
        connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError:
        pass  # busy: the next checkpoint does it
    finally:
        connection.close()


# ---------------------------------------------------------------------------- scrubbing (SQL)

_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS personal_field "
    "(tbl TEXT, field TEXT, wiped TEXT, PRIMARY KEY (tbl, field))",
    "CREATE TEMP TABLE IF NOT EXISTS erased_row (tbl TEXT, row_id TEXT, PRIMARY KEY (tbl, row_id))",
    "CREATE TEMP TABLE IF NOT EXISTS incoming_link (tbl TEXT, row_id TEXT, target TEXT, "
    "target_id TEXT)",
    "CREATE TEMP TABLE IF NOT EXISTS erasure_link (tbl TEXT, field TEXT, target TEXT, "
    "PRIMARY KEY (tbl, field))",
    "DELETE FROM personal_field",
    "DELETE FROM erased_row",
    "DELETE FROM incoming_link",
    "DELETE FROM erasure_link",
)


def _prepare(cursor: Any) -> None:
    for statement in _TEMP_TABLES:
        cursor.execute(statement)
    cursor.executemany(
        "INSERT INTO personal_field VALUES (?, ?, ?)",
        [
            (table, name, encode_value(value))
            for table, fields in WIPED.items()
            for name, value in fields.items()
        ],
    )
    cursor.executemany("INSERT INTO erasure_link VALUES (?, ?, ?)", LINKS)


# A personal field holding something: empty values (null, "") hold nothing and stay as they are.
_IS_PERSONAL = (
    "EXISTS (SELECT 1 FROM personal_field p WHERE p.tbl = {t} AND p.field = {f} "
    "AND {v} IS NOT p.wiped AND {v} IS NOT NULL AND {v} NOT IN ('null', '\"\"'))"
)
_WIPED_VALUE = "(SELECT p.wiped FROM personal_field p WHERE p.tbl = {t} AND p.field = {f})"


def _scrub_log(cursor: Any) -> list[tuple[str, str]]:
    """Overwrite personal values of every row in ``erased_row`` in this PC's change log, and
    drop kept losing values and review candidates of those fields. Returns the rows whose
    log changed."""
    personal = _IS_PERSONAL.format(t="c.tbl", f="c.field", v="c.value")
    changed = cursor.execute(
        f"""
        UPDATE change_log
        SET value = {_WIPED_VALUE.format(t="change_log.tbl", f="change_log.field")}
        WHERE rowid IN (
            SELECT c.rowid FROM erased_row e
            JOIN change_log c ON c.tbl = e.tbl AND c.row_id = e.row_id
            WHERE {personal}
        )
        RETURNING tbl, row_id
        """
    ).fetchall()
    for table in ("conflict", "review_item"):
        cursor.execute(
            f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM erased_row e "
            f"WHERE e.tbl = {table}.tbl AND e.row_id = {table}.row_id) "
            f"AND EXISTS (SELECT 1 FROM personal_field p WHERE p.tbl = {table}.tbl "
            f"AND p.field = {table}.field)"
        )
    return sorted(set(changed))


def _erased_rows(cursor: Any, *, with_incoming: bool) -> None:
    """Fill ``erased_row``: rows with a marker (held here or arriving), then the rows that
    name an erased household or resident (in the tables, or as the bundle has them)."""
    cursor.execute("INSERT OR IGNORE INTO erased_row SELECT tbl, target_id FROM erasure")
    if with_incoming:
        cursor.execute(
            """
            INSERT OR IGNORE INTO erased_row
            SELECT t.value ->> '$', r.value ->> '$'
            FROM incoming t JOIN incoming r ON r.row_id = t.row_id
            WHERE t.tbl = 'erasure' AND t.field = 'tbl'
              AND r.tbl = 'erasure' AND r.field = 'target_id'
              AND t.value ->> '$' IS NOT NULL AND r.value ->> '$' IS NOT NULL
            """
        )
    if cursor.execute("SELECT 1 FROM erased_row LIMIT 1").fetchone() is None:
        return
    if with_incoming:
        # One pass over the bundle: every reference to a household or a resident it carries.
        cursor.execute(
            """
            INSERT INTO incoming_link
            SELECT i.tbl, i.row_id, l.target, i.value ->> '$'
            FROM incoming i JOIN erasure_link l ON l.tbl = i.tbl AND l.field = i.field
            WHERE i.value ->> '$' IS NOT NULL
            """
        )
    # Twice: a household's residents first, then the rows naming those residents.
    for _ in range(2):
        for table, column, target in LINKS:
            cursor.execute(
                f"INSERT OR IGNORE INTO erased_row SELECT ?, id FROM {table} "
                f"WHERE {column} IN (SELECT row_id FROM erased_row WHERE tbl = ?)",
                (table, target),
            )
        if with_incoming:
            cursor.execute(
                "INSERT OR IGNORE INTO erased_row SELECT l.tbl, l.row_id FROM incoming_link l "
                "JOIN erased_row e ON e.tbl = l.target AND e.row_id = l.target_id"
            )
        # Rows still waiting for a parent are in no table yet: their log says whom they name.
        cursor.execute(
            """
            INSERT OR IGNORE INTO erased_row
            SELECT c.tbl, c.row_id FROM pending_row w
            JOIN change_log c ON c.tbl = w.tbl AND c.row_id = w.row_id
            JOIN erasure_link l ON l.tbl = c.tbl AND l.field = c.field
            JOIN erased_row e ON e.tbl = l.target AND e.row_id = c.value ->> '$'
            """
        )
    # Review decisions on a personal field of an erased row.
    cursor.execute(
        """
        INSERT OR IGNORE INTO erased_row
        SELECT 'review_resolution', d.id FROM review_resolution d
        JOIN erased_row e ON e.tbl = d.tbl AND e.row_id = d.row_id
        JOIN personal_field p ON p.tbl = d.tbl AND p.field = d.field
        """
    )
    if with_incoming:
        cursor.execute(
            """
            INSERT OR IGNORE INTO erased_row
            SELECT 'review_resolution', t.row_id
            FROM incoming t
            JOIN incoming r ON r.tbl = 'review_resolution' AND r.row_id = t.row_id
                AND r.field = 'row_id'
            JOIN incoming f ON f.tbl = 'review_resolution' AND f.row_id = t.row_id
                AND f.field = 'field'
            JOIN erased_row e ON e.tbl = t.value ->> '$' AND e.row_id = r.value ->> '$'
            JOIN personal_field p ON p.tbl = t.value ->> '$' AND p.field = f.value ->> '$'
            WHERE t.tbl = 'review_resolution' AND t.field = 'tbl'
            """
        )


def scrub_incoming(cursor: Any) -> None:
    """Before a bundle's entries are logged: personal values of erased rows become wiped.

    Rows count as erased whether the marker (or the link to an erased person) is already here
    or arrives in the same bundle. This PC's own older entries of those rows are scrubbed too,
    and the rows are merged again (``affected``) so that the tables follow the log.
    """
    _prepare(cursor)
    _erased_rows(cursor, with_incoming=True)
    if cursor.execute("SELECT 1 FROM erased_row LIMIT 1").fetchone() is None:
        return
    # Freed space zeroed from here on in this import (FAST: only where it costs no extra I/O).
    cursor.execute("PRAGMA secure_delete = FAST")
    personal = _IS_PERSONAL.format(t="incoming.tbl", f="incoming.field", v="incoming.value")
    cursor.execute(
        f"""
        UPDATE incoming SET value = {_WIPED_VALUE.format(t="incoming.tbl", f="incoming.field")}
        WHERE {personal} AND EXISTS (
            SELECT 1 FROM erased_row e WHERE e.tbl = incoming.tbl AND e.row_id = incoming.row_id
        )
        """
    )
    changed = _scrub_log(cursor)
    cursor.executemany("INSERT OR IGNORE INTO affected VALUES (?, ?)", changed)


# ---------------------------------------------------------------------------- the write guard


def _holds_data(value: Any, wiped: Any) -> bool:
    """Whether a personal field's value says something (empty values and wiped ones do not)."""
    return value not in (None, "") and value != wiped


def _written_values(session: Session) -> list[tuple[Synced, str]]:
    """(row, table) of every row this flush writes personal data into."""
    found: list[tuple[Synced, str]] = []
    new = session.new  # a fresh set on every access: take it once
    for obj in (*new, *session.dirty):
        if not isinstance(obj, Synced):
            continue
        table = type(obj).__tablename__
        fields = WIPED.get(table)
        if not fields:
            continue
        if isinstance(obj, ReviewResolution):
            if obj.field in WIPED.get(obj.tbl, {}) and obj.value is not None:
                found.append((obj, table))
            continue
        if obj in new:
            written = [(getattr(obj, name), wiped) for name, wiped in fields.items()]
        else:
            state = inspect(obj)
            written = [
                (state.attrs[name].history.added[0], wiped)
                for name, wiped in fields.items()
                if state.attrs[name].history.added
            ]
        if any(_holds_data(value, wiped) for value, wiped in written):
            found.append((obj, table))
    return found


def _erased_among(connection: Any, rows: set[tuple[str, str]]) -> set[tuple[str, str]]:
    ids = {erasure_id(table, row_id): (table, row_id) for table, row_id in rows}
    erased: set[tuple[str, str]] = set()
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for (marker,) in connection.exec_driver_sql(
            f"SELECT id FROM erasure WHERE id IN ({marks})", tuple(chunk)
        ):
            erased.add(ids[marker])
    return erased


def _refuse_erased(session: Session, flush_context: Any, instances: Any) -> None:
    """Personal data written into an erased row (or a row naming an erased person) is refused:
    every other PC would scrub it, and the PCs would not agree again. A review decision on such
    a field keeps no value instead (it is only a record of the choice)."""
    candidates = _written_values(session)
    if not candidates:
        return
    connection = session.connection()
    if connection.exec_driver_sql("SELECT 1 FROM erasure LIMIT 1").first() is None:
        return
    # For each row, the rows whose erasure covers it: itself and the people it names.
    covering: dict[int, set[tuple[str, str]]] = {}
    for obj, table in candidates:
        rows = {(table, obj.id)}
        if isinstance(obj, ReviewResolution):
            rows.add((obj.tbl, obj.row_id))
        for link_table, column, target in LINKS:
            value = getattr(obj, column, None) if link_table == table else None
            if value:
                rows.add((target, str(value)))
        covering[id(obj)] = rows
    residents = sorted({r for rows in covering.values() for t, r in rows if t == "resident"})
    household_of: dict[str, str] = {}
    for chunk in _chunks(residents):
        marks = ",".join("?" * len(chunk))
        household_of.update(
            connection.exec_driver_sql(
                f"SELECT id, household_id FROM resident WHERE id IN ({marks})", tuple(chunk)
            ).all()
        )
    for rows in covering.values():
        # A resident of an erased household is erased with it.
        rows.update(("household", household_of[r]) for t, r in list(rows) if r in household_of)
    erased = _erased_among(connection, {row for rows in covering.values() for row in rows})
    if not erased:
        return
    for obj, _table in candidates:
        if not covering[id(obj)] & erased:
            continue
        if isinstance(obj, ReviewResolution):
            obj.value = None
            continue
        raise StoreError(REFUSED_AFTER_ERASURE)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Ahead of the change capture: a refused write logs nothing, and a decision's value is dropped
# before it is logged.
event.listen(LoggedSession, "before_flush", _refuse_erased, insert=True)
