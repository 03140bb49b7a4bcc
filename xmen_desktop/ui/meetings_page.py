"""会议: an estate's meetings (upcoming first) and, for the one chosen, its arrangements,
attendance at the door with the quorum shown live, and the minutes and resolutions.

Attendance is built for a queue at the door: type a few characters of the name or address,
press Enter when one person is left (or pick a row and press 1, 2 or 3), and the quorum line
updates at once. Someone not on the invitation list cannot be marked: the store refuses it,
and the page says how to invite them first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
)
from PySide6.QtGui import QFont, QKeyEvent, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import EstateInfo
from xmen_desktop.domain.projects import ATTENDANCE
from xmen_desktop.domain.validation import FieldError, area_text, to_halfwidth
from xmen_desktop.domain.votes import RULES
from xmen_desktop.ui import jobs, project_jobs
from xmen_desktop.ui.context import AppContext, error_message, show_error
from xmen_desktop.ui.estate_page import Page
from xmen_desktop.ui.forms import FormDialog
from xmen_desktop.ui.meeting_dialog import MeetingDialog
from xmen_desktop.ui.project_dialog import (
    OK_COLOUR,
    WARN_COLOUR,
    ResidentNameBox,
    RowsModel,
    data_table,
)
from xmen_desktop.ui.projects_page import as_estate
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import Column
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    StatusPage,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.dashboard_queries import (
        InviteeRow,
        MeetingDetail,
        MeetingRow,
        QuorumInfo,
        TopicChoice,
    )
    from xmen_desktop.store.queries import ResidentChoice

# Keys at the door: pressed on the list, they mark the chosen person.
ATTENDANCE_KEYS: dict[int, str] = {
    Qt.Key.Key_1: "present",
    Qt.Key.Key_2: "proxy",
    Qt.Key.Key_3: "absent",
}
ATTENDANCE_COLOURS: dict[str, str] = {
    "present": OK_COLOUR,
    "proxy": "#1f5fa8",
    "absent": ERROR_COLOUR,
}

MINUTES_TEMPLATE = (
    "会议时间：\n"
    "会议地点：\n"
    "主持人：\n"
    "记录人：\n"
    "出席情况：\n"
    "议程：\n"
    "1. \n"
    "讨论情况：\n"
    "1. \n"
    "会议决定：\n"
    "1. \n"
)


def _key(text: str) -> str:
    return "".join(to_halfwidth(text).lower().split())


# ---------------------------------------------------------------------------- models


class MeetingListModel(RowsModel):
    """Meetings with upcoming ones first (soonest on top), then past ones (latest on top)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = datetime.date.today()
        self.columns = [
            Column(self.tr("日期"), lambda m: m.held_on.isoformat()),
            Column(self.tr("时间"), lambda m: m.starts_at),
            Column(self.tr("类型"), lambda m: m.form_label),
            Column(self.tr("会议"), lambda m: m.title, tooltip=True),
            Column(self.tr("到会/邀请"), lambda m: f"{m.attended}/{m.invited}"),
        ]
        self.row_colour = lambda m: HINT_COLOUR if m.held_on < self.today else None
        self.row_bold = lambda m: m.held_on == self.today

    def set_meetings(self, rows: list[MeetingRow]) -> None:
        self.today = datetime.date.today()
        upcoming = [m for m in rows if m.held_on >= self.today]
        past = sorted(
            (m for m in rows if m.held_on < self.today),
            key=lambda m: (m.held_on, m.starts_at),
            reverse=True,
        )
        self.set_rows(upcoming + past)


