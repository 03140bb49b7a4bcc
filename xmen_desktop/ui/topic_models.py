"""Table models of the topic, consultation and tally screens, fed plain rows from the store.

Like the roster's models they never touch the database; the topic list is filtered by state
through a proxy. The coverage model hands its share to a delegate that draws a simple bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain.topics import OPEN_STATES, STATES
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import ERROR_COLOUR

if TYPE_CHECKING:
    from xmen_desktop.store.topic_queries import (
        ContactRow,
        EntryRow,
        MismatchRow,
        SupportRow,
        TransitionRow,
        VoteRow,
    )
    from xmen_desktop.store.topics import DoorwayCoverage, TopicRow

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter

AnyIndex = QModelIndex | QPersistentModelIndex

OK_COLOUR = "#1e6b2f"
# A doorway's share (0.0–1.0) for the bar delegate.
SHARE_ROLE = Qt.ItemDataRole.UserRole + 2

# Labels the UI shows for the store's consultation codes (store.topics has the same).
METHOD_LABELS: dict[str, str] = {
    "door": "上门",
    "phone": "电话",
    "meeting": "会议",
    "written": "书面",
}
OPINION_LABELS: dict[str, str] = {
    "support": "赞成",
    "oppose": "反对",
    "neutral": "无所谓",
    "": "未表态",
}
OPINION_COLOURS: dict[str, str] = {"support": OK_COLOUR, "oppose": ERROR_COLOUR}

# The state filter: "" every topic, "open" those still being worked on, else one state.
ALL = ""
OPEN = "open"


# ---------------------------------------------------------------------------- topics


class TopicTableModel(RowTableModel):
    """标题, 类别, 提出人, 提出日期, 状态, 附议 of one estate's topics."""

    TITLE, CATEGORY, PROPOSER, RAISED, STATE, SUPPORTS = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._required = 0
        self.columns = [
            Column(self.tr("标题"), lambda r: r.title, tooltip=True),
            Column(self.tr("类别"), lambda r: r.category),
            Column(self.tr("提出人"), lambda r: r.proposer_name),
            Column(self.tr("提出日期"), lambda r: r.raised_on.isoformat()),
            Column(self.tr("状态"), lambda r: STATES.get(r.state, r.state), colour=self._colour),
            Column(self.tr("附议"), self.supports_text),
        ]

    def set_rows(self, rows: Sequence[TopicRow], required: int = 0) -> None:  # type: ignore[override]
        self._required = required
        super().set_rows(rows)

    def supports_text(self, row: TopicRow) -> str:
        return self.tr("{n} / 需 {m}").format(n=row.supports, m=self._required)

    @staticmethod
    def _colour(row: TopicRow) -> str | None:
        if row.state == "passed":
            return OK_COLOUR
        if row.state in ("failed", "declined"):
            return ERROR_COLOUR
        return None


