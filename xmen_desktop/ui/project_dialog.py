"""A self-governance project (自治项目) in detail, and the small forms it opens: 立项, team
members, budget lines, spending, milestones, the work log and status moves.

Money is typed in 元 and checked on every keystroke with the same rule the store uses
(``domain.money.parse_fen``), so "abc" or "12.345" is refused with a message before anything
is saved; it travels to the store as the text typed and is kept in 分 (integers).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QStringListModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QFont, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.money import parse_fen, yuan
from xmen_desktop.domain.projects import MEMBER_ROLES, PROJECT_STATES
from xmen_desktop.domain.validation import FieldError
from xmen_desktop.ui import jobs, project_jobs
from xmen_desktop.ui.context import AppContext, error_message, show_error
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.household_dialog import notes_edit, with_unit
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    StatusPage,
    alive,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
    show_message,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.dashboard_queries import (
        ExpenseItem,
        LineItem,
        LogItem,
        MemberItem,
        MilestoneItem,
        ProjectDetail,
        StatusItem,
        TopicChoice,
    )
    from xmen_desktop.store.queries import ResidentChoice

OK_COLOUR = "#1e6b2f"
WARN_COLOUR = "#8a5300"
BAR_COLOUR = "#3b73b9"

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter

# The percentage a cell's bar shows (an int 0–100), for ProgressDelegate.
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 20

# Where a project comes from, offered in the 资金来源 box; anything else may be typed.
FUNDING_SOURCES: tuple[str, ...] = (
    "自治金",
    "社区公益基金",
    "居民自筹",
    "街道专项经费",
    "共建单位支持",
)

# What the button of each status move says: what the staff member does.
MOVE_LABELS: dict[tuple[str, str], str] = {
    ("planned", "in_progress"): "开始实施",
    ("paused", "in_progress"): "恢复实施",
    ("in_progress", "paused"): "暂停",
    ("in_progress", "done"): "完成项目",
    ("planned", "cancelled"): "取消项目",
    ("in_progress", "cancelled"): "取消项目",
    ("paused", "cancelled"): "取消项目",
}

IMAGE_FILTER = "照片或扫描件 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)"


def move_label(current: str, target: str) -> str:
    return MOVE_LABELS.get((current, target), PROJECT_STATES.get(target, target))


def money(fen: int) -> str:
    """12,345.50 元."""
    return f"{yuan(fen)} 元"


def days_word(days: int) -> str:
    return "今天" if days == 0 else f"{days} 天"


# ---------------------------------------------------------------------------- shared pieces


class RowsModel(RowTableModel):
    """A read-only table whose rows may be coloured (red for over budget) or bold (totals)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.row_colour: Callable[[Any], str | None] = lambda _row: None
        self.cell_colour: dict[int, Callable[[Any], str | None]] = {}
        self.row_bold: Callable[[Any], bool] = lambda _row: False
        self.progress_column: int | None = None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.cell_colour.get(index.column(), self.row_colour)(row)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole:
            if self.row_bold(row):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == PROGRESS_ROLE and index.column() == self.progress_column:
            return int(row.progress)
        return super().data(index, role)


class ProgressDelegate(QStyledItemDelegate):
    """Draws a percentage as a bar with the number beside it; green when done."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        percent = index.data(PROGRESS_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        draw_progress(painter, option.rect.adjusted(8, 0, -8, 0), int(percent), selected=selected)


def draw_progress(painter: QPainter, cell: QRect, percent: int, *, selected: bool = False) -> None:
    """A bar and "60%" inside ``cell`` (the bar vertically centred, a third of the height)."""
    metrics = painter.fontMetrics()
    text_width = metrics.horizontalAdvance("100%") + 10
    height = max(8, min(cell.height() - 8, metrics.height() * 2 // 3))
    bar = QRect(
        cell.left(),
        cell.top() + (cell.height() - height) // 2,
        max(cell.width() - text_width, 10),
        height,
    )
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#dddddd"))
    painter.drawRoundedRect(bar, 3, 3)
    if percent > 0:
        filled = QRect(bar)
        filled.setWidth(max(4, round(bar.width() * min(percent, 100) / 100)))
        painter.setBrush(QColor(OK_COLOUR if percent >= 100 else BAR_COLOUR))
        painter.drawRoundedRect(filled, 3, 3)
    painter.setPen(QColor("#ffffff" if selected else "#111111"))
    font = QFont(painter.font())
    font.setBold(True)
    painter.setFont(font)
    number = QRect(bar.right() + 4, cell.top(), text_width - 4, cell.height())
    painter.drawText(number, _RIGHT, f"{percent}%")
    painter.restore()


def data_table(model: RowTableModel, stretch: int, widths: dict[int, float]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    setup_table(view, stretch_column=stretch)
    set_column_widths(view, widths)
    return view


def selected_row(view: QTableView) -> Any:
    rows = view.selectionModel().selectedRows()
    if not rows:
        return None
    model = view.model()
    assert isinstance(model, RowTableModel)
    return model.row_at(rows[0].row())


class MoneyEdit(QLineEdit):
    """An amount in 元: "1234.5", "¥1,234.50" or "1234元"; refused at once if not money."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("例如 1234.50"))
        self.setAlignment(_RIGHT)

    def problem(self) -> str:
        """Why the text is not an amount ("" when it is one, or when nothing is typed yet)."""
        if not self.text().strip():
            return ""
        try:
            parse_fen(self.text())
        except FieldError as error:
            return error.message
        return ""


def money_rule(field: str) -> Callable[[object], object]:
    def rule(value: object) -> object:
        return parse_fen(value, field)

    return rule


def watch_money(dialog: FormDialog, name: str, edit: MoneyEdit) -> None:
    """Check the amount on every keystroke: a letter or a third decimal is refused at once."""

    def typed(_text: str) -> None:
        if edit.problem():
            dialog.check_field(name)
        elif not edit.text().strip():
            show_message(dialog._fields[name].error, "")
        else:
            dialog.check_field(name)

    edit.textEdited.connect(typed)


