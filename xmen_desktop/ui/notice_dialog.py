"""通知公告: writing a notice, recording where it was posted, taking it down; and the page.

``NoticeDialog`` writes or edits a notice; fields are checked as the user types with the
domain's own rules (``domain.notices.clean_notice``) and a refusal from the store appears
under its field. ``PostingDialog`` records a posting (宣传栏, 日期, 照片). ``NoticesPage`` puts
an estate's notices, the 公示提醒 panel and a way into the print centre together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, QModelIndex, QSortFilterProxyModel, QStandardPaths, Qt, Signal
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import ESTATES, SUBDISTRICT_NAME, estate_by_name_or_code
from xmen_desktop.domain.notices import KINDS, LAYOUTS, clean_notice
from xmen_desktop.domain.validation import FieldError, RecordInvalid
from xmen_desktop.ui import print_jobs
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.print_centre import open_print_centre
from xmen_desktop.ui.publicity_panel import ERROR_COLOUR, LiveWidget, PublicityPanel, countdown
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import ID_ROLE, Column, RowTableModel
from xmen_desktop.ui.widgets import (
    HINT_COLOUR,
    alive,
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

    from xmen_desktop.store.notices import NoticeRow
    from xmen_desktop.store.print_queries import NoticeDetail

BODY_HINT = "空行分段；1. 开头为编号条目；**文字** 为加粗"
DEFAULT_SALUTATION = "各位居民："
# Fields the store's notice cleaner knows; the dialog also has estates and a picture.
NOTICE_FIELDS = (
    "kind",
    "title",
    "salutation",
    "body",
    "issuer",
    "issued_on",
    "publicity_from",
    "publicity_to",
    "image_caption",
    "qr_text",
    "qr_caption",
    "layout",
)
ALL_ESTATES = "全街道"

_last_picture_folder: str | None = None


def default_issuer(estate_ids: Sequence[str]) -> str:
    """发布单位 when the user has not written one: the committee of the one estate covered."""
    if len(estate_ids) == 1:
        info = next((e for e in ESTATES if e.id == estate_ids[0]), None)
        if info is not None:
            return f"{info.home_name}执行委员会"
    return SUBDISTRICT_NAME


def _estate_name(estate_id: str | None) -> str:
    if estate_id is None:
        return SUBDISTRICT_NAME
    info = estate_by_name_or_code(estate_id)
    return info.name if info else ""


# ============================================================================= small fields


class EstateChecks(QWidget):
    """A box for each of the six estates, and 全街道 for all of them at once."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self.all_box = QCheckBox(self.tr(ALL_ESTATES))
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(8)
        grid.addWidget(self.all_box, 0, 0)
        for number, estate in enumerate(ESTATES):
            box = QCheckBox(estate.name)
            self.boxes[estate.id] = box
            grid.addWidget(box, 1 + number // 3, number % 3)
            box.toggled.connect(self._one_toggled)
        grid.setColumnStretch(3, 1)
        self.all_box.toggled.connect(self._all_toggled)

    def _all_toggled(self, checked: bool) -> None:
        if self._updating:
            return
        self._updating = True
        for box in self.boxes.values():
            box.setChecked(checked)
        self._updating = False
        emit(self.changed)

    def _one_toggled(self) -> None:
        if self._updating:
            return
        self._updating = True
        self.all_box.setChecked(all(b.isChecked() for b in self.boxes.values()))
        self._updating = False
        emit(self.changed)

    def value(self) -> tuple[str, ...]:
        return tuple(i for i, box in self.boxes.items() if box.isChecked())

    def set_value(self, estate_ids: Sequence[str]) -> None:
        self._updating = True
        for estate_id, box in self.boxes.items():
            box.setChecked(estate_id in estate_ids)
        self.all_box.setChecked(all(b.isChecked() for b in self.boxes.values()))
        self._updating = False
        emit(self.changed)


class PictureField(QWidget):
    """A JPG or PNG chosen from the PC; the store keeps it (and refuses what is no picture)."""

    changed = Signal()

    def __init__(self, title: str, empty: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty = empty  # what is shown while there is no picture
        self.picked: tuple[bytes, str] | None = None
        self.existing = ""  # the picture the record has already
        self.name_label = QLabel()
        self.name_label.setStyleSheet(f"color: {HINT_COLOUR};")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.choose_button = QPushButton(self.tr("选择图片…"))
        self.clear_button = QPushButton(self.tr("不用这张"))
        for button in (self.choose_button, self.clear_button):
            button.setAutoDefault(False)
            roomy(button)
        self.choose_button.clicked.connect(self.choose)
        self.clear_button.clicked.connect(self.clear)
        self.problem = ""  # why the last file chosen was not taken
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.clear_button)
        layout.addWidget(self.name_label, 1)
        self._show()

    def _show(self) -> None:
        if self.picked is not None:
            self.name_label.setText(self.picked[1])
            self.choose_button.setText(self.tr("换一张…"))
        elif self.existing:
            self.name_label.setText(self.tr("已有：{name}").format(name=self.existing))
            self.choose_button.setText(self.tr("换一张…"))
        else:
            self.name_label.setText(self.empty)
            self.choose_button.setText(self.tr("选择图片…"))
        self.clear_button.setVisible(self.picked is not None)

    def value(self) -> str | None:
        return self.picked[1] if self.picked else None

    def set_existing(self, name: str) -> None:
        self.existing = name
        self._show()

    def choose(self) -> None:
        global _last_picture_folder
        start = _last_picture_folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation
        )
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.title,
            start or QDir.homePath(),
            self.tr("照片 (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG);;所有文件 (*)"),
        )
        if chosen:
            self.take_file(Path(chosen))

    def take_file(self, path: Path) -> None:
        """Read a chosen file; what is plainly not a picture is refused at once."""
        global _last_picture_folder
        _last_picture_folder = str(path.parent)
        self.problem = ""
        try:
            data = path.read_bytes()
        except OSError as error:
            self.problem = self.tr("读不出这个文件（{error}），请换一个").format(
                error=error.strerror or error
            )
        else:
            if not QImageReader(str(path)).canRead():
                self.problem = self.tr(
                    "“{name}”不是能识别的图片：请选 JPG 或 PNG 格式的照片"
                ).format(name=path.name)
            else:
                self.picked = (data, path.name)
        self._show()
        emit(self.changed)

    def clear(self) -> None:
        self.picked = None
        self.problem = ""
        self._show()
        emit(self.changed)