class TopicStateProxy(QSortFilterProxyModel):
    """The topics in one state, those still open, or all; sorted by the column clicked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = ALL

    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        if state == self._state:
            return
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
        self._state = state
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._state == ALL:
            return True
        model = self.sourceModel()
        assert isinstance(model, TopicTableModel)
        state = model.row_at(source_row).state
        if self._state == OPEN:
            return state in OPEN_STATES
        return bool(state == self._state)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, TopicTableModel)
        a, b = model.row_at(left.row()), model.row_at(right.row())
        column = left.column()
        keys: dict[int, Any] = {
            TopicTableModel.RAISED: lambda r: (r.raised_on, r.title),
            TopicTableModel.STATE: lambda r: list(STATES).index(r.state),
            TopicTableModel.SUPPORTS: lambda r: r.supports,
        }
        key = keys.get(column)
        if key is not None:
            return bool(key(a) < key(b))
        return super().lessThan(left, right)


# ---------------------------------------------------------------------------- topic detail


class TransitionTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("时间"), lambda t: t.at),
            Column(self.tr("状态"), self.move_text),
            Column(self.tr("经办"), lambda t: t.by),
            Column(self.tr("说明"), lambda t: t.note, tooltip=True),
        ]

    def set_rows(self, rows: Sequence[TransitionRow]) -> None:
        super().set_rows(rows)

    def move_text(self, row: TransitionRow) -> str:
        target = STATES.get(row.to_state, row.to_state)
        if row.from_state is None or row.from_state == row.to_state:
            return target
        return self.tr("{before} → {after}").format(
            before=STATES.get(row.from_state, row.from_state), after=target
        )


class SupportTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("地址"), lambda s: s.address, tooltip=True),
            Column(self.tr("承租人"), lambda s: s.tenant),
            Column(self.tr("附议日期"), lambda s: s.supported_on.isoformat()),
            Column(self.tr("备注"), lambda s: s.note, tooltip=True),
        ]

    def set_rows(self, rows: Sequence[SupportRow]) -> None:
        super().set_rows(rows)


class VoteTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("表决事项"), lambda v: v.question, tooltip=True),
            Column(self.tr("规则"), lambda v: v.rule_name, tooltip=True),
            Column(self.tr("状态"), self.state_text, colour=self._colour),
            Column(self.tr("已发票"), lambda v: str(v.issued), _RIGHT),
            Column(self.tr("已交回"), lambda v: str(v.returned), _RIGHT),
        ]

    def set_rows(self, rows: Sequence[VoteRow]) -> None:
        super().set_rows(rows)

    def state_text(self, vote: VoteRow) -> str:
        if vote.state == "open":
            return self.tr("进行中") if vote.issued else self.tr("未发票")
        return self.tr("已结束：通过") if vote.passed else self.tr("已结束：未通过")

    @staticmethod
    def _colour(vote: VoteRow) -> str | None:
        if vote.state != "closed":
            return None
        return OK_COLOUR if vote.passed else ERROR_COLOUR


# ---------------------------------------------------------------------------- consultation


def coverage_order(doorways: Sequence[DoorwayCoverage]) -> list[DoorwayCoverage]:
    """Doorways nobody has reached first, then those part-way, then the finished ones;
    each group in address order."""

    def group(d: DoorwayCoverage) -> int:
        if d.reached == 0:
            return 0
        return 1 if d.reached < d.households else 2

    return sorted(doorways, key=lambda d: (group(d), addresses.sort_key(d.doorway)))


class CoverageTableModel(RowTableModel):
    """门牌, 已联系, 共, 覆盖: one row per doorway; unreached doorways first and in red."""

    DOORWAY, REACHED, HOUSEHOLDS, SHARE = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        red = self._red
        self.columns = [
            Column(self.tr("门牌"), lambda d: d.doorway, colour=red),
            Column(
                self.tr("已联系"),
                lambda d: self.tr("{n} 户").format(n=d.reached),
                _RIGHT,
                colour=red,
            ),
            Column(self.tr("共"), lambda d: self.tr("{n} 户").format(n=d.households), _RIGHT),
            Column(self.tr("覆盖"), lambda d: f"{round(d.share * 100)}%", _CENTRE, colour=red),
        ]

    def set_rows(self, rows: Sequence[DoorwayCoverage]) -> None:
        # Each doorway is its own id: its name is unique within an estate.
        super().set_rows([_Keyed(d.doorway, d) for d in coverage_order(rows)])

    def doorway_at(self, row: int) -> DoorwayCoverage:
        return self.row_at(row).row  # type: ignore[no-any-return]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == SHARE_ROLE:
            return self.doorway_at(index.row()).share
        keyed = self.row_at(index.row())
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(keyed.row)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(keyed.row)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.DOORWAY:
            return keyed.row.doorway
        return super().data(index, role)

    @staticmethod
    def _red(doorway: DoorwayCoverage) -> str | None:
        return ERROR_COLOUR if doorway.reached == 0 and doorway.households else None


class _Keyed:
    """A row without an ``id`` of its own, given one for RowTableModel."""

    __slots__ = ("id", "row")

    def __init__(self, row_id: str, row: Any) -> None:
        self.id = row_id
        self.row = row


class ShareBarDelegate(QStyledItemDelegate):
    """Draws the share as a bar with its percentage: red when nothing, green when complete."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        share = index.data(SHARE_ROLE)
        if share is None:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            # Background and selection as for any cell.
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        text = f"{round(share * 100)}%"
        metrics = option.fontMetrics
        text_width = metrics.horizontalAdvance("100%") + 12
        cell = option.rect.adjusted(8, 0, -8, 0)
        bar = QRect(
            cell.left(), cell.top() + 8, max(cell.width() - text_width, 10), cell.height() - 16
        )
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#dddddd"))
        painter.drawRoundedRect(bar, 3, 3)
        if share > 0:
            filled = QRect(bar)
            filled.setWidth(max(4, round(bar.width() * min(share, 1.0))))
            painter.setBrush(QColor(OK_COLOUR if share >= 1 else "#3b73b9"))
            painter.drawRoundedRect(filled, 3, 3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = ERROR_COLOUR if share == 0 else "#111111"
        painter.setPen(QColor("#ffffff" if selected else colour))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        number = QRect(bar.right() + 4, cell.top(), text_width, cell.height())
        painter.drawText(number, _RIGHT, text)
        painter.restore()


class ContactTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("轮次"), lambda c: self.tr("第 {n} 轮").format(n=c.round_number)),
            Column(self.tr("地址"), lambda c: c.address, tooltip=True),
            Column(self.tr("承租人"), lambda c: c.tenant),
            Column(self.tr("方式"), lambda c: METHOD_LABELS.get(c.method, c.method)),
            Column(
                self.tr("态度"),
                lambda c: OPINION_LABELS.get(c.opinion, c.opinion),
                colour=lambda c: OPINION_COLOURS.get(c.opinion),
            ),
            Column(self.tr("住户意见"), lambda c: c.said, tooltip=True),
            Column(self.tr("日期"), lambda c: c.contacted_on.isoformat()),
        ]

    def set_rows(self, rows: Sequence[ContactRow]) -> None:
        super().set_rows(rows)


# ---------------------------------------------------------------------------- tally


class EntryTableModel(RowTableModel):
    """The latest entries of the tally, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("编号"), lambda e: e.serial),
            Column(self.tr("地址"), lambda e: e.address, tooltip=True),
            Column(self.tr("承租人"), lambda e: e.tenant),
            Column(self.tr("登记为"), lambda e: e.record),
            Column(self.tr("时间"), lambda e: e.at[11:]),
        ]

    def set_rows(self, rows: Sequence[EntryRow]) -> None:
        super().set_rows(rows)

    def add_first(self, entry: EntryRow, limit: int) -> None:
        rows = [entry, *(r for r in self._rows if r.id != entry.id)][:limit]
        self.set_rows(rows)

    def remove(self, entry_id: str) -> None:
        self.set_rows([r for r in self._rows if r.id != entry_id])


class MismatchTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("编号"), lambda m: m.serial),
            Column(self.tr("地址"), lambda m: m.address, tooltip=True),
            Column(self.tr("承租人"), lambda m: m.tenant),
            Column(self.tr("第一次登记"), lambda m: m.recorded, tooltip=True),
            Column(self.tr("复核录入"), lambda m: m.checked, colour=lambda m: ERROR_COLOUR),
        ]

    def set_rows(self, rows: Sequence[MismatchRow]) -> None:
        super().set_rows(rows)