class ResidentNameBox(QLineEdit):
    """A name: a resident of the estate picked from the list that pops up, or any name typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: dict[str, ResidentChoice] = {}
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.setPlaceholderText(self.tr("输入姓名或地址的几个字，从名单中选；也可直接写姓名"))
        roomy(self)

    def choice_text(self, choice: ResidentChoice) -> str:
        return self.tr("{name}（{address}）").format(name=choice.name, address=choice.address)

    def set_choices(self, choices: Sequence[ResidentChoice]) -> None:
        self._choices = {self.choice_text(c): c for c in choices}
        self._names.setStringList(list(self._choices))

    def picked(self) -> ResidentChoice | None:
        return self._choices.get(self.text().strip())

    def person_name(self) -> str:
        choice = self.picked()
        return choice.name if choice else self.text().strip()


class FilePicker(QWidget):
    """A photo or scan chosen from the disk: its name, 选择…, and 不要了 to take it off again."""

    changed = Signal()

    def __init__(self, button_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("未选择"))
        self.label.setStyleSheet(f"color: {HINT_COLOUR};")
        self.choose = big_button(button_text)
        self.clear = big_button(self.tr("不要了"))
        self.clear.setVisible(False)
        self.choose.clicked.connect(self.pick)
        self.clear.clicked.connect(lambda: self.set_path(None))
        layout.addWidget(self.choose)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear)

    def pick(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择照片或扫描件"), "", self.tr(IMAGE_FILTER)
        )
        if chosen:
            self.set_path(Path(chosen))

    def set_path(self, path: Path | None) -> None:
        self.path = path
        self.label.setText(path.name if path else self.tr("未选择"))
        self.label.setStyleSheet("" if path else f"color: {HINT_COLOUR};")
        self.clear.setVisible(path is not None)
        emit(self.changed)


class ImageViewer(QDialog):
    """A stored photo or scan at a size that fits the screen, with a way to open it full size."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.path = path
        layout = QVBoxLayout(self)
        picture = QLabel()
        picture.setAlignment(_CENTRE)
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            picture.setText(self.tr("这张图片打不开：文件可能已损坏或被移走。"))
        else:
            screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1200, 900)
            pixmap = pixmap.scaled(
                round(screen.width() * 0.75),
                round(screen.height() * 0.7),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            picture.setPixmap(pixmap)
        scroll = QScrollArea()
        scroll.setWidget(picture)
        scroll.setWidgetResizable(True)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        outside = buttons.addButton(
            self.tr("用看图程序打开"), QDialogButtonBox.ButtonRole.ActionRole
        )
        close = buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (outside, close):
            button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
        outside.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
        )
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not pixmap.isNull():
            self.resize(pixmap.width() + 60, pixmap.height() + 120)


# ---------------------------------------------------------------------------- 立项


class NewProjectDialog(FormDialog):
    """立项: from one of the estate's passed topics, or directly by the executive committee."""

    FROM_TOPIC = "topic"
    DIRECT = "direct"

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        topic_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, self.tr("立项（{estate}）").format(estate=estate_name), parent)
        self.estate_id = estate_id
        self._wanted_topic = topic_id
        self._auto_title = ""
        self._topics: list[TopicChoice] = []

        self.source = QComboBox()
        self.source.addItem(self.tr("根据已通过的议题立项"), self.FROM_TOPIC)
        self.source.addItem(self.tr("执委会直接立项（不经议题）"), self.DIRECT)
        self.topic = QComboBox()
        self.topic.setPlaceholderText(self.tr("正在读取已通过的议题……"))
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("例如“3 号楼门前绿化改造”"))
        self.description = notes_edit()
        self.description.setFixedHeight(round(self.description.fontMetrics().lineSpacing() * 4))
        self.description.setPlaceholderText(self.tr("做什么、为什么、大致怎么做"))
        self.funding = QComboBox()
        self.funding.setEditable(True)
        self.funding.addItems(list(FUNDING_SOURCES))
        self.funding.setCurrentIndex(-1)
        self.funding.lineEdit().setPlaceholderText(self.tr("可从列表选，也可直接填写"))
        self.started_on = DateField()
        self.started_on.blank.setVisible(False)
        self.lead = ResidentNameBox()

        self.add_field("source", self.tr("立项方式"), self.source)
        self.topic_note = self.add_field(
            "topic", self.tr("议题"), self.topic, rule=self._check_topic, note=" "
        )
        self.add_field("title", self.tr("项目名称"), self.title, rule=self._check_title)
        self.add_field("description", self.tr("项目说明"), self.description)
        self.add_field("funding", self.tr("资金来源"), self.funding)
        self.add_field("started_on", self.tr("开始日期"), self.started_on)
        self.add_field(
            "lead",
            self.tr("负责人"),
            self.lead,
            note=self.tr("可以以后在项目的“团队”里再添加成员和志愿者"),
        )
        self.save_button.setText(self.tr("立项"))
        self.started_on.set_value(datetime.date.today())
        self.source.currentIndexChanged.connect(self._source_changed)
        self.topic.currentIndexChanged.connect(self._topic_changed)
        self.remember_initial()
        self.title.setFocus()
        context.read(
            project_jobs.load_passed_topics(estate_id),
            guarded(self, self._set_topics),
            guarded(self, lambda error: self._set_topics([])),
        )
        context.read(jobs.load_resident_choices(estate_id), guarded(self, self.lead.set_choices))

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("立项"))

    def _set_topics(self, topics: list[TopicChoice]) -> None:
        self._topics = topics
        self.topic.blockSignals(True)
        self.topic.clear()
        for topic in topics:
            self.topic.addItem(
                self.tr("{title}（{date} 提出）").format(
                    title=topic.title, date=topic.raised_on.isoformat()
                ),
                topic.id,
            )
        if topics:
            self.topic.setPlaceholderText(self.tr("请选择一个已通过的议题"))
        else:
            self.topic.setPlaceholderText(self.tr("本小区没有可立项的已通过议题"))
        found = self.topic.findData(self._wanted_topic) if self._wanted_topic else -1
        if found < 0 and len(topics) == 1:
            found = 0
        self.topic.setCurrentIndex(found)
        self.topic.blockSignals(False)
        if not topics:
            self.source.setCurrentIndex(self.source.findData(self.DIRECT))
        self._source_changed()
        self._topic_changed()
        self.remember_initial()

    def _source_changed(self, *_: object) -> None:
        from_topic = self.source.currentData() == self.FROM_TOPIC
        self.topic.setEnabled(from_topic and bool(self._topics))
        if self.topic_note is None:
            return
        if not from_topic and not self._topics:
            text = self.tr(
                "本小区还没有已通过、尚未立项的议题，所以按执委会直接立项。"
                "请在“项目说明”里写明执委会决定的日期。"
            )
        elif not from_topic:
            text = self.tr("执委会直接立项的，请在“项目说明”里写明执委会决定的日期。")
        elif self._topics:
            text = self.tr("只列出已通过表决、还没有立项的议题。")
        else:
            text = self.tr("本小区还没有已通过、尚未立项的议题。可以改选“执委会直接立项”。")
        self.topic_note.setText(text)
        if not from_topic:
            show_message(self._fields["topic"].error, "")

    def _topic_changed(self, *_: object) -> None:
        topic = self.chosen_topic()
        if topic is None:
            return
        # Offer the topic's title as the project's name, unless the user wrote their own.
        if not self.title.text().strip() or self.title.text() == self._auto_title:
            self._auto_title = topic.title
            self.title.setText(topic.title)

    def chosen_topic(self) -> TopicChoice | None:
        topic_id = self.topic.currentData()
        return next((t for t in self._topics if t.id == topic_id), None)

    def value(self, name: str) -> object:
        if name == "lead":
            return self.lead.text()
        return super().value(name)

    def _check_topic(self, _value: object) -> object:
        if self.source.currentData() == self.FROM_TOPIC and self.chosen_topic() is None:
            raise FieldError(
                "topic",
                self.tr("请选一个已通过的议题；没有的话，把“立项方式”改为“执委会直接立项”"),
            )
        return None

    def _check_title(self, value: object) -> object:
        if not str(value or "").strip():
            raise FieldError("title", self.tr("请填写项目名称"))
        if len(str(value).strip()) > 60:
            raise FieldError("title", self.tr("项目名称请不超过 60 个字，详细内容写在说明里"))
        return None

    def field_for_error(self, field: str) -> str:
        return {"topic_id": "topic", "funding_source": "funding", "lead_name": "lead"}.get(
            field, field
        )

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        topic = self.chosen_topic() if self.source.currentData() == self.FROM_TOPIC else None
        lead = self.lead.picked()
        return project_jobs.add_project(
            self.estate_id,
            title=str(values["title"]).strip(),
            description=str(values["description"]),
            topic_id=topic.id if topic else None,
            funding_source=str(values["funding"] or ""),
            started_on=self.started_on.value(),
            lead_name=self.lead.person_name(),
            lead_resident_id=lead.id if lead else None,
        )


