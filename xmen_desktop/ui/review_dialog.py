"""待核对: decide, one record at a time, what two PCs recorded differently.

Every item shows what it is, what happened, each side's value with the site that recorded it and
when, and a button to keep that side; a text field can also be given a new value. A ballot's
fields that disagree (its choice and its blank mark, say) are decided together, from one side,
so a ballot never ends up half one PC's record and half the other's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.validation import FIELD_LABELS
from xmen_desktop.ui import sync_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    alive,
    ask,
    big_button,
    error_label,
    guarded,
    heading,
    hint,
    roomy,
    show_message,
)

if TYPE_CHECKING:
    from xmen_desktop.store.review import Candidate, ReviewEntry

DELETE_FIELD = "cl"


# =============================================================================================
# Plain logic: grouping items and saying their values; no widgets.


@dataclass(frozen=True)
class Side:
    """One PC's version of a record: its value of every field in question."""

    site_id: str
    site_name: str
    at_ms: int
    values: dict[str, Any]  # field -> value
    # item key -> the 1-based candidate number that is this side's value
    choices: dict[str, int]


@dataclass
class ReviewGroup:
    """The items of one record decided together."""

    tbl: str
    row_id: str
    summary: str
    kind: str
    items: list[ReviewEntry] = field(default_factory=list)
    where: str = ""  # the vote a ballot belongs to, for instance

    @property
    def key(self) -> str:
        return f"{self.tbl}/{self.row_id}/{self.kind}"

    @property
    def fields(self) -> list[str]:
        return [item.field for item in self.items]

    @property
    def is_delete(self) -> bool:
        return self.kind == "edit_vs_delete"

    @property
    def is_text(self) -> bool:
        """A single free-text field (a tenant's or a resident's name): a new value may be typed.

        A ballot's choice is text too, but it must be one of the vote's options: it is decided
        from the paper ballot, by keeping the side that matches it.
        """
        if self.is_delete or self.tbl == "ballot" or len(self.items) != 1:
            return False
        values = [c.value for c in self.items[0].candidates]
        return all(isinstance(v, str) for v in values)

    def sides(self) -> list[Side]:
        """Each PC's version of the record, to keep as a whole.

        A side is a site that wrote one of the values in question. When the two PCs wrote
        different fields of one ballot (one the choice, the other "blank"), an item also lists
        the value a write replaced; a site that only appears through such older values (the PC
        that issued the ballots, say) is no side of its own. For an item a side did not write,
        its version is the value it left alone: the item's oldest.
        """
        order: list[str] = []
        names: dict[str, str] = {}
        for item in self.items:
            for candidate in item.candidates:
                site = site_of(candidate)
                if site not in names:
                    order.append(site)
                names[site] = candidate.site_name
        if len(self.items) > 1:
            writers = [s for s in order if any(_wrote(item, s) for item in self.items)]
            if len(writers) >= 2:
                order = writers
        sides = []
        for site in order:
            values: dict[str, Any] = {}
            choices: dict[str, int] = {}
            latest = 0
            for item in self.items:
                number = _version_of(item, site)
                candidate = item.candidates[number - 1]
                values[item.field] = candidate.value
                choices[item.key] = number
                if site_of(candidate) == site:
                    latest = max(latest, candidate.at_ms)
            sides.append(Side(site, names[site], latest, values, choices))
        return sides


def _oldest(item: ReviewEntry) -> int:
    """The 1-based number of the item's oldest candidate (the first, when times are equal)."""
    times = [c.at_ms for c in item.candidates]
    return times.index(min(times)) + 1


def _wrote(item: ReviewEntry, site: str) -> bool:
    """Whether ``site`` wrote a value of this item other than the one older than all others."""
    oldest = _oldest(item)
    unique_oldest = sum(c.at_ms == item.candidates[oldest - 1].at_ms for c in item.candidates) == 1
    return any(
        site_of(c) == site and not (unique_oldest and number == oldest)
        for number, c in enumerate(item.candidates, start=1)
    )


def _version_of(item: ReviewEntry, site: str) -> int:
    """The candidate that is ``site``'s version: its latest write, else the value it left."""
    own = [
        (c.at_ms, number) for number, c in enumerate(item.candidates, start=1) if site_of(c) == site
    ]
    return max(own)[1] if own else _oldest(item)


def site_of(candidate: Candidate) -> str:
    return candidate.entry.rsplit(":", 1)[0]


def group_reviews(
    items: list[ReviewEntry], where: dict[str, str] | None = None
) -> list[ReviewGroup]:
    """Items of one record (and one kind) together, in the order the queue lists them."""
    groups: dict[tuple[str, str, str], ReviewGroup] = {}
    for item in items:
        key = (item.tbl, item.row_id, item.kind)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReviewGroup(
                item.tbl,
                item.row_id,
                item.summary,
                item.kind,
                where=(where or {}).get(item.row_id, ""),
            )
        group.items.append(item)
    return list(groups.values())


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReviewDialog", text)


