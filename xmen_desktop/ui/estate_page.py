"""The base of an estate tab's pages: load when first shown, reload after a change.

A page names the tables it shows; after a change to one of them it reloads at once if it is
on screen, else it only notes that it is out of date and reloads when next shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from xmen_desktop.domain.estates import EstateInfo
from xmen_desktop.ui.context import AppContext


class Page(QWidget):
    """Loads when first shown; after a change it reloads if shown, else when next shown."""

    # Emitted after every load, once the data is on screen.
    loaded = Signal()
    # Table names whose changes this page shows.
    TABLES: frozenset[str] = frozenset()

    def __init__(self, context: AppContext, estate: EstateInfo, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.context = context
        self.estate = estate
        self.has_data = False
        self._active = False
        self._stale = True
        context.changed.connect(self._on_changed)

    def set_active(self, active: bool) -> None:
        self._active = active
        if active and self._stale:
            self.refresh()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if not self.TABLES & tables:
            return
        self._stale = True
        if self._active:
            self.refresh()

    def refresh(self) -> None:
        if self.context.store is None:
            return  # not open yet: store_ready activates the page again
        self._stale = False
        self.load()

    def load(self) -> None:
        raise NotImplementedError
