"""Roster operations: estates, households, residents and the members of the four bodies.

Each write takes a logging session (``Store.write()``), validates with the domain rules and
raises :class:`ValidationFailed` before anything is changed, so nothing is saved half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain.estates import BODY_KINDS, ESTATES
from xmen_desktop.domain.validation import (
    FieldError,
    RecordInvalid,
    area_number,
    clean_household,
    clean_member,
    clean_resident,
)
from xmen_desktop.store.access import mask_phone_for, require_estate
from xmen_desktop.store.common import live
from xmen_desktop.store.errors import NotFound, ValidationFailed
from xmen_desktop.store.models import BodyMember, Estate, Household, Resident, Synced

# ---------------------------------------------------------------------------- estates


def list_estates(session: Session) -> list[Estate]:
    return list(session.exec(select(Estate).where(Estate.cl % 2 == 1).order_by(Estate.position)))


def resolve_estate(session: Session, text: str) -> Estate:
    """An estate by name (小西门), code (xiaoximen) or id."""
    key = text.strip()
    for estate in list_estates(session):
        if key in (estate.id, estate.name, estate.code, f"{estate.name}小区"):
            require_estate(session, estate.id)
            return estate
    names = "、".join(e.name for e in ESTATES)
    raise NotFound(f"没有叫“{key}”的小区。可选：{names}")


@dataclass(frozen=True)
class EstateSummary:
    estate_id: str
    name: str
    households: int
    residents: int
    members: int
    area_centi: int


def estate_summaries(session: Session) -> list[EstateSummary]:
    """Counts per estate for the overview tab, in three grouped queries."""
    live = Household.cl % 2 == 1
    households = dict(
        session.exec(
            select(Household.estate_id, func.count()).where(live).group_by(col(Household.estate_id))
        ).all()
    )
    areas = dict(
        session.exec(
            select(Household.estate_id, func.coalesce(func.sum(Household.area_centi), 0))
            .where(live)
            .group_by(col(Household.estate_id))
        ).all()
    )
    residents = dict(
        session.exec(
            select(Household.estate_id, func.count())
            .select_from(Resident)
            .join(Household, col(Resident.household_id) == col(Household.id))
            .where(live, Resident.cl % 2 == 1)
            .group_by(col(Household.estate_id))
        ).all()
    )
    members = dict(
        session.exec(
            select(BodyMember.estate_id, func.count())
            .where(BodyMember.cl % 2 == 1)
            .group_by(col(BodyMember.estate_id))
        ).all()
    )
    return [
        EstateSummary(
            e.id,
            e.name,
            households.get(e.id, 0),
            residents.get(e.id, 0),
            members.get(e.id, 0),
            int(areas.get(e.id, 0)),
        )
        for e in list_estates(session)
    ]


# ---------------------------------------------------------------------------- households


@dataclass(frozen=True)
class HouseholdRow:
    """A plain row for lists and table models (no session attached)."""

    id: str
    estate_id: str
    tenant: str
    address: str
    phone: str | None
    size: int | None
    area_centi: int | None
    notes: str
    residents: int
    # What lists show: the phone, or 138****1234 for roles that work without phones.
    phone_shown: str | None = None

    @property
    def display_phone(self) -> str:
        """What lists show (never the full number to a role that works without phones)."""
        return (self.phone_shown if self.phone_shown is not None else self.phone) or ""

    def as_json(self, estate_name: str) -> dict[str, object]:
        return {
            "id": self.id,
            "estate": self.estate_id,
            "estate_name": estate_name,
            "tenant": self.tenant,
            "address": self.address,
            "phone": self.display_phone or None,
            "size": self.size,
            "area": area_number(self.area_centi),
            "notes": self.notes,
        }


def list_households(session: Session, estate_id: str | None = None) -> list[HouseholdRow]:
    if estate_id is not None:
        require_estate(session, estate_id)
    resident_counts = (
        select(Resident.household_id, func.count().label("n"))
        .where(Resident.cl % 2 == 1)
        .group_by(col(Resident.household_id))
        .subquery()
    )
    query = (
        select(Household, func.coalesce(resident_counts.c.n, 0))
        .outerjoin(resident_counts, resident_counts.c.household_id == Household.id)
        .where(Household.cl % 2 == 1)
    )
    if estate_id is not None:
        query = query.where(Household.estate_id == estate_id)
    query = query.order_by(col(Household.address_key), col(Household.id))
    shown = mask_phone_for(session)
    return [
        HouseholdRow(
            h.id,
            h.estate_id,
            h.tenant,
            h.address,
            h.phone,
            h.size,
            h.area_centi,
            h.notes,
            n,
            shown(h.phone),
        )
        for h, n in session.exec(query)
    ]


def _live(session: Session, table: type[Synced], row_id: str, what: str) -> Synced:
    return live(session, table, row_id, what)


def get_household(session: Session, household_id: str) -> Household:
    return _live(session, Household, household_id, "住户")  # type: ignore[return-value]


def _clean(cleaner: object, values: Mapping[str, object], partial: bool) -> dict[str, object]:
    try:
        return cleaner(values, partial=partial)  # type: ignore[operator]
    except RecordInvalid as invalid:
        raise ValidationFailed(invalid.errors) from None


def address_taken(
    session: Session, estate_id: str, address_key: str, except_id: str | None = None
) -> Household | None:
    require_estate(session, estate_id)
    query = select(Household).where(
        Household.estate_id == estate_id,
        Household.address_key == address_key,
        Household.cl % 2 == 1,
    )
    if except_id:
        query = query.where(Household.id != except_id)
    return session.exec(query).first()


def _duplicate_error(existing: Household) -> FieldError:
    return FieldError(
        "address", f"本小区已有这个地址（承租人 {existing.tenant}），请核对门牌和室号"
    )


def add_household(session: Session, estate_id: str, values: Mapping[str, object]) -> Household:
    require_estate(session, estate_id)
    estate = _live(session, Estate, estate_id, "小区")
    cleaned = _clean(clean_household, values, partial=False)
    key = addresses.key(str(cleaned["address"]))
    existing = address_taken(session, estate.id, key)
    if existing:
        raise ValidationFailed([_duplicate_error(existing)])
    household = Household(estate_id=estate.id, address_key=key, **cleaned)  # type: ignore[arg-type]
    session.add(household)
    session.flush()
    return household


def update_household(
    session: Session, household_id: str, values: Mapping[str, object]
) -> Household:
    household = get_household(session, household_id)
    cleaned = _clean(clean_household, values, partial=True)
    if "address" in cleaned:
        key = addresses.key(str(cleaned["address"]))
        existing = address_taken(session, household.estate_id, key, except_id=household.id)
        if existing:
            raise ValidationFailed([_duplicate_error(existing)])
        cleaned["address_key"] = key
    for name, value in cleaned.items():
        setattr(household, name, value)
    session.flush()
    return household


def _tombstone(row: Synced) -> None:
    if row.is_live:
        row.cl += 1


def delete_household(session: Session, household_id: str) -> None:
    """Soft delete; the household's residents and their body seats go with it."""
    household = get_household(session, household_id)
    residents = list_residents(session, household.id)
    resident_ids = [r.id for r in residents]
    for member in session.exec(
        select(BodyMember).where(
            col(BodyMember.resident_id).in_(resident_ids), BodyMember.cl % 2 == 1
        )
    ):
        _tombstone(member)
    for resident in residents:
        _tombstone(resident)
    _tombstone(household)
    session.flush()


