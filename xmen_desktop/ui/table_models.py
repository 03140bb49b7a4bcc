"""Table models of the roster screens, fed plain rows; they never touch the database.

The household table must stay smooth at 5,000 rows, so everything a keystroke or a header
click needs (a lower-case search key, a numeric-aware address key) is computed once per load,
and sorting is done by Python's ``sorted`` over those keys instead of row-by-row callbacks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain.estates import BODY_KINDS
from xmen_desktop.domain.validation import area_text, to_halfwidth
from xmen_desktop.ui.language import CHINESE
from xmen_desktop.ui.signals import emit

if TYPE_CHECKING:
    from xmen_desktop.store.queries import MemberRow, ResidentRow
    from xmen_desktop.store.roster import HouseholdRow

# The row's id, for finding a row again after a reload.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    align: Qt.AlignmentFlag = _LEFT
    # Long texts (address, notes) get a tooltip, since the cell may cut them short.
    tooltip: bool = False
    # A text colour for rows that need attention ("#b3261e"), or None for the usual one.
    colour: Callable[[Any], str | None] | None = None


class RowTableModel(QAbstractTableModel):
    """A read-only table over a list of plain row objects that each have an ``id``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: list[Column] = []
        self._rows: list[Any] = []

    # ------------------------------------------------------------------ rows

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._rows_changed()
        self.endResetModel()

    def _rows_changed(self) -> None:
        """Hook for subclasses: recompute per-row caches (called inside the reset)."""

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of_id(self, row_id: str) -> int:
        for number, item in enumerate(self._rows):
            if item.id == row_id:
                return number
        return -1

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.columns[section].align
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.text(item) or None
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(item)
            return QColor(colour) if colour else None
        if role == ID_ROLE:
            return item.id
        return None


# ---------------------------------------------------------------------------- households


def search_terms(text: str) -> list[str]:
    """What the user typed, as the lower-case half-width words that must all be found."""
    return to_halfwidth(text).lower().split()


def natural_key(text: str) -> str:
    """A string key under which 2 号 comes before 10 号: every run of digits is zero-padded."""
    return re.sub(r"\d+", lambda m: m.group().zfill(10), text)


# Between the fields of a search key: a word typed by the user cannot span two fields.
_FIELD_SEPARATOR = "\x1f"


def household_search_key(row: HouseholdRow, resident_names: str = "") -> str:
    # The phone as shown: a masked number must not be findable by its hidden digits.
    phone = row.display_phone
    parts = [
        row.tenant,
        # Spaceless as well, so "12弄3号" finds "12 弄 3 号".
        row.address,
        addresses.key(row.address),
        phone,
        phone.replace("-", ""),
        row.notes,
        resident_names,
    ]
    return _FIELD_SEPARATOR.join(to_halfwidth(p).lower().replace(" ", "") for p in parts)