class InviteeModel(RowsModel):
    ADDRESS, NAME, ATTENDANCE, PROXY = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("地址"), lambda i: i.address, tooltip=True),
            Column(self.tr("姓名"), lambda i: i.name),
            Column(self.tr("到会情况"), lambda i: i.attendance_label or self.tr("未登记")),
            Column(self.tr("受托人"), lambda i: i.proxy_name),
        ]
        self.cell_colour = {
            self.ATTENDANCE: lambda i: ATTENDANCE_COLOURS.get(i.attendance, HINT_COLOUR)
        }
        self._keys: list[str] = []

    def _rows_changed(self) -> None:
        self._keys = [_key(f"{i.name} {i.address} {i.proxy_name}") for i in self.rows()]

    def update_rows(self, rows: Sequence[InviteeRow]) -> None:
        """New rows for the same people in the same order only repaint (the list keeps its
        scroll position at the door); anything else resets the list."""
        if [r.id for r in rows] != [r.id for r in self._rows]:
            self.set_rows(rows)
            return
        self._rows = list(rows)
        self._rows_changed()
        if self._rows:
            emit(
                self.dataChanged,
                self.index(0, 0),
                self.index(len(self._rows) - 1, self.columnCount() - 1),
            )

    def search_key(self, row: int) -> str:
        return self._keys[row]

    def replace(self, invitee: InviteeRow) -> None:
        """One person's attendance changed: update that row only."""
        number = self.row_of_id(invitee.id)
        if number < 0:
            return
        self._rows[number] = invitee
        self._keys[number] = _key(f"{invitee.name} {invitee.address} {invitee.proxy_name}")
        emit(
            self.dataChanged,
            self.index(number, 0),
            self.index(number, self.columnCount() - 1),
        )


class InviteeFilter(QSortFilterProxyModel):
    """Keeps the invitees whose name, address or proxy contain what was typed.

    The typed text is first looked for as a whole, spaces ignored, so "1 号 101 室" (or the
    address copied as shown) finds that one flat; when that finds nobody, each word typed
    must be found somewhere ("王 12弄")."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
        whole = _key(text)
        model = self.sourceModel()
        if not whole:
            self._words = []
        elif isinstance(model, InviteeModel) and any(
            whole in model.search_key(n) for n in range(model.rowCount())
        ):
            self._words = [whole]
        else:
            self._words = [_key(w) for w in to_halfwidth(text).split() if w.strip()]
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, InviteeModel)
        key = model.search_key(source_row)
        return all(w in key for w in self._words)


class ResolutionModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("序号"), lambda r: str(r.position)),
            Column(self.tr("决议内容"), lambda r: r.text, tooltip=True),
            Column(self.tr("关联议题"), lambda r: r.topic_title or self.tr("—"), tooltip=True),
            Column(
                self.tr("表决"),
                lambda r: self.tr("已关联表决") if r.vote_id else self.tr("—"),
            ),
        ]


class MinutesHighlighter(QSyntaxHighlighter):
    """Shows the plain-text minutes' structure: headings (ending in ：) bold, numbers blue."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.heading = QTextCharFormat()
        self.heading.setFontWeight(QFont.Weight.Bold)
        self.number = QTextCharFormat()
        self.number.setForeground(Qt.GlobalColor.darkBlue)
        self.number.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        stripped = text.rstrip()
        if stripped.endswith(("：", ":")) and len(stripped) <= 20:
            self.setFormat(0, len(text), self.heading)
            return
        head = text.lstrip()
        digits = len(head) - len(head.lstrip("0123456789"))
        if digits and head[digits : digits + 1] in (".", "．", "、"):
            start = len(text) - len(head)
            self.setFormat(start, digits + 1, self.number)


# ---------------------------------------------------------------------------- the page


