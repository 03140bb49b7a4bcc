"""The form dialog the roster dialogs share: fields checked as the user types, saved on the worker.

Each field has a rule from ``domain.validation``; its message appears in red under the field.
Saving checks every field again, then runs the store operation through ``context.write``;
a refusal from the store (a duplicate address, say) is shown under its field too, and the
dialog stays open until the save has gone through or the user chooses to leave.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.validation import FieldError, RecordInvalid
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.language import CHINESE
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import alive, ask, error_label, hint, roomy, show_message

if TYPE_CHECKING:
    from sqlmodel import Session

# A field is checked this long after the last keystroke: long enough not to scold someone
# half-way through typing a phone number, short enough to feel immediate.
CHECK_DELAY_MS = 700

Rule = Callable[[Any], object]


class DateField(QWidget):
    """A date with an explicit 未填 (not filled in) box, since many terms have no known end."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QDateEdit()
        self.edit.setLocale(CHINESE)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setCalendarPopup(True)
        self.edit.calendarWidget().setLocale(CHINESE)
        self.edit.setDateRange(QDate(1990, 1, 1), QDate(2100, 12, 31))
        self.edit.setDate(QDate.currentDate())
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00") * 2)
        roomy(self.edit)
        self.blank = QCheckBox(self.tr("未填"))
        layout.addWidget(self.edit)
        layout.addWidget(self.blank)
        layout.addStretch(1)
        self.edit.dateChanged.connect(self.changed)
        self.blank.toggled.connect(self._blank_toggled)

    def _blank_toggled(self, blank: bool) -> None:
        self.edit.setEnabled(not blank)
        emit(self.changed)

    def value(self) -> datetime.date | None:
        if self.blank.isChecked():
            return None
        day = self.edit.date()
        return datetime.date(day.year(), day.month(), day.day())

    def set_value(self, value: datetime.date | None) -> None:
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))
        self.blank.setChecked(value is None)
        self.edit.setEnabled(value is not None)


@dataclass
class _Field:
    name: str
    widget: QWidget
    rule: Rule | None
    error: QLabel
    touched: bool = False


