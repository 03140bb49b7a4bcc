"""The 议题与表决 page of an estate, driven as a user would, with the worker run inline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, messages, open_dialog, questions, read, type_into, write
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui import jobs, topic_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.topic_dialog import MoveDialog, SupportDialog, ThresholdDialog, TopicDialog
from xmen_desktop.ui.topic_models import METHOD_LABELS, OPINION_LABELS, CoverageTableModel
from xmen_desktop.ui.topics_page import TopicsPage
from xmen_desktop.ui.vote_dialog import ELECTORATE_LABELS, PrintBallotsDialog, VoteDialog
from xmen_desktop.ui.widgets import ERROR_COLOUR

__all__ = ["messages", "questions"]  # fixtures used by name below

XIAOXIMEN = ESTATES[0]

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

FLATS = [
    ("王阿毛", "复兴东路 12 弄 1 号 101 室", "45.5"),
    ("李秀英", "复兴东路 12 弄 1 号 102 室", "30"),
    ("张建国", "复兴东路 12 弄 2 号 101 室", "38.2"),
    ("陈美华", "复兴东路 12 弄 3 号 201 室", ""),
]


@pytest.fixture
def context(qapp: object, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(data_dir, synchronous=True)
    yield ctx
    ctx.close()


@pytest.fixture
def households(qtbot: QtBot, context: AppContext) -> list[str]:
    with qtbot.waitSignal(context.store_ready, timeout=5000):
        context.open_store()
    ids = []
    for tenant, address, area in FLATS:
        values = {"tenant": tenant, "address": address, "area": area}
        ids.append(write(context, jobs.add_household(XIAOXIMEN.id, values)))
    return ids


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, households: list[str]) -> MainWindow:
    win = MainWindow(context)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.overview.has_data, timeout=5000)
    return win


@pytest.fixture
def page(window: MainWindow) -> TopicsPage:
    tab = window.estate_tab(XIAOXIMEN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentWidget(tab.topics)
    assert tab.topics.has_data
    return tab.topics


def add_topic(context: AppContext, title: str = "非机动车集中停放", **values: object) -> str:
    topic_id: str = write(context, topic_jobs.add_topic(XIAOXIMEN.id, {"title": title, **values}))
    return topic_id


def advance(context: AppContext, topic_id: str, *states: str) -> None:
    for state in states:
        write(context, topic_jobs.advance_topic(topic_id, state, ""))


def move(qtbot: QtBot, page: TopicsPage, target: str, note: str = "") -> MoveDialog:
    qtbot.mouseClick(page.move_buttons[target], Qt.MouseButton.LeftButton)
    dialog = open_dialog(page, MoveDialog)
    if note:
        type_into(qtbot, dialog.note, note)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return dialog


def state_shown(page: TopicsPage) -> str:
    row = page.current_topic()
    assert row is not None
    return page.model.data(page.model.index(page.model.row_of_id(row.id), 4))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- topics


def test_page_is_the_third_tab_and_starts_empty(window: MainWindow, page: TopicsPage) -> None:
    tab = window.estate_tab(XIAOXIMEN.id)
    assert tab is not None
    assert [tab.pages.tabText(i) for i in range(3)] == ["住户名册", "自治机构", "议题与表决"]
    assert page.model.rowCount() == 0
    assert "还没有登记议题" in page.empty_hint.text()
    assert page.detail_stack.currentWidget() is page.nothing_chosen
    assert page.count_label.text() == "共 0 个议题"


def test_topic_registered_through_the_dialog_and_moved_along_by_its_buttons(
    qtbot: QtBot, page: TopicsPage, households: list[str]
) -> None:
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(page, TopicDialog)
    type_into(qtbot, dialog.title, "非机动车集中停放")
    type_into(qtbot, dialog.description, "弄堂里电瓶车乱停，堵住了消防通道。")
    dialog.category.setCurrentText("停车与通行")
    assert dialog.proposer.pick(households[0])
    assert "复兴东路 12 弄 1 号 101 室" in dialog.proposer_note.text()  # type: ignore[union-attr]
    dialog.channel.setCurrentIndex(dialog.channel.findData("suggestion_box"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert page.model.rowCount() == 1
    row = page.current_topic()
    assert row is not None
    assert [page.model.data(page.model.index(0, c)) for c in range(6)] == [
        "非机动车集中停放",
        "停车与通行",
        "王阿毛",
        row.raised_on.isoformat(),
        "已提出",
        "0 / 需 5",
    ]
    assert page.detail_stack.currentWidget() is page.detail
    assert page.title_label.text() == "非机动车集中停放"
    assert "王阿毛（复兴东路 12 弄 1 号 101 室）" in page.facts_label.text()
    assert "意见箱" in page.facts_label.text()
    assert "消防通道" in page.description_label.text()
    assert list(page.move_buttons) == ["accepted", "declined", "withdrawn"]
    assert [b.text() for b in page.move_buttons.values()] == ["受理", "不予受理", "撤回"]

    move(qtbot, page, "accepted")
    assert state_shown(page) == "已受理"
    assert list(page.move_buttons) == ["consulting", "withdrawn"]
    assert page.move_buttons["consulting"].text() == "开始征询"
    move(qtbot, page, "consulting")
    move(qtbot, page, "deliberating", "3 月议事大会讨论")
    assert list(page.move_buttons) == ["consulting", "voting", "withdrawn"]
    assert page.move_buttons["consulting"].text() == "再次征询"
    assert page.move_buttons["voting"].text() == "付诸表决"
    move(qtbot, page, "voting")
    assert state_shown(page) == "表决中"
    # No vote yet: a show of hands at the assembly can be recorded directly.
    assert [b.text() for b in page.move_buttons.values()] == ["记为通过", "记为未通过", "撤回"]
    move(qtbot, page, "passed")
    assert list(page.move_buttons) == ["closed"]
    assert page.move_buttons["closed"].text() == "办结"
    move(qtbot, page, "closed")
    assert page.move_buttons == {}
    assert "办理完毕" in page.moves_hint.text()

    history = page.history_model
    moves = [history.data(history.index(r, 1)) for r in range(history.rowCount())]
    assert moves == [
        "已提出",
        "已提出 → 已受理",
        "已受理 → 征询中",
        "征询中 → 议事中",
        "议事中 → 表决中",
        "表决中 → 已通过",
        "已通过 → 已办结",
    ]
    assert history.data(history.index(3, 3)) == "3 月议事大会讨论"
    assert history.data(history.index(1, 2))  # who moved it is recorded


def test_decline_needs_a_reason(qtbot: QtBot, page: TopicsPage, context: AppContext) -> None:
    topic_id = add_topic(context, "楼道里装摄像头")
    page.select_topic(topic_id)
    dialog = move(qtbot, page, "declined")
    assert dialog.isVisible()
    assert "理由" in dialog.field_error("note")
    assert read(context, topic_jobs.load_topic(topic_id)).state == "proposed"

    type_into(qtbot, dialog.note, "涉及住户隐私，需由物业按规定办理")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert state_shown(page) == "不予受理"
    last = page.history_model.rowCount() - 1
    assert page.history_model.data(page.history_model.index(last, 3)) == (
        "涉及住户隐私，需由物业按规定办理"
    )
    # Shown in red in the list, and nothing more can be done with it.
    colour = page.model.data(page.model.index(0, 4), Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == ERROR_COLOUR
    assert page.move_buttons == {}


def test_title_is_required(qtbot: QtBot, page: TopicsPage) -> None:
    page.add_button.click()
    dialog = open_dialog(page, TopicDialog)
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "不能为空" in dialog.field_error("title")
    assert page.model.rowCount() == 0
    dialog.done(0)


def test_proposer_by_typed_name(qtbot: QtBot, page: TopicsPage, context: AppContext) -> None:
    page.add_button.click()
    dialog = open_dialog(page, TopicDialog)
    type_into(qtbot, dialog.title, "增设晾衣架")
    type_into(qtbot, dialog.proposer.lineEdit(), "街道城管科")
    assert "只记下这个名字" in dialog.proposer_note.text()  # type: ignore[union-attr]
    dialog.save_button.click()
    assert not dialog.isVisible()
    detail = read(context, topic_jobs.load_topic(page.current_topic_id()))
    assert (detail.proposer_name, detail.proposer_household_id) == ("街道城管科", None)


def test_state_filter(page: TopicsPage, context: AppContext) -> None:
    first = add_topic(context, "议题一")
    add_topic(context, "议题二")
    write(context, topic_jobs.advance_topic(first, "declined", "不属于自治范围"))
    page.state_filter.setCurrentIndex(page.state_filter.findData("open"))
    assert page.proxy.rowCount() == 1
    assert page.proxy.data(page.proxy.index(0, 0)) == "议题二"
    assert page.count_label.text() == "共 2 个，显示 1 个"
    page.state_filter.setCurrentIndex(page.state_filter.findData("declined"))
    assert page.proxy.data(page.proxy.index(0, 0)) == "议题一"
    page.state_filter.setCurrentIndex(page.state_filter.findData("voting"))
    assert page.proxy.rowCount() == 0
    assert "没有这种状态" in page.empty_hint.text()


# ---------------------------------------------------------------------------- supports


def test_supports_and_threshold(
    qtbot: QtBot,
    page: TopicsPage,
    context: AppContext,
    households: list[str],
    questions: Answers,
) -> None:
    topic_id = add_topic(context)
    page.select_topic(topic_id)
    page.detail_tabs.setCurrentIndex(1)
    assert page.support_line.text() == "附议 0 户，需 5 户"

    page.add_support_button.click()
    dialog = open_dialog(page, SupportDialog)
    dialog.save_button.click()
    assert "请从弹出的名单中选一户" in dialog.field_error("household")
    assert dialog.household.pick(households[1])
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert page.support_line.text() == "附议 1 户，需 5 户"
    assert page.supports_model.data(page.supports_model.index(0, 1)) == "李秀英"
    assert page.model.data(page.model.index(0, 5)) == "1 / 需 5"
    assert "还差 4 户" in page.moves_hint.text()

    # The same household again is refused before anything is written.
    page.add_support_button.click()
    dialog = open_dialog(page, SupportDialog)
    dialog.household.pick(households[1])
    dialog.save_button.click()
    assert "已经附议过" in dialog.field_error("household")
    dialog.done(0)

    # 附议门槛: two households.
    page.threshold_button.click()
    threshold = open_dialog(page, ThresholdDialog)
    assert threshold.by_count.isChecked()
    threshold.count.setValue(2)
    assert "需要 2 户附议" in threshold.meaning.text()  # type: ignore[union-attr]
    threshold.by_share.setChecked(True)
    type_into(qtbot, threshold.share, "50%")
    assert "需要 2 户附议（本小区共 4 户）" in threshold.meaning.text()  # type: ignore[union-attr]
    threshold.by_count.setChecked(True)
    threshold.save_button.click()
    assert not threshold.isVisible()
    assert page.support_line.text() == "附议 1 户，需 2 户"

    write(context, topic_jobs.add_support(topic_id, households[2]))
    assert page.support_line.text() == "附议 2 户，需 2 户（已达到）"
    assert "可以受理" in page.moves_hint.text()
    assert page.model.data(page.model.index(0, 5)) == "2 / 需 2"

    # Taking a support back asks first.
    page.supports_table.selectRow(0)
    page.remove_support_button.click()
    assert "撤销" in questions.said[-1]
    assert page.supports_model.rowCount() == 1


# ---------------------------------------------------------------------------- consultation


def test_consultation_contact_and_coverage(
    qtbot: QtBot,
    page: TopicsPage,
    context: AppContext,
    households: list[str],
    questions: Answers,
) -> None:
    assert METHOD_LABELS == __import__("xmen_desktop.store.topics").store.topics.CONSULT_METHODS
    assert OPINION_LABELS == __import__("xmen_desktop.store.topics").store.topics.OPINIONS
    topic_id = add_topic(context)
    page.select_topic(topic_id)
    page.detail_tabs.setCurrentIndex(2)
    assert not page.record_button.isEnabled()
    assert "受理之后" in page.consult_hint.text()
    advance(context, topic_id, "accepted", "consulting")
    assert page.record_button.isEnabled()
    assert "第 1 轮" in page.consult_hint.text()

    # Nothing picked: told what to do, nothing recorded.
    page.record_button.click()
    assert "请先选住户" in page.contact_message.text()

    assert page.contact_household.pick(households[0])
    page.method.setCurrentIndex(page.method.findData("phone"))
    page.opinion_buttons["support"].setChecked(True)
    type_into(qtbot, page.said, "赞成，早该管了")
    qtbot.keyClick(page.said, Qt.Key.Key_Return)
    assert "已登记：复兴东路 12 弄 1 号 101 室 王阿毛（电话，赞成）" in page.contact_message.text()
    assert page.contact_household.currentText() == ""
    assert page.said.text() == ""

    assert page.coverage_line.text().startswith("已联系 1 / 4 户（25%）：赞成 1")
    page.detail_tabs.setCurrentIndex(3)
    assert page.detail_tabs.tabText(3) == "覆盖"
    assert "还有 2 个门牌一户都没联系到" in page.coverage_total.text()
    assert "全部轮次合计" in page.coverage_scope.text()
    model = page.coverage_model
    doorways = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    # Doorways nobody has reached come first, in red.
    assert doorways == ["复兴东路 12 弄 2 号", "复兴东路 12 弄 3 号", "复兴东路 12 弄 1 号"]
    red = model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert red.name() == ERROR_COLOUR
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(2, CoverageTableModel.SHARE)) == "50%"
    page.coverage_table.selectRow(2)
    assert page.not_reached_model.stringList() == ["复兴东路 12 弄 1 号 102 室"]
    assert "还没联系的 1 户" in page.not_reached_title.text()

    contacts = page.contacts_model
    assert [contacts.data(contacts.index(0, c)) for c in range(6)] == [
        "第 1 轮",
        "复兴东路 12 弄 1 号 101 室",
        "王阿毛",
        "电话",
        "赞成",
        "赞成，早该管了",
    ]

    # A second round keeps the first; each round can be looked at alone.
    page.new_round_button.click()
    assert "第 2 轮征询" in questions.said[-1]
    assert page.round_combo.count() == 3
    assert page.round_combo.currentText().startswith("第 2 轮征询")
    assert page.coverage_line.text().startswith("已联系 0 / 4 户")
    page.round_combo.setCurrentIndex(0)
    assert page.coverage_line.text().startswith("已联系 1 / 4 户")


# ---------------------------------------------------------------------------- votes


def test_vote_created_issued_and_printed(
    qtbot: QtBot,
    page: TopicsPage,
    context: AppContext,
    questions: Answers,
    messages: Answers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic_id = add_topic(context)
    page.select_topic(topic_id)
    page.detail_tabs.setCurrentIndex(4)
    assert not page.create_vote_button.isEnabled()
    assert "付诸表决" in page.vote_next.text()
    advance(context, topic_id, "accepted", "consulting", "deliberating", "voting")
    assert page.create_vote_button.isEnabled()

    page.create_vote_button.click()
    dialog = open_dialog(page, VoteDialog)
    assert dialog.options.text() == "同意，不同意，弃权"
    assert dialog.electorate.currentText() == ELECTORATE_LABELS["households"]
    assert "参加表决的须超过半数" in dialog.explanation_text()
    # Each rule is explained as it is chosen; a custom one from its shares.
    dialog.rule.setCurrentIndex(dialog.rule.findData("custom"))
    assert not dialog.custom_box.isHidden()
    dialog.participation.setText("2/3")
    assert "不少于三分之二" in dialog.explanation_text()
    dialog.participation.setText("abc")
    assert "看不懂" in dialog.explanation_text()
    dialog.rule.setCurrentIndex(dialog.rule.findData("art278"))
    assert dialog.custom_box.isHidden()
    assert "户数和面积" in dialog.explanation_text()

    type_into(qtbot, dialog.question, "是否同意在 3 号门前划定非机动车停放区")
    dialog.save_button.click()
    # One household has no floor area: the store names it, the dialog stays open.
    assert dialog.isVisible()
    assert "复兴东路 12 弄 3 号 201 室（陈美华）" in dialog.general_message()
    assert "没有登记面积" in dialog.general_message()

    dialog.rule.setCurrentIndex(dialog.rule.findData("residents"))
    assert dialog.general_message() == ""  # the refusal was about the other rule
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert page.votes_model.rowCount() == 1
    assert page.votes_model.data(page.votes_model.index(0, 2)) == "未发票"
    assert not page.create_vote_button.isEnabled()  # one open vote at a time
    assert "发放表决票" in page.vote_next.text()
    assert "居民会议规则" in page.vote_info.text()
    # With a vote open the result comes from the tally, not from a button.
    assert list(page.move_buttons) == ["withdrawn"]

    page.issue_button.click()
    assert "每一户编一张" in questions.said[-1]
    assert "已编好 4 张" in messages.said[-1]
    assert page.votes_model.data(page.votes_model.index(0, 3)) == "4"
    assert page.votes_model.data(page.votes_model.index(0, 2)) == "进行中"
    assert page.tally_button.isEnabled()

    target = tmp_path / "表决票"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF 文件 (*.pdf)")
    )
    page.print_ballots_button.click()
    options = open_dialog(page, PrintBallotsDialog)
    options.two_up.setChecked(True)
    options.accept()
    written = tmp_path / "表决票.pdf"
    assert written.exists() and written.read_bytes().startswith(b"%PDF")
    done = [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert len(done) == 1 and "已生成 4 张表决票（每张 A4 纸两张票）" in done[0].text()
    done[0].done(0)


def test_a_topic_lists_the_meetings_that_discussed_it(
    page: TopicsPage, context: AppContext
) -> None:
    from xmen_desktop.store import meetings

    topic_id = add_topic(context, "弄堂运动会")
    page.select_topic(topic_id)
    assert "还没有会议" in page.meetings_label.text()
    assert context.store is not None
    with context.store.write() as session:
        meeting = meetings.add_meeting(
            session, XIAOXIMEN.id, form="executive", held_on="2026-11-01", title="十一月执委会"
        )
        meetings.add_agenda_item(session, meeting.id, topic_id=topic_id)
    page.reload_detail()
    assert "十一月执委会" in page.meetings_label.text()
