"""Small pieces every roster screen uses: table look, headings, status pages, confirmations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

ERROR_COLOUR = "#b3261e"
HINT_COLOUR = "#555555"
# Row height as a multiple of the text height: Chinese needs more air than Latin text.
ROW_HEIGHT_FACTOR = 2.0


def alive(obj: QObject | None) -> bool:
    """False once Qt has deleted the object (a dialog closed before a background job answered)."""
    return obj is not None and shiboken6.isValid(obj)


def guarded(owner: QObject, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """``callback`` for a background job's answer, dropped if ``owner`` is gone by then
    (its window was closed while the job ran)."""

    def deliver(value: Any) -> None:
        if alive(owner):
            callback(value)

    return deliver


def setup_table(view: QTableView, *, stretch_column: int | None = None) -> None:
    """The look of every data table: whole rows selected, roomy rows, alternating colours."""
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setCornerButtonEnabled(False)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    # Fixed heights: measuring 5,000 rows to fit contents would make loading slow.
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(round(view.fontMetrics().height() * ROW_HEIGHT_FACTOR))
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setMinimumHeight(round(view.fontMetrics().height() * ROW_HEIGHT_FACTOR))
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)


def set_column_widths(view: QTableView, widths: dict[int, float]) -> None:
    """Widths in character cells of the current font, so they scale with the font size;
    never narrower than the column's title, which must not be cut off."""
    metrics = view.fontMetrics()
    cell = metrics.horizontalAdvance("中")
    model = view.model()
    for column, chars in widths.items():
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        # Room for the title, the sort arrow and the header's padding.
        title_width = metrics.horizontalAdvance(title) + round(cell * 1.6)
        view.setColumnWidth(column, max(round(cell * chars), title_width))


def roomy(widget: QWidget) -> None:
    """Taller text boxes and choice boxes: easier to hit and to read."""
    widget.setMinimumHeight(round(widget.fontMetrics().height() * 1.9))


def heading(text: str, *, scale: float = 1.25) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    return label


def error_label() -> QLabel:
    """A red message line under a form field; hidden while there is nothing to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.setVisible(False)
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def big_button(text: str, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
    button.setAutoDefault(False)
    return button


class StatusPage(QWidget):
    """A whole-page message: "正在打开数据……" while loading, or what went wrong."""

    def __init__(self, title: str, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.title = heading(title, scale=1.4)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.detail = hint(detail)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        layout.addStretch(3)

    def set_text(self, title: str, detail: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question with 否 as the default, so a stray Enter never deletes anything."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