class FormDialog(QDialog):
    """Base of the household, resident and member dialogs.

    Subclasses add their fields with ``add_field`` and implement ``check_all`` (every field,
    with the domain's record cleaner) and ``save_job`` (the store operation to run).
    """

    # The id of the row that was saved.
    saved = Signal(str)

    def __init__(self, context: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(title)
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._fields: dict[str, _Field] = {}
        self._initial: dict[str, object] = {}
        self._saving = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(12)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(16)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(1, 1)
        self._next_row = 0
        outer.addLayout(self._grid)
        outer.addStretch(1)
        self.general_error = error_label()
        outer.addWidget(self.general_error)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole
        )
        for button in (self.save_button, self.cancel_button):
            button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("中") * 6)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._check_touched)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)

    # ------------------------------------------------------------------ building

    def add_field(
        self,
        name: str,
        label: str,
        widget: QWidget,
        *,
        rule: Rule | None = None,
        note: str = "",
        field_widget: QWidget | None = None,
    ) -> QLabel | None:
        """A labelled field; ``field_widget`` is what is laid out when it wraps ``widget``.

        Returns the grey note under the field, if one was asked for, so it can be updated.
        """
        row = self._next_row
        caption = QLabel(label)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        caption.setBuddy(widget)
        if isinstance(widget, QPlainTextEdit):
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            caption.setContentsMargins(0, 6, 0, 0)
        self._grid.addWidget(caption, row, 0)
        self._grid.addWidget(field_widget or widget, row, 1)
        error = error_label()
        self._grid.addWidget(error, row + 1, 1)
        self._next_row += 2
        note_label = None
        if note:
            note_label = hint(note)
            self._grid.addWidget(note_label, self._next_row, 1)
            self._next_row += 1
        # A little air before the next field.
        self._grid.setRowMinimumHeight(self._next_row, 8)
        self._next_row += 1
        if isinstance(widget, QLineEdit | QComboBox):
            roomy(widget)
        field = _Field(name, widget, rule, error)
        self._fields[name] = field
        self._connect_edits(field)
        return note_label

    def _connect_edits(self, field: _Field) -> None:
        widget = field.widget

        def edited(*_: object) -> None:
            field.touched = True
            # An error goes away the moment it is fixed; a new one waits for a pause.
            if field.error.isVisible():
                self.check_field(field.name)
            else:
                self._check_timer.start()

        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(edited)
            widget.editingFinished.connect(lambda: self._finished(field))
        elif isinstance(widget, QComboBox):
            widget.currentTextChanged.connect(edited)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(edited)
        elif isinstance(widget, DateField):
            # Dates come from a picker, so they are checked at once.
            widget.changed.connect(lambda: self.check_field(field.name))

    def _finished(self, field: _Field) -> None:
        if field.touched and not self._saving:
            self.check_field(field.name)

    def setVisible(self, visible: bool) -> None:
        if visible and not self.isVisible():
            # Take the size the fields need before the window exists, so it opens at that
            # size instead of growing (and Qt re-sending size hints) once it is on screen.
            self.adjustSize()
        super().setVisible(visible)

    def remember_initial(self) -> None:
        """Call after filling the fields: leaving with changes asks first."""
        self._initial = {name: self.value(name) for name in self._fields}

    # ------------------------------------------------------------------ values

    def widget(self, name: str) -> QWidget:
        return self._fields[name].widget

    def value(self, name: str) -> Any:
        widget = self._fields[name].widget
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QComboBox):
            if widget.isEditable():
                return widget.currentText()
            return widget.currentData()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, DateField):
            return widget.value()
        raise TypeError(f"no value for {type(widget).__name__}")

    def set_value(self, name: str, value: object) -> None:
        widget = self._fields[name].widget
        if isinstance(widget, QLineEdit):
            widget.setText("" if value is None else str(value))
        elif isinstance(widget, QComboBox):
            if widget.isEditable():
                widget.setCurrentText("" if value is None else str(value))
            else:
                found = widget.findData(value)
                widget.setCurrentIndex(max(found, 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        elif isinstance(widget, DateField):
            widget.set_value(value)  # type: ignore[arg-type]

    def values(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self._fields}

    def is_dirty(self) -> bool:
        return self.values() != self._initial

    # ------------------------------------------------------------------ checking

    def field_error(self, name: str) -> str:
        """The message shown under a field ("" when none): for tests and for focus."""
        label = self._fields[name].error
        return label.text() if label.isVisible() else ""

    def check_field(self, name: str) -> bool:
        field = self._fields[name]
        message = ""
        if field.rule is not None:
            try:
                field.rule(self.value(name))
            except FieldError as error:
                message = error.message
        show_message(field.error, message)
        return not message

    def _check_touched(self) -> None:
        for field in self._fields.values():
            if field.touched:
                self.check_field(field.name)

    def check_all(self) -> list[FieldError]:
        """Every refusal for the whole form; by default each field's own rule."""
        errors = []
        for field in self._fields.values():
            if field.rule is None:
                continue
            try:
                field.rule(self.value(field.name))
            except FieldError as error:
                errors.append(error)
        return errors

    @staticmethod
    def errors_of(cleaner: Callable[..., object], values: Mapping[str, object]) -> list[FieldError]:
        """Run a domain record cleaner (``clean_household`` …) and return what it refused."""
        try:
            cleaner(values)
        except RecordInvalid as invalid:
            return list(invalid.errors)
        except FieldError as error:
            return [error]
        return []

    def set_errors(self, errors: Iterable[FieldError]) -> None:
        """Show each message under its field (others at the bottom); focus the first one."""
        for field in self._fields.values():
            show_message(field.error, "")
        general: list[str] = []
        first: QWidget | None = None
        for error in errors:
            field = self._fields.get(self.field_for_error(error.field))
            if field is None:
                general.append(str(error))
                continue
            show_message(field.error, error.message)
            if first is None:
                first = field.widget
        show_message(self.general_error, "\n".join(general))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def field_for_error(self, field: str) -> str:
        """Map a store field name onto this form's field (``area_centi`` is shown as ``area``)."""
        return {"area_centi": "area"}.get(field, field)

    # ------------------------------------------------------------------ saving

    def store_values(self) -> dict[str, object]:
        """What is handed to the store; by default the fields as they are."""
        return self.values()

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        raise NotImplementedError

    def save(self) -> None:
        if self._saving:
            return
        self._check_timer.stop()
        errors = self.check_all()
        if errors:
            self.set_errors(errors)
            show_message(self.general_error, self.tr("有几处需要改正，请看红字提示。"))
            return
        self.set_errors([])
        self._set_saving(True)
        self.context.write(self.save_job(self.store_values()), self._saved, self._failed)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText(self.tr("正在保存……") if saving else self.tr("保存"))

    def _saved(self, row_id: str) -> None:
        if not alive(self):
            return
        self._set_saving(False)
        self._initial = self.values()
        emit(self.saved, row_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not alive(self):
            return
        self._set_saving(False)
        field_errors = getattr(error, "errors", None)
        if field_errors:
            self.set_errors(field_errors)
        else:
            show_error(self, error, self.tr("没有保存"))

    def reject(self) -> None:
        if self._saving:
            return  # the save is on its way; closing now would hide its outcome
        if self.is_dirty() and not ask(
            self,
            self.tr("放弃修改"),
            self.tr("刚才填写的内容还没有保存。确定不保存就关闭吗？"),
        ):
            return
        super().reject()
