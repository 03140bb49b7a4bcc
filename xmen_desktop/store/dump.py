"""Canonical JSON of the shared data: PCs that have converged print the same bytes.

Only what sync carries: live rows of the synced tables, without sync metadata (``cl``) or
local-only fields. This PC's identity, the change log and the site list are left out, so a
PC's own name does not make two converged PCs differ. Password hashes are left out too: they
have no business on a screen or in a file.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from xmen_desktop.store.models import SYNCED_TABLES, Site, logged_fields

DUMPED_TABLES = tuple(t for t in SYNCED_TABLES if t is not Site)
SECRET_FIELDS = frozenset({"password_hash", "pin_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def dump_data(session: Session) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for model in DUMPED_TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        fields = [
            "id",
            *(f for f in logged_fields(model) if f != "cl" and f not in SECRET_FIELDS),
        ]
        query = (
            select(*(table.c[f] for f in fields)).where(table.c.cl % 2 == 1).order_by(table.c.id)
        )
        data[model.__tablename__] = [
            {f: _plain(v) for f, v in zip(fields, row, strict=True)}
            for row in session.execute(query)
        ]
    return data


def dump_json(session: Session) -> str:
    return json.dumps(dump_data(session), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
