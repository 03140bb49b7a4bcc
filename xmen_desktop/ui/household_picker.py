"""A box to pick one household of an estate by typing a few characters of its address or tenant.

The list pops up as the user types and finds "1号101" in "中华路 1325 弄 1 号 101 室" as well:
the typed text and every entry are compared without spaces and in half-width characters.
A name that is not on the list may stay typed in (a proposer from outside the roster).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from xmen_desktop.domain.validation import to_halfwidth
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import roomy

if TYPE_CHECKING:
    from xmen_desktop.store.topic_queries import HouseholdChoice

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _key(text: str) -> str:
    return "".join(to_halfwidth(text).lower().split())


def choice_text(choice: HouseholdChoice) -> str:
    return f"{choice.address}　{choice.tenant}"


class _Completer(QCompleter):
    """Matches on a spaceless key but puts the readable text into the box."""

    def splitPath(self, path: str) -> list[str]:
        return [_key(path)]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class HouseholdPicker(QComboBox):
    """An editable box over the households of one estate, in address order."""

    # The household picked (its id), or "" when the text matches none.
    picked_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(14)
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self._by_text: dict[str, HouseholdChoice] = {}
        completer = _Completer(self._items, self)
        completer.setCompletionRole(_KEY_ROLE)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText(self.tr("输入地址或姓名的几个字，从弹出的名单中选"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)
        roomy(self)
        self._last_picked = ""
        self.currentTextChanged.connect(self._text_changed)

    def set_choices(self, choices: Sequence[HouseholdChoice]) -> None:
        text = self.currentText()
        self.blockSignals(True)
        self._items.clear()
        self._by_text = {}
        for choice in choices:
            shown = choice_text(choice)
            item = QStandardItem(shown)
            item.setData(_key(shown), _KEY_ROLE)
            item.setData(choice.id, _ID_ROLE)
            self._items.appendRow(item)
            self._by_text[shown] = choice
        self.setCurrentIndex(-1)
        self.setEditText(text)
        self.blockSignals(False)
        self._text_changed(text)

    def choices_count(self) -> int:
        return len(self._by_text)

    def picked(self) -> HouseholdChoice | None:
        return self._by_text.get(self.currentText().strip())

    def pick(self, household_id: str) -> bool:
        """Choose a household by id, as picking it from the list does."""
        for text, choice in self._by_text.items():
            if choice.id == household_id:
                self.setEditText(text)
                return True
        return False

    def clear_text(self) -> None:
        self.setCurrentIndex(-1)
        self.setEditText("")

    def _text_changed(self, _text: str) -> None:
        choice = self.picked()
        picked = choice.id if choice else ""
        if picked != self._last_picked:
            self._last_picked = picked
            emit(self.picked_changed, picked)