def _two_column(dialog: FormDialog) -> tuple[QGridLayout, QGridLayout]:
    """Lay the form out in two columns (FormDialog has one): returns both grids."""
    left = dialog._grid
    right = QGridLayout()
    right.setHorizontalSpacing(left.horizontalSpacing())
    right.setVerticalSpacing(left.verticalSpacing())
    right.setColumnStretch(1, 1)
    outer = dialog.layout()
    assert isinstance(outer, QVBoxLayout)
    outer.removeItem(left)
    columns = QHBoxLayout()
    columns.setSpacing(32)
    columns.addLayout(left, 11)
    columns.addLayout(right, 9)
    outer.insertLayout(0, columns)
    return left, right


def _use_grid(dialog: FormDialog, grid: QGridLayout) -> None:
    """Add the next fields to ``grid`` (one of ``_two_column``'s)."""
    dialog._grid = grid
    dialog._next_row = grid.rowCount() if grid.count() else 0


# ============================================================================= 写通知


class NoticeDialog(FormDialog):
    """Write a notice (``detail`` None) or edit one."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str | None,
        detail: NoticeDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        self.estate_id = estate_id
        self.notice_id = detail.id if detail else None
        if detail is None:
            self.setWindowTitle(
                self.tr("写通知（{estate}）").format(estate=_estate_name(estate_id))
            )
        else:
            self.setWindowTitle(self.tr("修改通知：{title}").format(title=detail.values["title"]))
        cell = self.fontMetrics().horizontalAdvance("中")
        self.setMinimumWidth(cell * 72)
        left, right = _two_column(self)

        # --- left column: what it says
        _use_grid(self, left)
        self.kind = QComboBox()
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("例如：关于清理楼道堆物的通知"))
        self.estates = EstateChecks()
        self.salutation = QLineEdit(DEFAULT_SALUTATION)
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(
            self.tr(
                "例如：\n为消除消防隐患，定于本月开展楼道堆物清理。\n\n"
                "1. 请于周五前自行清理；\n2. …"
            )
        )
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(self.fontMetrics().lineSpacing() * 11)
        self.body.setMinimumWidth(cell * 30)
        self.add_field("kind", self.tr("种类"), self.kind, rule=self._rule("kind"))
        self.add_field("title", self.tr("标题"), self.title_edit, rule=self._rule("title"))
        self.add_field("estates", self.tr("涉及小区"), self.estates, rule=self._estates_rule)
        self.add_field(
            "salutation", self.tr("称呼"), self.salutation, rule=self._rule("salutation")
        )
        self.add_field(
            "body", self.tr("正文"), self.body, rule=self._rule("body"), note=self.tr(BODY_HINT)
        )

        # --- right column: who, when, extras, how it prints
        _use_grid(self, right)
        self.issuer = QLineEdit()
        self.issued_on = DateField()
        self.issued_on.blank.setVisible(False)
        self.publicity_from = DateField()
        self.publicity_to = DateField()
        for field in (self.publicity_from, self.publicity_to):
            field.set_value(None)
        self.picture = PictureField(self.tr("选择配图"), self.tr("没有（可以不配图）"))
        self.image_caption = QLineEdit()
        self.image_caption.setPlaceholderText(self.tr("图片下面的一行说明（可不填）"))
        self.qr_text = QLineEdit()
        self.qr_text.setPlaceholderText(self.tr("网址或文字，例如问卷链接（可不填）"))
        self.qr_caption = QLineEdit()
        self.qr_caption.setPlaceholderText(self.tr("例如：扫码填写意见"))
        self.layout_choice = QComboBox()
        for code, label in LAYOUTS.items():
            self.layout_choice.addItem(label, code)
        self.add_field("issuer", self.tr("发布单位"), self.issuer, rule=self._rule("issuer"))
        self.add_field(
            "issued_on", self.tr("发布日期"), self.issued_on, rule=self._rule("issued_on")
        )
        self.add_field(
            "publicity_from",
            self.tr("公示开始"),
            self.publicity_from,
            rule=self._rule("publicity_from"),
        )
        self.add_field(
            "publicity_to",
            self.tr("公示结束"),
            self.publicity_to,
            rule=self._period_rule,
            note=self.tr("不需要公示的通知，两个都勾“未填”"),
        )
        self.add_field("image", self.tr("配图"), self.picture, rule=self._picture_rule)
        self.add_field(
            "image_caption",
            self.tr("图片说明"),
            self.image_caption,
            rule=self._rule("image_caption"),
        )
        self.add_field("qr_text", self.tr("二维码内容"), self.qr_text, rule=self._rule("qr_text"))
        self.add_field(
            "qr_caption", self.tr("二维码说明"), self.qr_caption, rule=self._rule("qr_caption")
        )
        self.add_field("layout", self.tr("版式"), self.layout_choice)

        if detail is None:
            self.estates.set_value([estate_id] if estate_id else [])
            self.issuer.setText(default_issuer(self.estates.value()))
        else:
            for name in NOTICE_FIELDS:
                self.set_value(name, detail.values.get(name))
            self.estates.set_value(detail.estate_ids)
            self.picture.set_existing(detail.image_name)
        # The issuer follows the estates ticked until the user writes one (or it was saved).
        self._issuer_typed = detail is not None
        self.issuer.textEdited.connect(self._issuer_edited)
        # Custom fields are not wired by FormDialog.
        self.estates.changed.connect(self._estates_changed)
        self.picture.changed.connect(lambda: self.check_field("image"))
        self.remember_initial()
        self.title_edit.setFocus()

    # ------------------------------------------------------------------ values

    def value(self, name: str) -> Any:
        if name == "estates":
            return self.estates.value()
        if name == "image":
            return self.picture.value()
        return super().value(name)

    def set_value(self, name: str, value: object) -> None:
        if name == "estates":
            self.estates.set_value(value)  # type: ignore[arg-type]
        elif name == "image":
            return
        else:
            super().set_value(name, value)

    def notice_values(self) -> dict[str, object]:
        """What the store's notice cleaner is given: the form without estates and picture."""
        return {name: self.value(name) for name in NOTICE_FIELDS}

    def store_values(self) -> dict[str, object]:
        return self.notice_values()

    # ------------------------------------------------------------------ rules

    def _rule(self, name: str) -> Callable[[object], object]:
        def rule(value: object) -> object:
            try:
                return clean_notice({name: value}, partial=True).get(name)
            except RecordInvalid as invalid:
                raise invalid.errors[0] from None

        return rule

    def _period_rule(self, _value: object) -> None:
        """Both dates or neither, and the end not before the start (the domain's rules)."""
        values = {
            "publicity_from": self.value("publicity_from"),
            "publicity_to": self.value("publicity_to"),
        }
        for error in self.errors_of(clean_notice, {**self._valid_stub(), **values}):
            if error.field in ("publicity_from", "publicity_to"):
                raise FieldError("publicity_to", error.message)

    @staticmethod
    def _valid_stub() -> dict[str, object]:
        # The whole-record check needs the required fields; these pass so only dates speak.
        return {"kind": "notice", "title": "-", "body": "-"}

    def _estates_rule(self, value: object) -> None:
        if not value:
            raise FieldError("estates", "请至少勾选一个小区（全部小区请勾“全街道”）")

    def _picture_rule(self, _value: object) -> None:
        if self.picture.problem:
            raise FieldError("image", self.picture.problem)

    def check_field(self, name: str) -> bool:
        ok = super().check_field(name)
        if name == "publicity_from":
            super().check_field("publicity_to")
        return ok

    def check_all(self) -> list[FieldError]:
        errors = super().check_all()
        named = {e.field for e in errors}
        # The whole record once more, for what no single field's rule sees.
        for error in self.errors_of(clean_notice, self.notice_values()):
            if error.field not in named:
                errors.append(error)
        return errors

    def field_for_error(self, field: str) -> str:
        return {"photo": "image"}.get(field, field)

    def _estates_changed(self) -> None:
        self.check_field("estates")
        if not self._issuer_typed:
            self.issuer.setText(default_issuer(self.estates.value()))

    def _issuer_edited(self) -> None:
        self._issuer_typed = True

    # ------------------------------------------------------------------ saving

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        assert self.context.store is not None
        return print_jobs.save_notice(
            self.context.store.directory,
            self.notice_id,
            values,
            self.estates.value(),
            self.picture.picked,
        )


