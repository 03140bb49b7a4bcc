"""自治项目: an estate's projects on a board, one column per status, each project a card.

A card shows the title, the lead, progress, budget against spending (red with 超支 when over)
and overdue milestones in red. Double-clicking a card (or 打开项目) opens the project in
detail; 立项… starts a new one, from a passed topic or directly by the executive committee.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import EstateInfo, estate_by_name_or_code
from xmen_desktop.domain.money import yuan
from xmen_desktop.domain.projects import PROJECT_STATES
from xmen_desktop.ui import project_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.estate_page import Page
from xmen_desktop.ui.project_dialog import (
    OK_COLOUR,
    WARN_COLOUR,
    NewProjectDialog,
    ProjectDetailDialog,
    draw_progress,
)
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import ERROR_COLOUR, HINT_COLOUR, big_button, guarded, heading, hint

if TYPE_CHECKING:
    from xmen_desktop.store.dashboard_queries import BoardCard

# The row object behind a card.
ROW_ROLE = Qt.ItemDataRole.UserRole + 30
# The lines a card shows under its title: [(text, colour or None)].
LINES_ROLE = Qt.ItemDataRole.UserRole + 31

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

# The colour of each column's heading strip.
STATUS_COLOURS: dict[str, str] = {
    "planned": "#6b6b6b",
    "in_progress": "#3b73b9",
    "paused": WARN_COLOUR,
    "done": OK_COLOUR,
    "cancelled": "#8c8c8c",
}


def as_estate(estate: EstateInfo | str) -> EstateInfo:
    """The estate of a page, given as itself or by id, code or name."""
    if isinstance(estate, EstateInfo):
        return estate
    found = estate_by_name_or_code(estate)
    if found is None:
        raise ValueError(f"unknown estate {estate!r}")
    return found


class CardModel(QAbstractListModel):
    """The projects of one status, as cards; fed plain ``BoardCard`` objects."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BoardCard] = []

    def set_rows(self, rows: Sequence[BoardCard]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of_id(self, project_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == project_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        card = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.row.title
        if role == ROW_ROLE:
            return card
        if role == LINES_ROLE:
            return self.lines(card)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([card.row.title] + [text for text, _colour in self.lines(card)])
        return None

    def lines(self, card: BoardCard) -> list[tuple[str, str | None]]:
        """The text lines of a card after its title and bar, each with its colour (None: usual)."""
        row = card.row
        lead = row.lead_name or self.tr("未定")
        lines: list[tuple[str, str | None]] = [(self.tr("负责人：{n}").format(n=lead), None)]
        if row.budget_fen == 0 and row.spent_fen == 0:
            lines.append((self.tr("还没有做预算"), HINT_COLOUR))
        else:
            lines.append((self.tr("预算 {b} 元").format(b=yuan(row.budget_fen)), None))
            spent = self.tr("已支出 {s} 元").format(s=yuan(row.spent_fen))
            if card.over:
                spent += self.tr("，超支 {o} 元").format(o=yuan(row.spent_fen - row.budget_fen))
            lines.append((spent, ERROR_COLOUR if card.over else None))
            if card.over_lines and not card.over:
                lines.append(
                    (
                        self.tr("⚠ {n} 个预算项目超支").format(n=card.over_lines),
                        ERROR_COLOUR,
                    )
                )
        if row.overdue:
            lines.append((self.tr("⚠ {n} 个节点已逾期").format(n=row.overdue), ERROR_COLOUR))
        if row.due_soon:
            lines.append((self.tr("{n} 个节点两周内到期").format(n=row.due_soon), WARN_COLOUR))
        return lines


class CardDelegate(QStyledItemDelegate):
    """Paints a project as a card: title, lead, a progress bar, money, milestone warnings."""

    PAD = 10

    def _lines(self, index: QModelIndex | QPersistentModelIndex) -> list[tuple[str, str | None]]:
        return list(index.data(LINES_ROLE) or [])

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.lineSpacing()
        count = len(self._lines(index))
        # The title (bold, a little larger), the bar, then the other lines.
        height = self.PAD * 2 + round(line * 1.25) + round(line * 1.2) + line * count + 6
        return QSize(option.rect.width() or 200, height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card_row: BoardCard | None = index.data(ROW_ROLE)
        if card_row is None:
            return
        row = card_row.row
        lines = self._lines(index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = option.rect.adjusted(3, 3, -3, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        warning = row.overdue > 0 or card_row.over or card_row.over_lines > 0
        border = QColor("#1f5fa8" if selected else ERROR_COLOUR if warning else "#c4c4c4")
        painter.setPen(QPen(border, 2.5 if selected else 1.2))
        painter.setBrush(QColor("#e6f0fb" if selected else "#ffffff"))
        painter.drawRoundedRect(card, 6, 6)
        # A coloured strip on the left says the status at a glance.
        strip = QRect(card.left() + 1, card.top() + 6, 4, card.height() - 12)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLOURS.get(row.status, "#888888")))
        painter.drawRect(strip)

        inner = card.adjusted(self.PAD + 4, self.PAD - 2, -self.PAD, -self.PAD)
        metrics = option.fontMetrics
        line = metrics.lineSpacing()
        y = inner.top()
        title_font = QFont(option.font)
        title_font.setBold(True)
        title_font.setPointSizeF(option.font.pointSizeF() * 1.08)
        painter.setFont(title_font)
        painter.setPen(QColor("#111111"))
        title_height = round(line * 1.25)
        title = painter.fontMetrics().elidedText(
            row.title, Qt.TextElideMode.ElideRight, inner.width()
        )
        painter.drawText(QRect(inner.left(), y, inner.width(), title_height), _LEFT, title)
        y += title_height
        painter.setFont(option.font)
        bar_height = round(line * 1.2)
        bar = QRect(inner.left(), y, inner.width(), bar_height)
        if card_row.milestones:
            draw_progress(painter, bar, row.progress)
        else:
            painter.setPen(QColor(HINT_COLOUR))
            painter.drawText(bar, _LEFT, self.tr("还没有进度节点"))
        y += bar_height
        for text, colour in lines:
            font = QFont(option.font)
            font.setBold(colour == ERROR_COLOUR)
            painter.setFont(font)
            painter.setPen(QColor(colour or "#333333"))
            shown = painter.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, inner.width()
            )
            painter.drawText(QRect(inner.left(), y, inner.width(), line), _LEFT, shown)
            y += line
        painter.restore()


class CardList(QListView):
    """One column of the board; Enter opens the chosen card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(CardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setStyleSheet("QListView { background: #f3f3f3; border: none; }")
        self.on_enter: Any = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            if self.on_enter is not None:
                self.on_enter()
            return
        super().keyPressEvent(event)


class ProjectsPage(Page):
    """The projects of one estate on a board by status; ``estate`` may be given by its id."""

    TABLES = project_jobs.PROJECT_TABLES

    def __init__(
        self, context: AppContext, estate: EstateInfo | str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, as_estate(estate), parent)
        self._rows: list[BoardCard] = []
        self._chosen: str | None = None
        self.detail_dialog: ProjectDetailDialog | None = None

        self.title = heading(self.tr("{estate}自治项目").format(estate=self.estate.name))
        self.count_label = QLabel()
        self.add_button = big_button(self.tr("立项…"))
        self.add_button.setToolTip(self.tr("根据已通过的议题，或由执委会直接，建立一个自治项目"))
        self.open_button = big_button(self.tr("打开项目"))
        self.add_button.clicked.connect(lambda: self.add_project())
        self.open_button.clicked.connect(self.open_chosen)
        tools = QHBoxLayout()
        tools.setSpacing(10)
        tools.addWidget(self.title)
        tools.addSpacing(12)
        tools.addWidget(self.count_label)
        tools.addStretch(1)
        tools.addWidget(self.open_button)
        tools.addWidget(self.add_button)

        self.board: dict[str, CardList] = {}
        self.models: dict[str, CardModel] = {}
        self.column_titles: dict[str, QLabel] = {}
        columns = QHBoxLayout()
        columns.setSpacing(10)
        for status, label in PROJECT_STATES.items():
            model = CardModel(self)
            view = CardList()
            view.setModel(model)
            view.doubleClicked.connect(lambda index, v=view: self._open_index(v, index))
            view.clicked.connect(lambda _index, s=status: self._card_clicked(s))
            view.selectionModel().currentChanged.connect(
                lambda current, _previous, s=status: self._card_current(s, current)
            )
            view.on_enter = self.open_chosen
            title = QLabel(label)
            font = QFont(title.font())
            font.setBold(True)
            title.setFont(font)
            colour = STATUS_COLOURS[status]
            title.setStyleSheet(
                f"color: #ffffff; background: {colour}; padding: 6px 10px; border-radius: 4px;"
            )
            column = QFrame()
            box = QVBoxLayout(column)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(4)
            box.addWidget(title)
            box.addWidget(view, 1)
            columns.addWidget(column, 1)
            self.board[status] = view
            self.models[status] = model
            self.column_titles[status] = title
        self.note = hint(
            self.tr(
                "单击选中卡片，双击（或按回车）打开项目，在里面登记预算、支出、进度节点和工作日志。"
                "红框的卡片有超支或逾期的节点。"
            )
        )
        self.status_line = QLabel()
        self.status_line.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(tools)
        layout.addWidget(self.note)
        layout.addWidget(self.status_line)
        layout.addLayout(columns, 1)
        self.update_buttons()

    # ------------------------------------------------------------------ lifecycle

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.set_active(True)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._active = False

    def load(self) -> None:
        self.context.read(
            project_jobs.load_projects(self.estate.id), guarded(self, self._show_projects)
        )

    def _show_projects(self, rows: list[BoardCard]) -> None:
        self._rows = rows
        for status, model in self.models.items():
            chosen = [r for r in rows if r.row.status == status]
            model.set_rows(chosen)
            self.column_titles[status].setText(
                self.tr("{label}（{n}）").format(label=PROJECT_STATES[status], n=len(chosen))
            )
        running = sum(1 for r in rows if r.row.status == "in_progress")
        overdue = sum(
            1
            for r in rows
            if r.row.overdue and r.row.status in ("planned", "in_progress", "paused")
        )
        text = self.tr("共 {n} 个项目，进行中 {r} 个").format(n=len(rows), r=running)
        if overdue:
            text += self.tr("，{n} 个有逾期节点").format(n=overdue)
        self.count_label.setText(text)
        self.count_label.setStyleSheet(f"color: {ERROR_COLOUR};" if overdue else "")
        if self._chosen is not None:
            self.select_project(self._chosen)
        if not rows:
            self.note.setText(
                self.tr("本小区还没有自治项目。议题表决通过后，点右上方的“立项…”建立项目。")
            )
        self.has_data = True
        self.update_buttons()
        emit(self.loaded)

    # ------------------------------------------------------------------ choosing

    def rows(self) -> list[BoardCard]:
        return list(self._rows)

    def select_project(self, project_id: str) -> bool:
        for status, model in self.models.items():
            number = model.row_of_id(project_id)
            view = self.board[status]
            if number >= 0:
                view.setCurrentIndex(model.index(number))
                view.scrollTo(model.index(number))
                self._chosen = project_id
                self._clear_others(status)
                self.update_buttons()
                return True
        return False

    def chosen_project(self) -> BoardCard | None:
        return next((r for r in self._rows if r.id == self._chosen), None)

    def _card_clicked(self, status: str) -> None:
        self._clear_others(status)

    def _card_current(self, status: str, current: QModelIndex) -> None:
        if current.isValid():
            self._chosen = self.models[status].rows[current.row()].id
            self._clear_others(status)
        self.update_buttons()

    def _clear_others(self, status: str) -> None:
        for other, view in self.board.items():
            if other != status:
                view.selectionModel().blockSignals(True)
                view.clearSelection()
                view.setCurrentIndex(QModelIndex())
                view.selectionModel().blockSignals(False)

    def update_buttons(self, *_: object) -> None:
        self.add_button.setEnabled(self.context.store is not None)
        self.open_button.setEnabled(self.chosen_project() is not None)

    # ------------------------------------------------------------------ actions

    def add_project(self, topic_id: str | None = None) -> NewProjectDialog:
        dialog = NewProjectDialog(
            self.context, self.estate.id, self.estate.name, topic_id or None, parent=self
        )
        dialog.saved.connect(self._added)
        dialog.open()
        return dialog

    def _added(self, project_id: str) -> None:
        self._chosen = project_id
        self.select_project(project_id)
        self.status_line.setText(self.tr("已立项。双击卡片打开项目，添加预算项目和进度节点。"))
        self.status_line.setStyleSheet(f"color: {OK_COLOUR};")
        self.status_line.setVisible(True)

    def _open_index(self, view: CardList, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_project(row.id)

    def open_chosen(self) -> None:
        row = self.chosen_project()
        if row is not None:
            self.open_project(row.id)

    def open_project(self, project_id: str) -> ProjectDetailDialog:
        self._chosen = project_id
        dialog = ProjectDetailDialog(self.context, project_id, parent=self)
        self.detail_dialog = dialog
        dialog.open()
        return dialog
