"""Small helpers shared by the store's operation modules."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlmodel import Session

from xmen_desktop.domain.validation import RecordInvalid
from xmen_desktop.store.errors import NotFound, ValidationFailed
from xmen_desktop.store.models import Synced

RowT = TypeVar("RowT", bound=Synced)


def live(session: Session, table: type[RowT], row_id: str, what: str) -> RowT:
    """The live row, or NotFound naming what was looked for (AccessDenied: not yours)."""
    from xmen_desktop.store.access import check_row

    check_row(session, table.__tablename__, row_id)
    row = session.get(table, row_id)
    if row is None or not row.is_live:
        raise NotFound(f"找不到这条{what}记录（编号 {row_id}），可能已被删除")
    return row


def tombstone(row: Synced) -> None:
    if row.is_live:
        row.cl += 1


def revive(row: Synced) -> None:
    """Re-create a tombstoned row under its natural id: the causal length moves on to odd."""
    if not row.is_live:
        row.cl += 1


def clean(
    cleaner: Callable[..., dict[str, Any]], values: Mapping[str, object], partial: bool
) -> dict[str, Any]:
    try:
        return cleaner(values, partial=partial)
    except RecordInvalid as invalid:
        raise ValidationFailed(invalid.errors) from None


def operator(session: Session) -> str:
    return str(session.info.get("operator") or "")


def now_text() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def today() -> datetime.date:
    return datetime.date.today()