# ---------------------------------------------------------------------------- small forms


class ProjectInfoDialog(FormDialog):
    """修改项目信息: name, description and where the money comes from."""

    def __init__(
        self, context: AppContext, project: ProjectDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, self.tr("修改项目信息：{t}").format(t=project.title), parent)
        self.project_id = project.id
        self.title = QLineEdit()
        self.description = notes_edit()
        self.description.setFixedHeight(round(self.description.fontMetrics().lineSpacing() * 5))
        self.funding = QComboBox()
        self.funding.setEditable(True)
        self.funding.addItems(list(FUNDING_SOURCES))
        self.add_field("title", self.tr("项目名称"), self.title, rule=self._check_title)
        self.add_field("description", self.tr("项目说明"), self.description)
        self.add_field("funding_source", self.tr("资金来源"), self.funding)
        self.set_value("title", project.title)
        self.set_value("description", project.description)
        self.set_value("funding_source", project.funding_source)
        self.remember_initial()
        self.title.setFocus()

    def _check_title(self, value: object) -> object:
        if not str(value or "").strip():
            raise FieldError("title", self.tr("项目名称不能为空"))
        return None

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        return project_jobs.update_project(self.project_id, dict(values))


class ProjectMoveDialog(FormDialog):
    """Confirms one status move; cancelling needs a reason, the others take an optional note."""

    def __init__(
        self,
        context: AppContext,
        project_id: str,
        title: str,
        current: str,
        target: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        self.project_id = project_id
        self.target = target
        self.action = move_label(current, target)
        self.needs_note = target == "cancelled"
        self.setWindowTitle(self.tr("{action}：{title}").format(action=self.action, title=title))
        final = target in ("done", "cancelled")
        text = self.tr("把项目“{title}”从“{before}”改为“{after}”。").format(
            title=title, before=PROJECT_STATES[current], after=PROJECT_STATES[target]
        )
        if final:
            text += "\n" + self.tr("改过之后不能再改回，项目的预算、支出和日志都会保留。")
        question = QLabel(text)
        question.setWordWrap(True)
        self._grid.addWidget(question, self._next_row, 0, 1, 2)
        self._next_row += 1
        self._grid.setRowMinimumHeight(self._next_row, 10)
        self._next_row += 1
        self.note = notes_edit()
        self.note.setPlaceholderText(
            self.tr("必须填写，例如“居民意见分歧较大，经执委会讨论暂不实施”")
            if self.needs_note
            else self.tr("可不填")
        )
        self.add_field(
            "note",
            self.tr("取消原因") if self.needs_note else self.tr("说明"),
            self.note,
            rule=self._check_note,
        )
        self.save_button.setText(self.tr("确定{action}").format(action=self.action))
        self.remember_initial()
        self.note.setFocus()

    def _check_note(self, value: object) -> object:
        if self.needs_note and not str(value or "").strip():
            raise FieldError("note", self.tr("请写明取消的原因，再点确定"))
        return None

    def is_dirty(self) -> bool:
        return False

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("确定{action}").format(action=self.action))

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        return project_jobs.set_status(self.project_id, self.target, str(values["note"]).strip())


class ProjectMemberDialog(FormDialog):
    """添加成员: a resident (or anyone, by name) as 负责人, 成员 or 志愿者."""

    def __init__(
        self,
        context: AppContext,
        project_id: str,
        estate_id: str,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, self.tr("添加项目成员：{t}").format(t=title), parent)
        self.project_id = project_id
        self.name = ResidentNameBox()
        self.role = QComboBox()
        for role in MEMBER_ROLES:
            self.role.addItem(role, role)
        self.add_field("name", self.tr("姓名"), self.name, rule=self._check_name)
        self.add_field(
            "role",
            self.tr("角色"),
            self.role,
            note=self.tr("负责人会显示在项目卡片上；可以有几位负责人"),
        )
        self.set_value("role", "成员")
        self.save_button.setText(self.tr("添加"))
        self.remember_initial()
        self.name.setFocus()
        context.read(jobs.load_resident_choices(estate_id), guarded(self, self.name.set_choices))

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("添加"))

    def _check_name(self, _value: object) -> object:
        if not self.name.person_name():
            raise FieldError("name", self.tr("请填写姓名"))
        return None

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        picked = self.name.picked()
        return project_jobs.add_member(
            self.project_id,
            self.name.person_name(),
            str(values["role"]),
            picked.id if picked else None,
        )


class BudgetLineDialog(FormDialog):
    """新增预算项目: what the money is for, and how much (in 元)."""

    def __init__(
        self, context: AppContext, project_id: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, self.tr("新增预算项目：{t}").format(t=title), parent)
        self.project_id = project_id
        self.item = QComboBox()
        self.item.setEditable(True)
        self.item.addItems(
            [
                self.tr("材料费"),
                self.tr("人工费"),
                self.tr("设备购置"),
                self.tr("宣传印刷"),
                self.tr("活动费"),
                self.tr("其他"),
            ]
        )
        self.item.setCurrentIndex(-1)
        self.item.lineEdit().setPlaceholderText(self.tr("可从列表选，也可直接填写"))
        self.amount = MoneyEdit()
        self.add_field("item", self.tr("预算项目"), self.item, rule=self._check_item)
        self.add_field(
            "amount",
            self.tr("预算金额"),
            self.amount,
            rule=money_rule("amount"),
            field_widget=with_unit(self.amount, self.tr("元")),
        )
        watch_money(self, "amount", self.amount)
        self.save_button.setText(self.tr("添加"))
        self.remember_initial()
        self.item.setFocus()

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("添加"))

    def _check_item(self, value: object) -> object:
        if not str(value or "").strip():
            raise FieldError("item", self.tr("请填写预算项目，例如“材料费”"))
        return None

    def field_for_error(self, field: str) -> str:
        return "amount" if field == "budget" else field

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        return project_jobs.add_budget_line(
            self.project_id, str(values["item"]).strip(), str(values["amount"])
        )


