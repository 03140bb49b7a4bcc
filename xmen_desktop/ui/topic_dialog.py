"""Dialogs of the topics page: 登记议题, a move along the workflow, 登记附议 and 附议门槛."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from xmen_desktop.domain import validation
from xmen_desktop.domain.topics import (
    CATEGORIES,
    CHANNELS,
    NEEDS_NOTE,
    STATES,
    SupportThreshold,
    clean_topic,
)
from xmen_desktop.domain.votes import RuleError, parse_share
from xmen_desktop.ui import topic_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.household_dialog import notes_edit
from xmen_desktop.ui.household_picker import HouseholdPicker
from xmen_desktop.ui.widgets import alive, hint, roomy

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.topic_queries import HouseholdChoice, ThresholdInfo, TopicDetail

# What the button of each move says: a verb for what the staff member does.
MOVE_LABELS: dict[str, str] = {
    "accepted": "受理",
    "declined": "不予受理",
    "consulting": "开始征询",
    "deliberating": "提交议事",
    "voting": "付诸表决",
    "passed": "记为通过",
    "failed": "记为未通过",
    "closed": "办结",
    "withdrawn": "撤回",
}


def move_label(current: str, target: str) -> str:
    if current == "deliberating" and target == "consulting":
        return "再次征询"
    return MOVE_LABELS.get(target, STATES.get(target, target))


class TopicDialog(FormDialog):
    """标题, 说明, 类别, 提出人, 提出方式, 提出日期; adds when ``topic`` is None."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        households: Sequence[HouseholdChoice],
        topic: TopicDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        if topic is None:
            self.setWindowTitle(self.tr("登记议题（{estate}）").format(estate=estate_name))
        else:
            self.setWindowTitle(self.tr("修改议题：{title}").format(title=topic.title))
        self.estate_id = estate_id
        self.topic = topic

        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("用一句话写明议题，例如“非机动车集中停放”"))
        self.description = notes_edit()
        self.description.setFixedHeight(round(self.description.fontMetrics().lineSpacing() * 5))
        self.description.setPlaceholderText(self.tr("居民反映的情况、希望怎么解决"))
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItems(list(CATEGORIES))
        self.category.setCurrentIndex(-1)
        self.category.lineEdit().setPlaceholderText(self.tr("可从列表选，也可直接填写"))
        self.proposer = HouseholdPicker()
        self.channel = QComboBox()
        for code, label in CHANNELS.items():
            self.channel.addItem(label, code)
        self.raised_on = DateField()
        self.raised_on.blank.setVisible(False)

        self.add_field("title", self.tr("标题"), self.title, rule=self._check_title)
        self.add_field("description", self.tr("说明"), self.description)
        self.add_field("category", self.tr("类别"), self.category)
        self.proposer_note = self.add_field(
            "proposer",
            self.tr("提出人"),
            self.proposer,
            note=self.tr("从本小区住户中选；不是本小区住户也可直接填写姓名"),
        )
        self.add_field("channel", self.tr("提出方式"), self.channel)
        self.add_field("raised_on", self.tr("提出日期"), self.raised_on)
        self.proposer.set_choices(households)
        self.proposer.currentTextChanged.connect(self._update_proposer_note)

        if topic is None:
            self.set_value("channel", "in_person")
            self.raised_on.set_value(datetime.date.today())
        else:
            self.set_value("title", topic.title)
            self.set_value("description", topic.description)
            self.set_value("category", topic.category)
            self.set_value("channel", topic.channel)
            self.raised_on.set_value(topic.raised_on)
            if not (
                topic.proposer_household_id and self.proposer.pick(topic.proposer_household_id)
            ):
                self.proposer.setEditText(topic.proposer_name)
            # Who raised it is part of the record: only the name may be corrected by hand.
            self.proposer.setEnabled(topic.proposer_household_id is None)
        self._update_proposer_note()
        self.remember_initial()
        self.title.setFocus()

    def _update_proposer_note(self, *_: object) -> None:
        if self.proposer_note is None:
            return
        choice = self.proposer.picked()
        if choice is not None:
            self.proposer_note.setText(
                self.tr("已对应名册中的住户：{address}").format(address=choice.address)
            )
        elif self.proposer.currentText().strip():
            self.proposer_note.setText(
                self.tr("名单中没有选中住户，只记下这个名字。如是本小区住户，请从名单中选择。")
            )
        else:
            self.proposer_note.setText(self.tr("从本小区住户中选；不是本小区住户也可直接填写姓名"))

    def _check_title(self, value: object) -> object:
        for error in self.errors_of(lambda v: clean_topic(v, partial=True), {"title": value}):
            raise error
        return None

    def store_values(self) -> dict[str, object]:
        choice = self.proposer.picked()
        values: dict[str, object] = {
            "title": self.value("title"),
            "description": self.value("description"),
            "category": self.value("category"),
            "channel": self.value("channel"),
            "raised_on": self.raised_on.value(),
            "proposer_name": choice.tenant if choice else self.proposer.currentText().strip(),
        }
        if choice is not None and self.topic is None:
            values["proposer_household_id"] = choice.id
        return values

    def check_all(self) -> list[validation.FieldError]:
        values = {k: v for k, v in self.store_values().items() if k != "proposer_household_id"}
        return self.errors_of(clean_topic, values)

    def field_for_error(self, field: str) -> str:
        return "proposer" if field == "proposer_name" else super().field_for_error(field)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        if self.topic is None:
            return topic_jobs.add_topic(self.estate_id, values)
        return topic_jobs.update_topic(self.topic.id, values)


