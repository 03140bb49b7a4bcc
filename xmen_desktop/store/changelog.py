"""Change capture: every write through a store session logs one entry per changed field.

The capture runs in ``before_flush``, so entries are written in the same transaction as the
rows they describe. A guard on the engine refuses any INSERT, UPDATE or DELETE of a synced
table that does not come from a logging flush (or from the sync merge, which writes the log
itself), so a write path that skips the log fails loudly instead of silently diverging.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
import re
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from xmen_desktop.domain import hlc
from xmen_desktop.store.errors import ChangeLogBypass
from xmen_desktop.store.models import (
    TABLE_BY_NAME,
    ChangeEntry,
    Synced,
    logged_fields,
)

# True while a logging flush (or a sanctioned bulk writer such as migrations) is running.
_WRITE_ALLOWED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "xmen_write_allowed", default=False
)

_WRITE_STATEMENT = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r"\s+[\"`\[]?(\w+)",
    re.IGNORECASE,
)


@contextlib.contextmanager
def sanctioned_writes() -> Iterator[None]:
    """For code that maintains the log itself (migrations, the sync merge)."""
    token = _WRITE_ALLOWED.set(True)
    try:
        yield
    finally:
        _WRITE_ALLOWED.reset(token)


def install_guard(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_unlogged(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        match = _WRITE_STATEMENT.match(statement)
        if match and match.group(1) in TABLE_BY_NAME and not _WRITE_ALLOWED.get():
            raise ChangeLogBypass(
                f"write to synced table {match.group(1)!r} outside a logging session"
            )


def encode_value(value: Any) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_value(table: str, field: str, raw: str | None) -> Any:
    if raw is None:
        return None
    value = json.loads(raw)
    if value is None:
        return None
    python_type = _python_type(table, field)
    if python_type is datetime.date:
        return datetime.date.fromisoformat(value)
    if python_type is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    return value


def _python_type(table: str, field: str) -> type | None:
    column = TABLE_BY_NAME[table].__table__.columns[field]  # type: ignore[attr-defined]
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class LoggedSession(Session):
    """The only kind of session that may write: it logs every change it flushes."""

    def flush(self, objects: Any = None) -> None:
        token = _WRITE_ALLOWED.set(True)
        try:
            super().flush(objects)
        finally:
            _WRITE_ALLOWED.reset(token)


def _pending_changes(session: Session) -> list[tuple[Synced, list[str], bool]]:
    """(row, fields to log, whether the row is new) for everything this flush will write."""
    changes: list[tuple[Synced, list[str], bool]] = []
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise ChangeLogBypass(
                f"hard delete of {type(obj).__tablename__} refused: deletes are soft (cl += 1)"
            )
    # session.new builds a fresh set on every access: take it once (bulk inserts made this
    # quadratic).
    new = session.new
    for obj in new:
        if isinstance(obj, Synced):
            changes.append((obj, logged_fields(type(obj)), True))
    for obj in session.dirty:
        if not isinstance(obj, Synced) or obj in new:
            continue
        state = inspect(obj)
        fields = []
        for name in logged_fields(type(obj)):
            history = state.attrs[name].history
            if history.added and (not history.deleted or history.added[0] != history.deleted[0]):
                fields.append(name)
        if fields:
            changes.append((obj, fields, False))
    return changes


_UPSERT_VERSION = text(
    "INSERT INTO field_version (tbl, row_id, field, site_id, counter, hlc, cl) "
    "VALUES (:tbl, :row_id, :field, :site_id, :counter, :hlc, :cl) "
    "ON CONFLICT (tbl, row_id, field) DO UPDATE SET site_id = excluded.site_id, "
    "counter = excluded.counter, hlc = excluded.hlc, cl = excluded.cl"
)


def _current_versions(connection: Any, table: str, row_id: str) -> dict[str, tuple[str, int]]:
    """The entry each field of a row currently comes from: what a local edit overwrites."""
    rows = connection.execute(
        text("SELECT field, site_id, counter FROM field_version WHERE tbl = :t AND row_id = :r"),
        {"t": table, "r": row_id},
    )
    return {field: (site, counter) for field, site, counter in rows}


def _install_access() -> None:
    from xmen_desktop.store import access

    access.install(LoggedSession)


_install_access()


@event.listens_for(LoggedSession, "before_flush")
def _capture(session: Session, flush_context: Any, instances: Any) -> None:
    changes = _pending_changes(session)
    if not changes:
        return
    if session.info.get("readonly"):
        raise ChangeLogBypass("this session is read-only")
    site_id = session.info["site_id"]
    from xmen_desktop.store.access import actor, check_writes

    estates = check_writes(session, changes)
    author = actor(session).username
    connection = session.connection()
    count = sum(len(fields) for _, fields, _ in changes)
    # One statement reserves a gap-free counter range for this flush (BEGIN IMMEDIATE holds
    # the write lock, so another process cannot interleave).
    last_counter = connection.execute(
        text(
            "UPDATE site_counter SET counter = counter + :n WHERE site_id = :site RETURNING counter"
        ),
        {"n": count, "site": site_id},
    ).scalar_one()
    counter = last_counter - count
    stamp = connection.execute(text("SELECT last_hlc FROM local_identity")).scalar_one()
    wall = now_ms()
    entries: list[dict[str, Any]] = []
    for obj, fields, is_new in changes:
        stamp = hlc.tick(stamp, wall)
        table = type(obj).__tablename__
        if obj.cl is None:
            obj.cl = 1
        bases = {} if is_new else _current_versions(connection, table, obj.id)
        for name in fields:
            counter += 1
            base = bases.get(name)
            entries.append(
                {
                    "site_id": site_id,
                    "counter": counter,
                    "hlc": stamp,
                    "tbl": table,
                    "row_id": obj.id,
                    "field": name,
                    "value": encode_value(getattr(obj, name)),
                    "cl": obj.cl,
                    "base_site": base[0] if base else None,
                    "base_counter": base[1] if base else None,
                    "operator": author,
                    "estate_id": estates[id(obj)],
                }
            )
    connection.execute(text("UPDATE local_identity SET last_hlc = :h"), {"h": stamp})
    connection.execute(insert(ChangeEntry.__table__), entries)  # type: ignore[attr-defined]
    connection.execute(_UPSERT_VERSION, entries)
    session.info.setdefault("changed_tables", set()).update(
        type(obj).__tablename__ for obj, _, _ in changes
    )


def materialize(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """Rebuild every logged row from the log alone, by the rule the sync merge applies.

    Tests use this to prove that the log describes every row completely.
    """
    from xmen_desktop.domain.merge import Version, decide

    fields: dict[tuple[str, str, str], list[Version]] = {}
    query = text(
        "SELECT tbl, row_id, field, site_id, counter, hlc, cl, value, base_site, base_counter "
        "FROM change_log"
    )
    for (
        table,
        row_id,
        name,
        site,
        counter,
        stamp,
        cl,
        raw,
        base_site,
        base_counter,
    ) in session.execute(query):
        base = (base_site, base_counter) if base_site is not None else None
        fields.setdefault((table, row_id, name), []).append(
            Version(site, counter, stamp, cl, raw, base)
        )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for (table, row_id, name), versions in fields.items():
        winner = decide(versions).winner
        rows.setdefault((table, row_id), {})[name] = decode_value(table, name, winner.value)
    return rows
