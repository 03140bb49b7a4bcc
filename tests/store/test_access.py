"""Roles, enforced by the store: what each person can and cannot read and write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import SYSTEM
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import audit, dashboard_queries, operators, roster, sync, topics
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import AccessDenied, SignInRequired, StoreError
from xmen_desktop.store.models import Household

XIAOXIMEN, LONGMENCUN = ESTATES[0].id, ESTATES[1].id
PASSWORDS = {
    "admin": "admin-pass-2026",
    "street": "street-pass",
    "wang": "wang-pass",
    "tiao": "tiao-pass",
}


@pytest.fixture
def office(data_dir: Path) -> Iterator[tuple[Store, dict[str, str]]]:
    """Two households and a topic in each of two estates, and one operator per role."""
    store = Store.open(data_dir, site_name="街道办")
    ids: dict[str, str] = {}
    with store.write() as session:
        for key, estate, tenant, phone in (
            ("x", XIAOXIMEN, "张阿姨", "13812341234"),
            ("l", LONGMENCUN, "李伯伯", "13987654321"),
        ):
            household = roster.add_household(
                session, estate, {"tenant": tenant, "address": "中华路 1 弄 1 号", "phone": phone}
            )
            ids[key] = household.id
            ids[key + "_topic"] = topics.add_topic(
                session, estate, {"title": f"{tenant}提的议题", "raised_on": "2026-11-01"}
            ).id
        operators.add_operator(session, "admin", "管理员", "admin", PASSWORDS["admin"])
    store.sign_in("admin", PASSWORDS["admin"])
    with store.write() as session:
        operators.add_operator(session, "street", "街道小陈", "subdistrict", PASSWORDS["street"])
        operators.add_operator(
            session, "wang", "王丽", "estate", PASSWORDS["wang"], ["小西门"], pin_allowed=True
        )
        operators.add_operator(
            session, "tiao", "调解员老周", "mediator", PASSWORDS["tiao"], ["小西门"]
        )
    try:
        yield store, ids
    finally:
        store.close()


def _as(store: Store, username: str) -> Store:
    store.sign_in(username, PASSWORDS[username])
    return store


def _add_household(store: Store, estate: str) -> None:
    with store.write() as session:
        roster.add_household(session, estate, {"tenant": "新住户", "address": "新街 2 号"})


# ---------------------------------------------------------------------------- reads


@pytest.mark.parametrize("username", ["admin", "street"])
def test_all_estates_roles_read_every_estate(office, username: str) -> None:
    store, ids = office
    _as(store, username)
    with store.read() as session:
        assert len(roster.list_households(session)) == 2
        assert roster.list_households(session, LONGMENCUN)[0].tenant == "李伯伯"
        assert roster.get_household(session, ids["l"]).tenant == "李伯伯"


@pytest.mark.parametrize("username", ["wang", "tiao"])
def test_estate_roles_read_only_their_estates(office, username: str) -> None:
    store, ids = office
    _as(store, username)
    with store.read() as session:
        everyone = roster.list_households(session)
        assert [h.tenant for h in everyone] == ["张阿姨"]
        with pytest.raises(AccessDenied, match="龙门村"):
            roster.list_households(session, LONGMENCUN)
        with pytest.raises(AccessDenied, match="龙门村"):
            roster.get_household(session, ids["l"])
        with pytest.raises(AccessDenied):
            roster.resolve_estate(session, "龙门村")
        # Lists across the subdistrict hold their estates' rows only.
        waiting = dashboard_queries.waiting_topics(session)
        assert {t.estate_id for t in waiting} == {XIAOXIMEN}
        # Even a query that asks for every household by its class sees only theirs.
        from sqlmodel import select

        assert {h.estate_id for h in session.exec(select(Household))} == {XIAOXIMEN}


def test_phones_are_masked_in_lists_for_roles_without_need(office) -> None:
    store, _ = office
    shown = {}
    for username in ("admin", "street", "wang", "tiao"):
        _as(store, username)
        with store.read() as session:
            row = roster.list_households(session, XIAOXIMEN)[0]
            shown[username] = row.display_phone
            assert row.as_json("小西门")["phone"] == row.display_phone
    assert shown == {
        "admin": "13812341234",
        "street": "138****1234",
        "wang": "13812341234",
        "tiao": "138****1234",
    }


def test_nobody_signed_in_reads_and_writes_nothing(office) -> None:
    store, _ = office
    store.sign_out()
    with pytest.raises(SignInRequired), store.read() as session:
        roster.list_households(session, XIAOXIMEN)
    with pytest.raises(SignInRequired):
        _add_household(store, XIAOXIMEN)


# ---------------------------------------------------------------------------- writes


@pytest.mark.parametrize(
    ("username", "own_estate", "other_estate"),
    [("admin", True, True), ("street", True, True), ("wang", True, False), ("tiao", False, False)],
)
def test_who_may_change_which_estate(office, username, own_estate, other_estate) -> None:
    store, ids = office
    _as(store, username)
    for estate, allowed in ((XIAOXIMEN, own_estate), (LONGMENCUN, other_estate)):
        if allowed:
            _add_household(store, estate)
        else:
            with pytest.raises(AccessDenied):
                _add_household(store, estate)
    # An edit of an existing row is checked the same way, whatever path it takes.
    if not other_estate:
        with pytest.raises(AccessDenied), store.write() as session:
            roster.update_household(session, ids["l"], {"notes": "改一下"})
        with store.read(actor=SYSTEM) as session:
            assert roster.get_household(session, ids["l"]).notes == ""


def test_refused_write_leaves_nothing_behind(office) -> None:
    store, _ = office
    changes = text("SELECT count(*) FROM change_log WHERE tbl != 'audit_event'")
    with store.read(actor=SYSTEM) as session:
        before = len(roster.list_households(session))
        log_before = session.execute(changes).scalar()
    _as(store, "wang")
    with pytest.raises(AccessDenied), store.write() as session:
        roster.add_household(session, XIAOXIMEN, {"tenant": "甲", "address": "甲路 1 号"})
        roster.add_household(session, LONGMENCUN, {"tenant": "乙", "address": "乙路 1 号"})
    with store.read(actor=SYSTEM) as session:
        assert len(roster.list_households(session)) == before
        assert session.execute(changes).scalar() == log_before


@pytest.mark.parametrize("username", ["street", "wang", "tiao"])
def test_only_administrators_manage_operators(office, username: str) -> None:
    store, _ = office
    _as(store, username)
    with pytest.raises(AccessDenied), store.write() as session:
        operators.add_operator(session, "someone", "某人", "estate", "some-pass", ["小西门"])
    with pytest.raises(AccessDenied), store.write() as session:
        operators.set_password(session, "admin", "new-admin-pass-1")
    with pytest.raises(AccessDenied), store.write() as session:
        operators.set_disabled(session, "admin", True)
    # Their own password they may change.
    with store.write() as session:
        operators.set_password(session, username, "my-new-pass")
    store.sign_in(username, "my-new-pass")


def test_mediator_cannot_export_bundles(office, tmp_path: Path) -> None:
    store, _ = office
    _as(store, "tiao")
    with pytest.raises(StoreError, match="不能导出同步包"):
        sync.export_bundle(store, tmp_path / "a.xmb", full=True, passphrase="口令口令口令")
    assert not (tmp_path / "a.xmb").exists()


def test_mediation_files_open_only_to_mediators(monkeypatch) -> None:
    monkeypatch.setattr(rules, "MEDIATION_TABLES", frozenset({"dispute_case"}))
    for role, allowed in (
        (rules.ADMIN, False),
        (rules.SUBDISTRICT, False),
        (rules.ESTATE, False),
        (rules.MEDIATOR, True),
    ):
        person = rules.Actor("x", "x", role, frozenset({XIAOXIMEN}))
        assert person.may_open_table("dispute_case") is allowed
        assert person.may_open_table("household") is True


# ---------------------------------------------------------------------------- audit


def test_every_change_names_its_operator_and_estate(office) -> None:
    store, ids = office
    _as(store, "wang")
    with store.write() as session:
        roster.update_household(session, ids["x"], {"notes": "独居老人"})
    with store.read() as session:
        lines = audit.audit_lines(session, audit.AuditFilter(kind="household"))
    edit = next(line for line in lines if line.action == "修改")
    assert (edit.operator, edit.estate_name, edit.detail) == ("wang", "小西门", "备注")
    # Estate staff see only their estates' lines; the subdistrict sees both.
    assert {line.estate_name for line in lines} == {"小西门"}
    with store.read() as session:
        events = audit.audit_lines(session, audit.AuditFilter(kind="sign_in"))
    # Their own sign-ins belong to no estate, yet they see them; nobody else's.
    assert events and {line.operator for line in events} == {"wang"}
    _as(store, "street")
    with store.read() as session:
        lines = audit.audit_lines(session, audit.AuditFilter(kind="household"))
    assert {line.estate_name for line in lines} == {"小西门", "龙门村"}


def test_audit_filters_and_xlsx(office, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    store, _ = office
    with pytest.raises(StoreError):
        store.sign_in("wang", "wrong")
    _as(store, "admin")
    with store.read() as session:
        failed = audit.audit_lines(session, audit.AuditFilter(kind="sign_in_failed"))
        by_admin = audit.audit_lines(session, audit.AuditFilter(operator="admin"))
        audit.export_audit_xlsx(by_admin, tmp_path / "audit.xlsx")
    assert [(line.operator, line.action) for line in failed] == [("wang", "登录失败")]
    assert {line.operator for line in by_admin} == {"admin"}
    sheet = load_workbook(tmp_path / "audit.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == audit.AUDIT_HEADERS
    assert len(rows) == len(by_admin) + 1
    assert any(row[4] == "登录" for row in rows[1:])


# ---------------------------------------------------------------------------- sign-in


def test_wrong_password_and_unknown_user_get_the_same_answer(office) -> None:
    store, _ = office
    answers = []
    for username, secret in (("wang", "nope"), ("nobody-here", "nope")):
        with pytest.raises(operators.SignInRefused) as refused:
            store.sign_in(username, secret)
        answers.append(str(refused.value))
    assert answers[0] == answers[1] == operators.WRONG_CREDENTIALS


def test_failed_sign_ins_make_the_next_try_wait(office) -> None:
    store, _ = office
    now = [1_000_000.0]

    def sign_in(secret: str):
        return operators.check_credentials(store.write, "wang", secret, clock=lambda: now[0])

    for tries in range(1, rules.FREE_FAILURES + 1):
        with pytest.raises(operators.SignInRefused) as refused:
            sign_in("wrong")
        # The fifth failure already says how long to wait.
        assert refused.value.wait_seconds == (30 if tries == rules.FREE_FAILURES else 0)
    # Even the right password waits now.
    with pytest.raises(operators.SignInRefused) as refused:
        sign_in(PASSWORDS["wang"])
    assert refused.value.wait_seconds == 30
    now[0] += 31
    with pytest.raises(operators.SignInRefused) as refused:
        sign_in("wrong again")
    assert refused.value.wait_seconds == 60
    with pytest.raises(operators.SignInRefused) as refused:
        sign_in(PASSWORDS["wang"])
    assert refused.value.wait_seconds == 60
    now[0] += 61
    assert sign_in(PASSWORDS["wang"]).username == "wang"
    # A success starts the count again.
    with pytest.raises(operators.SignInRefused) as refused:
        sign_in("wrong")
    assert refused.value.wait_seconds == 0


def test_pin_only_where_allowed_and_disabled_accounts(office) -> None:
    store, _ = office
    _as(store, "wang")
    with store.write() as session:
        operators.set_pin(session, "wang", "2468")
    assert store.sign_in("wang", "2468").username == "wang"
    _as(store, "street")
    with pytest.raises(StoreError, match="PIN"), store.write() as session:
        operators.set_pin(session, "street", "1357")
    _as(store, "admin")
    with store.write() as session:
        operators.set_disabled(session, "wang", True)
    with pytest.raises(operators.SignInRefused, match="停用"):
        store.sign_in("wang", PASSWORDS["wang"])


def test_first_operator_is_an_administrator_with_a_strong_password(store) -> None:
    with pytest.raises(StoreError, match="管理员"), store.write() as session:
        operators.add_operator(session, "wang", "王丽", "estate", "wang-pass", ["小西门"])
    with pytest.raises(StoreError, match=rules.ADMIN_PASSWORD_RULE), store.write() as session:
        operators.add_operator(session, "admin", "管理员", "admin", "short1")
    with store.write() as session:
        operators.add_operator(session, "admin", "管理员", "admin", "long-enough-9")
    assert store.require_sign_in() is True
    with pytest.raises(StoreError, match="唯一的管理员"):
        store.sign_in("admin", "long-enough-9")
        with store.write() as session:
            operators.update_operator(session, "admin", role="subdistrict")


@given(st.integers(min_value=0, max_value=60))
def test_sign_in_delay_grows_and_is_capped(failures: int) -> None:
    delay = rules.sign_in_delay(failures)
    assert (delay == 0) == (failures < rules.FREE_FAILURES)
    assert delay <= rules.MAX_DELAY_SECONDS
    assert rules.sign_in_delay(failures + 1) >= delay


@given(st.text(alphabet="0123456789", min_size=11, max_size=11).map(lambda d: "1" + d[1:]))
def test_masked_mobiles_keep_only_the_ends(phone: str) -> None:
    masked = rules.mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]