class MoveDialog(FormDialog):
    """Confirms one move of a topic, with the reason where the workflow wants one."""

    def __init__(
        self,
        context: AppContext,
        topic_id: str,
        topic_title: str,
        current: str,
        target: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        action = move_label(current, target)
        self.setWindowTitle(self.tr("{action}：{title}").format(action=action, title=topic_title))
        self.topic_id = topic_id
        self.target = target
        self.needs_note = target in NEEDS_NOTE
        self.save_button.setText(self.tr("确定{action}").format(action=action))
        self._action = action

        question = QLabel(
            self.tr(
                "把议题“{title}”从“{before}”改为“{after}”。\n改过之后会记入议题的经过，不能撤销。"
            ).format(title=topic_title, before=STATES[current], after=STATES[target])
        )
        question.setWordWrap(True)
        self._grid.addWidget(question, self._next_row, 0, 1, 2)
        self._next_row += 1
        self._grid.setRowMinimumHeight(self._next_row, 10)
        self._next_row += 1
        self.note = notes_edit()
        if self.needs_note:
            self.note.setPlaceholderText(self.tr("必须填写：例如“不属于自治范围，已转交房管所”"))
            note_hint = self.tr("请写明理由，住户问起时可以说明。")
        else:
            self.note.setPlaceholderText(self.tr("可不填"))
            note_hint = ""
        self.add_field(
            "note",
            self.tr("理由") if self.needs_note else self.tr("说明"),
            self.note,
            rule=self._check_note,
            note=note_hint,
        )
        self.remember_initial()
        self.note.setFocus()

    def _check_note(self, value: object) -> object:
        if self.needs_note and not str(value or "").strip():
            raise validation.FieldError(
                "note", self.tr("请写明{action}的理由，再点确定").format(action=self._action)
            )
        return None

    def is_dirty(self) -> bool:
        return False  # leaving without a move is always fine

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("确定{action}").format(action=self._action))

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        return topic_jobs.advance_topic(self.topic_id, self.target, str(values["note"]).strip())


class SupportDialog(FormDialog):
    """登记附议: one household of the estate supports the topic."""

    def __init__(
        self,
        context: AppContext,
        topic_id: str,
        topic_title: str,
        households: Sequence[HouseholdChoice],
        supported: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, self.tr("登记附议：{title}").format(title=topic_title), parent)
        self.topic_id = topic_id
        self.supported = supported
        self.household = HouseholdPicker()
        self.household.set_choices(households)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("可不填，例如“在附议单上签名”"))
        self.add_field("household", self.tr("附议住户"), self.household, rule=self._check_household)
        self.add_field("note", self.tr("备注"), self.note)
        self.save_button.setText(self.tr("登记附议"))
        self.remember_initial()
        self.household.setFocus()

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("登记附议"))

    def _check_household(self, _value: object) -> object:
        choice = self.household.picked()
        if choice is None:
            raise validation.FieldError(
                "household", self.tr("请从弹出的名单中选一户（输入地址或姓名的几个字）")
            )
        if choice.id in self.supported:
            raise validation.FieldError("household", self.tr("这一户已经附议过了"))
        return None

    def field_for_error(self, field: str) -> str:
        return "household"

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        choice = self.household.picked()
        assert choice is not None
        return topic_jobs.add_support(self.topic_id, choice.id, str(values["note"]))

    def _failed(self, error: BaseException) -> None:
        # The store's refusals (already supported, no longer collecting) belong to the household.
        if not alive(self):
            return
        self._set_saving(False)
        self.set_errors([validation.FieldError("household", error_message(error))])


