"""Dialogs to add or change a household (户) and one of its residents (居民)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from xmen_desktop.domain import address, validation
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.forms import FormDialog

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.queries import ResidentRow
    from xmen_desktop.store.roster import HouseholdRow

# Offered in the relation box; anything else may be typed.
RELATIONS: tuple[str, ...] = ("本人", "配偶", "子女", "儿媳", "女婿", "孙子女", "父母", "其他")


def notes_edit() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(round(edit.fontMetrics().lineSpacing() * 3.6))
    return edit


def with_unit(edit: QLineEdit, unit: str, chars: int = 8) -> QWidget:
    """A short number box followed by its unit (人, 平方米)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("0") * chars * 2)
    layout.addWidget(edit)
    layout.addWidget(QLabel(unit))
    layout.addStretch(1)
    return box


class HouseholdDialog(FormDialog):
    """承租人, 地址, 电话, 人数, 面积, 备注 of one household; adds when ``household`` is None."""

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        household: HouseholdRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        if household is None:
            self.setWindowTitle(self.tr("新增住户（{estate}）").format(estate=estate_name))
        else:
            self.setWindowTitle(self.tr("修改住户：{tenant}").format(tenant=household.tenant))
        self.estate_id = estate_id
        self.household = household

        self.tenant = QLineEdit()
        self.tenant.setPlaceholderText(self.tr("公房承租人的姓名"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("例如：复兴东路 12 弄 3 号 201 室"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("手机或固定电话，可不填"))
        self.size = QLineEdit()
        self.area = QLineEdit()
        self.notes = notes_edit()

        self.add_field("tenant", self.tr("承租人"), self.tenant, rule=validation.required_name)
        self.add_field("address", self.tr("地址"), self.address, rule=address.required)
        self.add_field(
            "phone",
            self.tr("电话"),
            self.phone,
            rule=validation.phone,
            note=self.tr("11 位手机号，或 8 位上海固定电话（可带 021 和分机）"),
        )
        self.add_field(
            "size",
            self.tr("人数"),
            self.size,
            rule=validation.household_size,
            field_widget=with_unit(self.size, self.tr("人")),
        )
        self.add_field(
            "area",
            self.tr("面积"),
            self.area,
            rule=validation.area_centi,
            field_widget=with_unit(self.area, self.tr("平方米")),
        )
        self.add_field(
            "notes",
            self.tr("备注"),
            self.notes,
            rule=validation.notes,
            note=self.tr("例如：独居老人、楼组长、空置"),
        )

        if household is not None:
            self.set_value("tenant", household.tenant)
            self.set_value("address", household.address)
            self.set_value("phone", household.phone or "")
            self.set_value("size", "" if household.size is None else household.size)
            self.set_value("area", validation.area_text(household.area_centi))
            self.set_value("notes", household.notes)
        self.remember_initial()
        self.tenant.setFocus()

    def check_all(self) -> list[validation.FieldError]:
        return self.errors_of(validation.clean_household, self.values())

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        if self.household is None:
            return jobs.add_household(self.estate_id, values)
        return jobs.update_household(self.household.id, values)


class ResidentDialog(FormDialog):
    """姓名, 与承租人关系, 性别, 出生年份, 电话, 备注 of one resident of a household."""

    def __init__(
        self,
        context: AppContext,
        household_id: str,
        household_label: str,
        resident: ResidentRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        if resident is None:
            self.setWindowTitle(
                self.tr("新增居民（{household}）").format(household=household_label)
            )
        else:
            self.setWindowTitle(self.tr("修改居民：{name}").format(name=resident.name))
        self.household_id = household_id
        self.resident = resident

        self.name = QLineEdit()
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(list(RELATIONS))
        self.relation.setCurrentIndex(-1)
        self.relation.lineEdit().setPlaceholderText(self.tr("可从列表选，也可直接填写"))
        self.gender = QComboBox()
        self.gender.addItem(self.tr("不填"), "")
        for choice in validation.GENDERS:
            self.gender.addItem(choice, choice)
        self.birth_year = QLineEdit()
        self.birth_year.setPlaceholderText(self.tr("例如 1952"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("手机或固定电话，可不填"))
        self.notes = notes_edit()

        name_rule: Callable[[object], object] = lambda v: validation.required_name(v, "name")  # noqa: E731
        self.add_field("name", self.tr("姓名"), self.name, rule=name_rule)
        self.add_field(
            "relation", self.tr("与承租人关系"), self.relation, rule=validation.short_text
        )
        self.add_field("gender", self.tr("性别"), self.gender, rule=validation.gender)
        self.add_field(
            "birth_year",
            self.tr("出生年份"),
            self.birth_year,
            rule=validation.birth_year,
            field_widget=with_unit(self.birth_year, self.tr("年"), chars=6),
        )
        self.add_field("phone", self.tr("电话"), self.phone, rule=validation.phone)
        self.add_field("notes", self.tr("备注"), self.notes, rule=validation.notes)

        if resident is not None:
            self.set_value("name", resident.name)
            self.set_value("relation", resident.relation)
            self.set_value("gender", resident.gender)
            self.set_value("birth_year", resident.birth_year)
            self.set_value("phone", resident.phone or "")
            self.set_value("notes", resident.notes)
        self.remember_initial()
        self.name.setFocus()

    def check_all(self) -> list[validation.FieldError]:
        return self.errors_of(validation.clean_resident, self.values())

    def field_for_error(self, field: str) -> str:
        # The domain's short-text rule names its field "role"; here it is the relation.
        return "relation" if field == "role" else super().field_for_error(field)

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        if self.resident is None:
            return jobs.add_resident(self.household_id, values)
        return jobs.update_resident(self.resident.id, values)
