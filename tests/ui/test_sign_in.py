"""Signing in, the first administrator, the idle lock and switching users, driven as a user would.

The context runs every job inline (``synchronous=True``), so a click has done all its work,
database included, by the time the click returns; only the idle timer and the countdown run
on Qt's clock.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, messages, type_into
from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import NOBODY, SYSTEM
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import operators
from xmen_desktop.store.audit import AuditFilter, audit_lines
from xmen_desktop.store.database import Store
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.household_dialog import HouseholdDialog
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.sign_in import FirstAdminDialog, PasswordDialog

__all__ = ["messages"]  # a fixture used by name below

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

XIAOXIMEN, LONGMENCUN, PUYULI = ESTATES[0], ESTATES[1], ESTATES[2]
ADMIN_PASSWORD = "Laoximen2026"
PASSWORDS = {
    "admin": ADMIN_PASSWORD,
    "wangli": "wangli-88",
    "zhou": "zhou-2026",
    "chen": "chen-2026",
}


def seed_people(data_dir: Path) -> None:
    """An administrator, estate staff for 龙门村 (PIN allowed), subdistrict staff, a mediator,
    and a household in 小西门 and one in 龙门村 (with a mobile number)."""
    from xmen_desktop.store import roster

    store = Store.open(data_dir, site_name="测试站")
    try:
        with store.write() as session:
            operators.add_operator(session, "admin", "张管理", rules.ADMIN, ADMIN_PASSWORD)
        store.sign_in("admin", ADMIN_PASSWORD)
        with store.write() as session:
            operators.add_operator(
                session,
                "wangli",
                "王丽",
                rules.ESTATE,
                PASSWORDS["wangli"],
                [LONGMENCUN.name],
                pin_allowed=True,
            )
            operators.add_operator(session, "zhou", "周明", rules.SUBDISTRICT, PASSWORDS["zhou"])
            operators.add_operator(
                session, "chen", "陈调解", rules.MEDIATOR, PASSWORDS["chen"], [PUYULI.name]
            )
            roster.add_household(
                session,
                XIAOXIMEN.id,
                {
                    "tenant": "王阿毛",
                    "address": "复兴东路 12 弄 3 号 201 室",
                    "phone": "13812341234",
                },
            )
            roster.add_household(
                session,
                LONGMENCUN.id,
                {
                    "tenant": "李秀英",
                    "address": "尚文路 133 弄 1 号 101 室",
                    "phone": "13912345678",
                },
            )
    finally:
        store.close()


@pytest.fixture
def context(qapp: object, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(data_dir, synchronous=True)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def people_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Seeded once (five Argon2 hashes and the migrations take a while), copied per test.
    folder = tmp_path_factory.mktemp("people")
    seed_people(folder)
    return folder


@pytest.fixture
def people(data_dir: Path, people_template: Path) -> Path:
    shutil.copytree(people_template, data_dir, dirs_exist_ok=True)
    return data_dir


def open_window(qtbot: QtBot, context: AppContext, **options: Any) -> MainWindow:
    win = MainWindow(context, **options)
    qtbot.addWidget(win)
    win.show()
    context.open_store()
    return win


def sign_in(qtbot: QtBot, window: MainWindow, username: str, secret: str | None = None) -> None:
    screen = window.sign_in_screen
    assert window.pages.currentWidget() is screen
    screen.username.clear()
    type_into(qtbot, screen.username, username)
    screen.secret.clear()
    type_into(qtbot, screen.secret, PASSWORDS[username] if secret is None else secret)
    qtbot.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)


def tab_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def events(context: AppContext, kind: str) -> list[Any]:
    assert context.store is not None
    with context.store.read(actor=SYSTEM) as session:
        return audit_lines(session, AuditFilter(kind=kind))


# ---------------------------------------------------------------------------- first start


def test_a_new_pc_asks_for_its_first_administrator(qtbot: QtBot, data_dir: Path) -> None:
    context = AppContext(data_dir, synchronous=True, ask_for_admin=True)
    try:
        window = open_window(qtbot, context)
        # The data is there at once: a new PC has nothing to protect yet.
        assert window.pages.currentWidget() is window.tabs
        assert window.overview.has_data
        dialog = window.first_admin_dialog
        assert isinstance(dialog, FirstAdminDialog) and dialog.isVisible()
        assert rules.ADMIN_PASSWORD_RULE in dialog.rule_note.text()  # type: ignore[union-attr]

        type_into(qtbot, dialog.username, "admin")
        type_into(qtbot, dialog.display_name, "张管理")
        type_into(qtbot, dialog.password, "admin123")
        type_into(qtbot, dialog.again, "admin123")
        dialog.ok_button.click()
        assert rules.ADMIN_PASSWORD_RULE in dialog.form.error("password")
        assert dialog.isVisible()
        assert context.store is not None
        with context.store.read() as session:
            assert not operators.has_operators(session)

        dialog.password.clear()
        dialog.again.clear()
        type_into(qtbot, dialog.password, ADMIN_PASSWORD)
        type_into(qtbot, dialog.again, ADMIN_PASSWORD + "x")
        dialog.ok_button.click()
        assert dialog.form.error("password") == ""
        assert "不一样" in dialog.form.error("again")

        dialog.again.clear()
        type_into(qtbot, dialog.again, ADMIN_PASSWORD)
        dialog.ok_button.click()
        assert not dialog.isVisible()
        assert context.actor.username == "admin"
        assert context.store.actor.role == rules.ADMIN
        assert window.person_label.text() == "当前：张管理（管理员）"
        assert tab_titles(window)[-1] == "系统管理"
        assert window.admin_tab is not None
        assert window.admin_tab.page_titles() == ["操作员", "操作记录", "备份与恢复"]
        assert not window.admin_action.isVisible()
        assert window.lock_action.isEnabled()
        assert [e.operator for e in events(context, "sign_in")] == ["admin"]
    finally:
        context.close()


def test_tests_and_scripts_are_not_asked_for_an_administrator(
    qtbot: QtBot, context: AppContext
) -> None:
    window = open_window(qtbot, context)
    assert window.first_admin_dialog is None
    assert context.actor is SYSTEM
    # The way to set one up later, from the menu.
    assert window.admin_action.isVisible()
    assert not window.lock_action.isEnabled()
    assert not window.person_label.isVisible()
    window.admin_action.trigger()
    assert isinstance(window.first_admin_dialog, FirstAdminDialog)
    assert window.first_admin_dialog.isVisible()


def test_nothing_loads_until_someone_signs_in(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context)
    assert window.pages.currentWidget() is window.sign_in_screen
    assert window.sign_in_screen.title.text() == "请登录"
    assert context.store is not None and context.store.actor is NOBODY
    assert not window.overview.has_data
    assert not window.export_action.isEnabled()
    assert window.overview.model.rowCount() == 0

    with qtbot.waitSignal(window.data_loaded, timeout=5000):
        sign_in(qtbot, window, "zhou")
    assert window.pages.currentWidget() is window.tabs
    assert window.overview.has_data
    assert window.person_label.text() == "当前：周明（街道工作人员）"
    assert tab_titles(window) == ["街道总览", *(e.name for e in ESTATES), "系统管理"]
    assert window.admin_tab is not None
    assert window.admin_tab.page_titles() == ["操作记录"]


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context)
    screen = window.sign_in_screen
    sign_in(qtbot, window, "wangli", "not-her-password")
    wrong_password = screen.message.text()
    assert screen.message.isVisible()
    assert screen.secret.text() == ""
    sign_in(qtbot, window, "nobody-here", "whatever-1")
    unknown_user = screen.message.text()
    assert wrong_password == unknown_user == operators.WRONG_CREDENTIALS
    assert window.pages.currentWidget() is screen
    assert context.actor is NOBODY
    assert len(events(context, "sign_in_failed")) == 2


def test_empty_fields_are_asked_for_without_a_try(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context)
    screen = window.sign_in_screen
    screen.sign_in_button.click()
    assert screen.message.text() == "请填写用户名。"
    type_into(qtbot, screen.username, "wangli")
    screen.sign_in_button.click()
    assert screen.message.text() == "请填写密码或 PIN。"
    assert events(context, "sign_in_failed") == []


def test_after_five_failures_the_button_waits_with_a_countdown(
    qtbot: QtBot, people: Path, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1_000_000.0]
    real = operators.check_credentials
    monkeypatch.setattr(
        operators, "check_credentials", functools.partial(real, clock=lambda: now[0])
    )
    window = open_window(qtbot, context)
    screen = window.sign_in_screen
    screen.tick_ms = 5  # the countdown's "second"
    for _ in range(rules.FREE_FAILURES):
        assert screen.sign_in_button.isEnabled()
        sign_in(qtbot, window, "wangli", "wrong-guess")
    if not screen.waiting_seconds:
        sign_in(qtbot, window, "wangli", "wrong-guess")
    assert screen.waiting_seconds >= 30
    assert not screen.sign_in_button.isEnabled()
    assert "请等" in screen.sign_in_button.text()
    assert f"请等 {screen.waiting_seconds} 秒" in screen.message.text()
    # Enter in the password box does nothing while the wait runs.
    type_into(qtbot, screen.secret, PASSWORDS["wangli"])
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert context.actor is NOBODY

    # The screen's countdown ends, but the store's clock has moved 10 s only: refused again.
    qtbot.waitUntil(lambda: screen.sign_in_button.isEnabled(), timeout=5000)
    assert screen.message.text() == "现在可以再试一次。"
    now[0] += 10
    sign_in(qtbot, window, "wangli")
    assert context.actor is NOBODY
    assert 0 < screen.waiting_seconds <= 21

    qtbot.waitUntil(lambda: screen.sign_in_button.isEnabled(), timeout=5000)
    now[0] += 25
    sign_in(qtbot, window, "wangli")
    assert context.actor.username == "wangli"
    assert window.pages.currentWidget() is window.tabs


# ---------------------------------------------------------------------------- the idle lock


def test_the_idle_lock_brings_the_same_person_back_to_the_same_screen(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context, idle_lock_ms=300)
    sign_in(qtbot, window, "wangli")
    assert window.guard.running and window.guard.interval_ms == 300
    tab = window.estate_tab(LONGMENCUN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentIndex(1)
    tab.pages.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.roster.model.rowCount() == 1)
    type_into(qtbot, tab.roster.search, "李")
    tab.roster.add_button.click()
    dialogs = [d for d in tab.roster.findChildren(HouseholdDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    type_into(qtbot, dialog.tenant, "赵")

    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    screen = window.sign_in_screen
    assert window.pages.currentWidget() is screen
    assert not window.tabs.isVisible()
    assert not dialog.isVisible()  # nothing personal left on screen
    assert screen.title.text() == "已锁定"
    assert "王丽" in screen.subtitle.text()
    assert screen.username.text() == "wangli"
    assert context.actor is NOBODY
    assert context.store is not None and context.store.actor is NOBODY
    assert [e.operator for e in events(context, "sign_out")] == ["wangli"]
    assert not window.export_action.isEnabled() and not window.lock_action.isEnabled()
    assert window.person_label.text() == "已锁定"

    type_into(qtbot, screen.secret, PASSWORDS["wangli"])
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert not window.locked
    assert window.pages.currentWidget() is window.tabs
    # The very same widgets, where they were, with what was typed.
    assert window.estate_tab(LONGMENCUN.id) is tab
    assert window.tabs.currentWidget() is tab
    assert tab.pages.currentWidget() is tab.roster
    assert tab.roster.search.text() == "李"
    assert dialog.isVisible()
    assert dialog.tenant.text() == "赵"
    assert window.guard.running


def test_key_presses_keep_the_window_unlocked(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context, idle_lock_ms=400)
    sign_in(qtbot, window, "zhou")
    search = window.estate_tabs[0].roster.search
    window.tabs.setCurrentWidget(window.estate_tabs[0])
    for _ in range(16):  # 16 × 60 ms: well past the idle time, with a key every 60 ms
        qtbot.keyClick(search, Qt.Key.Key_A)
        qtbot.wait(60)
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=5000)


def test_ctrl_l_locks(qtbot: QtBot, people: Path, context: AppContext) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "zhou")
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.overview.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert window.sign_in_screen.title.text() == "已锁定"
    assert window.sign_in_screen.switch_button.isVisible()


def test_a_pc_without_operators_has_nothing_to_lock(
    qtbot: QtBot, data_dir: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context, idle_lock_ms=50)
    assert window.overview.has_data
    assert not window.guard.running
    window.lock()
    qtbot.wait(150)
    assert not window.locked
    assert window.pages.currentWidget() is window.tabs


# ---------------------------------------------------------------------------- switching users


def test_switching_to_estate_staff_shows_only_their_estate(
    qtbot: QtBot, people: Path, context: AppContext, messages: Answers
) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "admin")
    assert len(window.estate_tabs) == 6
    old_tab = window.estate_tabs[0]
    window.tabs.setCurrentWidget(old_tab)
    old_tab.roster.add_button.click()
    form = next(d for d in old_tab.roster.findChildren(HouseholdDialog) if d.isVisible())
    type_into(qtbot, form.tenant, "半截表单")

    window.switch_action.trigger()
    screen = window.sign_in_screen
    assert window.locked
    assert screen.title.text() == "切换用户"
    assert screen.username.text() == ""
    sign_in(qtbot, window, "wangli")

    assert tab_titles(window) == ["街道总览", "龙门村", "系统管理"]
    assert window.person_label.text() == "当前：王丽（小区工作人员）"
    assert window.tabs.currentWidget() is window.overview
    assert window.overview.has_data
    # The overview shows her estate (and its total), not five empty ones.
    model = window.overview.model
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["龙门村", "合计"]
    assert model.data(model.index(0, 1)) == "1"
    assert window.admin_tab is not None and window.admin_tab.page_titles() == ["操作记录"]
    # The administrator's half-filled form is gone, not handed to her.
    assert not any(d.isVisible() for d in QApplication.topLevelWidgets() if d is form)
    tab = window.estate_tabs[0]
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.roster.model.rowCount() == 1)
    # Estate staff call residents: they see the whole number.
    assert tab.roster.model.rows()[0].display_phone == "13912345678"
    assert messages.said == []


def test_subdistrict_staff_see_masked_phones(
    qtbot: QtBot, people: Path, context: AppContext, messages: Answers
) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "zhou")
    tab = window.estate_tab(LONGMENCUN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.roster.model.rowCount() == 1)
    model = tab.roster.model
    assert model.data(model.index(0, model.PHONE)) == "139****5678"
    assert messages.said == []


def test_a_mediator_sees_their_estate_and_every_overview_page_opens(
    qtbot: QtBot, people: Path, context: AppContext, messages: Answers
) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "chen")
    assert tab_titles(window) == ["街道总览", "普育里", "系统管理"]
    for index in range(window.overview.pages.count()):
        window.overview.pages.setCurrentIndex(index)
        qtbot.wait(10)
    tab = window.estate_tabs[0]
    window.tabs.setCurrentWidget(tab)
    for index in range(tab.pages.count()):
        tab.pages.setCurrentIndex(index)
        qtbot.wait(10)
    assert window.admin_tab is not None
    window.tabs.setCurrentWidget(window.admin_tab)
    qtbot.wait(10)
    assert messages.said == []


def test_a_refusal_from_the_store_is_shown_as_a_message(
    qtbot: QtBot, people: Path, context: AppContext, messages: Answers
) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "wangli")

    def add_elsewhere(session: Any) -> None:
        from xmen_desktop.store import roster

        roster.add_household(session, XIAOXIMEN.id, {"tenant": "甲", "address": "复兴东路 1 号"})

    context.write(add_elsewhere)  # no error handler of its own: the context shows it
    assert len(messages.said) == 1
    assert "小西门" in messages.said[0] and "没有权限" in messages.said[0]


def test_a_person_sets_their_own_pin_and_signs_in_with_it(
    qtbot: QtBot, people: Path, context: AppContext
) -> None:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, "wangli")
    window.password_action.trigger()
    dialogs = [d for d in window.findChildren(PasswordDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.pin.isVisible()
    type_into(qtbot, dialog.pin, "12")
    dialog.ok_button.click()
    assert dialog.form.error("pin") == rules.PIN_RULE
    dialog.pin.clear()
    type_into(qtbot, dialog.pin, "2580")
    dialog.ok_button.click()
    assert not dialog.isVisible()

    window.lock()
    sign_in(qtbot, window, "wangli", "2580")
    assert context.actor.username == "wangli"
    assert not window.locked


def test_signing_in_and_locking_with_the_real_background_worker(
    qtbot: QtBot, qapp: object, people: Path
) -> None:
    context = AppContext(people)  # jobs run on the worker thread, answers come back queued
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.sign_in_shown, timeout=20000):
            context.open_store()
        sign_in(qtbot, window, "wangli")
        qtbot.waitUntil(lambda: window.overview.has_data, timeout=10000)
        assert tab_titles(window) == ["街道总览", "龙门村", "系统管理"]
        tab = window.estate_tabs[0]
        window.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(lambda: tab.roster.model.rowCount() == 1, timeout=10000)

        window.lock()
        qtbot.waitUntil(lambda: context.actor is NOBODY, timeout=10000)
        sign_in(qtbot, window, "wangli")
        qtbot.waitUntil(lambda: not window.locked, timeout=10000)
        assert window.tabs.currentWidget() is tab
    finally:
        window.close()  # signs her out, on the worker, before it stops
        context.close()
    assert [e.operator for e in events(context, "sign_out")] == ["wangli", "wangli"]