# ============================================================================= 记录张贴


class PostingDialog(FormDialog):
    """Record that a notice went up: which noticeboard, on which day, with a photo if taken."""

    def __init__(
        self,
        context: AppContext,
        notice_id: str,
        notice_title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        self.notice_id = notice_id
        self.setWindowTitle(self.tr("记录张贴：{title}").format(title=notice_title))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 44)
        self.board = QComboBox()
        self.board.setEditable(True)
        self.board.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.board.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("例如：复兴东路 1234 弄 1 号门口宣传栏"))
        self.posted_on = DateField()
        self.posted_on.blank.setVisible(False)
        self.photo = PictureField(self.tr("选择张贴照片"), self.tr("没有"))
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(self.tr("可不填"))
        self.add_field("board", self.tr("宣传栏"), self.board, rule=self._board_rule)
        self.add_field("posted_on", self.tr("张贴日期"), self.posted_on)
        self.add_field(
            "photo",
            self.tr("照片"),
            self.photo,
            rule=self._photo_rule,
            note=self.tr("贴好后拍一张，留作记录（可不拍）"),
        )
        self.add_field("notes", self.tr("备注"), self.notes)
        self.photo.changed.connect(lambda: self.check_field("photo"))
        self.remember_initial()
        context.read(print_jobs.load_boards(), guarded(self, self._boards_loaded), lambda e: None)

    def _boards_loaded(self, boards: list[str]) -> None:
        typed = self.board.currentText()
        self.board.addItems(boards)
        self.board.setCurrentText(typed)
        self.remember_initial()

    def value(self, name: str) -> Any:
        if name == "photo":
            return self.photo.value()
        return super().value(name)

    def set_value(self, name: str, value: object) -> None:
        if name != "photo":
            super().set_value(name, value)

    def _board_rule(self, value: object) -> None:
        if not str(value or "").strip():
            raise FieldError("board", "请写明贴在哪个宣传栏，例如“复兴东路 1234 弄 1 号门口宣传栏”")

    def _photo_rule(self, _value: object) -> None:
        if self.photo.problem:
            raise FieldError("photo", self.photo.problem)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        assert self.context.store is not None
        return print_jobs.post_notice(
            self.context.store.directory,
            self.notice_id,
            str(values["board"]),
            values["posted_on"],
            self.photo.picked,
            str(values.get("notes") or ""),
        )


