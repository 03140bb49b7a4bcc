"""The 自治项目 board, a project in detail, the 会议 page with attendance at the door, and the
工作提醒 dashboard, driven as a user would with the worker run inline."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QInputDialog
from pytestqt.qtbot import QtBot

from tests.ui.helpers import Answers, messages, open_dialog, questions, read, type_into, write
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui import jobs, project_jobs, topic_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.dashboard import Dashboard
from xmen_desktop.ui.meeting_dialog import MeetingDialog
from xmen_desktop.ui.meetings_page import MeetingsPage
from xmen_desktop.ui.project_dialog import (
    PROGRESS_ROLE,
    BudgetModel,
    ExpenseDialog,
    MilestoneModel,
    NewProjectDialog,
    ProjectDetailDialog,
    ProjectMoveDialog,
)
from xmen_desktop.ui.projects_page import ProjectsPage
from xmen_desktop.ui.widgets import ERROR_COLOUR

__all__ = ["messages", "questions"]  # fixtures used by name below

XIAOXIMEN = ESTATES[0]
LONGMENCUN = ESTATES[1]
TODAY = datetime.date.today()

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
def board(qtbot: QtBot, context: AppContext, households: list[str]) -> ProjectsPage:
    page = ProjectsPage(context, XIAOXIMEN.id)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    assert page.has_data
    return page


def add_project(
    context: AppContext,
    title: str = "楼道灯更换",
    *,
    started_on: datetime.date | None = None,
    status: str | None = None,
) -> str:
    project_id: str = write(
        context, project_jobs.add_project(XIAOXIMEN.id, title=title, started_on=started_on)
    )
    if status is not None:
        write(context, project_jobs.set_status(project_id, status))
    return project_id


def card_texts(page: ProjectsPage, status: str) -> list[str]:
    model = page.models[status]
    return [model.data(model.index(n)) for n in range(model.rowCount())]


def card_lines(page: ProjectsPage, project_id: str) -> list[str]:
    for model in page.models.values():
        number = model.row_of_id(project_id)
        if number >= 0:
            return [text for text, _ in model.lines(model.rows[number])]
    raise AssertionError("no such card")


def open_detail(qtbot: QtBot, page: ProjectsPage, project_id: str) -> ProjectDetailDialog:
    assert page.select_project(project_id)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(page, ProjectDetailDialog)
    assert dialog.detail is not None and dialog.detail.id == project_id
    return dialog


def cell(model: object, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.data(model.index(row, column), role)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- the board


def test_a_project_created_through_the_dialog_appears_on_the_board(
    qtbot: QtBot, board: ProjectsPage
) -> None:
    assert [board.column_titles[s].text() for s in board.models] == [
        "筹备中（0）",
        "进行中（0）",
        "暂停（0）",
        "已完成（0）",
        "已取消（0）",
    ]
    qtbot.mouseClick(board.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(board, NewProjectDialog)
    # No passed topic in this estate: the dialog offers the executive committee's way at once.
    assert dialog.source.currentData() == NewProjectDialog.DIRECT
    assert "没有已通过" in dialog.topic_note.text()  # type: ignore[union-attr]
    type_into(qtbot, dialog.title, "楼道灯更换")
    dialog.funding.setCurrentText("自治金")
    type_into(qtbot, dialog.lead, "王阿毛")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert card_texts(board, "planned") == ["楼道灯更换"]
    assert board.column_titles["planned"].text() == "筹备中（1）"
    chosen = board.chosen_project()
    assert chosen is not None and chosen.row.title == "楼道灯更换"
    assert card_lines(board, chosen.id)[:2] == ["负责人：王阿毛", "还没有做预算"]
    assert "已立项" in board.status_line.text()


def test_a_project_from_a_passed_topic_takes_its_title_and_link(
    qtbot: QtBot, context: AppContext, board: ProjectsPage
) -> None:
    topic_id = write(context, topic_jobs.add_topic(XIAOXIMEN.id, {"title": "弄内路面修补"}))
    for state in ("accepted", "consulting", "deliberating", "voting", "passed"):
        write(context, topic_jobs.advance_topic(topic_id, state, ""))

    dialog = board.add_project()
    assert dialog.source.currentData() == NewProjectDialog.FROM_TOPIC
    assert dialog.topic.currentData() == topic_id  # the only one, chosen for the user
    assert dialog.title.text() == "弄内路面修补"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert card_texts(board, "planned") == ["弄内路面修补"]
    chosen = board.chosen_project()
    assert chosen is not None
    detail = read(context, project_jobs.load_project(chosen.id))
    assert detail.topic_id == topic_id
    assert detail.topic_title == "弄内路面修补"
    # A topic made into a project is not offered again.
    again = board.add_project()
    assert again.topic.count() == 0
    assert again.source.currentData() == NewProjectDialog.DIRECT


def test_status_buttons_offer_only_allowed_moves_and_cancel_needs_a_reason(
    qtbot: QtBot, context: AppContext, board: ProjectsPage
) -> None:
    project_id = add_project(context)
    dialog = open_detail(qtbot, board, project_id)
    assert list(dialog.move_buttons) == ["in_progress", "cancelled"]
    assert dialog.move_buttons["in_progress"].text() == "开始实施"

    qtbot.mouseClick(dialog.move_buttons["cancelled"], Qt.MouseButton.LeftButton)
    move = open_dialog(dialog, ProjectMoveDialog)
    qtbot.mouseClick(move.save_button, Qt.MouseButton.LeftButton)
    assert move.isVisible()
    assert "原因" in move.field_error("note")
    assert read(context, project_jobs.load_project(project_id)).status == "planned"
    type_into(qtbot, move.note, "居民意见分歧较大")
    qtbot.mouseClick(move.save_button, Qt.MouseButton.LeftButton)
    assert not move.isVisible()

    assert dialog.detail is not None and dialog.detail.status == "cancelled"
    assert dialog.move_buttons == {}
    assert not dialog.add_expense_button.isEnabled()
    assert card_texts(board, "cancelled") == ["楼道灯更换"]


# ---------------------------------------------------------------------------- money


def test_spending_typed_as_text_or_with_three_decimals_is_refused_and_nothing_saved(
    qtbot: QtBot, context: AppContext, board: ProjectsPage
) -> None:
    project_id = add_project(context, started_on=TODAY - datetime.timedelta(days=30))
    write(context, project_jobs.add_budget_line(project_id, "材料费", "1000"))
    dialog = open_detail(qtbot, board, project_id)
    qtbot.mouseClick(dialog.add_expense_button, Qt.MouseButton.LeftButton)
    expense = open_dialog(dialog, ExpenseDialog)

    # Refused as it is typed, with what to type instead.
    type_into(qtbot, expense.amount, "abc")
    assert "不是金额" in expense.field_error("amount")
    assert "1234.50" in expense.field_error("amount")
    qtbot.mouseClick(expense.save_button, Qt.MouseButton.LeftButton)
    assert expense.isVisible()
    assert read(context, project_jobs.load_project(project_id)).expenses == ()

    expense.amount.clear()
    type_into(qtbot, expense.amount, "12.345")
    assert "两位小数" in expense.field_error("amount")
    qtbot.mouseClick(expense.save_button, Qt.MouseButton.LeftButton)
    assert expense.isVisible()
    assert read(context, project_jobs.load_project(project_id)).expenses == ()

    # Fixed: the message goes away at once, and the money is kept in fen.
    qtbot.keyClick(expense.amount, Qt.Key.Key_Backspace)
    assert expense.field_error("amount") == ""
    type_into(qtbot, expense.payee, "五金店")
    qtbot.mouseClick(expense.save_button, Qt.MouseButton.LeftButton)
    assert not expense.isVisible()
    detail = read(context, project_jobs.load_project(project_id))
    assert [(e.amount_fen, e.line_item, e.payee) for e in detail.expenses] == [
        (1234, "材料费", "五金店")
    ]
    assert dialog.expense_model.rowCount() == 1


def test_spending_with_a_receipt_scan_keeps_the_picture(
    qtbot: QtBot,
    context: AppContext,
    board: ProjectsPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PIL import Image

    scan = tmp_path / "发票.png"
    Image.new("RGB", (40, 30), "white").save(scan)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(scan), ""))
    project_id = add_project(context)
    dialog = open_detail(qtbot, board, project_id)
    qtbot.mouseClick(dialog.add_expense_button, Qt.MouseButton.LeftButton)
    expense = open_dialog(dialog, ExpenseDialog)
    type_into(qtbot, expense.amount, "88")
    qtbot.mouseClick(expense.receipt.choose, Qt.MouseButton.LeftButton)
    assert expense.receipt.label.text() == "发票.png"
    qtbot.mouseClick(expense.save_button, Qt.MouseButton.LeftButton)
    assert not expense.isVisible()
    detail = read(context, project_jobs.load_project(project_id))
    receipt = detail.expenses[0].receipt_sha256
    assert receipt is not None
    assert context.store is not None
    assert project_jobs.attachment_path(context.store.directory, receipt).exists()
    assert cell(dialog.expense_model, 0, 5) == "有，双击查看"


def test_an_over_budget_line_shows_chao_zhi(
    qtbot: QtBot, context: AppContext, board: ProjectsPage
) -> None:
    project_id = add_project(context, status="in_progress")
    line_id = write(context, project_jobs.add_budget_line(project_id, "材料费", "100"))
    write(context, project_jobs.add_budget_line(project_id, "人工费", "500"))
    write(
        context,
        project_jobs.add_expense(
            Path("."),
            project_id,
            amount="150.50",
            spent_on=None,
            line_id=line_id,
            payee="",
            note="",
        ),
    )
    dialog = open_detail(qtbot, board, project_id)
    model = dialog.budget_model
    rows = {cell(model, n, BudgetModel.ITEM): n for n in range(model.rowCount())}
    over = rows["材料费"]
    assert cell(model, over, BudgetModel.STATE) == "超支 50.50 元"
    assert cell(model, over, BudgetModel.REMAINING) == "-50.50"
    assert cell(model, over, BudgetModel.ITEM, Qt.ItemDataRole.ForegroundRole) == QColor(
        ERROR_COLOUR
    )
    assert cell(model, rows["人工费"], BudgetModel.STATE) == ""
    # The total is within budget: no 超支 there, but the line is named above the tabs.
    assert cell(model, rows["合计"], BudgetModel.STATE) == ""
    assert "超支的预算项目：材料费" in dialog.money_label.text()
    # On the board the card says so too.
    assert "⚠ 1 个预算项目超支" in card_lines(board, project_id)

    # Spending beyond the whole budget turns the total red as well.
    write(
        context,
        project_jobs.add_expense(
            Path("."), project_id, amount="500", spent_on=None, line_id=None, payee="", note=""
        ),
    )
    rows = {cell(model, n, BudgetModel.ITEM): n for n in range(model.rowCount())}
    assert cell(model, rows["合计"], BudgetModel.STATE) == "超支 50.50 元"
    assert "（未列入预算项目的支出）" in rows
    assert "超支 50.50 元" in dialog.money_label.text()
    assert "已支出 650.50 元，超支 50.50 元" in card_lines(board, project_id)


# ---------------------------------------------------------------------------- milestones


def test_an_overdue_milestone_is_flagged(
    qtbot: QtBot, context: AppContext, board: ProjectsPage
) -> None:
    project_id = add_project(
        context, started_on=TODAY - datetime.timedelta(days=60), status="in_progress"
    )
    write(
        context,
        project_jobs.add_milestone(project_id, "材料到位", TODAY - datetime.timedelta(days=10)),
    )
    write(
        context,
        project_jobs.add_milestone(project_id, "施工完成", TODAY + datetime.timedelta(days=5)),
    )
    assert "⚠ 1 个节点已逾期" in card_lines(board, project_id)
    assert "1 个节点两周内到期" in card_lines(board, project_id)
    assert "1 个有逾期节点" in board.count_label.text()

    dialog = open_detail(qtbot, board, project_id)
    model = dialog.milestone_model
    assert cell(model, 0, MilestoneModel.STATE) == "已逾期 10 天"
    assert cell(model, 0, MilestoneModel.TITLE, Qt.ItemDataRole.ForegroundRole) == QColor(
        ERROR_COLOUR
    )
    assert cell(model, 1, MilestoneModel.STATE) == "5 天后到期"
    assert "1 个已逾期" in dialog.milestone_summary.text()

    # Progress set to 100% takes the flag away.
    dialog.tabs.setCurrentIndex(1)
    dialog.milestone_table.selectRow(0)
    assert not dialog.save_progress_button.isEnabled()
    dialog.progress_spin.setValue(100)
    qtbot.mouseClick(dialog.save_progress_button, Qt.MouseButton.LeftButton)
    assert cell(model, 0, MilestoneModel.STATE) == f"已完成 {TODAY.isoformat()}"
    assert not any("逾期" in line for line in card_lines(board, project_id))


# ---------------------------------------------------------------------------- meetings


@pytest.fixture
def meetings_page(qtbot: QtBot, context: AppContext, households: list[str]) -> MeetingsPage:
    page = MeetingsPage(context, XIAOXIMEN.id)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    assert page.has_data
    return page


def schedule(qtbot: QtBot, page: MeetingsPage, title: str = "第四季度议事大会") -> str:
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(page, MeetingDialog)
    assert dialog.form.currentData() == "assembly"
    assert dialog.invite.households.isChecked()  # an assembly invites every household
    assert dialog.invite.households.text() == "全体住户（4 户）"
    type_into(qtbot, dialog.title, title)
    type_into(qtbot, dialog.starts_at, "14:00")
    type_into(qtbot, dialog.place, "居委会二楼会议室")
    type_into(qtbot, dialog.agenda.text, "通报自治金使用情况")
    qtbot.keyClick(dialog.agenda.text, Qt.Key.Key_Return)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    meeting_id = page.current_meeting_id()
    assert meeting_id is not None
    return meeting_id


def test_a_meeting_is_scheduled_with_all_households_invited(
    qtbot: QtBot, context: AppContext, meetings_page: MeetingsPage
) -> None:
    meeting_id = schedule(qtbot, meetings_page)
    page = meetings_page
    assert page.model.rowCount() == 1
    assert cell(page.model, 0, 3) == "第四季度议事大会"
    assert cell(page.model, 0, 4) == "0/4"
    detail = read(context, project_jobs.load_meeting(meeting_id))
    assert [i.name for i in detail.invitees] == [name for name, _, _ in FLATS]
    assert [a.text for a in detail.agenda] == ["通报自治金使用情况"]
    assert detail.row.starts_at == "14:00"
    assert page.title_label.text() == "第四季度议事大会"
    assert page.invitees.rowCount() == 4
    assert "1. 通报自治金使用情况" in page.agenda_model.stringList()


def test_a_badly_written_time_is_refused_in_the_meeting_dialog(
    qtbot: QtBot, meetings_page: MeetingsPage
) -> None:
    dialog = meetings_page.add_meeting()
    type_into(qtbot, dialog.starts_at, "下午两点")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "14:00" in dialog.field_error("starts_at")
    assert meetings_page.model.rowCount() == 0


def test_attendance_at_the_door_updates_the_live_quorum(
    qtbot: QtBot,
    context: AppContext,
    meetings_page: MeetingsPage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule(qtbot, meetings_page)
    page = meetings_page
    page.tabs.setCurrentIndex(1)
    assert page.quorum_label.text() == "到会 0 户，应到 4 户，需超过 2 户 — 未达到（还差 3 户）"
    assert ERROR_COLOUR in page.quorum_label.styleSheet()

    # Type a name; with one person left, Enter marks them present.
    type_into(qtbot, page.search, "王阿毛")
    assert page.invitee_filter.rowCount() == 1
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert "已登记：王阿毛 本人到会" in page.door_message.text()
    assert page.search.text() == ""
    assert "到会 1 户" in page.quorum_label.text()

    # Search by address, then the key 1 on the list.
    type_into(qtbot, page.search, "1号102")
    assert page.invitee_filter.rowCount() == 1
    page.invitee_table.setFocus()
    qtbot.keyClick(page.invitee_table, Qt.Key.Key_1)
    assert "李秀英 本人到会" in page.door_message.text()
    assert "未达到" in page.quorum_label.text()

    # 委托 asks for the proxy's name.
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("张小弟", True))
    page.search.clear()
    type_into(qtbot, page.search, "张建国")
    qtbot.mouseClick(page.proxy_button, Qt.MouseButton.LeftButton)
    assert "委托到会（受托人 张小弟）" in page.door_message.text()
    assert page.quorum_label.text() == "到会 3 户，应到 4 户，需超过 2 户 — 已达到"
    assert "#1e6b2f" in page.quorum_label.styleSheet()
    assert page.tally_label.text() == "本人到会 2　委托到会 1　缺席 0　未登记 1"
    invitees = read(context, project_jobs.load_meeting(page.current_meeting_id() or ""))
    assert {i.name: (i.attendance, i.proxy_name) for i in invitees.invitees}["张建国"] == (
        "proxy",
        "张小弟",
    )


def test_attendance_for_someone_not_invited_is_refused_with_a_message(
    qtbot: QtBot, meetings_page: MeetingsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xmen_desktop.store.dashboard_queries import InviteeRow

    schedule(qtbot, meetings_page)
    page = meetings_page
    type_into(qtbot, page.search, "赵大海")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert "邀请名单上没有“赵大海”" in page.door_message.text()
    assert "补充邀请" in page.door_message.text()

    # Should a name reach the store that is not on the list, the store's refusal is shown.
    stranger = InviteeRow("not-invited", "赵大海", "", None, None, "", "")
    monkeypatch.setattr(page, "current_invitee", lambda: stranger)
    page.mark("present")
    assert "不在本次会议的邀请名单上" in page.door_message.text()
    assert "到会 0 户" in page.quorum_label.text()


def test_minutes_and_a_resolution_linked_to_a_topic(
    qtbot: QtBot, context: AppContext, meetings_page: MeetingsPage
) -> None:
    topic_id = write(context, topic_jobs.add_topic(XIAOXIMEN.id, {"title": "非机动车集中停放"}))
    meeting_id = schedule(qtbot, meetings_page)
    page = meetings_page
    page.tabs.setCurrentIndex(2)
    qtbot.mouseClick(page.template_button, Qt.MouseButton.LeftButton)
    assert page.minutes.toPlainText().startswith("会议时间：")
    assert page.save_minutes_button.isEnabled()
    qtbot.mouseClick(page.save_minutes_button, Qt.MouseButton.LeftButton)
    assert page.minutes_message.text() == "纪要已保存。"
    assert not page.save_minutes_button.isEnabled()

    type_into(qtbot, page.resolution_text, "同意集中停放方案")
    page.resolution_topic.setCurrentIndex(page.resolution_topic.findData(topic_id))
    qtbot.mouseClick(page.add_resolution_button, Qt.MouseButton.LeftButton)
    detail = read(context, project_jobs.load_meeting(meeting_id))
    assert detail.minutes.startswith("会议时间：")
    assert [(r.text, r.topic_title) for r in detail.resolutions] == [
        ("同意集中停放方案", "非机动车集中停放")
    ]
    assert cell(page.resolutions, 0, 2) == "非机动车集中停放"


def test_deleting_a_meeting_asks_first(
    qtbot: QtBot, meetings_page: MeetingsPage, questions: Answers
) -> None:
    schedule(qtbot, meetings_page)
    qtbot.mouseClick(meetings_page.delete_button, Qt.MouseButton.LeftButton)
    assert "一起删除" in questions.said[0]
    assert meetings_page.model.rowCount() == 0
    assert meetings_page.stack.currentWidget() is meetings_page.nothing


# ---------------------------------------------------------------------------- dashboard


def test_the_dashboard_lists_the_upcoming_meeting_and_the_running_project(
    qtbot: QtBot, context: AppContext, households: list[str]
) -> None:
    project_id = add_project(
        context,
        "3 号楼门前绿化改造",
        started_on=TODAY - datetime.timedelta(days=30),
        status="in_progress",
    )
    write(
        context,
        project_jobs.add_milestone(project_id, "材料到位", TODAY - datetime.timedelta(days=3)),
    )
    add_project(context, "楼道灯更换")  # still being planned: not "running"
    invite = project_jobs.InviteDraft(households=True)
    values = {"form": "assembly", "title": "第四季度议事大会", "held_on": TODAY}
    write(context, project_jobs.add_meeting(XIAOXIMEN.id, values, [], invite))
    later = dict(values, title="明年的会", held_on=TODAY + datetime.timedelta(days=45))
    write(context, project_jobs.add_meeting(XIAOXIMEN.id, later, [], invite))

    board = Dashboard(context, XIAOXIMEN.id)
    qtbot.addWidget(board)
    board.resize(1300, 800)
    board.show()
    assert board.has_data
    assert board.title.text() == "小西门工作提醒"
    assert board.meetings.count.text() == "1"
    assert cell(board.meetings.model, 0, 0) == "今天"
    assert cell(board.meetings.model, 0, 2) == "第四季度议事大会"
    assert cell(board.meetings.model, 0, 3) == "邀请 4"
    assert board.projects.count.text() == "1"
    assert cell(board.projects.model, 0, 0) == "3 号楼门前绿化改造"
    assert cell(board.projects.model, 0, 3, PROGRESS_ROLE) == 0
    assert board.alerts.count.text() == "1"
    assert cell(board.alerts.model, 0, 2) == "已逾期 3 天"
    assert "1 个已逾期" in board.alerts.summary.text()

    # It follows changes on its own.
    write(context, topic_jobs.add_topic(XIAOXIMEN.id, {"title": "增设充电桩"}))
    assert board.topics.count.text() == "1"
    assert cell(board.topics.model, 0, 1) == "已提出"

    # The subdistrict's dashboard names the estate on every row.
    whole = Dashboard(context, None)
    qtbot.addWidget(whole)
    whole.show()
    assert whole.title.text() == "老西门街道工作提醒"
    assert cell(whole.meetings.model, 0, 2) == "【小西门】第四季度议事大会"
    assert cell(whole.projects.model, 0, 0) == "【小西门】3 号楼门前绿化改造"
    other = Dashboard(context, LONGMENCUN.id)
    qtbot.addWidget(other)
    other.show()
    assert other.meetings.count.text() == "0"
    assert other.meetings.empty.text() == "30 天内没有安排会议。"


def test_someone_at_the_door_not_invited_can_be_invited_then_marked(
    qtbot: QtBot, context: AppContext, meetings_page: MeetingsPage
) -> None:
    from xmen_desktop.ui.meetings_page import InviteMoreDialog

    schedule(qtbot, meetings_page)
    household = write(
        context,
        jobs.add_household(
            XIAOXIMEN.id, {"tenant": "周立", "address": "复兴东路 12 弄 4 号 101 室"}
        ),
    )
    write(context, jobs.add_resident(household, {"name": "周立"}))
    page = meetings_page
    qtbot.mouseClick(page.invite_more_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(page, InviteMoreDialog)
    # A name alone is not enough: it must be someone on the estate's roster.
    dialog.person.setText("周立")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "请从弹出的名单中选" in dialog.field_error("person")
    (zhou,) = [
        c for c in read(context, jobs.load_resident_choices(XIAOXIMEN.id)) if c.name == "周立"
    ]
    dialog.person.setText(dialog.person.choice_text(zhou))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert page.invitees.rowCount() == 5
    assert page.search.text() == "周立"
    assert "已加入邀请名单：周立" in page.door_message.text()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert "周立 本人到会" in page.door_message.text()
    assert page.quorum_label.text().startswith("到会 1 户，应到 5 户")


def test_the_quorum_line_of_an_area_rule_says_at_least_and_counts_area(
    meetings_page: MeetingsPage,
) -> None:
    from xmen_desktop.domain.votes import ThresholdCheck
    from xmen_desktop.store.dashboard_queries import QuorumInfo

    quorum = QuorumInfo(
        rule="art278",
        rule_name="民法典第二百七十八条（一般事项）",
        strict=False,
        share_words="三分之二",
        invited=80,
        attending=60,
        checks=(
            ThresholdCheck("到会", "headcount", 60, 80, 54, True),
            ThresholdCheck("到会", "area", 300000, 500000, 333334, False),
        ),
        explanation="",
    )
    assert meetings_page.quorum_text(quorum) == (
        "到会 60 户，应到 80 户，需不少于 54 户；"
        "到会面积 3000 ㎡，应到 5000 ㎡，需不少于 3333.34 ㎡ — 未达到"
    )
