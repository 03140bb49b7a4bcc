"""Read helpers for screens: plain rows with what a list shows, built in one or two queries.

The roster module returns table objects, which expire once their session closes; the screens
receive these frozen rows instead, so nothing they hold can reach back into the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from xmen_desktop.store import roster
from xmen_desktop.store.access import mask_phone_for, require_estate
from xmen_desktop.store.models import Household, Resident


@dataclass(frozen=True)
class ResidentRow:
    id: str
    household_id: str
    name: str
    relation: str
    gender: str
    birth_year: int | None
    phone: str | None
    notes: str
    # What lists show: the phone, or masked for roles that work without phones.
    phone_shown: str | None = None

    @property
    def display_phone(self) -> str:
        """What lists show (never the full number to a role that works without phones)."""
        return (self.phone_shown if self.phone_shown is not None else self.phone) or ""


def resident_rows(session: Session, household_id: str) -> list[ResidentRow]:
    shown = mask_phone_for(session)
    return [
        ResidentRow(
            r.id,
            r.household_id,
            r.name,
            r.relation,
            r.gender,
            r.birth_year,
            r.phone,
            r.notes,
            shown(r.phone),
        )
        for r in roster.list_residents(session, household_id)
    ]


def resident_names_by_household(session: Session, estate_id: str) -> dict[str, str]:
    """Household id -> its residents' names joined by spaces, so a search can find a resident."""
    require_estate(session, estate_id)
    query = (
        select(Resident.household_id, Resident.name)
        .join(Household, col(Resident.household_id) == col(Household.id))
        .where(Household.estate_id == estate_id, Household.cl % 2 == 1, Resident.cl % 2 == 1)
    )
    names: defaultdict[str, list[str]] = defaultdict(list)
    for household_id, name in session.exec(query):
        names[household_id].append(name)
    return {household_id: " ".join(found) for household_id, found in names.items()}


@dataclass(frozen=True)
class ResidentChoice:
    """A resident offered when picking a member of a body."""

    id: str
    name: str
    birth_year: int | None
    address: str


def resident_choices(session: Session, estate_id: str) -> list[ResidentChoice]:
    require_estate(session, estate_id)
    query = (
        select(Resident.id, Resident.name, Resident.birth_year, Household.address)
        .join(Household, col(Resident.household_id) == col(Household.id))
        .where(Household.estate_id == estate_id, Household.cl % 2 == 1, Resident.cl % 2 == 1)
        .order_by(col(Household.address_key), col(Resident.name), col(Resident.id))
    )
    return [ResidentChoice(*row) for row in session.exec(query)]


@dataclass(frozen=True)
class MemberRow:
    id: str
    estate_id: str
    body: str
    name: str
    role: str
    term_start: datetime.date | None
    term_end: datetime.date | None
    notes: str
    resident_id: str | None
    # The member's household address when they are a resident of the estate, else "".
    address: str


def member_rows(session: Session, estate_id: str) -> list[MemberRow]:
    require_estate(session, estate_id)
    members = roster.list_members(session, estate_id)
    resident_ids = [m.resident_id for m in members if m.resident_id]
    addresses: dict[str, str] = {}
    if resident_ids:
        query = (
            select(Resident.id, Household.address)
            .join(Household, col(Resident.household_id) == col(Household.id))
            .where(col(Resident.id).in_(resident_ids), Resident.cl % 2 == 1)
        )
        addresses = dict(session.exec(query).all())
    return [
        MemberRow(
            m.id,
            m.estate_id,
            m.body,
            m.name,
            m.role,
            m.term_start,
            m.term_end,
            m.notes,
            m.resident_id,
            addresses.get(m.resident_id or "", ""),
        )
        for m in members
    ]