# ---------------------------------------------------------------------------- residents


def list_residents(session: Session, household_id: str) -> list[Resident]:
    return list(
        session.exec(
            select(Resident)
            .where(Resident.household_id == household_id, Resident.cl % 2 == 1)
            .order_by(
                col(Resident.birth_year).is_(None), col(Resident.birth_year), col(Resident.id)
            )
        )
    )


def add_resident(session: Session, household_id: str, values: Mapping[str, object]) -> Resident:
    household = get_household(session, household_id)
    resident = Resident(household_id=household.id, **_clean(clean_resident, values, False))  # type: ignore[arg-type]
    session.add(resident)
    session.flush()
    return resident


def update_resident(session: Session, resident_id: str, values: Mapping[str, object]) -> Resident:
    resident = _live(session, Resident, resident_id, "居民")
    for name, value in _clean(clean_resident, values, True).items():
        setattr(resident, name, value)
    session.flush()
    return resident  # type: ignore[return-value]


def delete_resident(session: Session, resident_id: str) -> None:
    resident = _live(session, Resident, resident_id, "居民")
    for member in session.exec(
        select(BodyMember).where(BodyMember.resident_id == resident_id, BodyMember.cl % 2 == 1)
    ):
        _tombstone(member)
    _tombstone(resident)
    session.flush()


# ---------------------------------------------------------------------------- bodies


def list_members(session: Session, estate_id: str, body: str | None = None) -> list[BodyMember]:
    require_estate(session, estate_id)
    query = select(BodyMember).where(BodyMember.estate_id == estate_id, BodyMember.cl % 2 == 1)
    if body:
        query = query.where(BodyMember.body == body)
    order = {kind: i for i, kind in enumerate(BODY_KINDS)}
    members = list(session.exec(query))
    return sorted(members, key=lambda m: (order.get(m.body, 99), _role_rank(m.role), m.name, m.id))


