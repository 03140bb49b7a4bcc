"""Erasing a person's data on request (个人信息保护法): wipe, mark, and keep it wiped.

Erasing a household wipes its tenant's name, phone and notes, every resident of it, and every
copy of their names elsewhere (ballots, meeting invitations, body and project memberships,
topics they raised, what they said when consulted). Each wiped row gets an ``erasure`` marker,
which syncs. Old values are also scrubbed from this PC's change log, and whenever a bundle
brings a personal field of a marked row (an older bundle, or an edit made elsewhere before the
marker arrived), its value is replaced by the wiped one before it is logged: the data cannot
come back, whatever the order of imports.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store import audit
from xmen_desktop.store.changelog import encode_value
from xmen_desktop.store.common import live, now_text, tombstone
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import (
    Ballot,
    BodyMember,
    ConsultationContact,
    Erasure,
    Household,
    Invitee,
    ProjectMember,
    Resident,
    Synced,
    Topic,
    TopicSupport,
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
    "topic": {"proposer_name": ERASED_NAME},
    "topic_support": {"note": ""},
    "consultation_contact": {"said": ""},
}


def erasure_id(table: str, row_id: str) -> str:
    return natural_id("erasure", table, row_id)


def is_erased(session: Session, table: str, row_id: str) -> bool:
    marker = session.get(Erasure, erasure_id(table, row_id))
    return marker is not None and marker.is_live


def _linked_rows(session: Session, household: Household) -> list[Synced]:
    """Every row holding a copy of this household's or its residents' personal data."""
    residents = list(
        session.exec(select(Resident).where(Resident.household_id == household.id)).all()
    )
    resident_ids = [r.id for r in residents]
    rows: list[Synced] = [household, *residents]
    rows += session.exec(select(Ballot).where(Ballot.household_id == household.id)).all()
    rows += session.exec(
        select(TopicSupport).where(TopicSupport.household_id == household.id)
    ).all()
    rows += session.exec(
        select(ConsultationContact).where(ConsultationContact.household_id == household.id)
    ).all()
    rows += session.exec(select(Invitee).where(Invitee.household_id == household.id)).all()
    rows += session.exec(select(Topic).where(Topic.proposer_household_id == household.id)).all()
    if resident_ids:
        rows += session.exec(select(Invitee).where(Invitee.resident_id.in_(resident_ids))).all()  # type: ignore[union-attr]
        rows += session.exec(
            select(BodyMember).where(BodyMember.resident_id.in_(resident_ids))  # type: ignore[union-attr]
        ).all()
        rows += session.exec(
            select(ProjectMember).where(ProjectMember.resident_id.in_(resident_ids))  # type: ignore[union-attr]
        ).all()
        rows += session.exec(
            select(Topic).where(Topic.proposer_resident_id.in_(resident_ids))  # type: ignore[union-attr]
        ).all()
    unique: dict[tuple[str, str], Synced] = {}
    for row in rows:
        unique[(type(row).__tablename__, row.id)] = row
    return list(unique.values())


def erase_household(session: Session, household_id: str, reason: str = "") -> int:
    """Wipe everything personal about a household and its residents; returns rows wiped.

    The flat stays on the roster (address, size, area): it is not personal, and votes and
    counts still need it. Residents are also removed from the roster.
    """
    household = live(session, Household, household_id, "住户")
    if household.tenant == ERASED_NAME and is_erased(session, "household", household.id):
        raise StoreError("这户的个人信息已经删除过了")
    rows = _linked_rows(session, household)
    stamp, who = now_text(), str(session.info.get("operator") or "")
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
    audit.record(
        session,
        "erase",
        f"删除了一户的个人信息（{household.address}）{('：' + reason) if reason else ''}",
        estate_id=household.estate_id,
    )
    session.flush()
    connection = session.connection()
    for row in rows:
        scrub_log(connection, type(row).__tablename__, row.id)
    return len(rows)


def scrub_log(connection: Any, table: str, row_id: str) -> None:
    """Overwrite the old values of a wiped row's personal fields in this PC's change log."""
    for name, value in WIPED[table].items():
        connection.execute(
            text(
                "UPDATE change_log SET value = :v WHERE tbl = :t AND row_id = :r AND field = :f "
                "AND value IS NOT :v"
            ),
            {"v": encode_value(value), "t": table, "r": row_id, "f": name},
        )


def _case_sql() -> tuple[str, str]:
    """SQL: the wiped value of (tbl, field), and the condition that a field is personal."""
    whens = []
    personal = []
    for table, fields in WIPED.items():
        for name, value in fields.items():
            encoded = encode_value(value).replace("'", "''")
            whens.append(f"WHEN '{table}/{name}' THEN '{encoded}'")
            personal.append(f"'{table}/{name}'")
    return (
        f"CASE {{t}} || '/' || {{f}} {' '.join(whens)} END",
        f"{{t}} || '/' || {{f}} IN ({', '.join(personal)})",
    )


_WIPED_VALUE, _IS_PERSONAL = _case_sql()


def scrub_incoming(cursor: Any) -> None:
    """Before a bundle's entries are logged: personal values of erased rows become wiped.

    Markers count whether this PC already holds them or they arrive in the same bundle.
    """
    value = _WIPED_VALUE.format(t="i.tbl", f="i.field")
    personal = _IS_PERSONAL.format(t="i.tbl", f="i.field")
    cursor.execute(
        f"""
        WITH erased(tbl, row_id) AS (
            SELECT tbl, target_id FROM erasure WHERE cl % 2 = 1
            UNION
            SELECT json_extract(t.value, '$'), json_extract(r.value, '$')
            FROM incoming t JOIN incoming r ON r.row_id = t.row_id
            WHERE t.tbl = 'erasure' AND t.field = 'tbl'
              AND r.tbl = 'erasure' AND r.field = 'target_id'
        )
        UPDATE incoming AS i SET value = {value}
        WHERE {personal} AND EXISTS (
            SELECT 1 FROM erased e WHERE e.tbl = i.tbl AND e.row_id = i.row_id
        )
        """
    )
    # This PC's own older entries for rows whose marker just arrived.
    value = _WIPED_VALUE.format(t="c.tbl", f="c.field")
    personal = _IS_PERSONAL.format(t="c.tbl", f="c.field")
    cursor.execute(
        f"""
        UPDATE change_log AS c SET value = {value}
        WHERE {personal} AND EXISTS (
            SELECT 1 FROM incoming t JOIN incoming r ON r.row_id = t.row_id
            WHERE t.tbl = 'erasure' AND t.field = 'tbl' AND r.tbl = 'erasure'
              AND r.field = 'target_id' AND json_extract(t.value, '$') = c.tbl
              AND json_extract(r.value, '$') = c.row_id
        )
        """
    )
