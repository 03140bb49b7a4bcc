"""系统管理: the operators page (administrators) and the audit page, driven as a user would."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, messages, questions, type_into
from tests.ui.test_sign_in import open_window, people, people_template, sign_in
from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import SYSTEM
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import operators
from xmen_desktop.store.audit import AUDIT_HEADERS, AuditFilter, audit_lines
from xmen_desktop.ui.audit_page import AuditPage
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.operators_page import OperatorDialog, OperatorsPage
from xmen_desktop.ui.sign_in import PasswordDialog

# Fixtures used by name below.
__all__ = ["messages", "people", "people_template", "questions"]

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

XIAOXIMEN, LONGMENCUN = ESTATES[0], ESTATES[1]


@pytest.fixture
def context(qapp: object, people: Path) -> Iterator[AppContext]:
    ctx = AppContext(people, synchronous=True)
    yield ctx
    ctx.close()


def signed_in(qtbot: QtBot, context: AppContext, username: str) -> MainWindow:
    window = open_window(qtbot, context)
    sign_in(qtbot, window, username)
    assert context.actor.username == username
    return window


def operators_page(window: MainWindow) -> OperatorsPage:
    assert window.admin_tab is not None
    window.tabs.setCurrentWidget(window.admin_tab)
    page = window.admin_tab.operators
    assert isinstance(page, OperatorsPage)
    window.admin_tab.pages.setCurrentWidget(window.admin_tab.lazy_operators)
    assert page.has_data
    return page


def audit_page(window: MainWindow) -> AuditPage:
    assert window.admin_tab is not None
    window.tabs.setCurrentWidget(window.admin_tab)
    window.admin_tab.pages.setCurrentWidget(window.admin_tab.lazy_audit)
    page = window.admin_tab.audit
    assert isinstance(page, AuditPage)
    assert page.has_data
    return page


def cell(page: OperatorsPage, username: str, column: int) -> str:
    model = page.model
    for row in range(model.rowCount()):
        if model.row_at(row).username == username:
            return str(model.data(model.index(row, column)))
    raise AssertionError(f"{username} not listed")


def only_dialog(parent: Any, kind: type) -> Any:
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1
    return found[0]


# ---------------------------------------------------------------------------- operators


def test_the_operators_page_lists_everyone(qtbot: QtBot, context: AppContext) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    titles = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert titles == ["用户名", "姓名", "角色", "负责小区", "PIN", "状态"]
    assert [r.username for r in page.model.rows()] == ["admin", "chen", "wangli", "zhou"]
    assert cell(page, "wangli", 2) == "小区工作人员"
    assert cell(page, "wangli", 3) == "龙门村"
    assert cell(page, "zhou", 3) == "全部小区"
    assert cell(page, "wangli", 4) == "允许（未设置）"
    assert cell(page, "zhou", 4) == "不允许"
    assert cell(page, "zhou", 5) == "在用"


def test_only_administrators_get_the_operators_page(qtbot: QtBot, context: AppContext) -> None:
    window = signed_in(qtbot, context, "zhou")
    assert window.admin_tab is not None
    assert window.admin_tab.page_titles() == ["操作记录"]
    assert window.admin_tab.operators is None


def test_an_administrator_adds_an_estate_staff_member(
    qtbot: QtBot, context: AppContext, messages: Answers
) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.add_button.click()
    dialog = only_dialog(page, OperatorDialog)
    assert dialog.role.currentData() == rules.ESTATE
    type_into(qtbot, dialog.username, "lisi")
    type_into(qtbot, dialog.display_name, "李四")
    type_into(qtbot, dialog.password, "lisi")
    type_into(qtbot, dialog.again, "lisi")
    dialog.ok_button.click()
    assert dialog.form.error("estates") == "请至少勾选一个小区"
    assert rules.PASSWORD_RULE in dialog.form.error("password")
    assert dialog.isVisible()

    dialog.estates.boxes[XIAOXIMEN.id].setChecked(True)
    dialog.password.clear()
    dialog.again.clear()
    type_into(qtbot, dialog.password, "lisi-2026")
    type_into(qtbot, dialog.again, "lisi-2026")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert cell(page, "lisi", 1) == "李四"
    assert cell(page, "lisi", 3) == "小西门"
    assert page.current() is not None and page.current().username == "lisi"
    assert messages.said == []

    # An administrator's password follows the stronger rule, shown as the role is chosen.
    page.add_button.click()
    dialog = only_dialog(page, OperatorDialog)
    dialog.role.setCurrentIndex(dialog.role.findData(rules.ADMIN))
    assert dialog.password_note.text() == rules.ADMIN_PASSWORD_RULE
    assert not dialog.estates.isEnabled()
    type_into(qtbot, dialog.username, "boss")
    type_into(qtbot, dialog.display_name, "赵主任")
    type_into(qtbot, dialog.password, "short1")
    type_into(qtbot, dialog.again, "short1")
    dialog.ok_button.click()
    assert rules.ADMIN_PASSWORD_RULE in dialog.form.error("password")
    dialog.reject()


def test_editing_the_role_and_estates(qtbot: QtBot, context: AppContext) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.select("wangli")
    page.edit_button.click()
    dialog = only_dialog(page, OperatorDialog)
    assert dialog.estates.chosen() == [LONGMENCUN.id]
    dialog.estates.boxes[XIAOXIMEN.id].setChecked(True)
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert cell(page, "wangli", 3) == "小西门、龙门村"


def test_disabling_asks_first_and_then_refuses_the_sign_in(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.select("zhou")
    assert page.disable_button.text() == "停用…"
    page.disable_button.click()
    assert len(questions.said) == 1 and "周明" in questions.said[0]
    assert cell(page, "zhou", 5) == "已停用"
    assert page.disable_button.text() == "启用"

    window.switch_action.trigger()
    sign_in(qtbot, window, "zhou")
    assert window.sign_in_screen.message.text() == "这个账号已停用。请找管理员。"
    assert window.locked

    sign_in(qtbot, window, "admin")
    page = operators_page(window)
    page.select("zhou")
    page.disable_button.click()  # 启用: no question needed
    assert len(questions.said) == 1
    assert cell(page, "zhou", 5) == "在用"


def test_answering_no_keeps_the_operator(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    from PySide6.QtWidgets import QMessageBox

    questions.answer = QMessageBox.StandardButton.No
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.select("zhou")
    page.disable_button.click()
    assert cell(page, "zhou", 5) == "在用"


def test_the_only_administrator_cannot_be_disabled(
    qtbot: QtBot, context: AppContext, questions: Answers, messages: Answers
) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.select("admin")
    page.disable_button.click()
    assert messages.said == ["不能停用自己正在使用的账号"]
    assert cell(page, "admin", 5) == "在用"


def test_reset_password_and_allow_pin(qtbot: QtBot, context: AppContext) -> None:
    window = signed_in(qtbot, context, "admin")
    page = operators_page(window)
    page.select("zhou")
    page.password_button.click()
    dialog = only_dialog(page, PasswordDialog)
    assert not dialog.pin.isVisible()
    type_into(qtbot, dialog.password, "new-zhou-1")
    type_into(qtbot, dialog.again, "new-zhou-1")
    dialog.ok_button.click()
    assert not dialog.isVisible()

    assert page.pin_button.text() == "允许用 PIN"
    page.pin_button.click()
    assert cell(page, "zhou", 4) == "允许（未设置）"
    assert page.pin_button.text() == "不允许用 PIN"

    window.switch_action.trigger()
    sign_in(qtbot, window, "zhou")
    assert window.locked  # the old password no longer works
    sign_in(qtbot, window, "zhou", "new-zhou-1")
    assert context.actor.username == "zhou"


def test_the_idle_lock_minutes_are_saved_and_followed(qtbot: QtBot, context: AppContext) -> None:
    window = signed_in(qtbot, context, "admin")
    assert window.guard.interval_ms == rules.IDLE_LOCK_MINUTES_DEFAULT * 60_000
    page = operators_page(window)
    assert page.idle_minutes.value() == rules.IDLE_LOCK_MINUTES_DEFAULT
    page.idle_minutes.setValue(5)
    page.idle_save.click()
    assert "5 分钟" in page.idle_note.text()
    assert window.guard.interval_ms == 5 * 60_000
    assert context.store is not None
    with context.store.read() as session:
        assert operators.idle_lock_minutes(session) == 5


# ---------------------------------------------------------------------------- audit


def test_the_audit_page_filters_by_person_kind_estate_and_date(
    qtbot: QtBot, context: AppContext
) -> None:
    window = signed_in(qtbot, context, "admin")
    page = audit_page(window)
    lines = page.model.rows()
    assert page.count_label.text() == f"共 {len(lines)} 条"
    kinds = {line.kind for line in lines}
    assert {"sign_in", "operator", "household"} <= kinds

    page.kind.setCurrentIndex(page.kind.findData("sign_in"))
    assert page.model.rowCount() >= 2  # the seeding sign-in and this one
    assert {line.kind for line in page.model.rows()} == {"sign_in"}
    assert {line.action for line in page.model.rows()} == {"登录"}

    page.kind.setCurrentIndex(page.kind.findData("household"))
    assert {line.estate_name for line in page.model.rows()} == {"小西门", "龙门村"}
    page.estate.setCurrentIndex(page.estate.findData(XIAOXIMEN.id))
    assert [line.estate_name for line in page.model.rows()] == ["小西门"]
    assert page.model.rows()[0].action == "新增"

    page.estate.setCurrentIndex(0)
    page.kind.setCurrentIndex(0)
    page.operator.setCurrentIndex(page.operator.findData("system"))
    assert page.model.rowCount() > 0
    assert {line.operator for line in page.model.rows()} == {"system"}

    page.operator.setCurrentIndex(0)
    yesterday = QDate.currentDate().addDays(-1)
    page.until.setDate(yesterday)
    page.since.setDate(yesterday.addDays(-7))
    assert page.model.rowCount() == 0
    assert not page.empty_hint.isHidden()
    assert not page.export_button.isEnabled()


def test_estate_staff_see_only_their_estate_in_the_audit(
    qtbot: QtBot, context: AppContext, messages: Answers
) -> None:
    window = signed_in(qtbot, context, "wangli")
    page = audit_page(window)
    estates = [page.estate.itemText(i) for i in range(page.estate.count())]
    assert estates == ["全部小区", "龙门村"]
    page.kind.setCurrentIndex(page.kind.findData("household"))
    assert [line.estate_name for line in page.model.rows()] == ["龙门村"]
    assert messages.said == []


def test_exporting_the_audit_writes_xlsx_and_is_itself_recorded(
    qtbot: QtBot,
    context: AppContext,
    messages: Answers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = signed_in(qtbot, context, "zhou")
    page = audit_page(window)
    page.kind.setCurrentIndex(page.kind.findData("household"))
    shown = page.model.rows()
    assert len(shown) == 2
    target = tmp_path / "审计"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    page.export_button.click()
    written = tmp_path / "审计.xlsx"
    assert written.exists()
    assert len(messages.said) == 1 and str(written) in messages.said[0]

    sheet = load_workbook(written).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == AUDIT_HEADERS
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        (line.operator, line.estate_name, line.kind_label, line.action) for line in shown
    ]
    assert context.store is not None
    with context.store.read(actor=SYSTEM) as session:
        exports = audit_lines(session, AuditFilter(kind="export"))
    assert len(exports) == 1
    assert exports[0].operator == "zhou"
    assert "2 条" in exports[0].detail and "审计.xlsx" in exports[0].detail
    assert str(datetime.date.today() - datetime.timedelta(days=30)) in exports[0].detail
