"""The roster import dialog and export, driven as a user would, on a synchronous worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from xmen_desktop.ui import import_dialog
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.import_dialog import ImportDialog, export_roster_interactive

SAMPLES = Path(__file__).resolve().parents[1] / "data"
XIAOXIMEN = SAMPLES / "roster-xiaoximen.xlsx"
LONGMENCUN = SAMPLES / "roster-longmencun-gb18030.csv"

BAD_CSV = """\
尚文路小区住户名册（2026年）,,,,,
承租人,地址,电话,人数,面积,备注
张桂英,尚文路133弄1号101室,13812345678,2,30.5,独居老人
李建国,,13812345679,2,30,
王小妹,尚文路133弄1号102室,12345,2,三十,
,,,,,
赵德明,尚文路133弄1号101室,021-63281234,3,45,楼组长
钱秀英,尚文路133弄1号103室,63281234转12,3,45.25,
孙志强,尚文路133弄1号104室,13912345678,1,20,空置
注：本表由居委会整理
"""


class Messages:
    """What the message boxes said, instead of showing them."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []

    def record(self, kind: str) -> Any:
        def show(parent: object, title: str, text: str, *args: object) -> int:
            self.shown.append((kind, title, text))
            return int(QMessageBox.StandardButton.Ok.value)

        return show

    @property
    def last(self) -> tuple[str, str, str]:
        assert self.shown, "no message was shown"
        return self.shown[-1]


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


def read(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    context.read(fn, box.append)
    return box[0]


def estate_ids(context: AppContext) -> dict[str, str]:
    from xmen_desktop.store import roster

    return read(context, lambda s: {e.name: e.id for e in roster.list_estates(s)})


def roster_rows(context: AppContext, estate_id: str) -> list[tuple[object, ...]]:
    from xmen_desktop.store import roster

    return read(
        context,
        lambda s: sorted(
            (h.tenant, h.address, h.phone, h.size, h.area_centi, h.notes)
            for h in roster.list_households(s, estate_id)
        ),
    )


def open_dialog(qtbot: Any, context: AppContext, estate_name: str) -> ImportDialog:
    dialog = ImportDialog(context, estate_ids(context)[estate_name], estate_name)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(qtbot: Any, monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, path: Path) -> None:
    """Click 选择文件… and pick ``path`` in the (patched) file dialog."""
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), "名册文件")
    )
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)


def import_file(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    estate_name: str,
    path: Path,
) -> ImportDialog:
    dialog = open_dialog(qtbot, context, estate_name)
    choose(qtbot, monkeypatch, dialog, path)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_MAPPING
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_PREVIEW
    return dialog


def problem_lines(dialog: ImportDialog) -> list[str]:
    return dialog.problem_model.stringList()


# ---------------------------------------------------------------------------- import


def test_the_xlsx_sample_imports_96_households(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, messages: Messages
) -> None:
    dialog = open_dialog(qtbot, context, "小西门")
    assert dialog.windowTitle() == "导入住户名册 — 小西门"
    assert not dialog.next_button.isEnabled()

    choose(qtbot, monkeypatch, dialog, XIAOXIMEN)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_MAPPING
    assert "第 2 行是表头" in dialog.header_label.text()
    assert dialog.combos["tenant"].currentText() == "第 6 列（F）：承租人姓名"
    assert dialog.combos["address"].currentText() == "（不导入）"
    assert dialog.combos["road"].currentData() == 1
    assert dialog.sample_model.rowCount() == 5
    first = [dialog.sample_model.index(0, c).data() for c in range(3)]
    assert first == ["3", "陈桂兰", "复兴东路 1234 弄 1 号 101 室"]

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.counts_label.text() == "可导入 96 户；有问题 0 行；跳过空行 12 行、表尾说明 1 行"
    assert dialog.problem_box.isHidden()
    assert dialog.records_model.rowCount() == 96
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "导入 96 户"

    with qtbot.waitSignal(context.changed) as changed:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "household" in changed.args[0]
    assert messages.last[0] == "information"
    assert "已导入 96 户" in messages.last[2]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert len(roster_rows(context, estate_ids(context)["小西门"])) == 96


