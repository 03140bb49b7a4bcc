"""The print centre, the notice dialogs, the 公示提醒 panel and the notices page, driven as a
user would, with the worker run inline."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, messages, questions, read, type_into, write
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui import print_centre, print_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.notice_dialog import NoticeDialog, NoticesPage, PostingDialog
from xmen_desktop.ui.print_centre import (
    KindFilterProxy,
    PrintableTableModel,
    PrintCentre,
    PrintCentreDialog,
)
from xmen_desktop.ui.publicity_panel import PublicityPanel

__all__ = ["messages", "questions"]  # fixtures used by name below

XIAOXIMEN = ESTATES[0]
LONGMENCUN = ESTATES[1]
TODAY = datetime.date.today()

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def context(qtbot: QtBot, qapp: object, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(data_dir, synchronous=True)
    with qtbot.waitSignal(ctx.store_ready, timeout=5000):
        ctx.open_store()
    yield ctx
    ctx.close()


def add_notice(context: AppContext, title: str = "关于清理楼道堆物的通知", **values: object) -> str:
    assert context.store is not None
    fields: dict[str, object] = {
        "kind": "notice",
        "title": title,
        "body": "请各户于周五前清理楼道堆物。\n\n1. 大件物品请联系志愿者",
        **values,
    }
    estates = [XIAOXIMEN.id]
    notice_id: str = write(
        context, print_jobs.save_notice(context.store.directory, None, fields, estates, None)
    )
    return notice_id


_hosts: list[QWidget] = []


def notice_dialog(qtbot: QtBot, context: AppContext) -> NoticeDialog:
    """A new-notice dialog on a host window (the dialog deletes itself when it closes)."""
    host = QWidget()
    qtbot.addWidget(host)
    _hosts[:] = [host]  # alive until the next test's dialog
    dialog = NoticeDialog(context, XIAOXIMEN.id, None, host)
    dialog.show()
    return dialog


def shown(qtbot: QtBot, widget: Any) -> Any:
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    with qtbot.waitSignal(widget.loaded, timeout=5000):
        widget.show()
    return widget


def centre_for(qtbot: QtBot, context: AppContext) -> PrintCentre:
    centre: PrintCentre = shown(qtbot, PrintCentre(context, XIAOXIMEN.id))
    return centre


def preview(qtbot: QtBot, centre: PrintCentre, kind: str, ref: str) -> int:
    with qtbot.waitSignal(centre.preview_ready, timeout=10000) as blocker:
        centre.focus(kind, ref)
    pages: int = blocker.args[0]
    return pages


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


# ============================================================================= notices


def test_notice_written_in_the_dialog_appears_in_the_list_and_the_print_centre(
    qtbot: QtBot, context: AppContext
) -> None:
    page: NoticesPage = shown(qtbot, NoticesPage(context, XIAOXIMEN.id))
    assert page.empty_hint.isVisible()
    dialog = page.add_notice()
    assert dialog.value("estates") == (XIAOXIMEN.id,)
    assert dialog.value("issuer") == "小西门自治家园执行委员会"
    type_into(qtbot, dialog.title_edit, "关于清理楼道堆物的通知")
    type_into(qtbot, dialog.body, "请各户于周五前清理楼道。")
    # Also for 龙门村: the issuer was not typed, so it stays as it was for one estate… and
    # becomes the subdistrict's once two estates are covered.
    dialog.estates.boxes[LONGMENCUN.id].setChecked(True)
    assert dialog.value("issuer") == "老西门街道"
    dialog.estates.boxes[LONGMENCUN.id].setChecked(False)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [r.title for r in page.model.rows()] == ["关于清理楼道堆物的通知"]
    notice_id = page.selected_id()
    assert notice_id is not None
    row = page.model.rows()[0]
    assert row.estates == ("小西门",)
    assert row.issuer == "小西门自治家园执行委员会"

    centre = centre_for(qtbot, context)
    assert [(r.kind, r.ref) for r in centre.model.rows()] == [("notice", notice_id)]
    assert "关于清理楼道堆物的通知" in centre.model.rows()[0].title


def test_editing_a_notice_keeps_what_was_saved(qtbot: QtBot, context: AppContext) -> None:
    notice_id = add_notice(context, issuer="普育里自治家园执行委员会", layout="large")
    page: NoticesPage = shown(qtbot, NoticesPage(context, XIAOXIMEN.id))
    page.select(notice_id)
    page.edit_notice()
    dialog = next(d for d in page.findChildren(NoticeDialog) if d.isVisible())
    assert dialog.value("title") == "关于清理楼道堆物的通知"
    assert dialog.value("issuer") == "普育里自治家园执行委员会"
    assert dialog.value("layout") == "large"
    assert dialog.value("publicity_from") is None
    assert not dialog.is_dirty()
    dialog.title_edit.setText("关于清理楼道堆物的补充通知")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        dialog.save()
    assert [r.title for r in page.model.rows()] == ["关于清理楼道堆物的补充通知"]
    assert read(context, print_jobs.load_notice(notice_id)).values["layout"] == "large"


def test_a_bad_publicity_period_is_refused_with_a_message(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = notice_dialog(qtbot, context)
    type_into(qtbot, dialog.title_edit, "结果公示")
    type_into(qtbot, dialog.body, "公示如下。")
    dialog.publicity_from.set_value(TODAY + datetime.timedelta(days=5))
    assert dialog.field_error("publicity_to") == "公示期要同时填开始和结束日期"
    dialog.publicity_to.set_value(TODAY)
    assert dialog.field_error("publicity_to") == "公示期的结束日期不能早于开始日期"
    dialog.save()
    assert dialog.isVisible()
    assert "红字" in dialog.general_error.text()
    assert read(context, print_jobs.load_notices(None)) == []
    # Fixed: the message goes away at once, and the notice is saved.
    dialog.publicity_to.set_value(TODAY + datetime.timedelta(days=11))
    assert dialog.field_error("publicity_to") == ""
    dialog.save()
    (row,) = read(context, print_jobs.load_notices(None))
    assert row.publicity.state == "upcoming"


def test_fields_are_checked_as_the_user_types(qtbot: QtBot, context: AppContext) -> None:
    dialog = notice_dialog(qtbot, context)
    type_into(qtbot, dialog.title_edit, "标" * 61)
    qtbot.waitUntil(lambda: dialog.field_error("title") != "", timeout=3000)
    assert "最多 60 个字" in dialog.field_error("title")
    dialog.estates.boxes[XIAOXIMEN.id].setChecked(False)
    assert "至少勾选一个小区" in dialog.field_error("estates")
    dialog.estates.all_box.setChecked(True)
    assert dialog.field_error("estates") == ""
    assert len(dialog.value("estates")) == 6


def test_a_file_that_is_no_picture_is_refused_beside_the_field(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    dialog = notice_dialog(qtbot, context)
    type_into(qtbot, dialog.title_edit, "配图通知")
    type_into(qtbot, dialog.body, "见图。")
    text = tmp_path / "照片.jpg"
    text.write_text("这不是图片", "utf-8")
    dialog.picture.take_file(text)
    assert "不是能识别的图片" in dialog.field_error("image")
    dialog.picture.clear()
    assert dialog.field_error("image") == ""
    # Past the quick check (a damaged file, say): the store refuses it, under the same field.
    dialog.picture.picked = (b"\xff\xd8\xff\xe0 broken", "坏照片.jpg")
    dialog.save()
    assert "坏照片.jpg" in dialog.field_error("image")
    assert dialog.isVisible()
    assert read(context, print_jobs.load_notices(None)) == []


def test_a_picture_is_kept_with_the_notice(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    from PySide6.QtGui import QColor, QImage

    picture = QImage(120, 80, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3a7"))
    path = tmp_path / "楼道.png"
    assert picture.save(str(path))
    dialog = notice_dialog(qtbot, context)
    type_into(qtbot, dialog.title_edit, "配图通知")
    type_into(qtbot, dialog.body, "见图。")
    dialog.picture.take_file(path)
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        dialog.save()
    detail = read(context, print_jobs.load_notice(saved.args[0]))
    assert detail.image_name == "楼道.png"


def test_recording_a_posting_and_taking_a_notice_down(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    notice_id = add_notice(
        context,
        publicity_from=TODAY - datetime.timedelta(days=1),
        publicity_to=TODAY + datetime.timedelta(days=6),
    )
    page: NoticesPage = shown(qtbot, NoticesPage(context, XIAOXIMEN.id))
    page.select(notice_id)
    dialog = page.record_posting()
    assert isinstance(dialog, PostingDialog)
    dialog.save()
    assert "宣传栏" in dialog.field_error("board")
    type_into(qtbot, dialog.board.lineEdit(), "复兴东路 12 弄 1 号门口宣传栏")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        dialog.save()
    assert page.selected() is not None
    assert page.selected().postings == 1  # type: ignore[union-attr]
    # The board is offered the next time.
    again = page.record_posting()
    assert again is not None
    assert again.board.findText("复兴东路 12 弄 1 号门口宣传栏") >= 0
    again.reject()

    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(page.take_down_button, Qt.MouseButton.LeftButton)
    assert "撤下" in questions.said[-1]
    assert page.selected().publicity.state == "taken_down"  # type: ignore[union-attr]
    assert not page.take_down_button.isEnabled()


def test_deleting_a_notice_asks_first(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    from PySide6.QtWidgets import QMessageBox

    notice_id = add_notice(context)
    page: NoticesPage = shown(qtbot, NoticesPage(context, XIAOXIMEN.id))
    page.select(notice_id)
    questions.answer = QMessageBox.StandardButton.No
    page.delete_notice()
    assert len(page.model.rows()) == 1
    questions.answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.delete_notice()
    assert page.model.rows() == []


def test_print_preview_opens_the_print_centre_on_the_notice(
    qtbot: QtBot, context: AppContext
) -> None:
    first = add_notice(context, title="第一份通知")
    second = add_notice(context, title="第二份通知")
    page: NoticesPage = shown(qtbot, NoticesPage(context, XIAOXIMEN.id))
    page.select(second)
    page.print_notice()
    (window,) = [w for w in page.findChildren(PrintCentreDialog) if w.isVisible()]
    centre = window.centre
    qtbot.waitUntil(lambda: centre.page_count() >= 1, timeout=10000)
    assert centre.current_key() == ("notice", second)
    window.close()
    # The lead can send it to the print centre tab instead.
    asked: list[tuple[str, str]] = []
    page.set_print_handler(lambda kind, ref: asked.append((kind, ref)))
    page.select(first)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert asked == [("notice", first)]


# ============================================================================= 公示提醒


def test_the_publicity_panel_counts_down_and_forgets_a_notice_taken_down(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    ending = add_notice(
        context,
        title="表决结果公示",
        kind="publicity",
        publicity_from=TODAY - datetime.timedelta(days=5),
        publicity_to=TODAY + datetime.timedelta(days=1),
    )
    ended = add_notice(
        context,
        title="活动通知",
        kind="activity",
        publicity_from=TODAY - datetime.timedelta(days=10),
        publicity_to=TODAY - datetime.timedelta(days=2),
    )
    add_notice(context, title="没有公示期的通知")
    panel: PublicityPanel = shown(qtbot, PublicityPanel(context, XIAOXIMEN.id))
    assert panel.notice_ids() == [ended, ending]
    assert panel.countdown_text(ending) == "还剩 2 天"
    assert panel.countdown_text(ended) == "已结束，请撤下"
    assert "请撤下" in panel.summary.text()

    button = panel.take_down_button(ending)
    assert button is not None
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "表决结果公示" in questions.said[-1]
    assert panel.notice_ids() == [ended]
    # The whole subdistrict's panel sees the same.
    overview: PublicityPanel = shown(qtbot, PublicityPanel(context, None))
    assert overview.notice_ids() == [ended]


def test_the_publicity_panel_does_nothing_when_the_question_is_declined(
    qtbot: QtBot, context: AppContext, questions: Answers
) -> None:
    from PySide6.QtWidgets import QMessageBox

    notice_id = add_notice(
        context, publicity_from=TODAY, publicity_to=TODAY + datetime.timedelta(days=9)
    )
    panel: PublicityPanel = shown(qtbot, PublicityPanel(context, XIAOXIMEN.id))
    questions.answer = QMessageBox.StandardButton.No
    button = panel.take_down_button(notice_id)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.notice_ids() == [notice_id]
    assert panel.countdown_text(notice_id) == "还剩 10 天"


# ============================================================================= the print centre


def test_the_list_model_filters_by_kind() -> None:
    from xmen_desktop.store.printables import Printable

    model = PrintableTableModel()
    model.set_rows(
        [
            Printable("notice", "n1", "通知：甲", TODAY, "公示期已于 2024-01-01 结束，请撤下"),
            Printable("ballots", "v1", "表决票：乙（3 张）", None, "已交回 0 / 3"),
        ]
    )
    proxy = KindFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 2
    assert model.index(0, PrintableTableModel.KIND).data() == "通知公告"
    assert model.index(1, PrintableTableModel.DATE).data() == ""
    assert model.index(0, PrintableTableModel.STATUS).data(Qt.ItemDataRole.ForegroundRole)
    proxy.set_kind("ballots")
    assert proxy.rowCount() == 1
    assert proxy.index(0, PrintableTableModel.TITLE).data() == "表决票：乙（3 张）"


def test_previewing_a_notice_loads_its_pages(qtbot: QtBot, context: AppContext) -> None:
    notice_id = add_notice(context)
    centre = centre_for(qtbot, context)
    assert preview(qtbot, centre, "notice", notice_id) >= 1
    assert centre.page_count() >= 1
    assert centre.print_button.isEnabled()
    assert centre.layout_choice.isVisibleTo(centre)
    assert not centre.two_up.isVisibleTo(centre)
    assert centre.layout_choice.currentData() == "a4"
    assert centre.warning_text() == ""
    # A3 poster: rendered again.
    with qtbot.waitSignal(centre.preview_ready, timeout=10000):
        centre.layout_choice.setCurrentIndex(centre.layout_choice.findData("a3"))
    assert centre.options() == ("a3", False)


def test_saving_writes_a_pdf_with_the_title(
    qtbot: QtBot,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: Answers,
) -> None:
    notice_id = add_notice(context, title="关于清理楼道堆物的通知")
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "notice", notice_id)
    target = tmp_path / "通知"  # no extension: .pdf is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    with qtbot.waitSignal(centre.action_finished, timeout=10000) as finished:
        qtbot.mouseClick(centre.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["save", ""]
    saved = tmp_path / "通知.pdf"
    assert "关于清理楼道堆物的通知" in pdf_text(saved)
    assert "通知.pdf" in messages.said[-1]

    # 用其他程序打开 opens that very file.
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(centre.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(saved)]


def test_opening_without_saving_first_writes_a_copy_to_open(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_id = add_notice(context, title="停水通知")
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "notice", notice_id)
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    qtbot.mouseClick(centre.open_button, Qt.MouseButton.LeftButton)
    (path,) = opened
    assert Path(path).name.startswith("通知：停水通知")
    assert "停水通知" in pdf_text(Path(path))
    Path(path).unlink()


def test_a_character_no_font_has_is_named_in_a_warning(qtbot: QtBot, context: AppContext) -> None:
    notice_id = add_notice(context, title="通知", body="请到𰻞𰻞面馆门口集合。")
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "notice", notice_id)
    warning = centre.warning_text()
    assert "有 1 个字" in warning
    assert "𰻞" in warning
    assert "U+30EDE" in warning
    # Where it is, in case the screen cannot show it either.
    assert "“请到〓〓面馆门口集”" in warning


class FakePrintDialog:
    """Stands in for QPrintDialog: accepts, and sends the printer's output to a PDF file."""

    output: Path
    pages: tuple[int, int] | None = None
    answer = QDialog.DialogCode.Accepted

    def __init__(self, printer: QPrinter, parent: object = None) -> None:
        self.printer = printer
        self.range: tuple[int, int] | None = None

    def setWindowTitle(self, title: str) -> None:
        pass

    def setOption(self, *args: object) -> None:
        pass

    def setMinMax(self, low: int, high: int) -> None:
        self.range = (low, high)

    def exec(self) -> QDialog.DialogCode:
        self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer.setOutputFileName(str(self.output))
        if self.pages is not None:
            self.printer.setPrintRange(QPrinter.PrintRange.PageRange)
            self.printer.setFromTo(*self.pages)
        return self.answer


