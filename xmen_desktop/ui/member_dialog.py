"""Dialog to add or change a member of one of the four bodies of a self-governing home."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from xmen_desktop.domain import validation
from xmen_desktop.domain.estates import BODY_KINDS, BODY_ROLES
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.household_dialog import notes_edit
from xmen_desktop.ui.widgets import alive

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.queries import MemberRow, ResidentChoice


class MemberDialog(FormDialog):
    """机构, 姓名 (a resident of the estate, or any name typed), 职务, 任期, 备注."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        member: MemberRow | None = None,
        body: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        if member is None:
            self.setWindowTitle(self.tr("新增机构成员（{estate}）").format(estate=estate_name))
        else:
            self.setWindowTitle(self.tr("修改机构成员：{name}").format(name=member.name))
        self.estate_id = estate_id
        self.member = member
        # Display text in the name box -> the resident it stands for.
        self._choices: dict[str, ResidentChoice] = {}
        self._choices_loaded = False

        self.body = QComboBox()
        for kind, label in BODY_KINDS.items():
            self.body.addItem(label, kind)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("输入姓名或地址的几个字，从名单中选"))
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.name.setCompleter(completer)
        self.role = QComboBox()
        self.role.setEditable(True)
        self.role.addItems(list(BODY_ROLES))
        self.role.setCurrentIndex(-1)
        self.role.lineEdit().setPlaceholderText(self.tr("可从列表选，也可直接填写"))
        self.term_start = DateField()
        self.term_end = DateField()
        self.notes = notes_edit()

        self.add_field("body", self.tr("机构"), self.body)
        self.link_note = self.add_field(
            "name",
            self.tr("姓名"),
            self.name,
            rule=self._check_name,
            note=self.tr("正在读取本小区居民名单……"),
        )
        self.add_field("role", self.tr("职务"), self.role, rule=validation.short_text)
        self.add_field("term_start", self.tr("任期开始"), self.term_start)
        self.add_field("term_end", self.tr("任期结束"), self.term_end, rule=self._check_terms)
        self.add_field("notes", self.tr("备注"), self.notes, rule=validation.notes)
        # A later start can make the end wrong too.
        self.term_start.changed.connect(lambda: self.check_field("term_end"))
        self.name.textChanged.connect(self._update_link_note)

        if member is None:
            self.set_value("body", body or next(iter(BODY_KINDS)))
            self.term_start.set_value(datetime.date.today())
            self.term_end.set_value(None)
        else:
            self.set_value("body", member.body)
            self.set_value("name", member.name)
            self.set_value("role", member.role)
            self.term_start.set_value(member.term_start)
            self.term_end.set_value(member.term_end)
            self.set_value("notes", member.notes)
        self.remember_initial()
        self.name.setFocus()
        context.read(jobs.load_resident_choices(estate_id), self._set_choices, self._choices_failed)

    # ------------------------------------------------------------------ residents

    def choice_text(self, choice: ResidentChoice) -> str:
        """How a resident is offered: name, address and birth year tell namesakes apart."""
        if choice.birth_year:
            return self.tr("{name}（{address}，{year} 年生）").format(
                name=choice.name, address=choice.address, year=choice.birth_year
            )
        return self.tr("{name}（{address}）").format(name=choice.name, address=choice.address)

    def _set_choices(self, choices: list[ResidentChoice]) -> None:
        if not alive(self):
            return
        self._choices = {self.choice_text(c): c for c in choices}
        self._choices_loaded = True
        self._names.setStringList(list(self._choices))
        member = self.member
        if member is not None and member.resident_id and self.name.text() == member.name:
            # Show the linked resident the same way a picked one is shown.
            for text, choice in self._choices.items():
                if choice.id == member.resident_id:
                    self.name.setText(text)
                    self._initial["name"] = text
                    break
        self._update_link_note()

    def _choices_failed(self, error: BaseException) -> None:
        if alive(self) and self.link_note is not None:
            self.link_note.setText(self.tr("没能读取居民名单，可以直接填写姓名。"))

    def picked(self) -> ResidentChoice | None:
        return self._choices.get(self.name.text().strip())

    def pick(self, resident_id: str) -> bool:
        """Choose a resident of the estate by id, as picking from the list does."""
        for text, choice in self._choices.items():
            if choice.id == resident_id:
                self.name.setText(text)
                return True
        return False

    def resolved_name(self) -> str:
        choice = self.picked()
        return choice.name if choice else self.name.text()

    def _update_link_note(self) -> None:
        if self.link_note is None or not self._choices_loaded:
            return
        choice = self.picked()
        if choice is not None:
            text = self.tr("已对应名册中的居民：{address}").format(address=choice.address)
        elif self.name.text().strip():
            text = self.tr(
                "名单中没有选中这个人，只记下姓名。如是本小区居民，请从弹出的名单中选择。"
            )
        else:
            text = self.tr("输入几个字后会弹出本小区居民名单；不是本小区居民也可直接填姓名。")
        self.link_note.setText(text)

    # ------------------------------------------------------------------ checking and saving

    def _check_name(self, _text: object) -> object:
        return validation.required_name(self.resolved_name(), "name")

    def _check_terms(self, _value: object) -> object:
        terms = {"term_start": self.term_start.value(), "term_end": self.term_end.value()}
        for error in self.errors_of(
            lambda values: validation.clean_member(values, partial=True), terms
        ):
            raise error
        return None

    def store_values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "body": self.value("body"),
            "name": self.resolved_name(),
            "role": self.value("role"),
            "term_start": self.term_start.value(),
            "term_end": self.term_end.value(),
            "notes": self.value("notes"),
        }
        choice = self.picked()
        unchanged = self.member is not None and self.name.text() == self._initial.get("name")
        if choice is not None:
            values["resident_id"] = choice.id
        elif not unchanged:
            # A name typed by hand is not linked to anyone on the roster.
            values["resident_id"] = None
        return values

    def check_all(self) -> list[validation.FieldError]:
        values = {k: v for k, v in self.store_values().items() if k != "resident_id"}
        return self.errors_of(validation.clean_member, values)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        if self.member is None:
            return jobs.add_member(self.estate_id, values)
        return jobs.update_member(self.member.id, values)