def test_the_gb18030_csv_imports_into_longmencun(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, messages: Messages
) -> None:
    dialog = import_file(qtbot, monkeypatch, context, "龙门村", LONGMENCUN)
    assert "第 1 行是表头" in dialog.header_label.text()
    assert dialog.counts_label.text().startswith("可导入 60 户；有问题 0 行")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "已导入 60 户" in messages.last[2]
    rows = roster_rows(context, estate_ids(context)["龙门村"])
    assert len(rows) == 60
    assert (
        "段德明",
        "尚文路 133 弄 1 号 101 室",
        "13968778006",
        2,
        3380,
        "行动不便，需上门",
    ) in rows


def test_bad_rows_are_all_listed_and_nothing_is_imported_until_skipping_is_chosen(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    messages: Messages,
    tmp_path: Path,
) -> None:
    path = tmp_path / "有问题的名册.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    dialog = import_file(qtbot, monkeypatch, context, "普育里", path)

    assert dialog.counts_label.text() == "可导入 3 户；有问题 3 行；跳过空行 1 行、表尾说明 1 行"
    assert dialog.problem_box.isVisibleTo(dialog)
    assert "共 3 行" in dialog.problem_heading.text()
    lines = problem_lines(dialog)
    assert len(lines) == 4
    assert lines[0].startswith("第 4 行 地址：")
    assert lines[1].startswith("第 5 行 面积：")
    assert lines[2].startswith("第 5 行 电话：")
    assert lines[3] == "第 7 行 地址：与第 3 行地址重复"
    assert "重新读取" in dialog.fix_label.text()
    assert dialog.reread_button.isVisibleTo(dialog)

    # 全部正确才导入 is the default: the import button stays off, a click does nothing.
    assert not dialog.skip_checkbox.isChecked()
    assert dialog.skip_checkbox.text() == "跳过有问题的行，只导入正确的 3 户"
    assert not dialog.import_button.isEnabled()
    dialog.start_import()
    assert roster_rows(context, estate_ids(context)["普育里"]) == []
    assert messages.shown == []

    dialog.skip_checkbox.setChecked(True)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "已导入 3 户" in messages.last[2]
    tenants = [row[0] for row in roster_rows(context, estate_ids(context)["普育里"])]
    assert sorted(tenants) == sorted(["张桂英", "钱秀英", "孙志强"])


