"""Functions of a session that the roster screens hand to ``context.read``/``context.write``.

They run on the worker. The store is imported inside each function, never at module level:
the main window imports this module, and SQLAlchemy must not delay the first window.
Writes return ids (plain strings), never table objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.queries import MemberRow, ResidentChoice, ResidentRow
    from xmen_desktop.store.roster import EstateSummary, HouseholdRow

Values = Mapping[str, object]

# Table names as the change log reports them in ``AppContext.changed``.
HOUSEHOLD = "household"
RESIDENT = "resident"
BODY_MEMBER = "body_member"


@dataclass(frozen=True)
class Roster:
    households: list[HouseholdRow]
    # household id -> its residents' names, for searching by a resident's name
    resident_names: dict[str, str]


# ---------------------------------------------------------------------------- reads


def estate_summaries(session: Session) -> list[EstateSummary]:
    from xmen_desktop.store import roster

    return roster.estate_summaries(session)


def load_roster(estate_id: str) -> Callable[[Session], Roster]:
    def run(session: Session) -> Roster:
        from xmen_desktop.store import queries, roster

        return Roster(
            roster.list_households(session, estate_id),
            queries.resident_names_by_household(session, estate_id),
        )

    return run


def load_residents(household_id: str) -> Callable[[Session], list[ResidentRow]]:
    def run(session: Session) -> list[ResidentRow]:
        from xmen_desktop.store import queries

        return queries.resident_rows(session, household_id)

    return run


def load_members(estate_id: str) -> Callable[[Session], list[MemberRow]]:
    def run(session: Session) -> list[MemberRow]:
        from xmen_desktop.store import queries

        return queries.member_rows(session, estate_id)

    return run


def load_resident_choices(estate_id: str) -> Callable[[Session], list[ResidentChoice]]:
    def run(session: Session) -> list[ResidentChoice]:
        from xmen_desktop.store import queries

        return queries.resident_choices(session, estate_id)

    return run


# ---------------------------------------------------------------------------- writes


def add_household(estate_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.add_household(session, estate_id, values).id

    return run


def update_household(household_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.update_household(session, household_id, values).id

    return run


def delete_household(household_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import roster

        roster.delete_household(session, household_id)

    return run


def add_resident(household_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.add_resident(session, household_id, values).id

    return run


def update_resident(resident_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.update_resident(session, resident_id, values).id

    return run


def delete_resident(resident_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import roster

        roster.delete_resident(session, resident_id)

    return run


def add_member(estate_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.add_member(session, estate_id, values).id

    return run


def update_member(member_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import roster

        return roster.update_member(session, member_id, values).id

    return run


def delete_member(member_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import roster

        roster.delete_member(session, member_id)

    return run
