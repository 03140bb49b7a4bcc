"""Tables of the store.

Every table that syncs derives from :class:`Synced`: a UUID key made where the row is
created and a causal length ``cl`` (odd = live, even = deleted; a delete or re-creation
adds one), so that deletes are tombstones that sync and a re-created row outlives an
older delete. Local-only tables (this PC's identity, the change log itself) do not.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from xmen_desktop.domain.ids import new_id


class Synced(SQLModel):
    """Base of every table whose rows travel in sync bundles."""

    # Fields kept on this PC only and never logged (automatic fields like "last opened").
    __local_fields__: ClassVar[frozenset[str]] = frozenset()

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    cl: int = Field(default=1, nullable=False)

    @property
    def is_live(self) -> bool:
        return self.cl % 2 == 1


class Site(Synced, table=True):
    """A PC that writes data: its name travels so other PCs can say where a change came from."""

    __tablename__ = "site"

    name: str


class Estate(Synced, table=True):
    __tablename__ = "estate"

    code: str = Field(index=True, unique=True)
    name: str
    position: int


class Household(Synced, table=True):
    """户: a flat of the estate and its tenant of record (公房承租人)."""

    __tablename__ = "household"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    tenant: str
    address: str
    # Spaceless canonical address: how "already on the roster" is decided.
    address_key: str = Field(index=True)
    phone: str | None = None
    size: int | None = None
    # Floor area in hundredths of m²: integers, so sums over a roster never drift.
    area_centi: int | None = None
    notes: str = ""


class Resident(Synced, table=True):
    """居民: a person living in a household (the tenant is usually one of them)."""

    __tablename__ = "resident"

    household_id: str = Field(foreign_key="household.id", index=True)
    name: str
    relation: str = ""
    gender: str = ""
    birth_year: int | None = None
    phone: str | None = None
    notes: str = ""


class BodyMember(Synced, table=True):
    """A member of one of the four bodies (议事大会, 执委会, 党建联络员, 纠纷调处委员会)."""

    __tablename__ = "body_member"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    body: str = Field(index=True)
    resident_id: str | None = Field(default=None, foreign_key="resident.id")
    # Kept even when the member is a resident: the roll must read right if they move away.
    name: str
    role: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    notes: str = ""


class ChangeEntry(SQLModel, table=True):
    """One changed field of one row (or a tombstone, ``field == "cl"`` with an even value).

    (site_id, counter) identifies an entry everywhere: counters are gap-free per site, so a
    version vector says exactly which entries a PC holds. ``hlc`` only orders concurrent edits.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_row", "tbl", "row_id", "field"),)

    site_id: str = Field(primary_key=True, max_length=36)
    counter: int = Field(primary_key=True)
    hlc: int = Field(index=True)
    tbl: str
    row_id: str = Field(max_length=36)
    field: str
    # JSON text of the new value.
    value: str | None = None
    # The row's causal length when the change was made: an edit made before a delete loses to it.
    cl: int


class LocalIdentity(SQLModel, table=True):
    """This PC: one row, never synced."""

    __tablename__ = "local_identity"

    id: int = Field(default=1, primary_key=True)
    site_id: str = Field(max_length=36)
    site_name: str
    last_hlc: int = 0
    # When this identity was made (ISO text, UTC): shown in "site show".
    created_at: str = Field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    )


class SiteCounter(SQLModel, table=True):
    """Version vector: the highest gap-free counter held from each site (ours included)."""

    __tablename__ = "site_counter"

    site_id: str = Field(primary_key=True, max_length=36)
    counter: int = 0


SYNCED_TABLES: tuple[type[Synced], ...] = (Site, Estate, Household, Resident, BodyMember)
TABLE_BY_NAME: dict[str, type[Synced]] = {t.__tablename__: t for t in SYNCED_TABLES}  # type: ignore[misc]


def logged_fields(table: type[Synced]) -> list[str]:
    """Fields whose changes are logged (the id travels as the entry's row id), cl first."""
    names = [c.name for c in table.__table__.columns]  # type: ignore[attr-defined]
    return [n for n in names if n != "id" and n not in table.__local_fields__]
