"""安排会议: the form of the meeting, when and where, who convenes it, the quorum rule of an
assembly, its agenda (free text or the estate's topics) and who is invited (all households,
the members of one body, named residents). Everything is saved in one go, or nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import BODY_KINDS
from xmen_desktop.domain.projects import MEETING_FORMS
from xmen_desktop.domain.validation import FieldError
from xmen_desktop.domain.votes import RULES
from xmen_desktop.ui import jobs, project_jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.project_dialog import ResidentNameBox
from xmen_desktop.ui.widgets import ask, big_button, guarded, hint, roomy

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.dashboard_queries import InviteScope, TopicChoice
    from xmen_desktop.store.queries import ResidentChoice

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
_DATA_ROLE = Qt.ItemDataRole.UserRole + 1

# Which body a meeting of each form usually invites (None: nobody by default).
DEFAULT_BODY: dict[str, str | None] = {
    "assembly": None,
    "executive": "executive",
    "mediation": "mediation",
    "hearing": None,
    "coordination": None,
    "review": None,
}


class ListEntry(QLineEdit):
    """A line whose Enter adds it to a list: the key stops here instead of saving the dialog."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class PersonEntry(ResidentNameBox):
    """A resident's name whose Enter adds them to the list, not save the dialog."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


def short_list(view: QListView, rows: float) -> None:
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setFixedHeight(round(view.fontMetrics().lineSpacing() * rows + 10))


class AgendaEditor(QWidget):
    """The agenda as a short list: type an item and 添加, or pick one of the estate's topics."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        short_list(self.view, 4.5)
        self.text = ListEntry()
        self.text.setPlaceholderText(self.tr("输入一项议程，按回车或点“添加”"))
        roomy(self.text)
        self.text.returnPressed.connect(self.add_text)
        self.add_button = big_button(self.tr("添加"))
        self.add_button.clicked.connect(self.add_text)
        self.topic = QComboBox()
        self.topic.setPlaceholderText(self.tr("或者选一个议题列入议程"))
        roomy(self.topic)
        self.topic.activated.connect(self._topic_picked)
        self.remove_button = big_button(self.tr("删去所选"))
        self.remove_button.clicked.connect(self.remove_chosen)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.addWidget(self.text, 0, 0)
        layout.addWidget(self.add_button, 0, 1)
        layout.addWidget(self.topic, 1, 0)
        layout.addWidget(self.remove_button, 1, 1)
        layout.addWidget(self.view, 2, 0, 1, 2)
        layout.setColumnStretch(0, 1)

    def set_topics(self, topics: list[TopicChoice]) -> None:
        self.topic.clear()
        for topic in topics:
            self.topic.addItem(
                self.tr("{title}（{state}）").format(title=topic.title, state=topic.state_label),
                topic.id,
            )
        self.topic.setCurrentIndex(-1)
        if not topics:
            self.topic.setPlaceholderText(self.tr("本小区还没有议题"))

    def _topic_picked(self, index: int) -> None:
        topic_id = self.topic.itemData(index)
        if topic_id is None:
            return
        title = self.topic.itemText(index).rsplit("（", 1)[0]
        self.append(self.tr("审议议题：{title}").format(title=title), topic_id)
        self.topic.setCurrentIndex(-1)

    def add_text(self) -> None:
        text = self.text.text().strip()
        if text:
            self.append(text, None)
            self.text.clear()
        self.text.setFocus()

    def append(self, text: str, topic_id: str | None) -> None:
        item = QStandardItem(self.tr("{n}. {text}").format(n=self.model.rowCount() + 1, text=text))
        item.setData(project_jobs.AgendaDraft(text, topic_id), _DATA_ROLE)
        self.model.appendRow(item)

    def remove_chosen(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.model.removeRow(rows[0].row())
            self._renumber()

    def _renumber(self) -> None:
        for n in range(self.model.rowCount()):
            item = self.model.item(n)
            draft: project_jobs.AgendaDraft = item.data(_DATA_ROLE)
            item.setText(self.tr("{n}. {text}").format(n=n + 1, text=draft.text))

    def items(self) -> list[project_jobs.AgendaDraft]:
        """The agenda, including text typed but not yet added."""
        drafts = [self.model.item(n).data(_DATA_ROLE) for n in range(self.model.rowCount())]
        typed = self.text.text().strip()
        if typed:
            drafts.append(project_jobs.AgendaDraft(typed))
        return drafts


class InviteChooser(QWidget):
    """Who is invited: 全体住户, the members of one body, and/or residents named one by one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.residents: dict[str, ResidentChoice] = {}
        self.households = QCheckBox(self.tr("全体住户"))
        self.by_body = QCheckBox(self.tr("机构成员："))
        self.body = QComboBox()
        for code, label in BODY_KINDS.items():
            self.body.addItem(label, code)
        roomy(self.body)
        self.body.setEnabled(False)
        self.by_body.toggled.connect(self.body.setEnabled)
        self.person = PersonEntry()
        self.person.setPlaceholderText(self.tr("指定居民：输入姓名或地址的几个字，从名单中选"))
        self.person.returnPressed.connect(self.add_person)
        self.add_button = big_button(self.tr("加入"))
        self.add_button.clicked.connect(self.add_person)
        self.people = QStandardItemModel(self)
        self.people_view = QListView()
        self.people_view.setModel(self.people)
        short_list(self.people_view, 2.6)
        self.remove_button = big_button(self.tr("删去所选"))
        self.remove_button.clicked.connect(self.remove_person)
        self.message = hint()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.households)
        row.addSpacing(16)
        row.addWidget(self.by_body)
        row.addWidget(self.body)
        row.addStretch(1)
        layout.addLayout(row)
        person_row = QHBoxLayout()
        person_row.addWidget(self.person, 1)
        person_row.addWidget(self.add_button)
        person_row.addWidget(self.remove_button)
        layout.addLayout(person_row)
        layout.addWidget(self.people_view)
        layout.addWidget(self.message)

    def set_scope(self, scope: InviteScope) -> None:
        self.households.setText(self.tr("全体住户（{n} 户）").format(n=scope.households))
        for n, code in enumerate(BODY_KINDS):
            self.body.setItemText(
                n,
                self.tr("{body}（{n} 人）").format(
                    body=BODY_KINDS[code], n=scope.bodies.get(code, 0)
                ),
            )

    def set_choices(self, choices: list[ResidentChoice]) -> None:
        self.person.set_choices(choices)

    def add_person(self) -> None:
        choice = self.person.picked()
        if choice is None:
            if self.person.text().strip():
                self.message.setText(self.tr("请从弹出的名单中选人：只能邀请本小区名册上的居民。"))
            return
        if choice.id not in self.residents:
            self.residents[choice.id] = choice
            item = QStandardItem(self.person.choice_text(choice))
            item.setData(choice.id, _DATA_ROLE)
            self.people.appendRow(item)
        self.person.clear()
        self.message.setText("")

    def remove_person(self) -> None:
        rows = self.people_view.selectionModel().selectedRows()
        if rows:
            resident_id = self.people.item(rows[0].row()).data(_DATA_ROLE)
            self.residents.pop(resident_id, None)
            self.people.removeRow(rows[0].row())

    def draft(self) -> project_jobs.InviteDraft:
        return project_jobs.InviteDraft(
            households=self.households.isChecked(),
            body=self.body.currentData() if self.by_body.isChecked() else None,
            resident_ids=tuple(self.residents),
        )

    def is_empty(self) -> bool:
        d = self.draft()
        return not (d.households or d.body or d.resident_ids)


class MeetingDialog(FormDialog):
    """安排会议 for one estate; ``saved`` carries the new meeting's id."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        form: str = "assembly",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, self.tr("安排会议（{e}）").format(e=estate_name), parent)
        self.estate_id = estate_id
        self.estate_name = estate_name
        self.form = QComboBox()
        for code, label in MEETING_FORMS.items():
            self.form.addItem(label, code)
        self.title = QLineEdit()
        self.held_on = DateField()
        self.held_on.blank.setVisible(False)
        self.starts_at = QLineEdit()
        self.starts_at.setPlaceholderText(self.tr("例如 14:00"))
        self.place = QLineEdit()
        self.place.setPlaceholderText(self.tr("例如“居委会二楼会议室”"))
        self.convener = QLineEdit()
        self.convener.setPlaceholderText(self.tr("例如“执行委员会”或召集人姓名"))
        self.quorum_rule = QComboBox()
        for code, rule in RULES.items():
            self.quorum_rule.addItem(rule.name, code)
        self.agenda = AgendaEditor()
        self.invite = InviteChooser()

        self.add_field("form", self.tr("会议类型"), self.form)
        self.add_field("title", self.tr("会议名称"), self.title)
        self.add_field("held_on", self.tr("日期"), self.held_on, rule=self._check_day)
        self.add_field("starts_at", self.tr("时间"), self.starts_at, rule=self._check_time)
        self.add_field("place", self.tr("地点"), self.place)
        self.add_field("convener", self.tr("召集人"), self.convener)
        self.rule_note = self.add_field(
            "quorum_rule", self.tr("法定人数"), self.quorum_rule, note=" "
        )
        self.add_field("agenda", self.tr("议程"), self.agenda)
        self.add_field("invite", self.tr("邀请"), self.invite)
        self.save_button.setText(self.tr("安排会议"))
        for widget in (self.agenda, self.invite):
            self._caption_on_top(widget)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 46)

        self.form.currentIndexChanged.connect(self._form_changed)
        self.quorum_rule.currentIndexChanged.connect(self._rule_changed)
        self.held_on.set_value(datetime.date.today() + datetime.timedelta(days=7))
        self.set_value("form", form)
        self._form_changed()
        self.remember_initial()
        self.form.setFocus()
        context.read(
            project_jobs.load_topic_choices(estate_id), guarded(self, self.agenda.set_topics)
        )
        context.read(
            project_jobs.load_invite_scope(estate_id), guarded(self, self.invite.set_scope)
        )
        context.read(jobs.load_resident_choices(estate_id), guarded(self, self.invite.set_choices))

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("安排会议"))

    def _caption_on_top(self, widget: QWidget) -> None:
        """A tall field's caption sits by its first line, as for a multi-line text box."""
        index = self._grid.indexOf(widget)
        if index < 0:
            return
        row, _column, _rows, _columns = self._grid.getItemPosition(index)
        item = self._grid.itemAtPosition(row, 0)
        caption = item.widget() if item is not None else None
        if isinstance(caption, QLabel):
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            caption.setContentsMargins(0, 8, 0, 0)

    def _form_changed(self, *_: object) -> None:
        code = self.form.currentData()
        assembly = code == "assembly"
        self.quorum_rule.setEnabled(assembly)
        self.title.setPlaceholderText(
            self.tr("不填就叫“{name}”").format(name=self.estate_name + MEETING_FORMS[code])
        )
        self.invite.households.setChecked(assembly)
        body = DEFAULT_BODY.get(code)
        self.invite.by_body.setChecked(body is not None)
        if body is not None:
            self.invite.body.setCurrentIndex(self.invite.body.findData(body))
        self._rule_changed()

    def _rule_changed(self, *_: object) -> None:
        if self.rule_note is None:
            return
        if self.form.currentData() != "assembly":
            self.rule_note.setText(self.tr("只有议事大会要算法定人数；其他会议只登记到会。"))
            return
        rule = RULES[self.quorum_rule.currentData()]
        self.rule_note.setText(
            self.tr("到会（含委托）须{words}应到会的{basis}。").format(
                words=rule.participation.words(),
                basis={"headcount": "户数", "area": "面积", "both": "户数和面积"}[rule.basis],
            )
        )

    def value(self, name: str) -> object:
        if name == "agenda":
            return tuple(self.agenda.items())
        if name == "invite":
            return self.invite.draft()
        return super().value(name)

    def _check_day(self, value: object) -> object:
        if value is None:
            raise FieldError("held_on", self.tr("请填写开会日期"))
        return None

    def _check_time(self, value: object) -> object:
        text = str(value or "").strip()
        if text and not _TIME.match(text):
            raise FieldError("starts_at", self.tr("时间请写成 14:00 这样的格式（24 小时制）"))
        return None

    def save(self) -> None:
        if not self._saving and not self.check_all():
            day = self.held_on.value()
            if day is not None and day < datetime.date.today():
                question = self.tr(
                    "开会日期（{d}）已经过去。补记以前开过的会议可以这样填。确定吗？"
                ).format(d=day.isoformat())
                if not ask(self, self.tr("日期已过"), question):
                    return
            if self.invite.is_empty() and not ask(
                self,
                self.tr("没有邀请任何人"),
                self.tr(
                    "还没有选择邀请谁。到会登记只能登记邀请名单上的人，"
                    "以后也可以在会议里“补充邀请”。确定这样安排吗？"
                ),
            ):
                return
        super().save()

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        form = str(values["form"])
        return project_jobs.add_meeting(
            self.estate_id,
            {
                "form": form,
                "title": str(values["title"]).strip(),
                "held_on": self.held_on.value(),
                "starts_at": str(values["starts_at"]).strip(),
                "place": str(values["place"]).strip(),
                "convener": str(values["convener"]).strip(),
                "quorum_rule": str(values["quorum_rule"]) if form == "assembly" else "residents",
            },
            self.agenda.items(),
            self.invite.draft(),
        )