def confirm_take_down(parent: QWidget, context: AppContext, notice_id: str, title: str) -> bool:
    """撤下: ask first, then record today as the day it came down. True when asked to go on."""
    if not ask(
        parent,
        parent.tr("撤下通知"),
        parent.tr(
            "确定把“{title}”记为今天已从宣传栏撤下吗？\n\n请先把纸从宣传栏上取下来，再点“是”。"
        ).format(title=title),
    ):
        return False
    context.write(
        print_jobs.take_down(notice_id),
        None,
        guarded(parent, lambda error: show_error(parent, error, parent.tr("没有记下撤下"))),
    )
    return True


# ============================================================================= the page


class NoticeTableModel(RowTableModel):
    """种类, 标题, 涉及小区, 发布日期, 公示, 张贴 of plain ``NoticeRow`` rows."""

    KIND, TITLE, ESTATES_COLUMN, ISSUED, PUBLICITY, POSTINGS = range(6)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("种类"), lambda r: r.kind_label),
            Column(self.tr("标题"), lambda r: r.title, tooltip=True),
            Column(self.tr("涉及小区"), lambda r: "、".join(r.estates), tooltip=True),
            Column(self.tr("发布日期"), lambda r: r.issued_on.isoformat()),
            Column(self.tr("公示"), self.publicity_text, tooltip=True, colour=self.colour),
            Column(
                self.tr("张贴"),
                lambda r: self.tr("{n} 处").format(n=r.postings) if r.postings else self.tr("未记"),
            ),
        ]

    @staticmethod
    def publicity_text(row: NoticeRow) -> str:
        state = row.publicity.state
        if state in ("running", "ending", "ended"):
            return countdown(row)[0]
        if state == "none":
            return "—"
        return row.publicity.label

    @staticmethod
    def colour(row: NoticeRow) -> str | None:
        return ERROR_COLOUR if row.publicity.state == "ended" else None