class HouseholdTableModel(RowTableModel):
    """承租人, 地址, 电话, 人数, 面积(㎡), 居民, 备注 of one estate's households."""

    TENANT, ADDRESS, PHONE, SIZE, AREA, RESIDENTS, NOTES = range(7)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("承租人"), lambda r: r.tenant),
            Column(self.tr("地址"), lambda r: r.address, tooltip=True),
            Column(self.tr("电话"), lambda r: r.display_phone),
            Column(self.tr("人数"), lambda r: "" if r.size is None else str(r.size), _RIGHT),
            Column(self.tr("面积(㎡)"), lambda r: area_text(r.area_centi), _RIGHT),
            Column(self.tr("居民"), lambda r: str(r.residents), _RIGHT),
            Column(self.tr("备注"), lambda r: r.notes, tooltip=True),
        ]
        self._resident_names: dict[str, str] = {}
        self._search_keys: list[str] = []
        self._address_keys: list[str] = []
        # Pinyin order for names, as a paper roster sorted by name would be.
        self._collator = QCollator(CHINESE)
        # The list starts in address order, as rosters are kept.
        self._sort: tuple[int, Qt.SortOrder] = (self.ADDRESS, Qt.SortOrder.AscendingOrder)

    def set_rows(  # type: ignore[override]
        self, rows: Sequence[HouseholdRow], resident_names: dict[str, str] | None = None
    ) -> None:
        self._resident_names = resident_names or {}
        column, order = self._sort
        self.beginResetModel()
        self._rows = self._sorted(list(rows), column, order)
        self._rows_changed()
        self.endResetModel()

    def _rows_changed(self) -> None:
        self._search_keys = [
            household_search_key(r, self._resident_names.get(r.id, "")) for r in self._rows
        ]

    def matches(self, row: int, terms: Sequence[str]) -> bool:
        key = self._search_keys[row]
        return all(term in key for term in terms)

    # ------------------------------------------------------------------ sorting

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    def _key(self, column: int) -> Callable[[HouseholdRow], Any]:
        text_order = functools.cmp_to_key(self._collator.compare)
        missing = -1  # empty numbers sort before every real one
        keys: dict[int, Callable[[HouseholdRow], Any]] = {
            self.TENANT: lambda r: text_order(r.tenant),
            self.ADDRESS: lambda r: natural_key(addresses.key(r.address)),
            self.PHONE: lambda r: r.display_phone,
            self.SIZE: lambda r: missing if r.size is None else r.size,
            self.AREA: lambda r: missing if r.area_centi is None else r.area_centi,
            self.RESIDENTS: lambda r: r.residents,
            self.NOTES: lambda r: text_order(r.notes),
        }
        return keys.get(column, keys[self.ADDRESS])

    def _sorted(
        self, rows: list[HouseholdRow], column: int, order: Qt.SortOrder
    ) -> list[HouseholdRow]:
        # Address as a tie-breaker, so equal names keep the roster's order.
        by_address = sorted(rows, key=self._key(self.ADDRESS))
        if column == self.ADDRESS:
            return by_address[::-1] if order == Qt.SortOrder.DescendingOrder else by_address
        return sorted(
            by_address,
            key=self._key(column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        emit(self.layoutAboutToBeChanged)
        old_rows = {id(r): n for n, r in enumerate(self._rows)}
        self._rows = self._sorted(self._rows, column, order)
        self._rows_changed()
        # Keep selections and the current row attached to the same households.
        new_position = {old_rows[id(r)]: n for n, r in enumerate(self._rows)}
        old_indexes = self.persistentIndexList()
        new_indexes = [
            self.index(new_position[i.row()], i.column()) if i.isValid() else QModelIndex()
            for i in old_indexes
        ]
        self.changePersistentIndexList(old_indexes, new_indexes)
        emit(self.layoutChanged)


class HouseholdFilterProxy(QSortFilterProxyModel):
    """Shows the households whose search key holds every word typed; sorting is the model's."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []

    def households(self) -> HouseholdTableModel:
        model = self.sourceModel()
        assert isinstance(model, HouseholdTableModel)
        return model

    def set_query(self, text: str) -> None:
        terms = search_terms(text)
        if terms == self._terms:
            return
        self._begin_filter_change()
        self._terms = terms
        self._end_filter_change()

    def query_terms(self) -> list[str]:
        return list(self._terms)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return not self._terms or self.households().matches(source_row, self._terms)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source sorts 5,000 rows with precomputed keys in milliseconds; the proxy keeps
        # the source's order, so it never sorts row by row through Python callbacks.
        self.households().sort(column, order)

    def _begin_filter_change(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()

    def _end_filter_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()


# ---------------------------------------------------------------------------- residents


class ResidentTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("姓名"), lambda r: r.name),
            # Short title: the side list is narrow; the dialog spells it out.
            Column(self.tr("关系"), lambda r: r.relation),
            Column(self.tr("性别"), lambda r: r.gender),
            Column(
                self.tr("出生年份"), lambda r: "" if r.birth_year is None else str(r.birth_year)
            ),
            Column(self.tr("电话"), lambda r: r.display_phone),
            Column(self.tr("备注"), lambda r: r.notes, tooltip=True),
        ]

    def set_rows(self, rows: Sequence[ResidentRow]) -> None:
        super().set_rows(rows)


# ---------------------------------------------------------------------------- body members


class MemberTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("姓名"), lambda m: m.name),
            Column(self.tr("职务"), lambda m: m.role),
            Column(self.tr("任期"), self.term_text),
            Column(self.tr("住址"), lambda m: m.address, tooltip=True),
            Column(self.tr("备注"), lambda m: m.notes, tooltip=True),
        ]

    def set_rows(self, rows: Sequence[MemberRow]) -> None:
        super().set_rows(rows)

    def term_text(self, member: MemberRow) -> str:
        start = member.term_start.isoformat() if member.term_start else ""
        end = member.term_end.isoformat() if member.term_end else ""
        if start and end:
            return self.tr("{start} 至 {end}").format(start=start, end=end)
        if start:
            return self.tr("{start} 起").format(start=start)
        if end:
            return self.tr("至 {end}").format(end=end)
        return self.tr("未填")

    def count(self, body: str) -> int:
        return sum(1 for m in self._rows if m.body == body)


class BodyFilterProxy(QSortFilterProxyModel):
    """The members of one body (议事大会, 执行委员会, …)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._body = next(iter(BODY_KINDS))

    def body(self) -> str:
        return self._body

    def set_body(self, body: str) -> None:
        if body == self._body:
            return
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
        self._body = body
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, MemberTableModel)
        return bool(model.row_at(source_row).body == self._body)