class ExpenseDialog(FormDialog):
    """记一笔支出: amount in 元, date, budget line, payee, note and the receipt's photo or scan."""

    def __init__(
        self,
        context: AppContext,
        project: ProjectDetail,
        line_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, self.tr("记一笔支出：{t}").format(t=project.title), parent)
        self.project = project
        self.amount = MoneyEdit()
        self.spent_on = DateField()
        self.spent_on.blank.setVisible(False)
        self.line = QComboBox()
        for line in project.lines:
            self.line.addItem(
                self.tr("{item}（剩余 {left}）").format(
                    item=line.item, left=money(line.remaining_fen)
                ),
                line.id,
            )
        self.line.addItem(self.tr("不列入预算项目"), None)
        self.payee = QLineEdit()
        self.payee.setPlaceholderText(self.tr("钱付给谁，例如“某某建材店”"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("买了什么、做了什么，可不填"))
        self.receipt = FilePicker(self.tr("选择发票或收据…"))

        self.add_field(
            "amount",
            self.tr("金额"),
            self.amount,
            rule=money_rule("amount"),
            field_widget=with_unit(self.amount, self.tr("元")),
        )
        self.add_field("spent_on", self.tr("支出日期"), self.spent_on)
        self.line_note = self.add_field(
            "line",
            self.tr("预算项目"),
            self.line,
            note=self.tr("还没有预算项目时，可以先记下，以后再补预算") if not project.lines else "",
        )
        self.add_field("payee", self.tr("收款方"), self.payee)
        self.add_field("note", self.tr("用途说明"), self.note)
        self.add_field(
            "receipt",
            self.tr("凭证"),
            self.receipt,
            note=self.tr("发票、收据的照片或扫描件（JPG、PNG），可不附"),
        )
        watch_money(self, "amount", self.amount)
        self.spent_on.set_value(max(datetime.date.today(), project.started_on))
        if line_id is not None:
            self.set_value("line", line_id)
        self.save_button.setText(self.tr("记下这笔支出"))
        self.remember_initial()
        self.amount.setFocus()

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("记下这笔支出"))

    def value(self, name: str) -> object:
        if name == "receipt":
            return str(self.receipt.path or "")
        return super().value(name)

    def check_all(self) -> list[FieldError]:
        errors = super().check_all()
        day = self.spent_on.value()
        if day is not None and day < self.project.started_on:
            errors.append(
                FieldError(
                    "spent_on",
                    self.tr("早于项目开始日期（{d}），请核对").format(
                        d=self.project.started_on.isoformat()
                    ),
                )
            )
        return errors

    def field_for_error(self, field: str) -> str:
        return {"line_id": "line"}.get(field, field)

    def _failed(self, error: BaseException) -> None:
        # A receipt the store cannot read is said under the receipt, not in a box.
        if alive(self) and not getattr(error, "errors", None) and self.receipt.path is not None:
            self._set_saving(False)
            self.set_errors([FieldError("receipt", error_message(error))])
            return
        super()._failed(error)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        assert self.context.store is not None
        return project_jobs.add_expense(
            self.context.store.directory,
            self.project.id,
            amount=str(values["amount"]),
            spent_on=self.spent_on.value(),
            line_id=self.line.currentData(),
            payee=str(values["payee"]),
            note=str(values["note"]),
            receipt=self.receipt.path,
        )


class MilestoneDialog(FormDialog):
    """新增节点: a step of the project and the day it should be done by."""

    def __init__(
        self, context: AppContext, project: ProjectDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, self.tr("新增进度节点：{t}").format(t=project.title), parent)
        self.project = project
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("例如“材料到位”“施工完成”“验收”"))
        self.due_on = DateField()
        self.due_on.blank.setVisible(False)
        self.add_field("title", self.tr("节点名称"), self.title, rule=self._check_title)
        self.add_field("due_on", self.tr("计划完成日期"), self.due_on)
        self.due_on.set_value(
            max(datetime.date.today(), project.started_on) + datetime.timedelta(days=14)
        )
        self.save_button.setText(self.tr("添加"))
        self.remember_initial()
        self.title.setFocus()

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("添加"))

    def _check_title(self, value: object) -> object:
        if not str(value or "").strip():
            raise FieldError("title", self.tr("请填写节点名称，例如“材料到位”"))
        return None

    def save(self) -> None:
        due = self.due_on.value()
        if (
            due is not None
            and due < self.project.started_on
            and not self._saving
            and not self.check_all()
        ):
            question = self.tr(
                "计划完成日期（{due}）早于项目开始日期（{start}）。\n"
                "补记以前的节点可以这样填。确定这样保存吗？"
            ).format(due=due.isoformat(), start=self.project.started_on.isoformat())
            if not ask(self, self.tr("日期早于项目开始"), question):
                self.due_on.setFocus()
                return
        super().save()

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        due = self.due_on.value()
        return project_jobs.add_milestone(
            self.project.id,
            str(values["title"]).strip(),
            due,
            confirm_early=due is not None and due < self.project.started_on,
        )


class LogDialog(FormDialog):
    """写日志: what happened on a day, optionally with a photo."""

    def __init__(
        self, context: AppContext, project: ProjectDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, self.tr("写工作日志：{t}").format(t=project.title), parent)
        self.project = project
        self.logged_on = DateField()
        self.logged_on.blank.setVisible(False)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(round(self.text.fontMetrics().lineSpacing() * 6))
        self.text.setPlaceholderText(self.tr("今天做了什么、谁参加、遇到什么问题"))
        self.photo = FilePicker(self.tr("选择照片…"))
        self.add_field("logged_on", self.tr("日期"), self.logged_on)
        self.add_field("text", self.tr("内容"), self.text, rule=self._check_text)
        self.add_field("photo", self.tr("照片"), self.photo, note=self.tr("可不附"))
        self.logged_on.set_value(datetime.date.today())
        self.save_button.setText(self.tr("记下"))
        self.remember_initial()
        self.text.setFocus()

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("记下"))

    def value(self, name: str) -> object:
        if name == "photo":
            return str(self.photo.path or "")
        return super().value(name)

    def _check_text(self, value: object) -> object:
        if not str(value or "").strip():
            raise FieldError("text", self.tr("请写下这次的进展"))
        return None

    def _failed(self, error: BaseException) -> None:
        if alive(self) and not getattr(error, "errors", None) and self.photo.path is not None:
            self._set_saving(False)
            self.set_errors([FieldError("photo", error_message(error))])
            return
        super()._failed(error)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        assert self.context.store is not None
        return project_jobs.add_log(
            self.context.store.directory,
            self.project.id,
            str(values["text"]),
            logged_on=self.logged_on.value(),
            photo=self.photo.path,
        )