def test_reading_again_after_fixing_the_file(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    messages: Messages,
    tmp_path: Path,
) -> None:
    path = tmp_path / "名册.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    dialog = import_file(qtbot, monkeypatch, context, "普育里", path)
    assert len(dialog.reading.plan.problem_rows) == 3  # type: ignore[union-attr]

    fixed = (
        BAD_CSV.replace("李建国,,", "李建国,尚文路133弄1号105室,")
        .replace("12345,2,三十", "13812345670,2,30")
        .replace("赵德明,尚文路133弄1号101室", "赵德明,尚文路133弄1号106室")
    )
    path.write_text(fixed, encoding="utf-8")
    qtbot.mouseClick(dialog.reread_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_PREVIEW
    assert dialog.counts_label.text().startswith("可导入 6 户；有问题 0 行")
    assert dialog.import_button.isEnabled()


def test_importing_the_same_file_twice_reports_every_row_as_already_there(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, messages: Messages
) -> None:
    first = import_file(qtbot, monkeypatch, context, "小西门", XIAOXIMEN)
    qtbot.mouseClick(first.import_button, Qt.MouseButton.LeftButton)
    assert "已导入 96 户" in messages.last[2]

    again = import_file(qtbot, monkeypatch, context, "小西门", XIAOXIMEN)
    assert again.counts_label.text().startswith("可导入 0 户；有问题 96 行")
    lines = problem_lines(again)
    assert len(lines) == 96
    assert all("本小区名册里已有这个地址" in line for line in lines)
    assert lines[0].startswith("第 3 行 地址：")
    assert not again.skip_checkbox.isVisibleTo(again)
    assert "已经在名册里" in again.fix_label.text()
    assert not again.import_button.isEnabled()
    assert len(roster_rows(context, estate_ids(context)["小西门"])) == 96


def test_a_file_that_cannot_be_read_keeps_the_first_page_with_the_reason(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, tmp_path: Path
) -> None:
    old = tmp_path / "旧名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    dialog = open_dialog(qtbot, context, "小西门")
    choose(qtbot, monkeypatch, dialog, old)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_FILE
    assert dialog.file_status.isVisibleTo(dialog)
    assert "旧版 Excel" in dialog.file_status.text()
    assert not dialog.next_button.isEnabled()

    no_header = tmp_path / "没有表头.csv"
    no_header.write_text("甲,乙\n1,2\n", encoding="utf-8")
    choose(qtbot, monkeypatch, dialog, no_header)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_FILE
    assert "找不到表头" in dialog.file_status.text()

    # A good file after a bad one goes on as usual.
    choose(qtbot, monkeypatch, dialog, LONGMENCUN)
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_MAPPING


def test_changing_a_column_checks_the_rows_again(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext
) -> None:
    dialog = open_dialog(qtbot, context, "龙门村")
    choose(qtbot, monkeypatch, dialog, LONGMENCUN)
    phone_column = dialog.combos["phone"].currentData()
    assert dialog.sample_model.index(0, 3).data() == "13968778006"

    dialog.set_column("phone", None)
    assert dialog.sample_model.index(0, 3).data() == ""
    assert "phone" not in dialog.reading.plan.mapping  # type: ignore[union-attr]

    dialog.set_column("tenant", None)
    assert dialog.mapping_error.isVisibleTo(dialog)
    assert "承租人" in dialog.mapping_error.text()
    assert not dialog.next_button.isEnabled()

    dialog.set_column("tenant", 0)
    assert not dialog.mapping_error.isVisibleTo(dialog)
    assert dialog.next_button.isEnabled()

    # Two fields on one column: allowed, but pointed out.
    dialog.set_column("notes", 0)
    assert "同一列" in dialog.mapping_error.text()
    assert dialog.next_button.isEnabled()
    dialog.set_column("notes", 5)
    dialog.set_column("phone", phone_column)

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.counts_label.text().startswith("可导入 60 户")


def test_cancelling_the_import_leaves_the_roster_untouched(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, messages: Messages
) -> None:
    dialog = import_file(qtbot, monkeypatch, context, "小西门", XIAOXIMEN)
    original = import_dialog.apply_roster

    def press_cancel_then_run(*args: Any) -> Any:
        run = original(*args)

        def cancelled_run(session: Any, job: Any) -> Any:
            assert dialog._progress is not None
            dialog._progress.canceled.emit()  # the user presses 取消导入
            return run(session, job)

        return cancelled_run

    monkeypatch.setattr(import_dialog, "apply_roster", press_cancel_then_run)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert messages.last[:2] == ("information", "已取消")
    assert "没有任何改动" in messages.last[2]
    assert roster_rows(context, estate_ids(context)["小西门"]) == []
    # Still open on the preview, ready to try again.
    assert dialog.isVisible()
    assert dialog.pages.currentIndex() == ImportDialog.PAGE_PREVIEW
    assert dialog.import_button.isEnabled()


def test_a_failed_import_says_why_and_imports_nothing(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, context: AppContext, messages: Messages
) -> None:
    from xmen_desktop.store import roster

    dialog = import_file(qtbot, monkeypatch, context, "小西门", XIAOXIMEN)
    estate = estate_ids(context)["小西门"]
    # Someone adds a household at one of the file's addresses after the preview.
    context.write(
        lambda s: roster.add_household(
            s, estate, {"tenant": "先来的人", "address": "复兴东路1234弄1号101室"}
        )
    )
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert messages.last[0] == "warning"
    assert "第 3 行" in messages.last[2]
    assert "名册没有任何改动" in messages.last[2]
    assert len(roster_rows(context, estate)) == 1
    assert dialog.isVisible()


# ---------------------------------------------------------------------------- export


@pytest.mark.parametrize(
    ("typed", "chosen_filter", "saved"),
    [
        ("名册", "Excel 工作簿 (*.xlsx)", "名册.xlsx"),
        ("名册", "CSV 文件，逗号分隔 (*.csv)", "名册.csv"),
        ("名册.csv", "Excel 工作簿 (*.xlsx)", "名册.csv"),
    ],
)
def test_export_then_import_into_another_estate_round_trips(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    messages: Messages,
    tmp_path: Path,
    typed: str,
    chosen_filter: str,
    saved: str,
) -> None:
    dialog = import_file(qtbot, monkeypatch, context, "小西门", XIAOXIMEN)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    offered: list[str] = []

    def save_as(parent: object, title: str, suggested: str, *args: object) -> tuple[str, str]:
        offered.append(suggested)
        return str(tmp_path / typed), chosen_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    ids = estate_ids(context)
    export_roster_interactive(dialog, context, ids["小西门"], "小西门")
    assert Path(offered[0]).name == "小西门住户名册.xlsx"
    target = tmp_path / saved
    assert target.is_file()
    assert messages.last[0] == "information"
    assert messages.last[2].startswith("已导出 96 户到")
    assert saved in messages.last[2]

    back = import_file(qtbot, monkeypatch, context, "安澜", target)
    assert back.counts_label.text().startswith("可导入 96 户；有问题 0 行")
    qtbot.mouseClick(back.import_button, Qt.MouseButton.LeftButton)
    assert roster_rows(context, ids["安澜"]) == roster_rows(context, ids["小西门"])


def test_export_of_an_empty_roster_and_a_cancelled_save(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    messages: Messages,
    tmp_path: Path,
) -> None:
    ids = estate_ids(context)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    export_roster_interactive(None, context, ids["陆兴"], "陆兴")  # type: ignore[arg-type]
    assert messages.shown == []

    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "空.xlsx"), "")
    )
    export_roster_interactive(None, context, ids["陆兴"], "陆兴")  # type: ignore[arg-type]
    assert "还没有住户" in messages.last[2]
    assert (tmp_path / "空.xlsx").is_file()


