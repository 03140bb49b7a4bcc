"""导出个人信息… and 删除个人信息… in the household dialog, on a synchronous worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from xmen_desktop.domain.access import MEDIATOR, Actor
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.household_dialog import (
    EraseConfirmDialog,
    HouseholdDialog,
    export_path,
)

XIAOXIMEN = ESTATES[0]
TENANT, ADDRESS, PHONE = "王阿毛", "复兴东路 1234 弄 5 号 201 室", "13812345678"


class Messages:
    """What the message boxes said, instead of showing them."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []

    def record(self, kind: str) -> Any:
        def show(parent: object, title: str, text: str, *args: object) -> int:
            self.shown.append((kind, title, text))
            return int(QMessageBox.StandardButton.Ok.value)

        return show


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    recorder = Messages()
    monkeypatch.setattr(QMessageBox, "information", recorder.record("information"))
    monkeypatch.setattr(QMessageBox, "warning", recorder.record("warning"))
    return recorder


@pytest.fixture
def context(qapp: object, tmp_path: Path) -> Iterator[AppContext]:
    ctx = AppContext(tmp_path / "data", synchronous=True)
    ctx.open_store()
    assert ctx.store is not None
    yield ctx
    ctx.close()


def add_household(context: AppContext) -> str:
    from xmen_desktop.store import roster

    assert context.store is not None
    with context.store.write() as session:
        household = roster.add_household(
            session,
            XIAOXIMEN.id,
            {"tenant": TENANT, "address": ADDRESS, "phone": PHONE, "notes": "独居老人"},
        )
        roster.add_resident(session, household.id, {"name": "李秀英", "relation": "配偶"})
        return household.id


def row_of(context: AppContext, household_id: str) -> Any:
    from xmen_desktop.store import roster

    assert context.store is not None
    with context.store.read() as session:
        return next(r for r in roster.list_households(session) if r.id == household_id)


