"""Role checks applied to every session: what the signed-in person may read and change.

Writes are checked in the change-capture hook (every write passes there, so none escapes).
Reads are checked where rows are loaded: an estate-scoped row loaded as an object, and every
store query that takes an estate, refuse estates outside the person's role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session

from xmen_desktop.domain import access
from xmen_desktop.domain.access import SYSTEM, Actor
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import models
from xmen_desktop.store.errors import AccessDenied, SignInRequired

# How a row finds its estate: its own column, or a column naming its parent row.
# Tables absent here belong to no estate (site, notices shared by several estates, ...).
ESTATE_PATH: dict[str, tuple[str, str | None]] = {
    "estate": ("id", None),
    "household": ("estate_id", None),
    "resident": ("household_id", "household"),
    "body_member": ("estate_id", None),
    "estate_setting": ("estate_id", None),
    "topic": ("estate_id", None),
    "topic_transition": ("topic_id", "topic"),
    "topic_support": ("topic_id", "topic"),
    "consultation_round": ("topic_id", "topic"),
    "consultation_contact": ("round_id", "consultation_round"),
    "vote": ("estate_id", None),
    "ballot": ("vote_id", "vote"),
    "ballot_event": ("ballot_id", "ballot"),
    "notice_estate": ("estate_id", None),
    "project": ("estate_id", None),
    "project_status_change": ("project_id", "project"),
    "project_member": ("project_id", "project"),
    "budget_line": ("project_id", "project"),
    "expense": ("project_id", "project"),
    "milestone": ("project_id", "project"),
    "project_log": ("project_id", "project"),
    "meeting": ("estate_id", None),
    "agenda_item": ("meeting_id", "meeting"),
    "invitee": ("meeting_id", "meeting"),
    "resolution": ("meeting_id", "meeting"),
}
# Rows whose own column names the estate: checked as they load.
_DIRECT = frozenset(t for t, (_, parent) in ESTATE_PATH.items() if parent is None)


def actor(session: Session) -> Actor:
    return session.info.get("actor") or SYSTEM


def estate_sql(table: str, row_id_sql: str) -> str | None:
    """SQL giving the estate of the ``table`` row whose id is ``row_id_sql`` (None: no estate)."""
    if table == "erasure":
        return None  # found per row (its target names the table)
    path = ESTATE_PATH.get(table)
    if path is None:
        return None
    column, parent = path
    own = f"(SELECT {column} FROM {table} WHERE id = {row_id_sql})"
    if parent is None:
        return own
    return estate_sql(parent, own)


def estate_of_row(session: Session, table: str, row_id: str) -> str | None:
    query = estate_sql(table, ":row_id")
    if query is None:
        return None
    return session.execute(text(f"SELECT {query}"), {"row_id": row_id}).scalar()


def _estate_of(
    session: Session, obj: models.Synced, pending: Mapping[tuple[str, str], models.Synced]
) -> str | None:
    table = type(obj).__tablename__
    if isinstance(obj, models.Erasure):
        return estate_of_row(session, obj.tbl, obj.target_id)
    path = ESTATE_PATH.get(table)
    if path is None:
        return None
    column, parent = path
    value = getattr(obj, column)
    if parent is None or value is None:
        return value
    parent_row = pending.get((parent, value))
    if parent_row is not None:
        return _estate_of(session, parent_row, pending)
    return estate_of_row(session, parent, value)


def _estate_name(estate_id: str) -> str:
    # The six estates have the same ids on every PC: no query needed (this runs mid-load).
    return next((e.name for e in ESTATES if e.id == estate_id), estate_id)


def check_writes(
    session: Session, changes: Iterable[tuple[models.Synced, list[str], bool]]
) -> dict[int, str | None]:
    """Refuse any change outside the session's role; returns each changed row's estate."""
    person = actor(session)
    changes = list(changes)
    pending = {(type(o).__tablename__, o.id): o for o, _, new in changes if new}
    estates: dict[int, str | None] = {}
    with session.no_autoflush:
        for obj, fields, is_new in changes:
            table = type(obj).__tablename__
            estate = _estate_of(session, obj, pending)
            estates[id(obj)] = estate
            if person is SYSTEM:
                continue
            _check_one(session, person, table, obj, fields, is_new, estate)
    return estates


def _check_one(
    session: Session,
    person: Actor,
    table: str,
    obj: models.Synced,
    fields: list[str],
    is_new: bool,
    estate: str | None,
) -> None:
    if not person.signed_in:
        raise SignInRequired(access.SIGN_IN_FIRST)
    if table in access.OPERATOR_TABLES:
        own = obj.id == person.operator_id and set(fields) <= access.OWN_OPERATOR_FIELDS
        if not (person.may_manage_operators or own):
            raise AccessDenied(access.denied("管理操作员"))
        return
    if not person.may_open_table(table):
        raise AccessDenied(access.denied("打开调解档案"))
    if person.role == access.MEDIATOR and table not in access.MEDIATION_TABLES:
        raise AccessDenied(access.denied("修改这些资料（调解员只处理调解档案）"))
    if estate is not None and not person.may_write_estate(estate):
        raise AccessDenied(access.denied_estate(_estate_name(estate)))


def require_estate(session: Session, estate_id: str | None) -> None:
    """Refuse reading an estate outside the person's role (None: the whole subdistrict)."""
    person = actor(session)
    if not person.signed_in:
        raise SignInRequired(access.SIGN_IN_FIRST)
    if estate_id is None:
        if not person.all_estates:
            raise AccessDenied("您只负责部分小区，请先选择一个小区。")
        return
    if not person.may_read_estate(estate_id):
        raise AccessDenied(access.denied_estate(_estate_name(estate_id)))