def test_export_failure_is_explained(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    context: AppContext,
    messages: Messages,
    tmp_path: Path,
) -> None:
    ids = estate_ids(context)
    missing = tmp_path / "没有这个文件夹" / "名册.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(missing), ""))
    export_roster_interactive(None, context, ids["陆兴"], "陆兴")  # type: ignore[arg-type]
    assert messages.last[:2] == ("warning", "没有导出")
    assert "无法保存" in messages.last[2]


def test_on_the_real_worker_thread(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, messages: Messages, tmp_path: Path
) -> None:
    # The offscreen platform warns when a shown progress dialog resizes: keep it hidden.
    monkeypatch.setattr(import_dialog, "PROGRESS_DELAY_MS", 600_000)
    context = AppContext(tmp_path / "data")
    try:
        with qtbot.waitSignal(context.store_ready, timeout=20000):
            context.open_store()
        ids = estate_ids_async(qtbot, context)
        dialog = ImportDialog(context, ids["小西门"], "小西门")
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.load_file(XIAOXIMEN)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == ImportDialog.PAGE_MAPPING)
        assert not dialog._busy

        # Two changes in a row: the first answer is dropped, one wait cursor comes and goes.
        dialog.set_column("phone", None)
        dialog.set_column("notes", None)
        qtbot.waitUntil(lambda: not dialog._busy)
        assert QApplication.overrideCursor() is None
        assert "notes" not in dialog.reading.plan.mapping  # type: ignore[union-attr]
        dialog.set_column("phone", 6)
        qtbot.waitUntil(lambda: dialog.next_button.isEnabled())
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        assert dialog.import_button.isEnabled()

        with qtbot.waitSignal(context.changed, timeout=20000):
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(messages.shown))
        assert "已导入 96 户" in messages.last[2]
        rows = roster_rows_async(qtbot, context, ids["小西门"])
        assert len(rows) == 96
        assert all(row[5] == "" for row in rows)  # 备注 was not imported
    finally:
        context.close()


def read_async(qtbot: Any, context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    context.read(fn, box.append)
    qtbot.waitUntil(lambda: bool(box))
    return box[0]


def estate_ids_async(qtbot: Any, context: AppContext) -> dict[str, str]:
    from xmen_desktop.store import roster

    return read_async(qtbot, context, lambda s: {e.name: e.id for e in roster.list_estates(s)})


def roster_rows_async(qtbot: Any, context: AppContext, estate_id: str) -> list[tuple[Any, ...]]:
    from xmen_desktop.store import roster

    return read_async(
        qtbot,
        context,
        lambda s: [
            (h.tenant, h.address, h.phone, h.size, h.area_centi, h.notes)
            for h in roster.list_households(s, estate_id)
        ],
    )


def test_closing_while_the_file_is_being_read(
    qtbot: Any, messages: Messages, tmp_path: Path
) -> None:
    context = AppContext(tmp_path / "data")
    try:
        with qtbot.waitSignal(context.store_ready, timeout=20000):
            context.open_store()
        ids = estate_ids_async(qtbot, context)
        dialog = ImportDialog(context, ids["小西门"], "小西门")
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.load_file(XIAOXIMEN)
        dialog.reject()
        context.worker.wait(20000)
        qtbot.wait(50)  # let the answer arrive: it must be dropped quietly
        assert dialog.reading is None
        assert QApplication.overrideCursor() is None
        assert messages.shown == []
    finally:
        context.close()