def field_label(table: str, name: str) -> str:
    if table == "ballot":
        # Ballot fields a review item can be about, as a person says them.
        ballot_labels = {
            "returned": _tr("是否交回"),
            "choice": _tr("所选选项"),
            "blank": _tr("空白票"),
            "spoilt": _tr("废票"),
        }
        if name in ballot_labels:
            return ballot_labels[name]
    return FIELD_LABELS.get(name, name)


def value_text(value: Any) -> str:
    if value is None or value == "":
        return _tr("（空）")
    if isinstance(value, bool):
        return _tr("是") if value else _tr("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def is_deletion(group: ReviewGroup, side: Side) -> bool:
    """In an edit-against-delete item: whether this side is the one that deleted the record.

    The delete's value is the record's new (even) generation; the edit's is the value of the
    field it changed, which may be a number too, so when that is ambiguous the delete is the
    older of the two (the edit came after it).
    """
    if not group.is_delete:
        return False
    item = group.items[0]
    even = [
        number
        for number, c in enumerate(item.candidates, start=1)
        if isinstance(c.value, int) and not isinstance(c.value, bool) and c.value % 2 == 0
    ]
    deleted = even[0] if len(even) == 1 else _oldest(item)
    return side.choices.get(item.key) == deleted


def side_text(group: ReviewGroup, side: Side) -> str:
    """What this side recorded, as one would say it: “同意”, 空白票, 删除了这条记录."""
    values = side.values
    if group.is_delete:
        if is_deletion(group, side):
            return _tr("删除了这条记录")
        value = values.get(DELETE_FIELD)
        if isinstance(value, str) and value:
            return _tr("修改了这条记录（改成“{value}”）").format(value=value)
        return _tr("修改了这条记录")
    if group.tbl == "ballot":
        if values.get("spoilt") is True:
            return _tr("废票")
        if values.get("blank") is True:
            return _tr("空白票")
        if values.get("returned") is False:
            return _tr("未交回")
        if values.get("choice"):
            return f"“{values['choice']}”"
    if len(values) == 1:
        return value_text(next(iter(values.values())))
    return "；".join(
        f"{field_label(group.tbl, name)}：{value_text(value)}" for name, value in values.items()
    )


def what_happened(group: ReviewGroup) -> str:
    from xmen_desktop.store.review import KIND_LABELS

    kind = KIND_LABELS.get(group.kind) or _tr("两台电脑记录得不一样")
    if group.is_delete:
        return kind
    labels = "、".join(field_label(group.tbl, name) for name in group.fields)
    return f"{kind}：{labels}"


def advice(group: ReviewGroup) -> str:
    if group.is_delete:
        return _tr("请问清楚这条记录是否应该删除，再选择。")
    if group.tbl == "ballot":
        return _tr("请找出这张纸质表决票，看清上面的选择，再点与它一致的那一边。")
    if group.is_text:
        return _tr("请核对清楚，点正确的那一边；两边都不对，可以在下面填写正确的内容。")
    return _tr("请核对清楚，再点正确的那一边。")


# =============================================================================================
# The dialog


class ReviewCard(QFrame):
    """One record in question, with a button per side."""

    def __init__(
        self,
        group: ReviewGroup,
        decide: Callable[[ReviewGroup, Side], None],
        retype: Callable[[ReviewGroup, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.group = group
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("reviewCard")
        self.setStyleSheet(
            "QFrame#reviewCard { background: #fffdf5; border: 1px solid #d9cfa8; "
            "border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(8)
        title = heading(group.summary, scale=1.15)
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        if group.where:
            where = QLabel(group.where)
            where.setWordWrap(True)
            layout.addWidget(where)
        happened = QLabel(what_happened(group))
        happened.setWordWrap(True)
        happened.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(happened)
        layout.addWidget(hint(advice(group)))

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(10)
        self.keep_buttons: list[QPushButton] = []
        for line, side in enumerate(group.sides()):
            who = QLabel(
                self.tr("{site}<br><span style='color:#555555'>{when} 记录</span>").format(
                    site=side.site_name, when=sync_jobs.time_of_ms(side.at_ms)
                )
            )
            value = QLabel(side_text(group, side))
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.2)
            font.setBold(True)
            value.setFont(font)
            value.setWordWrap(True)
            if group.is_delete:
                text = self.tr("确认删除") if is_deletion(group, side) else self.tr("恢复这条记录")
            else:
                text = self.tr("以这个为准")
            button = big_button(text)
            button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 8)
            button.clicked.connect(lambda _=False, s=side: decide(self.group, s))
            self.keep_buttons.append(button)
            grid.addWidget(who, line, 0)
            grid.addWidget(value, line, 1)
            grid.addWidget(button, line, 2)
        grid.setColumnMinimumWidth(1, self.fontMetrics().horizontalAdvance("中") * 12)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)

        self.new_value: QLineEdit | None = None
        self.save_button: QPushButton | None = None
        if group.is_text:
            row = QHBoxLayout()
            row.addWidget(
                QLabel(
                    self.tr("两边都不对？{field}改成：").format(
                        field=field_label(group.tbl, group.fields[0])
                    )
                )
            )
            self.new_value = QLineEdit()
            roomy(self.new_value)
            row.addWidget(self.new_value, 1)
            self.save_button = big_button(self.tr("保存"))
            self.save_button.clicked.connect(self._retype)
            self.new_value.returnPressed.connect(self._retype)
            row.addWidget(self.save_button)
            layout.addLayout(row)
            self._retype_to = retype
        self.error = error_label()
        layout.addWidget(self.error)

    def _retype(self) -> None:
        assert self.new_value is not None
        text = " ".join(self.new_value.text().split())
        if not text:
            show_message(self.error, self.tr("请先填写正确的内容，再点“保存”。"))
            self.new_value.setFocus()
            return
        show_message(self.error, "")
        self._retype_to(self.group, text)


class ReviewDialog(QDialog):
    """The review queue, one card per record; decided cards go away."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.groups: list[ReviewGroup] = []
        self.cards: list[ReviewCard] = []
        self._busy = False
        self.setWindowTitle(self.tr("核对两台电脑记录不同的地方"))
        self.setMinimumSize(760, 520)
        self.resize(900, 680)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.title = heading(self.tr("待核对"), scale=1.3)
        layout.addWidget(self.title)
        self.intro = hint(
            self.tr(
                "同步时，下面这些地方两台电脑记录得不一样，软件不能替您决定。"
                "两边的记录都保存着，请逐项核对后选择以哪个为准；"
                "核对结果会随下一次同步包带到其他电脑。"
            )
        )
        layout.addWidget(self.intro)
        self.message = error_label()
        layout.addWidget(self.message)

        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 8, 0)
        self.list_layout.setSpacing(14)
        self.scroller.setWidget(self.list_widget)
        layout.addWidget(self.scroller, 1)
        self.empty = heading(self.tr("没有待核对的事项了。"), scale=1.15)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setVisible(False)
        layout.addWidget(self.empty, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = big_button(self.tr("关闭"))
        self.close_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 6)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self.context.read(sync_jobs.load_reviews, guarded(self, self.show_items), self._failed)

    def show_items(self, queue: sync_jobs.ReviewQueue) -> None:
        items = queue.items
        self.groups = group_reviews(items, queue.where)
        for card in self.cards:
            self.list_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        while self.list_layout.count():
            self.list_layout.takeAt(0)
        for group in self.groups:
            card = ReviewCard(group, self.keep, self.retype)
            self.cards.append(card)
            self.list_layout.addWidget(card)
        self.list_layout.addStretch(1)
        count = len(self.groups)
        self.title.setText(self.tr("待核对 {n} 项").format(n=count) if count else self.tr("待核对"))
        self.scroller.setVisible(bool(self.groups))
        self.intro.setVisible(bool(self.groups))
        self.empty.setVisible(not self.groups)
        self.close_button.setDefault(not self.groups)

    def _failed(self, error: BaseException) -> None:
        if alive(self):
            show_message(self.message, error_message(error))

    # ------------------------------------------------------------------ deciding

    def keep(self, group: ReviewGroup, side: Side) -> None:
        if self._busy:
            return
        chosen = side_text(group, side)
        if group.is_delete:
            question = (
                self.tr("确认删除{what}？").format(what=group.summary)
                if is_deletion(group, side)
                else self.tr("恢复{what}？").format(what=group.summary)
            )
        else:
            question = self.tr("把{what}定为 {value}（{site}的记录）？").format(
                what=group.summary, value=chosen, site=side.site_name
            )
        text = question + self.tr(
            "\n\n另一边的记录仍保存在修改记录里。核对结果会随同步包带到其他电脑。"
        )
        if not ask(self, self.tr("确认核对结果"), text):
            return
        if group.is_delete:
            value = 0 if is_deletion(group, side) else 1
            fn = sync_jobs.resolve(group.items[0].key, value=value)
        else:
            fn = sync_jobs.resolve_group(list(side.choices.items()))
        self._write(fn)

    def retype(self, group: ReviewGroup, value: str) -> None:
        if self._busy:
            return
        question = self.tr(
            "把{what}的{field}改成“{value}”？\n\n两边原来的记录仍保存在修改记录里。"
        ).format(what=group.summary, field=field_label(group.tbl, group.fields[0]), value=value)
        if not ask(self, self.tr("确认核对结果"), question):
            return
        self._write(sync_jobs.resolve(group.items[0].key, value=value))

    def _write(self, fn: Any) -> None:
        self._busy = True
        show_message(self.message, "")

        def done(_: object) -> None:
            self._busy = False
            if alive(self):
                self.reload()

        def failed(error: BaseException) -> None:
            self._busy = False
            if alive(self):
                show_message(self.message, error_message(error))
                self.reload()

        self.context.write(fn, done, failed, tables=(sync_jobs.REVIEW_QUEUE,))


def open_review_dialog(parent: QWidget, context: AppContext) -> ReviewDialog:
    dialog = ReviewDialog(context, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