class MeetingsPage(Page):
    """The meetings of one estate (left) and the chosen meeting (right)."""

    TABLES = project_jobs.MEETING_TABLES | {project_jobs.TOPIC, jobs.HOUSEHOLD}

    def __init__(
        self, context: AppContext, estate: EstateInfo | str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, as_estate(estate), parent)
        self.detail: MeetingDetail | None = None
        self._pending_select: str | None = None
        self._topics: list[TopicChoice] = []
        self._topics_stale = True

        self.model = MeetingListModel(self)
        self.add_button = big_button(self.tr("安排会议…"))
        self.delete_button = big_button(self.tr("删除会议"))
        self.add_button.clicked.connect(self.add_meeting)
        self.delete_button.clicked.connect(self.delete_meeting)
        self.count_label = QLabel()
        tools = QHBoxLayout()
        tools.setSpacing(10)
        tools.addWidget(heading(self.tr("{e}会议").format(e=self.estate.name)))
        tools.addSpacing(12)
        tools.addWidget(self.count_label)
        tools.addStretch(1)
        tools.addWidget(self.delete_button)
        tools.addWidget(self.add_button)

        self.table = data_table(self.model, 3, {0: 6, 1: 3.5, 2: 7.5, 4: 5})
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_hint = hint()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.empty_hint)
        left_layout.addWidget(self.table, 1)

        self.nothing = StatusPage(
            self.tr("请在左边选中一个会议"),
            self.tr("这里可以登记到会、写会议纪要和决议。新会议请点右上方的“安排会议…”。"),
        )
        self.body = self._build_detail()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.nothing)
        self.stack.addWidget(self.body)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        cell = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([cell * 30, cell * 44])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addLayout(tools)
        layout.addWidget(splitter, 1)
        self.update_buttons()

    # ------------------------------------------------------------------ building

    def _build_detail(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(6)
        self.title_label = heading("", scale=1.35)
        self.title_label.setWordWrap(True)
        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        layout.addWidget(self.facts_label)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_plan_tab(), self.tr("会议安排"))
        self.tabs.addTab(self._build_door_tab(), self.tr("到会登记"))
        self.tabs.addTab(self._build_minutes_tab(), self.tr("纪要与决议"))
        layout.addWidget(self.tabs, 1)
        return box

    def _build_plan_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.agenda_model = QStringListModel(self)
        self.agenda_view = QListView()
        self.agenda_view.setModel(self.agenda_model)
        self.agenda_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.agenda_view.setSpacing(3)
        layout.addWidget(self.plan_label)
        layout.addSpacing(6)
        layout.addWidget(QLabel(self.tr("议程")))
        layout.addWidget(self.agenda_view, 1)
        return tab

    def _build_door_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(8)
        self.quorum_frame = QFrame()
        self.quorum_frame.setObjectName("quorum")
        quorum_box = QVBoxLayout(self.quorum_frame)
        quorum_box.setContentsMargins(12, 8, 12, 8)
        self.quorum_label = heading("", scale=1.3)
        self.quorum_label.setWordWrap(True)
        self.quorum_rule_label = hint()
        quorum_box.addWidget(self.quorum_label)
        quorum_box.addWidget(self.quorum_rule_label)
        self.tally_label = QLabel()
        layout.addWidget(self.quorum_frame)
        layout.addWidget(self.tally_label)

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            self.tr("输入姓名或地址的几个字查找；只剩一人时按回车即登记“到会”")
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(round(self.search.fontMetrics().height() * 2.1))
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._search_enter)
        self.search.installEventFilter(self)
        self.shown_label = QLabel()
        self.invite_more_button = big_button(self.tr("补充邀请…"))
        self.invite_more_button.setToolTip(
            self.tr("来了不在邀请名单上的本小区居民：先加入名单，再登记到会")
        )
        self.invite_more_button.clicked.connect(self.invite_more)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.shown_label)
        search_row.addWidget(self.invite_more_button)
        layout.addLayout(search_row)

        self.invitees = InviteeModel(self)
        self.invitee_filter = InviteeFilter(self)
        self.invitee_filter.setSourceModel(self.invitees)
        self.invitee_table = QTableView()
        self.invitee_table.setModel(self.invitee_filter)
        setup_table(self.invitee_table, stretch_column=InviteeModel.ADDRESS)
        set_column_widths(self.invitee_table, {1: 6, 2: 5.5, 3: 6})
        self.invitee_table.installEventFilter(self)
        self.invitee_table.doubleClicked.connect(lambda _i: self.mark("present"))
        self.invitee_table.selectionModel().selectionChanged.connect(self.update_buttons)
        layout.addWidget(self.invitee_table, 1)

        self.present_button = big_button(self.tr("到会（按 1）"))
        self.proxy_button = big_button(self.tr("委托（按 2）"))
        self.absent_button = big_button(self.tr("缺席（按 3）"))
        self.present_button.setStyleSheet(
            f"QPushButton:enabled {{ color: {OK_COLOUR}; font-weight: bold; }}"
        )
        self.absent_button.setStyleSheet(f"QPushButton:enabled {{ color: {ERROR_COLOUR}; }}")
        self.present_button.clicked.connect(lambda: self.mark("present"))
        self.proxy_button.clicked.connect(lambda: self.mark("proxy"))
        self.absent_button.clicked.connect(lambda: self.mark("absent"))
        self.door_message = QLabel()
        self.door_message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.present_button, self.proxy_button, self.absent_button):
            button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 7)
            buttons.addWidget(button)
        buttons.addWidget(self.door_message, 1)
        layout.addLayout(buttons)
        return tab

    def _build_minutes_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("会议纪要")))
        top.addWidget(hint(self.tr("小标题以“：”结尾，条目用“1.”“2.”开头")), 1)
        self.template_button = big_button(self.tr("插入纪要格式"))
        self.template_button.clicked.connect(self.insert_template)
        self.save_minutes_button = big_button(self.tr("保存纪要"))
        self.save_minutes_button.clicked.connect(self.save_minutes)
        top.addWidget(self.template_button)
        top.addWidget(self.save_minutes_button)
        layout.addLayout(top)
        self.minutes = QPlainTextEdit()
        self.minutes.setTabChangesFocus(True)
        self.minutes.setPlaceholderText(
            self.tr("在这里记会议经过。可以先点“插入纪要格式”，再逐项填写。")
        )
        self.highlighter = MinutesHighlighter(self.minutes.document())
        self.minutes.textChanged.connect(self.update_buttons)
        self.minutes_message = QLabel()
        layout.addWidget(self.minutes, 3)
        layout.addWidget(self.minutes_message)

        layout.addWidget(QLabel(self.tr("决议（每条可关联一个议题，它的表决会自动关联）")))
        self.resolutions = ResolutionModel(self)
        self.resolution_table = data_table(self.resolutions, 1, {0: 3, 2: 10, 3: 5})
        layout.addWidget(self.resolution_table, 2)
        self.resolution_text = QLineEdit()
        self.resolution_text.setPlaceholderText(
            self.tr("决议内容，例如“同意实施非机动车集中停放方案”")
        )
        roomy(self.resolution_text)
        self.resolution_text.returnPressed.connect(self.add_resolution)
        self.resolution_text.textChanged.connect(self.update_buttons)
        self.resolution_topic = QComboBox()
        roomy(self.resolution_topic)
        self.resolution_topic.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 14)
        self.add_resolution_button = big_button(self.tr("添加决议"))
        self.add_resolution_button.clicked.connect(self.add_resolution)
        row = QHBoxLayout()
        row.addWidget(self.resolution_text, 2)
        row.addWidget(self.resolution_topic, 1)
        row.addWidget(self.add_resolution_button)
        layout.addLayout(row)
        self.resolution_message = QLabel()
        self.resolution_message.setWordWrap(True)
        layout.addWidget(self.resolution_message)
        return tab

    # ------------------------------------------------------------------ loading

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.set_active(True)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._active = False

    def _on_changed(self, tables: frozenset[str]) -> None:
        if project_jobs.TOPIC in tables:
            self._topics_stale = True
        super()._on_changed(tables)

    def load(self) -> None:
        self.context.read(
            project_jobs.load_meetings(self.estate.id), guarded(self, self._show_meetings)
        )
        if self._topics_stale:
            self._topics_stale = False
            self.context.read(
                project_jobs.load_topic_choices(self.estate.id), guarded(self, self._set_topics)
            )

    def _set_topics(self, topics: list[TopicChoice]) -> None:
        self._topics = topics
        keep = self.resolution_topic.currentData()
        self.resolution_topic.clear()
        self.resolution_topic.addItem(self.tr("不关联议题"), None)
        for topic in topics:
            self.resolution_topic.addItem(
                self.tr("{t}（{s}）").format(t=topic.title, s=topic.state_label), topic.id
            )
        found = self.resolution_topic.findData(keep) if keep else 0
        self.resolution_topic.setCurrentIndex(max(found, 0))

    def _show_meetings(self, rows: list[MeetingRow]) -> None:
        keep = self._pending_select or self.current_meeting_id()
        self.model.set_meetings(rows)
        upcoming = sum(1 for m in rows if m.held_on >= self.model.today)
        self.count_label.setText(
            self.tr("共 {n} 次会议，{u} 次未开").format(n=len(rows), u=upcoming)
        )
        self.empty_hint.setText(
            self.tr("还没有会议。点右上方的“安排会议…”安排第一次会议。") if not rows else ""
        )
        self.empty_hint.setVisible(not rows)
        self._pending_select = None
        if keep is not None and self._select(keep):
            self._load_detail(keep)
        else:
            self.detail = None
            self.stack.setCurrentWidget(self.nothing)
        self.has_data = True
        self.update_buttons()
        emit(self.loaded)

    def _select(self, meeting_id: str) -> bool:
        row = self.model.row_of_id(meeting_id)
        if row < 0:
            return False
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        self.table.selectRow(row)
        selection.blockSignals(False)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def select_meeting(self, meeting_id: str) -> None:
        if self._select(meeting_id):
            self._load_detail(meeting_id)
        else:
            self._pending_select = meeting_id

    def current_meeting_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).id if rows else None

    def _selection_changed(self, *_: object) -> None:
        meeting_id = self.current_meeting_id()
        if meeting_id is None:
            self.detail = None
            self.stack.setCurrentWidget(self.nothing)
            self.update_buttons()
            return
        self._load_detail(meeting_id, fresh=True)

    def _load_detail(self, meeting_id: str, *, fresh: bool = False) -> None:
        def show(detail: MeetingDetail) -> None:
            self._show_detail(detail, fresh=fresh)

        self.context.read(
            project_jobs.load_meeting(meeting_id),
            guarded(self, show),
            guarded(self, lambda error: show_error(self, error, self.tr("会议打不开"))),
        )

    def _show_detail(self, detail: MeetingDetail, *, fresh: bool) -> None:
        previous = self.detail
        same = previous is not None and previous.id == detail.id
        self.detail = detail
        row = detail.row
        self.stack.setCurrentWidget(self.body)
        self.title_label.setText(row.title)
        when = row.held_on.isoformat() + (f" {row.starts_at}" if row.starts_at else "")
        facts = [
            self.tr("{form}").format(form=row.form_label),
            self.tr("时间：{w}").format(w=when),
            self.tr("地点：{p}").format(p=row.place or self.tr("未填")),
            self.tr("召集人：{c}").format(c=row.convener or self.tr("未填")),
        ]
        self.facts_label.setText("　·　".join(facts))
        plan = [
            self.tr("邀请 {n} 位（户）").format(n=row.invited),
            self.tr("已登记到会 {n} 位（含委托）").format(n=row.attended),
        ]
        if row.is_assembly:
            plan.append(
                self.tr("法定人数按“{rule}”计算").format(
                    rule=RULES[row.quorum_rule].name
                    if row.quorum_rule in RULES
                    else row.quorum_rule
                )
            )
        self.plan_label.setText("；".join(plan) + "。")
        self.agenda_model.setStringList(
            [f"{n}. {item.text}" for n, item in enumerate(detail.agenda, 1)]
            or [self.tr("（没有列议程）")]
        )

        keep = self.current_invitee()
        if same:
            self.invitees.update_rows(detail.invitees)
        else:
            self.invitees.set_rows(detail.invitees)
        self._reselect_invitee(keep.id if keep else None)
        self._show_quorum(detail.quorum)
        self._show_tally()
        self._update_shown()

        if not same or not self._minutes_dirty(previous):
            self.minutes.blockSignals(True)
            self.minutes.setPlainText(detail.minutes)
            self.minutes.blockSignals(False)
        self.resolutions.set_rows(detail.resolutions)
        if fresh or not same:
            self.search.clear()
            self.door_message.setText("")
            self.minutes_message.setText("")
            self.resolution_message.setText("")
            if row.held_on == datetime.date.today():
                self.tabs.setCurrentIndex(1)  # meeting day: straight to the door
        self.update_buttons()

    def _minutes_dirty(self, detail: MeetingDetail | None) -> bool:
        return detail is not None and self.minutes.toPlainText().strip() != detail.minutes.strip()

    # ------------------------------------------------------------------ quorum

    def _show_quorum(self, quorum: QuorumInfo | None) -> None:
        detail = self.detail
        if detail is None:
            return
        if quorum is None:
            attended = sum(1 for i in self.invitees.rows() if i.attendance in ("present", "proxy"))
            self.quorum_label.setText(
                self.tr("已到 {a} 位，共邀请 {n} 位").format(
                    a=attended, n=len(self.invitees.rows())
                )
            )
            self.quorum_label.setStyleSheet("")
            self.quorum_rule_label.setText(self.tr("这不是议事大会，不计算法定人数。"))
            self.quorum_frame.setStyleSheet(
                "QFrame#quorum { border: 1px solid #c4c4c4; border-radius: 6px; }"
            )
            return
        if quorum.invited == 0:
            self.quorum_label.setText(self.tr("还没有邀请住户，无法计算法定人数"))
            colour, background = ERROR_COLOUR, "#fbeaea"
        else:
            self.quorum_label.setText(self.quorum_text(quorum))
            colour, background = (OK_COLOUR, "#e8f3ea") if quorum.met else (ERROR_COLOUR, "#fbeaea")
        self.quorum_label.setStyleSheet(f"color: {colour};")
        self.quorum_frame.setStyleSheet(
            f"QFrame#quorum {{ background: {background}; border: 1px solid {colour};"
            " border-radius: 6px; }"
        )
        self.quorum_rule_label.setText(
            self.tr("{explain}。同一户来几个人只算一户；委托到会也算到会。").format(
                explain=quorum.explanation
            )
        )

    def quorum_text(self, quorum: QuorumInfo) -> str:
        """到会 45 户，应到 80 户，需超过 40 户 — 已达到; the area too where the rule counts it."""
        need_words = self.tr("超过") if quorum.strict else self.tr("不少于")
        parts = []
        for check in quorum.checks:
            # The smallest count that meets a "more than" threshold is one above the line.
            line = check.needed - 1 if quorum.strict else check.needed
            if check.basis == "headcount":
                parts.append(
                    self.tr("到会 {part} 户，应到 {whole} 户，需{words} {line} 户").format(
                        part=check.part, whole=check.whole, words=need_words, line=line
                    )
                )
            else:
                parts.append(
                    self.tr("到会面积 {part} ㎡，应到 {whole} ㎡，需{words} {line} ㎡").format(
                        part=area_text(check.part),
                        whole=area_text(check.whole),
                        words=need_words,
                        line=area_text(line),
                    )
                )
        text = self.tr("；").join(parts)
        if quorum.met:
            return self.tr("{text} — 已达到").format(text=text)
        short = [c for c in quorum.checks if not c.met and c.basis == "headcount"]
        if short:
            return self.tr("{text} — 未达到（还差 {n} 户）").format(
                text=text, n=short[0].needed - short[0].part
            )
        return self.tr("{text} — 未达到").format(text=text)

    def _show_tally(self) -> None:
        counts = dict.fromkeys(("present", "proxy", "absent", ""), 0)
        for invitee in self.invitees.rows():
            counts[invitee.attendance if invitee.attendance in counts else ""] += 1
        self.tally_label.setText(
            self.tr("本人到会 {p}　委托到会 {x}　缺席 {a}　未登记 {n}").format(
                p=counts["present"], x=counts["proxy"], a=counts["absent"], n=counts[""]
            )
        )

    # ------------------------------------------------------------------ the door

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.invitee_table:
                if key in ATTENDANCE_KEYS:
                    self.mark(ATTENDANCE_KEYS[Qt.Key(key)])
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.mark("present")
                    return True
            elif watched is self.search and key == Qt.Key.Key_Down:
                if self.invitee_filter.rowCount():
                    self.invitee_table.setFocus()
                    self.invitee_table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    def _search_changed(self, text: str) -> None:
        self.invitee_filter.set_text(text)
        self._update_shown()
        if self.invitee_filter.rowCount() == 1:
            self.invitee_table.selectRow(0)

    def _update_shown(self) -> None:
        total, shown = self.invitees.rowCount(), self.invitee_filter.rowCount()
        self.shown_label.setText(
            self.tr("共 {n} 位").format(n=total)
            if shown == total
            else self.tr("找到 {s} 位（共 {n} 位）").format(s=shown, n=total)
        )

    def _search_enter(self) -> None:
        shown = self.invitee_filter.rowCount()
        typed = self.search.text().strip()
        if shown == 1:
            self.invitee_table.selectRow(0)
            self.mark("present")
        elif shown == 0 and typed:
            self._say(
                self.tr(
                    "邀请名单上没有“{t}”。不在名单上的人不能登记到会："
                    "如是本小区居民，请点“补充邀请…”先加入名单。"
                ).format(t=typed),
                ERROR_COLOUR,
            )
        elif shown > 1:
            self._say(
                self.tr("找到 {n} 位，请再多输入几个字，或按↓键到名单里选。").format(n=shown),
                WARN_COLOUR,
            )

    def current_invitee(self) -> InviteeRow | None:
        rows = self.invitee_table.selectionModel().selectedRows()
        if not rows:
            return None
        source = self.invitee_filter.mapToSource(rows[0])
        return self.invitees.row_at(source.row())  # type: ignore[no-any-return]

    def _reselect_invitee(self, invitee_id: str | None) -> None:
        if invitee_id is None:
            return
        number = self.invitees.row_of_id(invitee_id)
        if number < 0:
            return
        index = self.invitee_filter.mapFromSource(self.invitees.index(number, 0))
        if index.isValid():
            self.invitee_table.selectRow(index.row())
            self.invitee_table.scrollTo(index)

    def mark(self, status: str) -> None:
        """Record the chosen person's attendance: 到会, 委托 (asks who holds the proxy), 缺席."""
        detail, invitee = self.detail, self.current_invitee()
        if detail is None:
            return
        if invitee is None:
            self._say(
                self.tr("请先在名单里选一位（或在上面的框里输入姓名、地址查找）。"), ERROR_COLOUR
            )
            return
        proxy = ""
        if status == "proxy":
            proxy, ok = QInputDialog.getText(
                self,
                self.tr("委托到会"),
                self.tr("{name}（{address}）委托谁来开会？请写受托人姓名：").format(
                    name=invitee.name, address=invitee.address
                ),
                QLineEdit.EchoMode.Normal,
                invitee.proxy_name,
            )
            if not ok:
                return
            proxy = proxy.strip()
            if not proxy:
                self._say(self.tr("没有登记：委托到会要写明受托人的姓名。"), ERROR_COLOUR)
                return

        def done(outcome: project_jobs.AttendanceOutcome) -> None:
            self.invitees.replace(outcome.invitee)
            if outcome.quorum is not None:
                self._show_quorum(outcome.quorum)
            elif self.detail is not None and self.detail.quorum is None:
                self._show_quorum(None)
            self._show_tally()
            label = ATTENDANCE[outcome.invitee.attendance]
            extra = self.tr("（受托人 {p}）").format(p=outcome.invitee.proxy_name) if proxy else ""
            self._say(
                self.tr("已登记：{name} {label}{extra}").format(
                    name=outcome.invitee.name, label=label, extra=extra
                ),
                ATTENDANCE_COLOURS[outcome.invitee.attendance],
            )
            if self.search.text():
                self.search.clear()
                self.search.setFocus()

        def failed(error: BaseException) -> None:
            self._say(error_message(error), ERROR_COLOUR)

        self.context.write(
            project_jobs.record_attendance(detail.id, invitee.id, status, proxy),
            guarded(self, done),
            guarded(self, failed),
        )

    def _say(self, text: str, colour: str) -> None:
        self.door_message.setText(text)
        self.door_message.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def invite_more(self) -> None:
        detail = self.detail
        if detail is None:
            return
        dialog = InviteMoreDialog(self.context, detail.id, self.estate.id, parent=self)
        dialog.saved.connect(self._invited)
        dialog.open()

    def _invited(self, resident_id: str) -> None:
        """Someone just added to the list: find them, ready to be marked."""
        for invitee in self.invitees.rows():
            if invitee.resident_id == resident_id:
                self.search.setText(invitee.name)
                self._say(
                    self.tr("已加入邀请名单：{name}。现在可以登记到会。").format(name=invitee.name),
                    OK_COLOUR,
                )
                self.search.setFocus()
                return

    # ------------------------------------------------------------------ minutes

    def insert_template(self) -> None:
        if self.minutes.toPlainText().strip():
            cursor = self.minutes.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText("\n\n" + MINUTES_TEMPLATE)
        else:
            self.minutes.setPlainText(MINUTES_TEMPLATE)
        self.minutes.setFocus()

    def save_minutes(self) -> None:
        detail = self.detail
        if detail is None:
            return

        def done(_id: str) -> None:
            self.minutes_message.setText(self.tr("纪要已保存。"))
            self.minutes_message.setStyleSheet(f"color: {OK_COLOUR};")

        self.context.write(
            project_jobs.set_minutes(detail.id, self.minutes.toPlainText()),
            guarded(self, done),
            guarded(self, lambda error: show_error(self, error, self.tr("纪要没有保存"))),
        )

    def add_resolution(self) -> None:
        detail = self.detail
        text = self.resolution_text.text().strip()
        if detail is None:
            return
        if not text:
            self.resolution_message.setText(self.tr("请先写决议内容，再点“添加决议”。"))
            self.resolution_message.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        topic_id = self.resolution_topic.currentData()

        def done(_id: str) -> None:
            self.resolution_text.clear()
            self.resolution_topic.setCurrentIndex(0)
            self.resolution_message.setText(self.tr("决议已添加。"))
            self.resolution_message.setStyleSheet(f"color: {OK_COLOUR};")

        def failed(error: BaseException) -> None:
            self.resolution_message.setText(error_message(error))
            self.resolution_message.setStyleSheet(f"color: {ERROR_COLOUR};")

        self.context.write(
            project_jobs.add_resolution(detail.id, text, topic_id),
            guarded(self, done),
            guarded(self, failed),
        )

    # ------------------------------------------------------------------ meetings

    def update_buttons(self, *_: object) -> None:
        ready = self.context.store is not None
        detail = self.detail
        self.add_button.setEnabled(ready)
        self.delete_button.setEnabled(detail is not None)
        chosen = self.current_invitee() is not None
        for button in (self.present_button, self.proxy_button, self.absent_button):
            button.setEnabled(detail is not None and chosen)
        self.invite_more_button.setEnabled(detail is not None)
        self.save_minutes_button.setEnabled(detail is not None and self._minutes_dirty(detail))
        self.add_resolution_button.setEnabled(
            detail is not None and bool(self.resolution_text.text().strip())
        )

    def add_meeting(self) -> MeetingDialog:
        dialog = MeetingDialog(self.context, self.estate.id, self.estate.name, parent=self)
        dialog.saved.connect(self.select_meeting)
        dialog.open()
        return dialog

    def delete_meeting(self) -> None:
        detail = self.detail
        if detail is None:
            return
        question = self.tr(
            "确定删除“{title}”（{day}）吗？\n它的邀请名单、到会登记、纪要和决议都会一起删除。"
        ).format(title=detail.row.title, day=detail.row.held_on.isoformat())
        if not ask(self, self.tr("删除会议"), question):
            return
        self.context.write(
            project_jobs.delete_meeting(detail.id),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("没有删除"))),
        )


class InviteMoreDialog(FormDialog):
    """补充邀请: add a resident of the estate to the invitation list (someone at the door)."""

    def __init__(
        self, context: AppContext, meeting_id: str, estate_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, self.tr("补充邀请"), parent)
        self.meeting_id = meeting_id
        self.person = ResidentNameBox()
        self.add_field(
            "person",
            self.tr("居民"),
            self.person,
            rule=self._check_person,
            note=self.tr("只能邀请本小区名册上的居民；加入后在名单里登记到会"),
        )
        self.save_button.setText(self.tr("加入邀请名单"))
        self.remember_initial()
        self.person.setFocus()
        context.read(jobs.load_resident_choices(estate_id), guarded(self, self._set_choices))

    def _set_choices(self, choices: list[ResidentChoice]) -> None:
        self.person.set_choices(choices)

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("加入邀请名单"))

    def _check_person(self, _value: object) -> object:
        if self.person.picked() is None:
            raise FieldError("person", self.tr("请从弹出的名单中选一位本小区居民"))
        return None

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        picked = self.person.picked()
        assert picked is not None
        return project_jobs.invite_resident(self.meeting_id, picked.id)