def test_printing_sends_every_page_to_the_printer(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_id = add_notice(context)
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "notice", notice_id)
    FakePrintDialog.output = tmp_path / "打印机.pdf"
    monkeypatch.setattr(print_centre, "QPrintDialog", FakePrintDialog)
    with qtbot.waitSignal(centre.action_finished, timeout=20000) as finished:
        qtbot.mouseClick(centre.print_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["print", ""]
    printed = pypdf.PdfReader(FakePrintDialog.output)
    assert len(printed.pages) == centre.page_count()
    # At actual size on A4.
    box = printed.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2
    assert abs(float(box.height) - 841.9) < 2
    assert not centre.is_busy()

    # Again, as an A3 poster on the same printer: the paper follows the document.
    with qtbot.waitSignal(centre.preview_ready, timeout=10000):
        centre.layout_choice.setCurrentIndex(centre.layout_choice.findData("a3"))
    FakePrintDialog.output = tmp_path / "海报.pdf"
    with qtbot.waitSignal(centre.action_finished, timeout=20000) as finished:
        qtbot.mouseClick(centre.print_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["print", ""]
    box = pypdf.PdfReader(FakePrintDialog.output).pages[0].mediabox
    assert abs(float(box.width) - 841.9) < 2
    assert abs(float(box.height) - 1190.6) < 2

    # 取消 in the print dialog: nothing is printed.
    monkeypatch.setattr(FakePrintDialog, "answer", QDialog.DialogCode.Rejected)
    FakePrintDialog.output = tmp_path / "没有.pdf"
    with qtbot.waitSignal(centre.action_finished, timeout=20000) as finished:
        qtbot.mouseClick(centre.print_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["print", "没有打印"]
    assert not FakePrintDialog.output.exists()
    assert centre.print_button.isEnabled()


# ============================================================================= ballots


def issue_ballots(context: AppContext, households: int) -> str:
    def run(session: Any) -> str:
        from xmen_desktop.store import roster, topics, votes

        for n in range(households):
            roster.add_household(
                session,
                XIAOXIMEN.id,
                {
                    "tenant": f"住户{n}",
                    "address": f"复兴东路 12 弄 {n // 20 + 1} 号 {n % 20 + 1}01 室",
                },
            )
        topic = topics.add_topic(session, XIAOXIMEN.id, {"title": "非机动车集中停放"})
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic.id, state)
        vote = votes.create_vote(session, topic.id, question="是否同意", rule="residents")
        votes.issue_ballots(session, vote.id)
        return str(vote.id)

    vote_id: str = write(context, run)
    return vote_id


def test_batch_ballot_printing_reports_progress_and_writes_the_file(
    qtbot: QtBot,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: Answers,
) -> None:
    vote_id = issue_ballots(context, 120)
    centre = centre_for(qtbot, context)
    pages = preview(qtbot, centre, "ballots", vote_id)
    assert 1 <= pages < 120  # the preview is a sample
    assert "120 张" in centre.page_info.text()
    assert centre.two_up.isVisibleTo(centre)
    assert not centre.layout_choice.isVisibleTo(centre)
    with qtbot.waitSignal(centre.preview_ready, timeout=10000):
        centre.two_up.setChecked(True)
    assert "60 张纸" in centre.page_info.text()

    steps: list[tuple[int, int]] = []
    centre.progress_changed.connect(lambda done, total: steps.append((done, total)))
    target = tmp_path / "表决票.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    with qtbot.waitSignal(centre.action_finished, timeout=30000):
        qtbot.mouseClick(centre.save_button, Qt.MouseButton.LeftButton)
    assert len(steps) >= 2
    assert steps[-1] == (120, 120)
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert len(pypdf.PdfReader(target).pages) == 60  # two to a sheet


def test_printing_ballots_writes_the_whole_batch_first(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vote_id = issue_ballots(context, 5)
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "ballots", vote_id)
    steps: list[tuple[int, int]] = []
    centre.progress_changed.connect(lambda done, total: steps.append((done, total)))
    FakePrintDialog.output = tmp_path / "打印机.pdf"
    monkeypatch.setattr(print_centre, "QPrintDialog", FakePrintDialog)
    with qtbot.waitSignal(centre.action_finished, timeout=30000) as finished:
        qtbot.mouseClick(centre.print_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["print", ""]
    assert steps[-1] == (5, 5)
    assert len(pypdf.PdfReader(FakePrintDialog.output).pages) == 5


def test_a_batch_can_be_stopped_and_leaves_no_file(
    qtbot: QtBot,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: Answers,
) -> None:
    vote_id = issue_ballots(context, 120)
    centre = centre_for(qtbot, context)
    preview(qtbot, centre, "ballots", vote_id)
    target = tmp_path / "表决票.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    centre.progress_changed.connect(lambda done, total: centre.cancel())
    with qtbot.waitSignal(centre.action_finished, timeout=30000) as finished:
        qtbot.mouseClick(centre.save_button, Qt.MouseButton.LeftButton)
    assert finished.args[0] == "save"
    assert "已停止" in finished.args[1]
    assert not target.exists()
    assert list(tmp_path.glob("*.part")) == []
    assert not centre.is_busy()
    assert centre.save_button.isEnabled()


def test_the_print_centre_follows_changes(qtbot: QtBot, context: AppContext) -> None:
    centre = centre_for(qtbot, context)
    assert centre.model.rows() == []
    assert centre.empty_hint.isVisible()
    with qtbot.waitSignal(centre.loaded, timeout=5000):
        notice_id = add_notice(context)
    assert [r.ref for r in centre.model.rows()] == [notice_id]
    # Another estate's notice is not listed here.
    assert context.store is not None
    with qtbot.waitSignal(centre.loaded, timeout=5000):
        write(
            context,
            print_jobs.save_notice(
                context.store.directory,
                None,
                {"kind": "notice", "title": "龙门村通知", "body": "正文"},
                [LONGMENCUN.id],
                None,
            ),
        )
    assert [r.ref for r in centre.model.rows()] == [notice_id]


def test_the_pages_sent_follow_the_range_and_copies_chosen(qapp: object) -> None:
    from xmen_desktop.ui.print_centre import page_order

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert page_order(printer, 3) == [0, 1, 2]
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 9)
    assert page_order(printer, 5) == [1, 2, 3, 4]
    if not printer.supportsMultipleCopies():  # a PDF file: the copies are sent again
        printer.setCopyCount(2)
        printer.setCollateCopies(True)
        assert page_order(printer, 5) == [1, 2, 3, 4] * 2
        printer.setCollateCopies(False)
        assert page_order(printer, 5) == [1, 1, 2, 2, 3, 3, 4, 4]