def visible_estates(session: Session) -> frozenset[str] | None:
    """The estates the person may see; None when all of them."""
    person = actor(session)
    return None if person.all_estates else person.estates


def require(session: Session, allowed: bool, action: str) -> None:
    if not allowed:
        raise AccessDenied(access.denied(action))


def person(session: Session) -> Actor:
    return actor(session)


def mask_phone_for(session: Session) -> Callable[[str | None], str | None]:
    """How lists show phones to this session's person: as they are, or masked."""
    if actor(session).sees_phones:
        return lambda phone: phone
    return access.mask_phone


def _scope_criterion(table: str, estates: list[str]) -> Any:
    """An ORM criterion keeping the rows of ``table`` that belong to ``estates``."""
    from sqlalchemy import select

    column, parent = ESTATE_PATH[table]
    own = getattr(models.TABLE_BY_NAME[table], column)
    if parent is None:
        return own.in_(estates)
    parent_model = models.TABLE_BY_NAME[parent]
    return own.in_(select(parent_model.id).where(_scope_criterion(parent, estates)))


def _scope_reads(state: Any) -> None:
    """Every ORM query of someone who sees some estates sees only those estates' rows."""
    if not state.is_select or state.execution_options.get("unscoped"):
        return
    person = actor(state.session)
    if person is SYSTEM or person.all_estates:
        return
    if not person.signed_in:
        raise SignInRequired(access.SIGN_IN_FIRST)
    from sqlalchemy.orm import with_loader_criteria

    estates = sorted(person.estates)
    state.statement = state.statement.options(
        *(
            with_loader_criteria(
                models.TABLE_BY_NAME[table],
                _scope_criterion(table, estates),
                include_aliases=True,
            )
            for table in ESTATE_PATH
            if table != "estate"
        ),
        with_loader_criteria(
            models.AuditEvent,
            models.AuditEvent.estate_id.in_(estates),  # type: ignore[union-attr]
        ),
    )


def check_row(session: Session, table: str, row_id: str) -> None:
    """Refuse a row of an estate outside the person's role, by its id (clear, not "not found")."""
    person = actor(session)
    if person is SYSTEM or person.all_estates:
        return
    if not person.signed_in:
        raise SignInRequired(access.SIGN_IN_FIRST)
    estate = estate_of_row(session, table, row_id)
    if estate is not None and not person.may_read_estate(estate):
        raise AccessDenied(access.denied_estate(_estate_name(estate)))


def _install_load_check() -> None:
    for model in models.SYNCED_TABLES:
        table = model.__tablename__
        # Estate names are not private.
        if table not in _DIRECT or table == "estate":
            continue
        column = ESTATE_PATH[table][0]

        def on_load(target: Any, context: Any, column: str = column) -> None:
            session = context.session
            person = actor(session) if session is not None else SYSTEM
            if person is SYSTEM or person.all_estates:
                return
            estate = getattr(target, column, None)
            if not person.signed_in:
                raise SignInRequired(access.SIGN_IN_FIRST)
            if estate is not None and not person.may_read_estate(estate):
                raise AccessDenied(access.denied_estate(_estate_name(estate)))

        event.listen(model, "load", on_load)


_install_load_check()


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "do_orm_execute", _scope_reads)