# ---------------------------------------------------------------------------- table models


class _LineTotal:
    """A pseudo budget line: the spending booked to no line, or the total."""

    def __init__(self, id_: str, item: str, budget_fen: int | None, spent_fen: int) -> None:
        self.id = id_
        self.item = item
        self.budget_fen = budget_fen
        self.spent_fen = spent_fen

    @property
    def remaining_fen(self) -> int | None:
        return None if self.budget_fen is None else self.budget_fen - self.spent_fen

    @property
    def over(self) -> bool:
        return self.budget_fen is not None and self.spent_fen > self.budget_fen


UNASSIGNED_ID = "-unassigned"
TOTAL_ID = "-total"


class BudgetModel(RowsModel):
    ITEM, BUDGET, SPENT, REMAINING, STATE = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("预算项目"), lambda r: r.item),
            Column(
                self.tr("预算（元）"),
                lambda r: "" if r.budget_fen is None else yuan(r.budget_fen),
                _RIGHT,
            ),
            Column(self.tr("已支出（元）"), lambda r: yuan(r.spent_fen), _RIGHT),
            Column(
                self.tr("剩余（元）"),
                lambda r: "" if r.remaining_fen is None else yuan(r.remaining_fen),
                _RIGHT,
            ),
            Column(self.tr("情况"), self._state),
        ]
        self.row_colour = lambda r: ERROR_COLOUR if r.over else None
        self.row_bold = lambda r: r.id == TOTAL_ID or r.over

    def _state(self, row: LineItem | _LineTotal) -> str:
        if row.over:
            return self.tr("超支 {amount}").format(amount=money(row.spent_fen - row.budget_fen))
        if row.id == UNASSIGNED_ID:
            return self.tr("未列入预算项目")
        if row.budget_fen and row.spent_fen == row.budget_fen:
            return self.tr("已用完")
        return ""

    def set_project(self, detail: ProjectDetail) -> None:
        rows: list[Any] = list(detail.lines)
        if detail.unassigned_fen:
            rows.append(
                _LineTotal(
                    UNASSIGNED_ID, self.tr("（未列入预算项目的支出）"), None, detail.unassigned_fen
                )
            )
        rows.append(_LineTotal(TOTAL_ID, self.tr("合计"), detail.budget_fen, detail.spent_fen))
        self.set_rows(rows)


class ExpenseModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("日期"), lambda e: e.spent_on.isoformat()),
            Column(self.tr("金额（元）"), lambda e: yuan(e.amount_fen), _RIGHT),
            Column(self.tr("预算项目"), lambda e: e.line_item or self.tr("（未列入）")),
            Column(self.tr("收款方"), lambda e: e.payee, tooltip=True),
            Column(self.tr("用途说明"), lambda e: e.note, tooltip=True),
            Column(self.tr("凭证"), self._receipt),
        ]

    def _receipt(self, expense: ExpenseItem) -> str:
        return self.tr("有，双击查看") if expense.receipt_sha256 else self.tr("无")


class MilestoneModel(RowsModel):
    TITLE, DUE, PROGRESS, STATE = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = datetime.date.today()
        self.columns = [
            Column(self.tr("节点"), lambda m: m.title, tooltip=True),
            Column(self.tr("计划完成"), lambda m: m.due_on.isoformat()),
            Column(self.tr("进度"), lambda m: f"{m.progress}%", _RIGHT),
            Column(self.tr("情况"), self._state),
        ]
        self.progress_column = self.PROGRESS
        self.row_colour = self._colour
        self.row_bold = lambda m: m.overdue

    def _colour(self, milestone: MilestoneItem) -> str | None:
        if milestone.overdue:
            return ERROR_COLOUR
        if milestone.due_soon:
            return WARN_COLOUR
        if milestone.progress >= 100:
            return OK_COLOUR
        return None

    def _state(self, milestone: MilestoneItem) -> str:
        if milestone.progress >= 100:
            done = milestone.done_on.isoformat() if milestone.done_on else ""
            return self.tr("已完成 {d}").format(d=done).strip()
        if milestone.overdue:
            return self.tr("已逾期 {n} 天").format(n=(self.today - milestone.due_on).days)
        if milestone.due_soon:
            days = (milestone.due_on - self.today).days
            return self.tr("今天到期") if days == 0 else self.tr("{n} 天后到期").format(n=days)
        return ""


class MemberModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("姓名"), lambda m: m.name),
            Column(self.tr("角色"), lambda m: m.role),
            Column(
                self.tr("本小区居民"),
                lambda m: self.tr("是（已对应名册）") if m.resident_id else self.tr("—"),
            ),
        ]
        self.row_bold = lambda m: m.role == "负责人"


class LogModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("日期"), lambda g: g.logged_on.isoformat()),
            Column(self.tr("内容"), lambda g: " ".join(g.text.split()), tooltip=True),
            Column(
                self.tr("照片"),
                lambda g: self.tr("有，双击查看") if g.photo_sha256 else self.tr("无"),
            ),
            Column(self.tr("记录人"), lambda g: g.by),
        ]


class HistoryModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from xmen_desktop.store.topic_queries import local_time

        self.columns = [
            Column(self.tr("时间"), lambda h: local_time(h.at)),
            Column(self.tr("状态"), self._move),
            Column(self.tr("说明"), lambda h: h.note, tooltip=True),
            Column(self.tr("经办"), lambda h: h.by),
        ]

    def _move(self, item: StatusItem) -> str:
        after = PROJECT_STATES.get(item.to_status, item.to_status)
        if item.from_status is None:
            return self.tr("立项（{s}）").format(s=after)
        before = PROJECT_STATES.get(item.from_status, item.from_status)
        return self.tr("{a} → {b}").format(a=before, b=after)


# ---------------------------------------------------------------------------- the detail window