class NoticesPage(LiveWidget):
    """An estate's notices (``estate_id``; None: every notice of the subdistrict), with
    新建通知 / 修改 / 删除 / 记录张贴 / 撤下, the 公示提醒 panel and 打印预览…"""

    TABLES = print_jobs.NOTICE_TABLES
    REFRESH_EVERY_MS = 30 * 60 * 1000  # the 公示 column counts days
    # Asks to show a notice in the print centre: (kind, ref) = ("notice", notice_id).
    print_requested = Signal(str, str)

    def __init__(
        self, context: AppContext, estate_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.estate_id = estate_id
        self._pending_select: str | None = None
        # Who shows the print centre: by default a window of its own; the lead may route it
        # to the print centre tab with set_print_handler.
        self._print_handler: Callable[[str, str], None] | None = None

        self.model = NoticeTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.add_button = big_button(self.tr("新建通知"))
        self.edit_button = big_button(self.tr("修改"))
        self.delete_button = big_button(self.tr("删除"))
        self.post_button = big_button(self.tr("记录张贴"))
        self.take_down_button = big_button(self.tr("撤下"))
        self.print_button = big_button(self.tr("打印预览…"))
        self.post_button.setToolTip(self.tr("记下贴在哪个宣传栏、哪天贴的，可附照片"))
        self.take_down_button.setToolTip(self.tr("通知已从宣传栏取下时，记下撤下的日期"))
        self.print_button.setToolTip(self.tr("在打印中心预览、打印或存成 PDF"))
        cell = self.fontMetrics().horizontalAdvance("中")
        for button in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.post_button,
            self.take_down_button,
            self.print_button,
        ):
            button.setMinimumWidth(round(cell * (len(button.text()) + 2.5)))
        self.add_button.clicked.connect(self.add_notice)
        self.edit_button.clicked.connect(self.edit_notice)
        self.delete_button.clicked.connect(self.delete_notice)
        self.post_button.clicked.connect(self.record_posting)
        self.take_down_button.clicked.connect(self.take_down)
        self.print_button.clicked.connect(self.print_notice)
        tools = QHBoxLayout()
        tools.setSpacing(8)
        tools.addWidget(self.add_button)
        tools.addWidget(self.edit_button)
        tools.addWidget(self.delete_button)
        tools.addSpacing(16)
        tools.addWidget(self.post_button)
        tools.addWidget(self.take_down_button)
        tools.addStretch(1)
        tools.addWidget(self.print_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, stretch_column=NoticeTableModel.TITLE)
        set_column_widths(self.table, {0: 5, 2: 8, 3: 6, 4: 8, 5: 4})
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            NoticeTableModel.ISSUED, Qt.SortOrder.DescendingOrder
        )
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit_notice())
        self.count_label = hint()
        self.empty_hint = hint(
            self.tr("还没有通知。点“新建通知”写第一份，写好后可以预览、打印，贴到宣传栏。")
        )
        self.empty_hint.setVisible(False)

        list_box = QWidget()
        left = QVBoxLayout(list_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(8)
        title_row = QHBoxLayout()
        title_row.addWidget(heading(self.tr("通知公告")))
        title_row.addWidget(self.count_label, 1)
        left.addLayout(title_row)
        left.addLayout(tools)
        left.addWidget(self.empty_hint)
        left.addWidget(self.table, 1)

        self.panel = PublicityPanel(context, estate_id)
        panel_box = QFrame()
        panel_box.setObjectName("publicityBox")
        panel_box.setStyleSheet(
            "QFrame#publicityBox { border: 1px solid #d0d0d0; border-radius: 6px; }"
        )
        panel_layout = QVBoxLayout(panel_box)
        panel_layout.setContentsMargins(12, 10, 12, 10)
        panel_layout.addWidget(self.panel)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(list_box)
        splitter.addWidget(panel_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([cell * 60, cell * 26])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        self.context.read(
            print_jobs.load_notices(self.estate_id),
            guarded(self, self._loaded),
            guarded(self, lambda error: show_error(self, error, self.tr("无法读取通知"))),
        )

    def _loaded(self, rows: list[NoticeRow]) -> None:
        keep = self._pending_select or self.selected_id()
        self.model.set_rows(rows)
        self._pending_select = None
        if keep:
            self.select(keep)
        self.count_label.setText(self.tr("共 {n} 份").format(n=len(rows)) if rows else "")
        self.empty_hint.setVisible(not rows)
        self.has_data = True
        self._update_buttons()
        emit(self.loaded)

    # ------------------------------------------------------------------ selection

    def select(self, notice_id: str) -> bool:
        row = self.model.row_of_id(notice_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(rows[0].data(ID_ROLE)) if rows else None

    def selected(self) -> NoticeRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        source: QModelIndex = self.proxy.mapToSource(rows[0])
        row: NoticeRow = self.model.row_at(source.row())
        return row

    def _update_buttons(self) -> None:
        row = self.selected()
        ready = self.context.store is not None
        self.add_button.setEnabled(ready)
        for button in (self.edit_button, self.delete_button, self.post_button, self.print_button):
            button.setEnabled(ready and row is not None)
        self.take_down_button.setEnabled(
            ready and row is not None and row.publicity.state != "taken_down"
        )

    # ------------------------------------------------------------------ actions

    def _saved(self, notice_id: str) -> None:
        self._pending_select = notice_id
        if alive(self) and notice_id:
            self.select(notice_id)

    def add_notice(self) -> NoticeDialog:
        dialog = NoticeDialog(self.context, self.estate_id, None, self)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def edit_notice(self) -> None:
        notice_id = self.selected_id()
        if notice_id is None:
            return

        def loaded(detail: NoticeDetail) -> None:
            dialog = NoticeDialog(self.context, self.estate_id, detail, self)
            dialog.saved.connect(self._saved)
            dialog.open()

        self.context.read(
            print_jobs.load_notice(notice_id),
            guarded(self, loaded),
            guarded(self, lambda error: show_error(self, error, self.tr("无法打开这份通知"))),
        )

    def delete_notice(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not ask(
            self,
            self.tr("删除通知"),
            self.tr("确定删除通知“{title}”吗？\n\n删除后它不再出现在通知列表和打印中心里。").format(
                title=row.title
            ),
        ):
            return
        self.context.write(
            print_jobs.delete_notice(row.id),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("没有删除"))),
        )

    def record_posting(self) -> PostingDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = PostingDialog(self.context, row.id, row.title, self)
        dialog.open()
        return dialog

    def take_down(self) -> None:
        row = self.selected()
        if row is not None:
            confirm_take_down(self, self.context, row.id, row.title)

    def set_print_handler(self, handler: Callable[[str, str], None] | None) -> None:
        """Where 打印预览… goes: ``handler("notice", notice_id)``; None: a window of its own."""
        self._print_handler = handler

    def print_notice(self) -> None:
        notice_id = self.selected_id()
        if notice_id is None:
            return
        emit(self.print_requested, "notice", notice_id)
        if self._print_handler is not None:
            self._print_handler("notice", notice_id)
        else:
            open_print_centre(self.context, self.estate_id, "notice", notice_id, self)
