"""The main window, the overview and an estate's tab, driven as a user would.

The context runs every job inline (``synchronous=True``), so a click has done all its work,
database included, by the time the click returns.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.estate_tab import EstateTab
from xmen_desktop.ui.household_dialog import HouseholdDialog, ResidentDialog
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.member_dialog import MemberDialog
from xmen_desktop.ui.widgets import alive

XIAOXIMEN = ESTATES[0]

# The offscreen platform used for tests cannot pass a window's size limits on (a real screen
# can); Qt warns each time a shown dialog grows, e.g. when a red message appears under a field.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

DialogT = TypeVar("DialogT", bound=QWidget)


@pytest.fixture
def context(qapp: object, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(data_dir, synchronous=True)
    yield ctx
    ctx.close()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> MainWindow:
    win = MainWindow(context)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.data_loaded, timeout=5000):
        context.open_store()
    return win


@pytest.fixture
def estate(window: MainWindow) -> EstateTab:
    tab = window.estate_tab(XIAOXIMEN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    assert tab.has_data
    return tab


class Questions:
    """Stands in for QMessageBox.question: records what was asked, answers as told."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, parent: object, title: str, text: str, *args: object) -> Any:
        self.asked.append(text)
        return self.answer


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    recorder = Questions(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", recorder)
    return recorder


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def warning(parent: object, title: str, text: str, *args: object) -> Any:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def open_dialog(parent: QWidget, kind: type[DialogT]) -> DialogT:
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {len(found)}"
    return found[0]


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type as a user would: ASCII as key presses, Chinese as an input method commits it.

    QTest can only press keys that exist on the keyboard; Chinese arrives from the IME.
    """
    widget.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def read(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    context.read(fn, box.append)
    return box[0]


def households_in_store(context: AppContext) -> list[Any]:
    return read(context, jobs.load_roster(XIAOXIMEN.id)).households


def add_household(context: AppContext, tenant: str, address: str, **values: object) -> str:
    box: list[str] = []
    context.write(
        jobs.add_household(XIAOXIMEN.id, {"tenant": tenant, "address": address, **values}),
        box.append,
    )
    return box[0]


def select(tab: EstateTab, household_id: str) -> None:
    tab.roster.select_household(household_id)
    assert tab.roster.current_household_id() == household_id


# ---------------------------------------------------------------------------- window


def test_window_has_seven_tabs_in_order(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["街道总览", "小西门", "龙门村", "普育里", "景德里", "安澜", "陆兴"]
    assert window.windowTitle() == "老西门街道自治家园工作台"
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件", "帮助"]
    assert window.site_label.text().startswith("本机站点：")


def test_estate_tabs_wait_for_the_store(qtbot: QtBot, context: AppContext) -> None:
    win = MainWindow(context)
    qtbot.addWidget(win)
    tab = win.estate_tabs[0]
    win.tabs.setCurrentWidget(tab)
    assert tab.stack.currentWidget() is tab.waiting
    assert "正在打开数据" in tab.waiting.title.text()
    with qtbot.waitSignal(win.data_loaded, timeout=5000):
        context.open_store()
    assert tab.stack.currentWidget() is tab.pages


def test_store_failure_shows_an_error_page(qtbot: QtBot, context: AppContext) -> None:
    win = MainWindow(context)
    qtbot.addWidget(win)
    context.store_failed.emit("数据文件已损坏")
    assert win.pages.currentWidget() is win.error_page
    assert "数据文件已损坏" in win.error_page.detail.text()
    assert "维护人员" in win.error_page.detail.text()


def test_building_the_window_imports_no_database_code(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from xmen_desktop.ui.context import AppContext\n"
        "from xmen_desktop.ui.main_window import MainWindow\n"
        "window = MainWindow(AppContext(sys.argv[1]))\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'reportlab', 'openpyxl'})\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == ""


def test_overview_lists_six_estates_with_totals(window: MainWindow, context: AppContext) -> None:
    model = window.overview.model
    assert model.rowCount() == 7
    names = [model.data(model.index(r, 0)) for r in range(7)]
    assert names == [e.name for e in ESTATES] + ["合计"]
    add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室", area="45.5")
    add_household(context, "李秀英", "复兴东路 12 弄 3 号 202 室", area="30")
    # Refreshed by the change signal, without asking.
    assert model.data(model.index(0, 1)) == "2"
    assert model.data(model.index(0, 4)) == "75.5"
    assert model.data(model.index(6, 1)) == "2"


def test_double_clicking_an_estate_opens_its_tab(window: MainWindow) -> None:
    window.overview.estate_chosen.emit(ESTATES[2].id)
    assert window.tabs.currentIndex() == 3


# ---------------------------------------------------------------------------- households


def fill_household(qtbot: QtBot, dialog: HouseholdDialog, **fields: str) -> None:
    for name, text in fields.items():
        type_into(qtbot, dialog.widget(name), text)


def test_household_added_through_the_dialog_is_listed_and_found(
    qtbot: QtBot, estate: EstateTab
) -> None:
    roster = estate.roster
    qtbot.mouseClick(roster.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(roster, HouseholdDialog)
    fill_household(
        qtbot,
        dialog,
        tenant="王阿毛",
        address="复兴东路12弄3号201室",
        phone="13812345678",
        size="3",
        area="45.5",
        notes="独居老人",
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    assert roster.model.rowCount() == 1
    row = roster.current_household()
    assert row is not None
    assert (row.tenant, row.address, row.phone, row.size, row.area_centi, row.notes) == (
        "王阿毛",
        "复兴东路 12 弄 3 号 201 室",
        "13812345678",
        3,
        4550,
        "独居老人",
    )
    assert roster.count_label.text() == "共 1 户"

    add_household(roster.context, "李秀英", "复兴东路 12 弄 3 号 202 室")
    assert roster.model.rowCount() == 2
    type_into(qtbot, roster.search, "阿毛")
    assert roster.proxy.rowCount() == 1
    assert roster.proxy.data(roster.proxy.index(0, 0)) == "王阿毛"
    assert roster.count_label.text() == "共 2 户，找到 1 户"
    roster.search.clear()
    type_into(qtbot, roster.search, "没有这户")
    assert roster.proxy.rowCount() == 0
    assert "没有找到" in roster.empty_hint.text()


def test_bad_phone_is_refused_and_nothing_saved(
    qtbot: QtBot, estate: EstateTab, context: AppContext, questions: Questions
) -> None:
    roster = estate.roster
    qtbot.mouseClick(roster.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(roster, HouseholdDialog)
    fill_household(qtbot, dialog, tenant="王阿毛", address="复兴东路 12 弄 3 号 201 室")
    fill_household(qtbot, dialog, phone="12345")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "11 位" in dialog.field_error("phone")
    assert dialog.field_error("tenant") == ""
    assert households_in_store(context) == []
    assert roster.model.rowCount() == 0

    # Fixing it clears the message at once; leaving with unsaved input asks first.
    dialog.phone.clear()
    type_into(qtbot, dialog.phone, "13812345678")
    assert dialog.field_error("phone") == ""
    questions.answer = QMessageBox.StandardButton.No
    dialog.reject()
    assert dialog.isVisible()
    assert "还没有保存" in questions.asked[-1]
    questions.answer = QMessageBox.StandardButton.Yes
    dialog.reject()
    assert not dialog.isVisible()
    assert households_in_store(context) == []


def test_errors_show_under_their_fields_after_a_pause(qtbot: QtBot, estate: EstateTab) -> None:
    dialog = HouseholdDialog(estate.context, XIAOXIMEN.id, XIAOXIMEN.name, parent=estate)
    dialog.open()
    type_into(qtbot, dialog.area, "45.555")
    assert dialog.field_error("area") == ""  # not while still typing
    qtbot.waitUntil(lambda: dialog.field_error("area") != "", timeout=3000)
    assert "两位小数" in dialog.field_error("area")
    dialog.done(0)


def test_duplicate_address_from_the_store_shows_next_to_the_address(
    qtbot: QtBot, estate: EstateTab, context: AppContext
) -> None:
    add_household(context, "李秀英", "复兴东路 12 弄 3 号 201 室")
    roster = estate.roster
    qtbot.mouseClick(roster.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(roster, HouseholdDialog)
    fill_household(qtbot, dialog, tenant="王阿毛", address="复兴东路１２弄３号２０１室")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "已有这个地址" in dialog.field_error("address")
    assert "李秀英" in dialog.field_error("address")
    assert len(households_in_store(context)) == 1
    dialog.done(0)


def test_household_edited_by_double_click(
    qtbot: QtBot, estate: EstateTab, context: AppContext
) -> None:
    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    roster = estate.roster
    select(estate, household_id)
    index = roster.table.selectionModel().selectedRows()[0]
    roster.table.doubleClicked.emit(index)
    dialog = open_dialog(roster, HouseholdDialog)
    assert dialog.tenant.text() == "王阿毛"
    dialog.phone.clear()
    type_into(qtbot, dialog.phone, "63281234")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    row = roster.current_household()
    assert row is not None and row.id == household_id
    assert row.phone == "021-63281234"


def test_delete_asks_first_then_removes(
    estate: EstateTab, context: AppContext, questions: Questions
) -> None:
    keep = add_household(context, "李秀英", "复兴东路 12 弄 3 号 202 室")
    gone = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    roster = estate.roster
    select(estate, gone)

    questions.answer = QMessageBox.StandardButton.No
    roster.delete_button.click()
    assert "复兴东路 12 弄 3 号 201 室" in questions.asked[-1]
    assert "王阿毛" in questions.asked[-1]
    assert "家庭成员也会一并删除" in questions.asked[-1]
    assert roster.model.rowCount() == 2

    questions.answer = QMessageBox.StandardButton.Yes
    roster.delete_button.click()
    assert [h.id for h in households_in_store(context)] == [keep]
    assert roster.model.rowCount() == 1
    assert roster.current_household() is None
    assert not roster.delete_button.isEnabled()


def test_selection_is_kept_across_a_reload(estate: EstateTab, context: AppContext) -> None:
    first = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    select(estate, first)
    add_household(context, "李秀英", "复兴东路 12 弄 3 号 101 室")
    assert estate.roster.model.rowCount() == 2
    assert estate.roster.current_household_id() == first


def test_hidden_tab_reloads_when_shown(window: MainWindow, context: AppContext) -> None:
    tab = window.estate_tab(XIAOXIMEN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    window.tabs.setCurrentIndex(0)
    add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    assert tab.roster.model.rowCount() == 0  # out of sight: not read yet
    window.tabs.setCurrentWidget(tab)
    assert tab.roster.model.rowCount() == 1


def test_import_and_export_buttons_open_the_roster_file_screens(
    estate: EstateTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xmen_desktop.ui import import_dialog

    calls: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        import_dialog,
        "open_import_dialog",
        lambda parent, ctx, estate_id, name: calls.append(("import", estate_id, name)),
    )
    monkeypatch.setattr(
        import_dialog,
        "export_roster_interactive",
        lambda parent, ctx, estate_id, name: calls.append(("export", estate_id, name)),
    )
    estate.roster.import_button.click()
    estate.roster.export_button.click()
    assert calls == [
        ("import", XIAOXIMEN.id, XIAOXIMEN.name),
        ("export", XIAOXIMEN.id, XIAOXIMEN.name),
    ]


# ---------------------------------------------------------------------------- residents


def test_resident_added_through_the_dialog_appears(
    qtbot: QtBot, estate: EstateTab, context: AppContext
) -> None:
    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    roster = estate.roster
    select(estate, household_id)
    assert roster.residents_model.rowCount() == 0
    qtbot.mouseClick(roster.add_resident_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(roster, ResidentDialog)
    type_into(qtbot, dialog.name, "王小明")
    dialog.relation.setCurrentText("子女")
    dialog.gender.setCurrentIndex(dialog.gender.findData("男"))
    type_into(qtbot, dialog.birth_year, "1985")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    model = roster.residents_model
    assert model.rowCount() == 1
    assert [model.data(model.index(0, c)) for c in range(4)] == ["王小明", "子女", "男", "1985"]
    assert roster.current_resident() is not None
    # The household's 居民 column follows, and a resident's name finds the household.
    row = roster.current_household()
    assert row is not None and row.residents == 1
    type_into(qtbot, roster.search, "王小明")
    assert roster.proxy.rowCount() == 1


def test_bad_birth_year_is_refused(qtbot: QtBot, estate: EstateTab, context: AppContext) -> None:
    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    select(estate, household_id)
    estate.roster.add_resident_button.click()
    dialog = open_dialog(estate.roster, ResidentDialog)
    type_into(qtbot, dialog.name, "王小明")
    type_into(qtbot, dialog.birth_year, "1850")
    dialog.save_button.click()
    assert "1900" in dialog.field_error("birth_year")
    assert estate.roster.residents_model.rowCount() == 0
    dialog.done(0)


def test_resident_deleted_after_confirmation(
    estate: EstateTab, context: AppContext, questions: Questions
) -> None:
    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    context.write(jobs.add_resident(household_id, {"name": "王小明"}))
    select(estate, household_id)
    roster = estate.roster
    roster.residents_table.selectRow(0)
    roster.delete_resident_button.click()
    assert "王小明" in questions.asked[-1]
    assert roster.residents_model.rowCount() == 0


# ---------------------------------------------------------------------------- bodies


def test_member_added_through_the_dialog_appears(
    qtbot: QtBot, estate: EstateTab, context: AppContext
) -> None:
    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    resident_box: list[str] = []
    context.write(jobs.add_resident(household_id, {"name": "王阿毛"}), resident_box.append)
    bodies = estate.bodies
    estate.pages.setCurrentWidget(bodies)
    bodies.show_body("executive")

    qtbot.mouseClick(bodies.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(bodies, MemberDialog)
    assert dialog.value("body") == "executive"
    assert dialog.pick(resident_box[0])
    assert "复兴东路 12 弄 3 号 201 室" in dialog.link_note.text()  # type: ignore[union-attr]
    dialog.role.setCurrentText("主任")
    dialog.term_end.blank.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    member = bodies.current_member()
    assert member is not None
    assert (member.name, member.role, member.body, member.resident_id, member.term_end) == (
        "王阿毛",
        "主任",
        "executive",
        resident_box[0],
        None,
    )
    assert member.address == "复兴东路 12 弄 3 号 201 室"
    assert bodies.selector.item(1).text() == "执行委员会\n1 人"


def test_member_by_typed_name_and_bad_term(qtbot: QtBot, estate: EstateTab) -> None:
    bodies = estate.bodies
    estate.pages.setCurrentWidget(bodies)
    bodies.show_body("mediation")
    bodies.add_button.click()
    dialog = open_dialog(bodies, MemberDialog)
    type_into(qtbot, dialog.name, "赵律师")
    assert "只记下姓名" in dialog.link_note.text()  # type: ignore[union-attr]
    import datetime

    dialog.term_start.set_value(datetime.date(2025, 1, 1))
    dialog.term_end.set_value(datetime.date(2024, 1, 1))
    assert "不能早于" in dialog.field_error("term_end")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert bodies.model.rowCount() == 0

    dialog.term_end.set_value(datetime.date(2028, 1, 1))
    dialog.save_button.click()
    assert not dialog.isVisible()
    member = bodies.current_member()
    assert member is not None
    assert (member.name, member.body, member.resident_id) == ("赵律师", "mediation", None)


def test_member_deleted_after_confirmation(
    estate: EstateTab, context: AppContext, questions: Questions
) -> None:
    context.write(jobs.add_member(XIAOXIMEN.id, {"body": "liaison", "name": "钱文龙"}))
    bodies = estate.bodies
    bodies.show_body("liaison")
    bodies.table.selectRow(0)
    bodies.delete_button.click()
    assert "钱文龙" in questions.asked[-1]
    assert "党建联络员" in questions.asked[-1]
    assert bodies.model.rowCount() == 0


def test_store_refusal_without_a_field_is_shown_as_a_message(
    estate: EstateTab, context: AppContext, warnings_shown: list[str], questions: Questions
) -> None:
    from xmen_desktop.store import roster as store_roster

    household_id = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    select(estate, household_id)
    # Deleted behind this screen's back (as a sync bundle would), so the screen still shows it.
    assert context.store is not None
    with context.store.write() as session:
        store_roster.delete_household(session, household_id)
    estate.roster.delete_button.click()
    assert warnings_shown and "找不到" in warnings_shown[-1]


def test_search_that_hides_the_chosen_household_leaves_nothing_chosen(
    qtbot: QtBot, estate: EstateTab, context: AppContext
) -> None:
    hidden = add_household(context, "王阿毛", "复兴东路 12 弄 3 号 201 室")
    add_household(context, "李秀英", "复兴东路 12 弄 3 号 101 室")
    add_household(context, "张建国", "复兴东路 12 弄 3 号 102 室")
    roster = estate.roster
    select(estate, hidden)
    type_into(qtbot, roster.search, "101")
    assert roster.proxy.rowCount() == 1
    assert roster.current_household() is None
    assert not roster.delete_button.isEnabled()
    assert roster.residents_model.rowCount() == 0
    roster.search.clear()
    assert roster.current_household() is None


def test_everything_works_with_the_real_background_worker(
    qtbot: QtBot, qapp: object, data_dir: Path
) -> None:
    context = AppContext(data_dir)  # jobs run on the worker thread, answers come back queued
    try:
        win = MainWindow(context)
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.data_loaded, timeout=20000):
            context.open_store()
        tab = win.estate_tabs[0]
        win.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(lambda: tab.has_data, timeout=10000)

        tab.roster.add_button.click()
        dialog = open_dialog(tab.roster, HouseholdDialog)
        fill_household(qtbot, dialog, tenant="王阿毛", address="复兴东路 12 弄 3 号 201 室")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: not alive(dialog) or not dialog.isVisible(), timeout=10000)
        qtbot.waitUntil(lambda: tab.roster.model.rowCount() == 1, timeout=10000)
        qtbot.waitUntil(lambda: tab.roster.current_household() is not None, timeout=10000)
        qtbot.waitUntil(lambda: win.overview.model.data(win.overview.model.index(6, 1)) == "1")
    finally:
        context.close()


def test_a_damaged_database_offers_the_backups_then_opens_the_restored_one(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xmen_desktop.store import backup, paths
    from xmen_desktop.store.database import Store
    from xmen_desktop.store.demo import fill_demo
    from xmen_desktop.ui import backup_page

    store = Store.open(data_dir, site_name="测试站")
    with store.write() as session:
        fill_demo(session, 30)
    store.close()
    good = backup.backup_database(
        paths.database_path(data_dir), paths.backups_dir(data_dir), "manual"
    )
    database = paths.database_path(data_dir)
    with database.open("r+b") as handle:  # garbage over the middle pages
        handle.seek(database.stat().st_size // 2 // 4096 * 4096)
        handle.write(bytes((i * 151 + 7) % 256 for i in range(4096 * 4)))

    offered: list[str] = []

    def restore_instead_of_asking(
        parent: object, folder: object, message: str, **_: object
    ) -> bool:
        offered.append(message)
        backup.restore_backup(paths.data_dir(folder), good)
        return True

    monkeypatch.setattr(backup_page, "offer_restore", restore_instead_of_asking)
    ctx = AppContext(data_dir, synchronous=True)
    try:
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.data_loaded, timeout=10000):
            ctx.open_store()
        assert offered and "损坏" in offered[0]
        assert ctx.store is not None
        with ctx.store.read() as session:
            from xmen_desktop.store import roster

            assert len(roster.list_households(session)) == 30
    finally:
        ctx.close()