def _role_rank(role: str) -> int:
    ranks = ("主任", "副主任", "召集人", "秘书")
    return ranks.index(role) if role in ranks else len(ranks)


def _check_resident_in_estate(session: Session, estate_id: str, resident_id: object) -> None:
    if not resident_id:
        return
    resident = _live(session, Resident, str(resident_id), "居民")
    household = session.get(Household, resident.household_id)  # type: ignore[attr-defined]
    if household is None or household.estate_id != estate_id:
        raise ValidationFailed([FieldError("name", "这位居民不住在本小区，不能加入本小区的机构")])


def add_member(session: Session, estate_id: str, values: Mapping[str, object]) -> BodyMember:
    require_estate(session, estate_id)
    estate = _live(session, Estate, estate_id, "小区")
    cleaned = _clean(clean_member, values, False)
    resident_id = values.get("resident_id") or None
    _check_resident_in_estate(session, estate.id, resident_id)
    member = BodyMember(estate_id=estate.id, resident_id=resident_id, **cleaned)  # type: ignore[arg-type]
    session.add(member)
    session.flush()
    return member


def update_member(session: Session, member_id: str, values: Mapping[str, object]) -> BodyMember:
    member: BodyMember = _live(session, BodyMember, member_id, "成员")  # type: ignore[assignment]
    merged = {
        "term_start": member.term_start,
        "term_end": member.term_end,
        **{k: v for k, v in values.items() if k != "resident_id"},
    }
    cleaned = _clean(clean_member, merged, True)
    if "resident_id" in values:
        _check_resident_in_estate(session, member.estate_id, values["resident_id"])
        member.resident_id = str(values["resident_id"]) if values["resident_id"] else None
    for name, value in cleaned.items():
        setattr(member, name, value)
    session.flush()
    return member


def delete_member(session: Session, member_id: str) -> None:
    _tombstone(_live(session, BodyMember, member_id, "成员"))
    session.flush()


# ---------------------------------------------------------------------------- bulk


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


def roster_conflicts(
    session: Session, estate_id: str, rows: Iterable[tuple[int, str]]
) -> list[RowProblem]:
    """Rows (spreadsheet row number, address) whose address is already on the roster."""
    require_estate(session, estate_id)
    taken = {
        key: tenant
        for key, tenant in session.exec(
            select(Household.address_key, Household.tenant).where(
                Household.estate_id == estate_id, Household.cl % 2 == 1
            )
        )
    }
    problems = []
    for row, address in rows:
        tenant = taken.get(addresses.key(address))
        if tenant is not None:
            problems.append(
                RowProblem(row, "address", f"本小区名册里已有这个地址（承租人 {tenant}）")
            )
    return problems


BULK_CHUNK = 50  # households written (and reported) per step of a bulk insert


def add_households_bulk(
    session: Session,
    estate_id: str,
    records: Sequence[Mapping[str, object]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Insert already-cleaned household records (tenant, address, phone, size, area_centi, notes,
    and optionally residents: list of cleaned resident dicts) in the caller's transaction.

    ``progress(done, total)`` is called before the first record and after every chunk; it may
    raise (a cancelled job) to abandon the insert, and the caller's transaction then rolls back.
    """
    require_estate(session, estate_id)
    estate = _live(session, Estate, estate_id, "小区")
    total = len(records)
    if progress is not None:
        progress(0, total)
    for done, record in enumerate(records, start=1):
        fields = {k: v for k, v in record.items() if k != "residents"}
        household = Household(
            estate_id=estate.id,
            address_key=addresses.key(str(fields["address"])),
            **fields,  # type: ignore[arg-type]
        )
        session.add(household)
        for resident in record.get("residents", ()):  # type: ignore[union-attr]
            session.add(Resident(household_id=household.id, **resident))
        if progress is not None and (done % BULK_CHUNK == 0 or done == total):
            session.flush()
            progress(done, total)
    session.flush()
    return total


def resolve_household(session: Session, text: str, estate_id: str | None = None) -> Household:
    """A household by id, or by address within an estate (as staff would type it)."""
    key = text.strip()
    household = session.get(Household, key)
    if household is not None and household.is_live:
        return household
    if estate_id:
        found = address_taken(session, estate_id, addresses.key(key))
        if found:
            return found
    raise NotFound(f"找不到住户“{key}”：请给出住户编号，或本小区名册上的完整地址")
