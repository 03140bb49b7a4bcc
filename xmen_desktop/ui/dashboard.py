"""工作提醒: what needs attention, in one estate or (``estate_id=None``) the whole subdistrict.

Five compact sections, each with its count: meetings in the next 30 days, projects in
progress with their progress bars, milestones overdue (red) or due within two weeks, topics
waiting for someone to act, and notices whose publicity period is running. It reloads after
any change to what it shows; while out of sight it only notes that it is out of date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import SUBDISTRICT_NAME, estate_by_name_or_code
from xmen_desktop.domain.money import yuan
from xmen_desktop.domain.topics import STATES
from xmen_desktop.ui import jobs, project_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.project_dialog import (
    OK_COLOUR,
    WARN_COLOUR,
    ProgressDelegate,
    RowsModel,
)
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import Column
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    StatusPage,
    guarded,
    heading,
    hint,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from xmen_desktop.store.dashboard_queries import DashboardData

# Tables whose changes the dashboard shows.
TABLES = (
    project_jobs.PROJECT_TABLES
    | project_jobs.MEETING_TABLES
    | {
        project_jobs.TOPIC,
        project_jobs.NOTICE,
        project_jobs.NOTICE_ESTATE,
        project_jobs.NOTICE_POSTING,
        jobs.HOUSEHOLD,
    }
)
# Rows each section shows before it scrolls.
SECTION_ROWS = 5

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class Section(QFrame):
    """A titled box with a count and a small table; a plain sentence when there is nothing."""

    # The id of the row double-clicked.
    chosen = Signal(str)

    def __init__(
        self, title: str, model: RowsModel, stretch: int, widths: dict[int, float]
    ) -> None:
        super().__init__()
        self.setObjectName("section")
        self.setStyleSheet(
            "QFrame#section { background: #ffffff; border: 1px solid #c9c9c9; border-radius: 8px; }"
        )
        self.model = model
        self.title = heading(title, scale=1.1)
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count.setMinimumWidth(self.fontMetrics().horizontalAdvance("000") + 16)
        self.count.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setVisible(False)
        self.empty = hint()
        self.empty.setVisible(False)
        self.table = QTableView()
        self.table.setModel(model)
        setup_table(self.table, stretch_column=stretch)
        set_column_widths(self.table, widths)
        self.table.horizontalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.doubleClicked.connect(self._double_clicked)
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(row_height * SECTION_ROWS + 4)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addStretch(1)

    def set_summary(self, text: str, colour: str = HINT_COLOUR, *, bold: bool = False) -> None:
        """A line under the title ("1 个已逾期"); hidden when there is nothing to say."""
        self.summary.setText(text)
        weight = "bold" if bold else "normal"
        self.summary.setStyleSheet(f"color: {colour}; font-weight: {weight};")
        self.summary.setVisible(bool(text))

    def show_rows(self, rows: list[Any], empty_text: str, *, alarm: bool = False) -> None:
        self.model.set_rows(rows)
        colour = ERROR_COLOUR if alarm else ("#3b73b9" if rows else "#9a9a9a")
        self.count.setText(str(len(rows)))
        self.count.setStyleSheet(
            f"color: #ffffff; background: {colour}; border-radius: 10px;"
            " padding: 1px 8px; font-weight: bold;"
        )
        self.empty.setText(empty_text)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows and len(rows) < SECTION_ROWS:
            self.table.setFixedHeight(
                self.table.verticalHeader().defaultSectionSize() * len(rows) + 4
            )
        elif rows:
            self.table.setFixedHeight(
                self.table.verticalHeader().defaultSectionSize() * SECTION_ROWS + 4
            )

    def _double_clicked(self, index: Any) -> None:
        emit(self.chosen, self.model.row_at(index.row()).id)


class Dashboard(QWidget):
    """工作提醒 of one estate, or of the whole subdistrict when ``estate_id`` is None."""

    loaded = Signal()
    # Double-clicked rows, for the window to open where they live (ids).
    meeting_chosen = Signal(str)
    project_chosen = Signal(str)
    topic_chosen = Signal(str)
    notice_chosen = Signal(str)

    def __init__(
        self, context: AppContext, estate_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.estate_id = estate_id
        estate = estate_by_name_or_code(estate_id) if estate_id else None
        self.estate_id = estate.id if estate else estate_id
        self.whole = estate_id is None
        self.data: DashboardData | None = None
        self.has_data = False
        self._stale = True
        self._active = False

        place = SUBDISTRICT_NAME if self.whole else (estate.name if estate else "")
        self.title = heading(self.tr("{place}工作提醒").format(place=place), scale=1.4)
        self.day_label = hint()

        self.meetings = Section(
            self.tr("近期会议（30 天内）"), self._meeting_model(), 2, self._widths(5, 3, 0, 5.5)
        )
        self.projects = Section(
            self.tr("进行中的项目"), self._project_model(), 0, self._widths(0, 7, 6.5, 14, 19)
        )
        self.projects.table.setItemDelegateForColumn(
            self._project_progress_column, ProgressDelegate(self.projects.table)
        )
        self.alerts = Section(
            self.tr("节点提醒（逾期或两周内到期）"), self._alert_model(), 1, self._widths(5, 0, 12)
        )
        self.topics = Section(self.tr("待办议题"), self._topic_model(), 0, self._widths(0, 5, 6))
        self.notices = Section(
            self.tr("公示中的通知"), self._notice_model(), 0, self._widths(0, 19)
        )
        self.meetings.chosen.connect(self.meeting_chosen)
        self.projects.chosen.connect(self.project_chosen)
        self.topics.chosen.connect(self.topic_chosen)
        self.notices.chosen.connect(self.notice_chosen)
        self.alerts.chosen.connect(self._alert_chosen)

        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(20, 16, 20, 16)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.day_label)
        grid.addLayout(head, 0, 0, 1, 2)
        grid.addWidget(self.meetings, 1, 0)
        grid.addWidget(self.alerts, 1, 1)
        grid.addWidget(self.projects, 2, 0, 1, 2)
        grid.addWidget(self.topics, 3, 0)
        grid.addWidget(self.notices, 3, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content.setObjectName("dashboard")
        content.setStyleSheet("QWidget#dashboard { background: #f3f3f3; }")

        self.waiting = StatusPage(self.tr("正在读取……"), self.tr("请稍候，马上就好。"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.waiting)
        layout.addWidget(scroll, 1)
        self.scroll = scroll
        scroll.setVisible(False)

        context.changed.connect(self._on_changed)
        context.store_ready.connect(self.refresh)

    # ------------------------------------------------------------------ columns

    def _widths(self, *chars: float) -> dict[int, float]:
        """Column widths in characters; 0 is the stretching column, left out here."""
        return {n: c for n, c in enumerate(chars) if c}

    def _estate(self, estate_id: str) -> str:
        names = self.data.estate_names if self.data is not None else {}
        return names.get(estate_id, "")

    def _where(self, estate_id: str, text: str) -> str:
        """In the subdistrict view every row says which estate it belongs to."""
        if not self.whole:
            return text
        return self.tr("【{e}】{t}").format(e=self._estate(estate_id), t=text)

    def _meeting_model(self) -> RowsModel:
        model = RowsModel(self)
        model.columns = [
            Column(self.tr("日期"), lambda m: self._day(m.held_on)),
            Column(self.tr("时间"), lambda m: m.starts_at),
            Column(self.tr("会议"), lambda m: self._where(m.estate_id, m.title), tooltip=True),
            Column(self.tr("邀请"), self._invited, _RIGHT),
        ]
        model.row_bold = lambda m: self.data is not None and m.held_on == self.data.day
        model.cell_colour = {3: lambda m: None if m.invited else WARN_COLOUR}
        return model

    def _invited(self, meeting: Any) -> str:
        if not meeting.invited:
            return self.tr("未邀请")
        return self.tr("邀请 {n}").format(n=meeting.invited)

    def _day(self, day: Any) -> str:
        if self.data is not None:
            days = (day - self.data.day).days
            if days == 0:
                return self.tr("今天")
            if days == 1:
                return self.tr("明天")
        return f"{day.month}月{day.day}日"

    _project_progress_column = 3

    def _project_model(self) -> RowsModel:
        model = RowsModel(self)
        model.columns = [
            Column(self.tr("项目"), lambda p: self._where(p.estate_id, p.title), tooltip=True),
            Column(self.tr("负责人"), lambda p: p.lead_name or self.tr("负责人未定")),
            Column(self.tr("开始"), lambda p: p.started_on.isoformat()),
            Column(self.tr("进度"), lambda p: f"{p.progress}%", _RIGHT),
            Column(self.tr("支出"), self._spending),
        ]
        model.progress_column = self._project_progress_column
        model.cell_colour = {
            4: lambda p: ERROR_COLOUR if p.spent_fen > p.budget_fen else None,
            0: lambda p: ERROR_COLOUR if p.overdue else None,
        }
        return model

    def _spending(self, project: Any) -> str:
        if project.spent_fen > project.budget_fen:
            return self.tr("超支 {o} 元").format(o=yuan(project.spent_fen - project.budget_fen))
        return self.tr("已支 {s} / {b} 元").format(
            s=yuan(project.spent_fen), b=yuan(project.budget_fen)
        )

    def _alert_model(self) -> RowsModel:
        model = RowsModel(self)
        model.columns = [
            Column(self.tr("到期"), lambda a: self._day(a.due_on)),
            Column(
                self.tr("节点"),
                lambda a: self._where(
                    a.estate_id, self.tr("{p}：{m}").format(p=a.project_title, m=a.title)
                ),
                tooltip=True,
            ),
            Column(self.tr("情况"), self._alert_state),
        ]
        model.row_colour = lambda a: ERROR_COLOUR if a.overdue else WARN_COLOUR
        model.row_bold = lambda a: a.overdue
        return model

    def _alert_state(self, alert: Any) -> str:
        if self.data is None:
            return ""
        days = (alert.due_on - self.data.day).days
        if alert.overdue:
            return self.tr("已逾期 {n} 天").format(n=-days)
        if days == 0:
            return self.tr("今天到期（{p}%）").format(p=alert.progress)
        return self.tr("{n} 天后到期（{p}%）").format(n=days, p=alert.progress)

    def _topic_model(self) -> RowsModel:
        model = RowsModel(self)
        model.columns = [
            Column(self.tr("议题"), lambda t: self._where(t.estate_id, t.title), tooltip=True),
            Column(self.tr("状态"), lambda t: t.state_label),
            Column(self.tr("提出"), lambda t: t.raised_on.isoformat()),
        ]
        model.cell_colour = {1: lambda t: "#1f5fa8" if t.state == "voting" else None}
        return model

    def _notice_model(self) -> RowsModel:
        model = RowsModel(self)
        model.columns = [
            Column(self.tr("通知"), self._notice_title, tooltip=True),
            Column(self.tr("公示"), lambda n: n.publicity.label, tooltip=True),
        ]
        model.cell_colour = {
            1: lambda n: (
                ERROR_COLOUR
                if n.publicity.state == "ended"
                else WARN_COLOUR
                if n.publicity.state == "ending"
                else OK_COLOUR
            )
        }
        return model

    def _notice_title(self, notice: Any) -> str:
        if not self.whole:
            return str(notice.title)
        return self.tr("【{e}】{t}").format(e="、".join(notice.estates), t=notice.title)

    def _alert_chosen(self, milestone_id: str) -> None:
        if self.data is None:
            return
        for alert in self.data.alerts:
            if alert.id == milestone_id:
                emit(self.project_chosen, alert.project_id)
                return

    # ------------------------------------------------------------------ loading

    def set_active(self, active: bool) -> None:
        self._active = active
        if active and self._stale:
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.set_active(True)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._active = False

    def _on_changed(self, tables: frozenset[str]) -> None:
        if not TABLES & tables:
            return
        self._stale = True
        if self._active:
            self.refresh()

    def refresh(self) -> None:
        if self.context.store is None:
            return
        self._stale = False
        self.context.read(project_jobs.load_dashboard(self.estate_id), guarded(self, self._show))

    def _show(self, data: DashboardData) -> None:
        self.data = data
        self.day_label.setText(
            self.tr("{y}年{m}月{d}日").format(y=data.day.year, m=data.day.month, d=data.day.day)
        )
        self.meetings.show_rows(list(data.meetings), self.tr("30 天内没有安排会议。"))
        self.projects.show_rows(
            list(data.projects),
            self.tr("没有进行中的项目。"),
            alarm=any(p.overdue or p.spent_fen > p.budget_fen for p in data.projects),
        )
        over = sum(1 for p in data.projects if p.spent_fen > p.budget_fen)
        late = sum(1 for p in data.projects if p.overdue)
        notes = []
        if late:
            notes.append(self.tr("{n} 个有逾期节点（红字）").format(n=late))
        if over:
            notes.append(self.tr("{n} 个超支").format(n=over))
        self.projects.set_summary("，".join(notes), ERROR_COLOUR)
        self.alerts.show_rows(
            list(data.alerts),
            self.tr("没有逾期或两周内到期的节点。"),
            alarm=data.overdue > 0,
        )
        self.alerts.set_summary(
            self.tr("其中 {n} 个已逾期，请尽快跟进").format(n=data.overdue) if data.overdue else "",
            ERROR_COLOUR,
            bold=True,
        )
        self.topics.show_rows(list(data.topics), self.tr("没有等待办理的议题。"))
        counts = data.topic_counts()
        self.topics.set_summary(
            "　".join(
                self.tr("{s} {n}").format(s=STATES[state], n=n) for state, n in counts.items() if n
            )
        )
        ended = sum(1 for n in data.notices if n.publicity.state == "ended")
        self.notices.show_rows(list(data.notices), self.tr("没有正在公示的通知。"), alarm=ended > 0)
        self.notices.set_summary(
            self.tr("{n} 份公示期已过，请撤下并记录").format(n=ended) if ended else "",
            ERROR_COLOUR,
            bold=True,
        )
        self.waiting.setVisible(False)
        self.scroll.setVisible(True)
        self.has_data = True
        emit(self.loaded)
