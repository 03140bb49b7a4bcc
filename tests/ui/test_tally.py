"""The tally screen: scanning serials, choosing by key, refusals, undo, double entry, closing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, questions, read, write
from xmen_desktop.domain import serials
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store.errors import StoreError
from xmen_desktop.ui import jobs, topic_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.tally import TallyDialog
from xmen_desktop.ui.widgets import ERROR_COLOUR

__all__ = ["questions"]  # a fixture used by name below

XIAOXIMEN = ESTATES[0]

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def context(qapp: object, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(data_dir, synchronous=True)
    yield ctx
    ctx.close()


def open_vote(
    context: AppContext, *, flats: int = 3, question: str = "是否同意", estate: str = XIAOXIMEN.id
) -> str:
    """A topic in the voting state with a vote on it and one ballot issued per household."""
    for n in range(1, flats + 1):
        values = {"tenant": f"住户{n}", "address": f"复兴东路 12 弄 1 号 {n}01 室", "area": "40"}
        write(context, jobs.add_household(estate, values))
    topic_id = write(context, topic_jobs.add_topic(estate, {"title": "非机动车集中停放"}))
    for state in ("accepted", "consulting", "deliberating", "voting"):
        write(context, topic_jobs.advance_topic(topic_id, state, ""))
    vote_id: str = write(
        context, topic_jobs.create_vote(topic_id, {"question": question, "rule": "residents"})
    )
    write(context, topic_jobs.issue_ballots(vote_id))
    return vote_id


@pytest.fixture
def vote_id(qtbot: QtBot, context: AppContext) -> str:
    with qtbot.waitSignal(context.store_ready, timeout=5000):
        context.open_store()
    return open_vote(context)


def serial(context: AppContext, vote_id: str, number: int) -> str:
    return serials.make_serial(vote_id, number)


@pytest.fixture
def tally(qtbot: QtBot, context: AppContext, vote_id: str) -> TallyDialog:
    dialog = TallyDialog(context, vote_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.state is not None
    return dialog


def scan(qtbot: QtBot, tally: TallyDialog, text: str) -> None:
    """What a USB scanner does: type the serial and press Enter, all at once."""
    qtbot.keyClicks(tally.scan, text)
    qtbot.keyClick(tally.scan, Qt.Key.Key_Return)


def press(qtbot: QtBot, tally: TallyDialog, key: str) -> None:
    """A person pressing one choice key; it counts once the short hold is over."""
    before = tally.message_text()
    qtbot.keyClick(tally.scan, key)
    qtbot.waitUntil(lambda: tally.message_text() != before, timeout=3000)


def returned(context: AppContext, vote_id: str) -> int:
    return read(context, topic_jobs.load_tally(vote_id)).result.participated.households  # type: ignore[no-any-return]


def test_scan_then_key_records_the_choice_and_counts_update(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str
) -> None:
    assert tally.count_text("已交回") == "0 / 3 户"
    assert [b.text() for b in tally.choice_buttons.values()] == [
        "1  同意",
        "2  不同意",
        "3  弃权",
        "0  空白票",
        "F  废票",
    ]
    first = serial(context, vote_id, 1)
    scan(qtbot, tally, first)
    assert tally.card_address.text() == "复兴东路 12 弄 1 号 101 室"
    assert tally.card_tenant.text() == "住户1"
    assert "1 同意" in tally.message_text()
    assert tally.scan.text() == ""
    assert tally.scan.hasFocus()

    press(qtbot, tally, "1")
    assert "已登记：复兴东路 12 弄 1 号 101 室 住户1 —— 同意" in tally.message_text()
    assert tally.count_text("同意") == "1 户"
    assert tally.count_text("已交回") == "1 / 3 户"
    assert tally.count_text("未交回") == "2 户"
    assert tally.recent_model.rowCount() == 1
    assert tally.recent_model.data(tally.recent_model.index(0, 3)) == "同意"
    assert tally.scan.text() == "" and tally.scan.hasFocus()
    assert returned(context, vote_id) == 1
    # 参与 needs more than half of 3 households: 2.
    assert tally.check_labels[0].text().strip() == "参与 按户数：已 1 户，需 2 户（还差 1 户）"
    assert "color" not in tally.check_labels[0].styleSheet()

    # The second one by a click, blank and spoilt by their keys.
    scan(qtbot, tally, serial(context, vote_id, 2))
    qtbot.mouseClick(tally.choice_buttons["2"], Qt.MouseButton.LeftButton)
    assert tally.count_text("不同意") == "1 户"
    assert tally.scan.hasFocus()
    assert tally.check_labels[0].text().startswith("✓ 参与 按户数：已 2 户，需 2 户")
    assert "#1e6b2f" in tally.check_labels[0].styleSheet()
    scan(qtbot, tally, serial(context, vote_id, 3))
    press(qtbot, tally, "b")
    assert tally.count_text("空白") == "1 户"
    assert tally.count_text("未交回") == "0 户"


def test_spoilt_by_key(qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str) -> None:
    scan(qtbot, tally, serial(context, vote_id, 1))
    press(qtbot, tally, "f")
    assert tally.count_text("废票") == "1 户"
    assert "废票" in tally.message_text()


def test_same_serial_again_is_refused_with_the_earlier_record(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str
) -> None:
    first = serial(context, vote_id, 1)
    scan(qtbot, tally, first)
    press(qtbot, tally, "1")
    scan(qtbot, tally, first)
    message = tally.message_text()
    assert "已经登记过了，不能重复登记" in message
    assert first in message
    assert "已登记为“同意”" in message
    assert ERROR_COLOUR in tally.message.styleSheet()
    assert tally.pending is None
    # A choice key now records nothing.
    qtbot.keyClick(tally.scan, "2")
    qtbot.wait(200)
    assert tally.count_text("不同意") == "0 户"
    assert tally.count_text("已交回") == "1 / 3 户"
    assert returned(context, vote_id) == 1

    # The store refuses it too, should the screen ever let one through.
    with pytest.raises(StoreError, match="不能重复登记"):
        write(context, topic_jobs.cast(vote_id, first, choice="不同意"))


def test_bad_serials_are_refused(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str
) -> None:
    good = serial(context, vote_id, 1)
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    scan(qtbot, tally, wrong_digit)
    assert "校验位不对" in tally.message_text()
    assert tally.pending is None

    scan(qtbot, tally, serial(context, vote_id, 99))
    assert "没有发出编号" in tally.message_text()

    other = open_vote(context, flats=1, question="另一次表决", estate=ESTATES[1].id)
    scan(qtbot, tally, serials.make_serial(other, 1))
    assert "另一次表决的票" in tally.message_text()

    scan(qtbot, tally, "hello")
    assert "不是表决票编号" in tally.message_text()
    assert returned(context, vote_id) == 0


def test_a_scan_while_a_ballot_waits_is_not_taken_for_a_choice(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str
) -> None:
    scan(qtbot, tally, serial(context, vote_id, 1))
    assert tally.pending is not None
    # The next serial may start with a choice key; typed at scanner speed, it stays a serial.
    second = "1" + serial(context, vote_id, 2)
    qtbot.keyClicks(tally.scan, second)
    assert tally.scan.text() == second
    qtbot.wait(200)
    assert tally.count_text("已交回") == "0 / 3 户"


def test_undo_takes_back_the_last_entry(
    qtbot: QtBot,
    tally: TallyDialog,
    context: AppContext,
    vote_id: str,
    questions: Answers,
) -> None:
    scan(qtbot, tally, serial(context, vote_id, 1))
    press(qtbot, tally, "1")
    scan(qtbot, tally, serial(context, vote_id, 2))
    press(qtbot, tally, "2")
    qtbot.mouseClick(tally.undo_button, Qt.MouseButton.LeftButton)
    assert "复兴东路 12 弄 1 号 201 室" in questions.said[-1]
    assert "不同意" in questions.said[-1]
    assert "已撤销" in tally.message_text()
    assert tally.count_text("不同意") == "0 户"
    assert tally.count_text("同意") == "1 户"
    assert tally.recent_model.rowCount() == 1
    assert tally.scan.hasFocus()
    # Now it can be recorded again.
    scan(qtbot, tally, serial(context, vote_id, 2))
    press(qtbot, tally, "3")
    assert tally.count_text("弃权") == "1 户"


def test_double_entry_lists_every_mismatch(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str
) -> None:
    for number, key in ((1, "1"), (2, "2")):
        scan(qtbot, tally, serial(context, vote_id, number))
        press(qtbot, tally, key)

    tally.review.setChecked(True)
    assert "复核模式" in tally.mode_banner.text()
    assert not tally.undo_button.isEnabled()
    scan(qtbot, tally, serial(context, vote_id, 1))
    # The first entry is not given away while checking.
    assert "同意" not in tally.message_text()
    press(qtbot, tally, "1")
    assert "复核一致" in tally.message_text()
    scan(qtbot, tally, serial(context, vote_id, 2))
    press(qtbot, tally, "1")
    assert "复核不一致" in tally.message_text()
    # One not tallied at all shows up as well.
    scan(qtbot, tally, serial(context, vote_id, 3))
    press(qtbot, tally, "3")

    model = tally.mismatch_model
    assert model.rowCount() == 2
    rows = [[model.data(model.index(r, c)) for c in (0, 1, 4)] for r in range(2)]
    assert rows == [
        [serial(context, vote_id, 2), "复兴东路 12 弄 1 号 201 室", "“同意”"],
        [serial(context, vote_id, 3), "复兴东路 12 弄 1 号 301 室", "“弃权”"],
    ]
    assert "已登记为“不同意”" in model.data(model.index(0, 3))
    assert model.data(model.index(1, 3)) == "尚未交回"
    assert tally.lists.tabText(1) == "复核不一致（2 张）"
    # Checking changes no count.
    assert tally.count_text("已交回") == "2 / 3 户"


def test_closing_asks_then_locks_the_vote_and_moves_the_topic(
    qtbot: QtBot,
    context: AppContext,
    vote_id: str,
    questions: Answers,
) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.overview.has_data, timeout=5000)
    tab = window.estate_tab(XIAOXIMEN.id)
    assert tab is not None
    window.tabs.setCurrentWidget(tab)
    page = tab.topics
    tab.pages.setCurrentWidget(page)
    page.table.selectRow(0)
    page.detail_tabs.setCurrentIndex(4)
    assert page.tally_button.isEnabled()
    page.tally_button.click()
    tally = page.tally
    assert isinstance(tally, TallyDialog)

    for number, key in ((1, "1"), (2, "1"), (3, "2")):
        scan(qtbot, tally, serial(context, vote_id, number))
        press(qtbot, tally, key)

    # Told no: nothing changes.
    questions.answer = questions.answer.No
    tally.close_vote_button.click()
    question = questions.said[-1]
    assert "应参加 3 户，已交回 3 户（同意 2 户，不同意 1 户，弃权 0 户" in question
    assert "表决结果为：通过" in question
    assert tally.is_open

    questions.answer = questions.answer.Yes
    tally.close_vote_button.click()
    assert not tally.is_open
    assert not tally.scan.isEnabled()
    assert all(not b.isEnabled() for b in tally.choice_buttons.values())
    assert tally.print_result_button.isVisible()
    assert tally.verdict.text() == "表决结果：通过"
    assert tally.card_address.text() == "表决结果：通过"
    assert tally.card_tenant.text() == "参加 3 户：同意 2 户，不同意 1 户，弃权 0 户"
    assert "打印结果公示" in tally.message_text()
    assert not tally.choice_box.isVisible()

    # Entries are refused now.
    with pytest.raises(StoreError, match="表决已经结束"):
        write(context, topic_jobs.undo_last(vote_id))
    tally.choose("同意")
    assert tally.count_text("已交回") == "3 / 3 户"

    # The topic moved to 已通过, shown on the page when the tally window closes.
    tally.close()
    row = page.current_topic()
    assert row is not None and row.state == "passed"
    assert page.model.data(page.model.index(0, 4)) == "已通过"
    assert page.votes_model.data(page.votes_model.index(0, 2)) == "已结束：通过"
    assert page.votes_model.data(page.votes_model.index(0, 4)) == "3"  # returned
    assert page.print_result_button.isEnabled()
    assert page.move_buttons["closed"].text() == "办结"


def test_a_vote_that_fails_shows_as_not_passed(
    qtbot: QtBot, tally: TallyDialog, context: AppContext, vote_id: str, questions: Answers
) -> None:
    scan(qtbot, tally, serial(context, vote_id, 1))
    press(qtbot, tally, "1")
    tally.close_vote_button.click()
    assert "表决结果为：未通过" in questions.said[-1]
    assert tally.verdict.text() == "表决结果：未通过"
    detail = read(context, topic_jobs.load_topic(tally.state.topic_id))  # type: ignore[union-attr]
    assert detail.state == "failed"
    assert "未通过" in detail.transitions[-1].note
    with pytest.raises(StoreError, match="表决已经结束"):
        write(context, topic_jobs.cast(vote_id, serial(context, vote_id, 2), choice="同意"))


def test_result_notice_printed_after_closing(
    qtbot: QtBot,
    tally: TallyDialog,
    context: AppContext,
    vote_id: str,
    questions: Answers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    scan(qtbot, tally, serial(context, vote_id, 1))
    press(qtbot, tally, "1")
    tally.close_vote_button.click()
    target = tmp_path / "公示.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tally.print_result_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    shown = [b for b in tally.findChildren(QMessageBox) if b.isVisible()]
    assert len(shown) == 1 and "表决结果公示保存在" in shown[0].text()
    shown[0].done(0)


def test_tally_with_the_real_background_worker(qtbot: QtBot, qapp: object, data_dir: Path) -> None:
    context = AppContext(data_dir)  # jobs on the worker thread, answers come back queued
    try:
        with qtbot.waitSignal(context.store_ready, timeout=20000):
            context.open_store()
        vote_id = open_vote_async(qtbot, context)
        tally = TallyDialog(context, vote_id)
        qtbot.addWidget(tally)
        tally.show()
        qtbot.waitUntil(lambda: tally.scan.isEnabled(), timeout=10000)
        scan(qtbot, tally, serial(context, vote_id, 1))
        qtbot.waitUntil(lambda: tally.pending is not None, timeout=10000)
        qtbot.keyClick(tally.scan, "1")
        qtbot.waitUntil(lambda: tally.count_text("同意") == "1 户", timeout=10000)
        assert tally.count_text("已交回") == "1 / 3 户"
        scan(qtbot, tally, serial(context, vote_id, 1))
        qtbot.waitUntil(lambda: "不能重复登记" in tally.message_text(), timeout=10000)
    finally:
        context.close()


def open_vote_async(qtbot: QtBot, context: AppContext) -> str:
    """``open_vote`` through the real worker: one job, answered on the UI thread."""
    box: list[str] = []

    def run(session: object) -> str:
        from xmen_desktop.store import roster, topics, votes

        for n in range(1, 4):
            roster.add_household(
                session,  # type: ignore[arg-type]
                XIAOXIMEN.id,
                {"tenant": f"住户{n}", "address": f"复兴东路 12 弄 1 号 {n}01 室"},
            )
        topic = topics.add_topic(session, XIAOXIMEN.id, {"title": "议题"})  # type: ignore[arg-type]
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic.id, state)  # type: ignore[arg-type]
        vote = votes.create_vote(session, topic.id, question="是否同意", rule="residents")  # type: ignore[arg-type]
        votes.issue_ballots(session, vote.id)  # type: ignore[arg-type]
        return vote.id

    context.write(run, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10000)
    return box[0]