class ProjectDetailDialog(QDialog):
    """One project: facts and status moves on top, then 预算与支出, 进度节点, 团队, 工作日志 and
    成效与经过 in tabs. Reloads itself after any change to the project's tables."""

    def __init__(self, context: AppContext, project_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.project_id = project_id
        self.detail: ProjectDetail | None = None
        self.move_buttons: dict[str, QPushButton] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("自治项目"))
        cell = self.fontMetrics().horizontalAdvance("中")
        self.resize(cell * 64, round(self.fontMetrics().height() * 40))

        self.waiting = StatusPage(self.tr("正在读取项目……"))
        self.body = self._build_body()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 12)
        outer.addWidget(self.waiting)
        outer.addWidget(self.body, 1)
        self.body.setVisible(False)
        buttons = QDialogButtonBox()
        close = buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setMinimumHeight(round(close.fontMetrics().height() * 2.1))
        close.setMinimumWidth(cell * 6)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        context.changed.connect(self._on_changed)
        self.load()

    # ------------------------------------------------------------------ building

    def _build_body(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.title_label = heading("", scale=1.4)
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.money_label = QLabel()
        self.money_label.setWordWrap(True)
        self.money_label.setTextFormat(Qt.TextFormat.RichText)
        self.moves_row = QHBoxLayout()
        self.moves_row.setSpacing(8)
        self.edit_button = big_button(self.tr("修改项目信息…"))
        self.edit_button.clicked.connect(self.edit_info)
        self.moves_hint = hint()
        moves = QHBoxLayout()
        moves.addLayout(self.moves_row)
        moves.addStretch(1)
        moves.addWidget(self.edit_button)
        layout.addWidget(self.title_label)
        layout.addWidget(self.facts_label)
        layout.addWidget(self.money_label)
        layout.addLayout(moves)
        layout.addWidget(self.moves_hint)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_budget_tab(), self.tr("预算与支出"))
        self.tabs.addTab(self._build_milestone_tab(), self.tr("进度节点"))
        self.tabs.addTab(self._build_team_tab(), self.tr("团队"))
        self.tabs.addTab(self._build_log_tab(), self.tr("工作日志"))
        self.tabs.addTab(self._build_outcome_tab(), self.tr("成效与经过"))
        layout.addWidget(self.tabs, 1)
        return box

    def _build_budget_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.budget_model = BudgetModel(self)
        self.budget_table = data_table(
            self.budget_model, BudgetModel.STATE, {0: 10, 1: 7, 2: 7, 3: 7}
        )
        self.add_line_button = big_button(self.tr("新增预算项目…"))
        self.add_expense_button = big_button(self.tr("记一笔支出…"))
        self.add_line_button.clicked.connect(self.add_line)
        self.add_expense_button.clicked.connect(self.add_expense)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("预算")))
        row.addStretch(1)
        row.addWidget(self.add_line_button)
        row.addWidget(self.add_expense_button)
        layout.addLayout(row)
        layout.addWidget(self.budget_table)
        self.expense_model = ExpenseModel(self)
        self.expense_table = data_table(self.expense_model, 4, {0: 6, 1: 6, 2: 7, 3: 8, 5: 6})
        self.expense_table.doubleClicked.connect(lambda _i: self.show_receipt())
        self.expenses_title = QLabel(self.tr("支出明细"))
        layout.addWidget(self.expenses_title)
        layout.addWidget(self.expense_table, 1)
        return tab

    def _build_milestone_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.milestone_model = MilestoneModel(self)
        self.milestone_table = data_table(
            self.milestone_model, MilestoneModel.TITLE, {1: 6, 2: 9, 3: 12}
        )
        self.milestone_table.setItemDelegateForColumn(
            MilestoneModel.PROGRESS, ProgressDelegate(self.milestone_table)
        )
        self.milestone_table.selectionModel().selectionChanged.connect(self._milestone_chosen)
        self.add_milestone_button = big_button(self.tr("新增节点…"))
        self.add_milestone_button.clicked.connect(self.add_milestone)
        self.milestone_summary = QLabel()
        self.milestone_summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.milestone_summary, 1)
        top.addWidget(self.add_milestone_button)
        layout.addLayout(top)
        layout.addWidget(self.milestone_table, 1)

        editor = QFrame()
        editor.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(editor)
        row.setContentsMargins(12, 8, 12, 8)
        self.progress_caption = QLabel(self.tr("请在上面选一个节点，再调进度"))
        self.progress_slider = QSlider(Qt.Orientation.Horizontal)
        self.progress_slider.setRange(0, 100)
        self.progress_slider.setSingleStep(5)
        self.progress_slider.setPageStep(10)
        self.progress_slider.setTickInterval(10)
        self.progress_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.progress_spin = QSpinBox()
        self.progress_spin.setRange(0, 100)
        self.progress_spin.setSingleStep(5)
        self.progress_spin.setSuffix(" %")
        roomy(self.progress_spin)
        self.progress_slider.valueChanged.connect(self.progress_spin.setValue)
        self.progress_spin.valueChanged.connect(self.progress_slider.setValue)
        self.progress_spin.valueChanged.connect(self._progress_edited)
        self.save_progress_button = big_button(self.tr("保存进度"))
        self.save_progress_button.clicked.connect(self.save_progress)
        row.addWidget(self.progress_caption)
        row.addWidget(self.progress_slider, 1)
        row.addWidget(self.progress_spin)
        row.addWidget(self.save_progress_button)
        layout.addWidget(editor)
        return tab

    def _build_team_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.member_model = MemberModel(self)
        self.member_table = data_table(self.member_model, 2, {0: 8, 1: 6})
        self.member_table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.add_member_button = big_button(self.tr("添加成员…"))
        self.remove_member_button = big_button(self.tr("移除成员"))
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("负责人、成员和志愿者")))
        row.addStretch(1)
        row.addWidget(self.add_member_button)
        row.addWidget(self.remove_member_button)
        layout.addLayout(row)
        layout.addWidget(self.member_table, 1)
        return tab

    def _build_log_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.log_model = LogModel(self)
        self.log_table = data_table(self.log_model, 1, {0: 6, 2: 6, 3: 6})
        self.log_table.doubleClicked.connect(lambda _i: self.show_photo())
        self.log_table.selectionModel().selectionChanged.connect(self._log_chosen)
        self.add_log_button = big_button(self.tr("写日志…"))
        self.add_log_button.clicked.connect(self.add_log)
        self.photo_button = big_button(self.tr("看照片"))
        self.photo_button.clicked.connect(self.show_photo)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("按日期记下的进展，新的在上")))
        row.addStretch(1)
        row.addWidget(self.photo_button)
        row.addWidget(self.add_log_button)
        self.log_text = QLabel()
        self.log_text.setWordWrap(True)
        self.log_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_text.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        layout.addWidget(self.log_table, 3)
        layout.addWidget(self.log_text, 1)
        return tab

    def _build_outcome_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.description_label.setMargin(8)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome_edit = QPlainTextEdit()
        self.outcome_edit.setTabChangesFocus(True)
        self.outcome_edit.setPlaceholderText(
            self.tr("项目做成了什么、居民反映如何；完成项目前请写好，结果公示时会用到")
        )
        self.outcome_edit.setFixedHeight(round(self.outcome_edit.fontMetrics().lineSpacing() * 4.5))
        self.outcome_edit.textChanged.connect(self.update_buttons)
        self.save_outcome_button = big_button(self.tr("保存成效"))
        self.save_outcome_button.clicked.connect(self.save_outcome)
        self.outcome_message = QLabel()
        self.history_model = HistoryModel(self)
        self.history_table = data_table(self.history_model, 2, {0: 9, 1: 9, 3: 5})
        layout.addWidget(QLabel(self.tr("项目说明")))
        layout.addWidget(self.description_label)
        layout.addWidget(QLabel(self.tr("项目成效")))
        layout.addWidget(self.outcome_edit)
        row = QHBoxLayout()
        row.addWidget(self.outcome_message, 1)
        row.addWidget(self.save_outcome_button)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("状态经过")))
        layout.addWidget(self.history_table, 1)
        return tab

    # ------------------------------------------------------------------ loading

    def _on_changed(self, tables: frozenset[str]) -> None:
        if project_jobs.PROJECT_TABLES & tables:
            self.load()

    def load(self) -> None:
        if self.context.store is None:
            return
        self.context.read(
            project_jobs.load_project(self.project_id),
            guarded(self, self._show),
            guarded(self, self._load_failed),
        )

    def _load_failed(self, error: BaseException) -> None:
        self.waiting.set_text(self.tr("这个项目打不开"), error_message(error))
        self.waiting.setVisible(True)
        self.body.setVisible(False)

    def _show(self, detail: ProjectDetail) -> None:
        first = self.detail is None
        self.detail = detail
        self.waiting.setVisible(False)
        self.body.setVisible(True)
        self.setWindowTitle(self.tr("自治项目：{t}").format(t=detail.title))
        self.title_label.setText(detail.title)
        facts = [
            self.tr("状态：{s}").format(s=detail.status_label),
            self.tr("负责人：{n}").format(n=detail.lead_name or self.tr("未定")),
            self.tr("资金来源：{f}").format(f=detail.funding_source or self.tr("未填")),
            self.tr("开始：{d}").format(d=detail.started_on.isoformat()),
            self.tr("进度：{p}%").format(p=detail.progress),
        ]
        if detail.topic_title:
            facts.append(self.tr("来自议题：{t}").format(t=detail.topic_title))
        else:
            facts.append(self.tr("执委会直接立项"))
        self.facts_label.setText("　·　".join(facts))
        self._show_money(detail)
        self._show_moves(detail)

        keep_expense = selected_row(self.expense_table)
        self.budget_model.set_project(detail)
        self._fit_budget_table()
        self.expense_model.set_rows(detail.expenses)
        self._reselect(self.expense_table, keep_expense)
        self.expenses_title.setText(
            self.tr("支出明细（{n} 笔，双击有凭证的一行可查看凭证）").format(n=len(detail.expenses))
        )

        keep = selected_row(self.milestone_table)
        self.milestone_model.today = datetime.date.today()
        self.milestone_model.set_rows(detail.milestones)
        self._reselect(self.milestone_table, keep)
        overdue = sum(1 for m in detail.milestones if m.overdue)
        soon = sum(1 for m in detail.milestones if m.due_soon)
        parts = [
            self.tr("共 {n} 个节点，总进度 {p}%").format(
                n=len(detail.milestones), p=detail.progress
            )
        ]
        if overdue:
            parts.append(self.tr("{n} 个已逾期").format(n=overdue))
        if soon:
            parts.append(self.tr("{n} 个两周内到期").format(n=soon))
        self.milestone_summary.setText("，".join(parts))
        self.milestone_summary.setStyleSheet(f"color: {ERROR_COLOUR};" if overdue else "")
        self._milestone_chosen()

        keep_member = selected_row(self.member_table)
        self.member_model.set_rows(detail.members)
        self._reselect(self.member_table, keep_member)
        keep_log = selected_row(self.log_table)
        self.log_model.set_rows(detail.logs)
        self._reselect(self.log_table, keep_log)
        self._log_chosen()

        self.description_label.setText(detail.description or self.tr("（没有写说明）"))
        if first or not self._outcome_dirty():
            self.outcome_edit.blockSignals(True)
            self.outcome_edit.setPlainText(detail.outcome)
            self.outcome_edit.blockSignals(False)
        self.history_model.set_rows(detail.history)
        self.update_buttons()

    def _fit_budget_table(self) -> None:
        """Every budget line and the total on show without scrolling (up to ten lines)."""
        rows = min(self.budget_model.rowCount(), 10)
        view = self.budget_table
        height = view.horizontalHeader().minimumHeight() + rows * (
            view.verticalHeader().defaultSectionSize()
        )
        view.setFixedHeight(height + 2 * view.frameWidth() + 2)

    def _show_money(self, detail: ProjectDetail) -> None:
        text = self.tr("预算合计 {b}，已支出 {s}").format(
            b=money(detail.budget_fen), s=money(detail.spent_fen)
        )
        if detail.over:
            text += self.tr("，超支 {o}").format(o=money(detail.spent_fen - detail.budget_fen))
            text = f'<span style="color:{ERROR_COLOUR}; font-weight:bold;">{escape(text)}</span>'
        else:
            text = escape(
                text + self.tr("，剩余 {r}").format(r=money(detail.budget_fen - detail.spent_fen))
            )
        over_lines = [line.item for line in detail.lines if line.over]
        if over_lines:
            warning = self.tr("超支的预算项目：{items}").format(items="、".join(over_lines))
            text += (
                f'　<span style="color:{ERROR_COLOUR}; font-weight:bold;">{escape(warning)}</span>'
            )
        self.money_label.setText(text)

    def _show_moves(self, detail: ProjectDetail) -> None:
        while self.moves_row.count():
            item = self.moves_row.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.move_buttons = {}
        for target in detail.moves:
            button = big_button(move_label(detail.status, target))
            button.clicked.connect(lambda _=False, t=target: self.move(t))
            if target == "cancelled":
                button.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.moves_row.addWidget(button)
            self.move_buttons[target] = button
        notes = {
            "planned": self.tr("筹备中：添加预算项目和进度节点，准备好了点“开始实施”。"),
            "in_progress": self.tr("进行中：记支出、更新节点进度、写工作日志。"),
            "paused": self.tr("已暂停：可以“恢复实施”，或取消项目。"),
            "done": self.tr("项目已完成。记录都保留，可以查看，不能再改状态。"),
            "cancelled": self.tr("项目已取消。记录都保留，可以查看，不能再改状态。"),
        }
        self.moves_hint.setText(notes.get(detail.status, ""))

    def _reselect(self, view: QTableView, row: Any) -> None:
        if row is None:
            return
        model = view.model()
        assert isinstance(model, RowTableModel)
        number = model.row_of_id(row.id)
        if number >= 0:
            view.selectRow(number)

    # ------------------------------------------------------------------ buttons

    def update_buttons(self, *_: object) -> None:
        detail = self.detail
        open_ = detail is not None and not detail.finished
        for button in (
            self.add_line_button,
            self.add_expense_button,
            self.add_milestone_button,
            self.add_member_button,
            self.add_log_button,
        ):
            button.setEnabled(open_)
        self.edit_button.setEnabled(detail is not None)
        self.remove_member_button.setEnabled(open_ and selected_row(self.member_table) is not None)
        milestone = selected_row(self.milestone_table)
        can_edit = open_ and milestone is not None
        for widget in (self.progress_slider, self.progress_spin):
            widget.setEnabled(can_edit)
        self.save_progress_button.setEnabled(
            can_edit and milestone is not None and self.progress_spin.value() != milestone.progress
        )
        log = selected_row(self.log_table)
        self.photo_button.setEnabled(log is not None and log.photo_sha256 is not None)
        self.save_outcome_button.setEnabled(detail is not None and self._outcome_dirty())

    def _outcome_dirty(self) -> bool:
        return self.detail is not None and self.outcome_edit.toPlainText().strip() != (
            self.detail.outcome.strip()
        )

    def _milestone_chosen(self, *_: object) -> None:
        milestone = selected_row(self.milestone_table)
        self.progress_spin.blockSignals(True)
        self.progress_slider.blockSignals(True)
        value = milestone.progress if milestone is not None else 0
        self.progress_spin.setValue(value)
        self.progress_slider.setValue(value)
        self.progress_spin.blockSignals(False)
        self.progress_slider.blockSignals(False)
        if milestone is None:
            self.progress_caption.setText(self.tr("请在上面选一个节点，再调进度"))
        else:
            self.progress_caption.setText(self.tr("“{t}”的进度").format(t=milestone.title))
        self.update_buttons()

    def _progress_edited(self, _value: int) -> None:
        self.update_buttons()

    def _log_chosen(self, *_: object) -> None:
        log: LogItem | None = selected_row(self.log_table)
        if log is None:
            self.log_text.setText(self.tr("选中一条日志，这里显示全文。"))
            self.log_text.setStyleSheet(f"color: {HINT_COLOUR};")
        else:
            self.log_text.setText(
                self.tr("{d}　{t}").format(d=log.logged_on.isoformat(), t=log.text)
            )
            self.log_text.setStyleSheet("")
        self.update_buttons()

    # ------------------------------------------------------------------ actions

    def _open(self, dialog: QDialog) -> None:
        dialog.open()

    def edit_info(self) -> None:
        if self.detail is not None:
            self._open(ProjectInfoDialog(self.context, self.detail, parent=self))

    def move(self, target: str) -> None:
        detail = self.detail
        if detail is None:
            return
        if target == "done" and any(m.progress < 100 for m in detail.milestones):
            left = sum(1 for m in detail.milestones if m.progress < 100)
            question = self.tr("还有 {n} 个节点没有到 100%。确定现在就把项目记为完成吗？").format(
                n=left
            )
            if not ask(self, self.tr("完成项目"), question):
                return
        self._open(
            ProjectMoveDialog(
                self.context, detail.id, detail.title, detail.status, target, parent=self
            )
        )

    def add_line(self) -> None:
        if self.detail is not None:
            self._open(BudgetLineDialog(self.context, self.detail.id, self.detail.title, self))

    def add_expense(self) -> None:
        if self.detail is None:
            return
        line = selected_row(self.budget_table)
        line_id = line.id if line is not None and not str(line.id).startswith("-") else None
        self._open(ExpenseDialog(self.context, self.detail, line_id, parent=self))

    def add_milestone(self) -> None:
        if self.detail is not None:
            self._open(MilestoneDialog(self.context, self.detail, parent=self))

    def add_member(self) -> None:
        detail = self.detail
        if detail is not None:
            self._open(
                ProjectMemberDialog(
                    self.context, detail.id, detail.estate_id, detail.title, parent=self
                )
            )

    def remove_member(self) -> None:
        member: MemberItem | None = selected_row(self.member_table)
        if member is None or self.detail is None:
            return
        question = self.tr("确定把 {name}（{role}）从项目团队中移除吗？").format(
            name=member.name, role=member.role
        )
        if not ask(self, self.tr("移除成员"), question):
            return
        self.context.write(
            project_jobs.remove_member(self.detail.id, member.id),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("没有移除"))),
        )

    def add_log(self) -> None:
        if self.detail is not None:
            self._open(LogDialog(self.context, self.detail, parent=self))

    def save_progress(self) -> None:
        milestone: MilestoneItem | None = selected_row(self.milestone_table)
        if milestone is None:
            return
        self.context.write(
            project_jobs.set_milestone_progress(milestone.id, self.progress_spin.value()),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("进度没有保存"))),
        )

    def save_outcome(self) -> None:
        if self.detail is None:
            return
        text = self.outcome_edit.toPlainText()

        def done(_id: str) -> None:
            self.outcome_message.setText(self.tr("成效已保存。"))
            self.outcome_message.setStyleSheet(f"color: {OK_COLOUR};")

        self.context.write(
            project_jobs.update_project(self.detail.id, {"outcome": text}),
            guarded(self, done),
            guarded(self, lambda error: show_error(self, error, self.tr("成效没有保存"))),
        )

    def _view(self, sha256: str | None, title: str) -> None:
        if sha256 is None or self.context.store is None:
            return
        path = project_jobs.attachment_path(self.context.store.directory, sha256)
        if not path.exists():
            QMessageBox.warning(
                self,
                self.tr("找不到文件"),
                self.tr("这张图片的文件不在数据文件夹里（可能还没从其他电脑同步过来）。"),
            )
            return
        ImageViewer(path, title, parent=self).open()

    def show_receipt(self) -> None:
        expense: ExpenseItem | None = selected_row(self.expense_table)
        if expense is not None and expense.receipt_sha256:
            title = self.tr("凭证：{d} {a}").format(
                d=expense.spent_on.isoformat(), a=money(expense.amount_fen)
            )
            self._view(expense.receipt_sha256, title)

    def show_photo(self) -> None:
        log: LogItem | None = selected_row(self.log_table)
        if log is not None and log.photo_sha256:
            self._view(
                log.photo_sha256, self.tr("日志照片：{d}").format(d=log.logged_on.isoformat())
            )

    def reject(self) -> None:
        if self._outcome_dirty() and not ask(
            self,
            self.tr("成效还没有保存"),
            self.tr("“项目成效”里改过的内容还没有保存。确定不保存就关闭吗？"),
        ):
            return
        super().reject()