def open_dialog(qtbot: QtBot, context: AppContext, household_id: str) -> HouseholdDialog:
    dialog = HouseholdDialog(context, XIAOXIMEN.id, XIAOXIMEN.name, row_of(context, household_id))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click(qtbot: QtBot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# ---------------------------------------------------------------------------- the buttons


def test_only_an_existing_household_has_the_buttons(qtbot: QtBot, context: AppContext) -> None:
    new = HouseholdDialog(context, XIAOXIMEN.id, XIAOXIMEN.name)
    qtbot.addWidget(new)
    assert not hasattr(new, "export_person_button")
    dialog = open_dialog(qtbot, context, add_household(context))
    assert dialog.export_person_button.text() == "导出个人信息…"
    assert dialog.erase_person_button.text() == "删除个人信息…"
    assert dialog.export_person_button.isVisible() and dialog.erase_person_button.isEnabled()


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx"])
def test_export_writes_the_chosen_kind_of_file(
    qtbot: QtBot, context: AppContext, messages: Messages, tmp_path: Path, suffix: str
) -> None:
    dialog = open_dialog(qtbot, context, add_household(context))
    path = tmp_path / f"王阿毛个人信息{suffix}"
    dialog.choose_export_path = lambda: path  # type: ignore[method-assign]
    click(qtbot, dialog.export_person_button)
    assert path.exists()
    if suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        assert "家庭成员" in book.sheetnames
        book.close()
    else:
        assert path.read_bytes().startswith(b"%PDF")
    kind, title, text = messages.shown[-1]
    assert (kind, title) == ("information", "导出完成") and path.name in text
    assert dialog.isVisible() and dialog.export_person_button.isEnabled()
    assert QApplication.overrideCursor() is None


def test_cancelling_the_save_dialog_writes_nothing(
    qtbot: QtBot, context: AppContext, messages: Messages, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, context, add_household(context))
    dialog.choose_export_path = lambda: None  # type: ignore[method-assign]
    click(qtbot, dialog.export_person_button)
    assert messages.shown == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_file_type_chosen_decides_the_ending() -> None:
    excel, pdf = "Excel 工作簿 (*.xlsx)", "PDF 文件 (*.pdf)"
    assert export_path(Path("/t/王阿毛"), excel) == Path("/t/王阿毛.xlsx")
    assert export_path(Path("/t/王阿毛"), pdf) == Path("/t/王阿毛.pdf")
    assert export_path(Path("/t/王阿毛.PDF"), excel) == Path("/t/王阿毛.PDF")
    assert export_path(Path("/t/王阿毛.xlsx"), pdf) == Path("/t/王阿毛.xlsx")


def test_erase_asks_first_and_nothing_happens_when_declined(
    qtbot: QtBot, context: AppContext, messages: Messages
) -> None:
    household_id = add_household(context)
    dialog = open_dialog(qtbot, context, household_id)
    asked: list[Any] = []

    def decline(preview: Any) -> bool:
        asked.append(preview)
        return False

    dialog.confirm_erase = decline  # type: ignore[method-assign]
    click(qtbot, dialog.erase_person_button)
    (preview,) = asked
    assert (preview.name, preview.address, preview.residents) == (TENANT, ADDRESS, 1)
    assert row_of(context, household_id).tenant == TENANT
    assert dialog.isVisible() and messages.shown == []


def test_erase_confirmed_wipes_closes_and_refreshes(
    qtbot: QtBot, context: AppContext, messages: Messages
) -> None:
    household_id = add_household(context)
    dialog = open_dialog(qtbot, context, household_id)
    changed: list[frozenset[str]] = []
    context.changed.connect(changed.append)
    dialog.confirm_erase = lambda preview: True  # type: ignore[method-assign]
    click(qtbot, dialog.erase_person_button)
    row = row_of(context, household_id)
    assert (row.tenant, row.phone, row.notes, row.address) == ("（已删除）", None, "", ADDRESS)
    assert any({"household", "resident", "erasure"} <= tables for tables in changed)
    kind, title, text = messages.shown[-1]
    assert (kind, title) == ("information", "已删除") and ADDRESS in text
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert QApplication.overrideCursor() is None
    # Nothing of it is left in the data folder's files either.
    assert context.store is not None
    for file in context.store.path.parent.glob("xmen.sqlite3*"):
        assert TENANT.encode() not in file.read_bytes() and PHONE.encode() not in file.read_bytes()

    # Opened again: already erased, so it says so and does not ask.
    again = open_dialog(qtbot, context, household_id)
    again.confirm_erase = lambda preview: pytest.fail("asked again")  # type: ignore[method-assign]
    click(qtbot, again.erase_person_button)
    assert "已经删除过了" in messages.shown[-1][2]


def test_a_refused_erasure_says_why(qtbot: QtBot, context: AppContext, messages: Messages) -> None:
    household_id = add_household(context)
    assert context.store is not None
    context.store.actor = Actor("tiao", "老周", MEDIATOR, frozenset({XIAOXIMEN.id}), "t")
    dialog = open_dialog(qtbot, context, household_id)
    dialog.confirm_erase = lambda preview: True  # type: ignore[method-assign]
    click(qtbot, dialog.erase_person_button)
    kind, title, text = messages.shown[-1]
    assert (kind, title) == ("warning", "没有删除") and "调解员" in text
    assert dialog.isVisible() and dialog.erase_person_button.isEnabled()
    context.store.actor = Actor("sys", "系统", "admin")
    assert row_of(context, household_id).tenant == TENANT


# ---------------------------------------------------------------------------- the question


@pytest.fixture
def question(qtbot: QtBot, context: AppContext) -> EraseConfirmDialog:
    from xmen_desktop.store import erasure

    household_id = add_household(context)
    assert context.store is not None
    with context.store.read() as session:
        preview = erasure.preview_household(session, household_id)
    dialog = EraseConfirmDialog(preview)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_question_says_what_goes_and_that_it_cannot_be_undone(
    question: EraseConfirmDialog,
) -> None:
    from PySide6.QtWidgets import QLabel

    said = "\n".join(label.text() for label in question.findChildren(QLabel))
    assert ADDRESS in said and TENANT in said
    assert "1 位家庭成员" in said and "不能恢复" in said and "保留" in said
    assert question.cancel_button.isDefault()


def test_the_red_button_must_be_clicked_twice(qtbot: QtBot, question: EraseConfirmDialog) -> None:
    click(qtbot, question.erase_button)
    assert question.armed and question.isVisible()
    assert question.erase_button.text() == "再点一次，确认删除"
    click(qtbot, question.erase_button)  # at once: a double-click is one intention
    assert question.isVisible()
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    click(qtbot, question.erase_button)
    assert question.result() == QDialog.DialogCode.Accepted


def test_enter_and_escape_never_erase(qtbot: QtBot, question: EraseConfirmDialog) -> None:
    qtbot.keyClick(question, Qt.Key.Key_Return)
    assert question.result() == QDialog.DialogCode.Rejected and not question.armed
    question.show()
    click(qtbot, question.erase_button)
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    assert question.result() == QDialog.DialogCode.Rejected