class ThresholdDialog(FormDialog):
    """附议门槛: how many supports a topic of this estate needs, as households or a share."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        current: ThresholdInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            context, self.tr("附议门槛（{estate}）").format(estate=estate_name), parent
        )
        self.estate_id = estate_id
        self.current = current
        self.by_count = QRadioButton(self.tr("按户数"))
        self.by_share = QRadioButton(self.tr("按占本小区住户的比例"))
        group = QButtonGroup(self)
        group.addButton(self.by_count)
        group.addButton(self.by_share)
        self.count = QSpinBox()
        self.count.setRange(1, 9999)
        self.count.setSuffix(self.tr(" 户"))
        roomy(self.count)
        self.share = QLineEdit()
        self.share.setPlaceholderText(self.tr("例如 5% 或 1/20"))
        self.share.setFixedWidth(self.fontMetrics().horizontalAdvance("中") * 10)
        roomy(self.share)

        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.by_count, 0, 0)
        grid.addWidget(self.count, 0, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.by_share, 1, 0)
        grid.addWidget(self.share, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(2, 1)
        intro = hint(
            self.tr("一个议题要有多少户附议，才能受理。本小区现有 {n} 户。").format(
                n=current.roster_size
            )
        )
        self._grid.addWidget(intro, self._next_row, 0, 1, 2)
        self._next_row += 1
        self.meaning = self.add_field(
            "share",
            self.tr("附议门槛"),
            self.share,
            rule=self._check_share,
            field_widget=box,
            note=" ",
        )
        self.save_button.setText(self.tr("保存门槛"))

        if current.share is not None and current.households is None:
            self.by_share.setChecked(True)
            self.share.setText(self._percent(current.share))
            self.count.setValue(max(current.required, 1))
        else:
            self.by_count.setChecked(True)
            self.count.setValue(current.households or current.required or 5)
        for signal in (self.by_count.toggled, self.count.valueChanged, self.share.textChanged):
            signal.connect(self._update)
        self._update()
        self.remember_initial()

    @staticmethod
    def _percent(share: str) -> str:
        return f"{float(Fraction(share)) * 100:g}%"

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("保存门槛"))

    def values(self) -> dict[str, object]:
        return {
            "mode": "count" if self.by_count.isChecked() else "share",
            "count": self.count.value(),
            "share": self.share.text().strip(),
        }

    def _required(self) -> int | None:
        """Households needed under what is typed; None when the share cannot be read."""
        if self.by_count.isChecked():
            return self.count.value()
        try:
            share = parse_share(self.share.text())
        except RuleError:
            return None
        return SupportThreshold(share=share).required(self.current.roster_size)

    def _update(self, *_: object) -> None:
        self.count.setEnabled(self.by_count.isChecked())
        self.share.setEnabled(self.by_share.isChecked())
        if self.by_share.isChecked() and self._fields["share"].touched:
            self.check_field("share")
        if self.meaning is None:
            return
        need = self._required()
        if need is None:
            self.meaning.setText(self.tr("请写成 5%、0.05 或 1/20 这样的比例"))
        else:
            self.meaning.setText(
                self.tr("即一个议题需要 {need} 户附议（本小区共 {n} 户）").format(
                    need=need, n=self.current.roster_size
                )
            )

    def _check_share(self, _value: object) -> object:
        if not self.by_share.isChecked():
            return None
        try:
            parse_share(self.share.text())
        except RuleError as error:
            raise validation.FieldError("share", error.message) from None
        return None

    def check_all(self) -> list[validation.FieldError]:
        try:
            self._check_share(None)
        except validation.FieldError as error:
            return [error]
        return []

    def field_for_error(self, field: str) -> str:
        return "share"

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        if values["mode"] == "count":
            return topic_jobs.set_threshold(self.estate_id, households=int(values["count"]))  # type: ignore[call-overload]
        return topic_jobs.set_threshold(self.estate_id, share=str(values["share"]))
