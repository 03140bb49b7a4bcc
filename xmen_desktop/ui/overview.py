"""街道总览: the six estates with totals (小区概况), and sync with other PCs (同步)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStackedWidget, QTableView, QTabWidget, QVBoxLayout, QWidget

from xmen_desktop.domain.estates import SUBDISTRICT_NAME
from xmen_desktop.domain.validation import area_text
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.lazy import LazyPage
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.sync_page import SyncPage
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    StatusPage,
    guarded,
    heading,
    hint,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from xmen_desktop.store.roster import EstateSummary

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# The id of the totals row, which is no estate.
TOTAL_ID = ""


@dataclass(frozen=True)
class OverviewRow:
    id: str
    name: str
    households: int
    residents: int
    members: int
    area_centi: int


def with_totals(summaries: list[EstateSummary], total_name: str) -> list[OverviewRow]:
    rows = [
        OverviewRow(s.estate_id, s.name, s.households, s.residents, s.members, s.area_centi)
        for s in summaries
    ]
    total = OverviewRow(
        TOTAL_ID,
        total_name,
        sum(r.households for r in rows),
        sum(r.residents for r in rows),
        sum(r.members for r in rows),
        sum(r.area_centi for r in rows),
    )
    return [*rows, total]


def thousands(number: int) -> str:
    return f"{number:,}"


def area_thousands(centi: int) -> str:
    """27,345.5 rather than 27345.5: sums of a whole estate are long numbers."""
    whole, _, fraction = area_text(centi).partition(".")
    return f"{int(whole or 0):,}" + (f".{fraction}" if fraction else "")


class OverviewModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("小区"), lambda r: r.name),
            Column(self.tr("户数"), lambda r: thousands(r.households), _RIGHT),
            Column(self.tr("居民数"), lambda r: thousands(r.residents), _RIGHT),
            Column(self.tr("机构成员数"), lambda r: thousands(r.members), _RIGHT),
            Column(self.tr("总面积(㎡)"), lambda r: area_thousands(r.area_centi), _RIGHT),
        ]

    def set_summaries(self, summaries: list[EstateSummary]) -> None:
        self.set_rows(with_totals(summaries, self.tr("合计")))

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            if self.row_at(index.row()).id == TOTAL_ID:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class OverviewTab(QWidget):
    """The first tab. Double-clicking an estate opens its own tab; 同步 is its second page."""

    loaded = Signal()
    # The estate id of a row the user double-clicked.
    estate_chosen = Signal(str)
    # How many sync review items wait for a person (shown on the tab titles).
    review_count_changed = Signal(int)

    TABLES = frozenset({jobs.HOUSEHOLD, jobs.RESIDENT, jobs.BODY_MEMBER})

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.has_data = False
        self.model = OverviewModel(self)
        self.title = heading(
            self.tr("{subdistrict}自治家园概况").format(subdistrict=SUBDISTRICT_NAME), scale=1.4
        )
        self.note = hint(self.tr("双击某个小区，可打开它的住户名册和自治机构。"))
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_column=None)
        self.table.horizontalHeader().setStretchLastSection(False)
        set_column_widths(self.table, {0: 8, 1: 6, 2: 6, 3: 7, 4: 8})
        self.table.doubleClicked.connect(self._open_estate)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addStretch(1)
        self._fit_height()
        self.sync_page = SyncPage(context)
        self.sync_page.review_count_changed.connect(self._show_review_count)
        # Built when first opened, so the window appears without waiting for them.
        self.lazy_dashboard = LazyPage(lambda: _dashboard(context))
        self.lazy_notices = LazyPage(self._notices_page)
        self.lazy_print_centre = LazyPage(lambda: _print_centre(context))
        self.pages = QTabWidget()
        self.pages.addTab(content, self.tr("小区概况"))
        self.pages.addTab(self.sync_page, self.tr("同步"))
        self.pages.addTab(self.lazy_dashboard, self.tr("工作提醒"))
        self.pages.addTab(self.lazy_notices, self.tr("通知公示"))
        self.pages.addTab(self.lazy_print_centre, self.tr("打印中心"))
        self.waiting = StatusPage(self.tr("正在打开数据……"), self.tr("请稍候，马上就好。"))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.waiting)
        self.stack.addWidget(self.pages)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        context.changed.connect(self._on_changed)

    def _fit_height(self, rows: int = 7) -> None:
        # Every row (six estates and the totals) shown whole, with no empty table below.
        vertical = self.table.verticalHeader()
        height = (
            self.table.horizontalHeader().minimumHeight() + rows * vertical.defaultSectionSize()
        )
        self.table.setFixedHeight(height + 2 * self.table.frameWidth() + 2)
        header = self.table.horizontalHeader()
        width = sum(header.sectionSize(c) for c in range(header.count()))
        self.table.setFixedWidth(width + 2 * self.table.frameWidth() + 2)

    def load(self) -> None:
        self._load_summaries()
        self.sync_page.load()

    def _load_summaries(self) -> None:
        self.context.read(jobs.estate_summaries, guarded(self, self._show))

    def _notices_page(self) -> QWidget:
        from xmen_desktop.ui.notice_dialog import NoticesPage

        page = NoticesPage(self.context, None)
        page.set_print_handler(self._print_document)
        return page

    def _print_document(self, kind: str, ref: str) -> None:
        self.pages.setCurrentWidget(self.lazy_print_centre)
        self.lazy_print_centre.build().focus(kind, ref)  # type: ignore[attr-defined]

    def show_sync_page(self) -> None:
        self.pages.setCurrentWidget(self.sync_page)

    def _show_review_count(self, count: int) -> None:
        index = self.pages.indexOf(self.sync_page)
        self.pages.setTabText(
            index, self.tr("同步（待核对 {n}）").format(n=count) if count else self.tr("同步")
        )
        self.pages.tabBar().setTabTextColor(index, QColor(ERROR_COLOUR) if count else QColor())
        emit(self.review_count_changed, count)

    def _show(self, summaries: list[EstateSummary]) -> None:
        person = self.context.actor
        if not person.all_estates:
            # Estate staff see their own estates only: rows of zeros for the others would
            # read as "empty", which they are not.
            summaries = [s for s in summaries if person.may_read_estate(s.estate_id)]
            self._fit_height(len(summaries) + 1)
        self.model.set_summaries(summaries)
        self.stack.setCurrentIndex(1)
        self.has_data = True
        emit(self.loaded)

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Cheap (three grouped queries), so it is kept current even while out of sight.
        if self.TABLES & tables and self.context.store is not None:
            self._load_summaries()  # the sync page follows changes by itself

    def _open_estate(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row.id != TOTAL_ID:
            emit(self.estate_chosen, row.id)


def _dashboard(context: AppContext) -> QWidget:
    from xmen_desktop.ui.dashboard import Dashboard

    return Dashboard(context, None)


def _print_centre(context: AppContext) -> QWidget:
    from xmen_desktop.ui.print_centre import PrintCentre

    return PrintCentre(context, None)
