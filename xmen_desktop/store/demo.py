"""Fill an empty database with the demo data set (through the logging session, like any write)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain.demo_data import generate
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import BodyMember, Household, Resident


@dataclass(frozen=True)
class DemoReport:
    households: int
    residents: int
    members: int


def has_households(session: Session) -> bool:
    return bool(session.exec(select(func.count()).select_from(Household)).one())


def fill_demo(
    session: Session,
    households: int = 600,
    *,
    seed: int = 20261127,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Add ``households`` demo households (with residents and body members) across the estates."""
    if households < 1:
        raise StoreError("演示住户数至少为 1")
    if has_households(session):
        raise StoreError("数据库里已有住户，演示数据只能填入空的数据库。请换一个数据文件夹再试。")
    estate_ids = {e.code: e.id for e in ESTATES}
    resident_count = member_count = 0
    done = 0
    for estate in generate(households, seed):
        estate_id = estate_ids[estate.code]
        residents_by_index: list[list[Resident]] = []
        for demo_household in estate.households:
            household = Household(
                estate_id=estate_id,
                tenant=demo_household.tenant,
                address=demo_household.address,
                address_key=addresses.key(demo_household.address),
                phone=demo_household.phone,
                size=demo_household.size,
                area_centi=demo_household.area_centi,
                notes=demo_household.notes,
            )
            session.add(household)
            people = [
                Resident(
                    household_id=household.id,
                    name=r.name,
                    relation=r.relation,
                    gender=r.gender,
                    birth_year=r.birth_year,
                    phone=r.phone,
                    notes=r.notes,
                )
                for r in demo_household.residents
            ]
            session.add_all(people)
            residents_by_index.append(people)
            resident_count += len(people)
        # Residents must exist before the body seats that point at them.
        session.flush()
        for demo_member in estate.members:
            person = residents_by_index[demo_member.household_index][demo_member.resident_index]
            session.add(
                BodyMember(
                    estate_id=estate_id,
                    body=demo_member.body,
                    resident_id=person.id,
                    name=person.name,
                    role=demo_member.role,
                    term_start=demo_member.term_start,
                    term_end=demo_member.term_end,
                )
            )
            member_count += 1
        # One flush per estate keeps memory flat for district-sized data sets.
        session.flush()
        session.expunge_all()
        done += len(estate.households)
        if progress:
            progress(done, households)
    return DemoReport(households, resident_count, member_count)
