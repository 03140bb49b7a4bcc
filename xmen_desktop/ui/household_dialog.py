"""Dialogs to add or change a household (户) and one of its residents (居民)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QElapsedTimer, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain import address, validation
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.forms import FormDialog
from xmen_desktop.ui.widgets import ERROR_COLOUR, alive, big_button, heading, hint

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.erasure import ErasurePreview, ErasureResult
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
            self._add_personal_data_row()
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

    # ------------------------------------------------------------------ personal data

    def _add_personal_data_row(self) -> None:
        """导出个人信息… and 删除个人信息…, for a person's request (个人信息保护法)."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 4, 0, 0)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        column.addWidget(line)
        row = QHBoxLayout()
        row.setContentsMargins(0, 4, 0, 0)
        column.addLayout(row)
        row.addWidget(QLabel(self.tr("个人信息（按本人申请）：")))
        self.export_person_button = big_button(self.tr("导出个人信息…"))
        self.export_person_button.setToolTip(
            self.tr("把这户保存在本系统里的全部信息存成 PDF 或 Excel 文件，交给本人")
        )
        self.erase_person_button = big_button(self.tr("删除个人信息…"))
        self.erase_person_button.setToolTip(
            self.tr("按本人要求删除这户的姓名、电话等个人信息，删除后不能恢复")
        )
        self.export_person_button.clicked.connect(self.export_person)
        self.erase_person_button.clicked.connect(self.erase_person)
        row.addWidget(self.export_person_button)
        row.addWidget(self.erase_person_button)
        row.addStretch(1)
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        # Above the error line and 保存/取消, below the fields.
        outer.insertWidget(outer.count() - 2, box)

    # Injectable (tests): where to save the export (None: the person cancelled) and whether
    # the person confirmed the erasure.
    def choose_export_path(self) -> Path | None:
        return ask_export_path(self, self.household.tenant if self.household else "")

    def confirm_erase(self, preview: ErasurePreview) -> bool:
        return EraseConfirmDialog(preview, self).exec() == QDialog.DialogCode.Accepted

    def _set_personal_busy(self, busy: bool) -> None:
        """Buttons off and a wait cursor while a job runs; safe once the dialog is gone."""
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()
        if alive(self):
            for button in (self.export_person_button, self.erase_person_button, self.save_button):
                button.setEnabled(not busy)

    def export_person(self) -> None:
        if self.household is None:
            return
        path = self.choose_export_path()
        if path is None:
            return
        self._set_personal_busy(True)

        def done(saved: str) -> None:
            self._set_personal_busy(False)
            if alive(self):
                QMessageBox.information(
                    self,
                    self.tr("导出完成"),
                    self.tr(
                        "这户的个人信息已保存到：\n{path}\n\n请交给本人，不要留在公用的电脑上。"
                    ).format(path=QDir.toNativeSeparators(saved)),
                )

        def failed(error: BaseException) -> None:
            self._set_personal_busy(False)
            if alive(self):
                show_error(self, error, self.tr("没有导出"))

        self.context.write(export_person_job(self.household.id, path), done, failed)

    def erase_person(self) -> None:
        if self.household is None:
            return
        self._set_personal_busy(True)

        def ask(preview: ErasurePreview) -> None:
            self._set_personal_busy(False)
            if not alive(self):
                return
            if preview.already:
                QMessageBox.information(
                    self,
                    self.tr("删除个人信息"),
                    self.tr("这户的个人信息已经删除过了，不需要再删除。"),
                )
                return
            if self.confirm_erase(preview):
                self._erase(preview)

        def failed(error: BaseException) -> None:
            self._set_personal_busy(False)
            if alive(self):
                show_error(self, error, self.tr("无法删除"))

        self.context.read(erase_preview_job(self.household.id), ask, failed)

    def _erase(self, preview: ErasurePreview) -> None:
        self._set_personal_busy(True)

        def done(result: ErasureResult) -> None:
            self._set_personal_busy(False)
            # Then, on the worker: the pages that held the old values leave the folder too.
            self.context.worker.submit(settle_job(self.context))
            if not alive(self):
                return
            QMessageBox.information(
                self,
                self.tr("已删除"),
                self.tr(
                    "{address} 这户的个人信息已经删除。\n"
                    "房屋信息（地址、人数、面积）和表决结果保留在名册上。\n"
                    "其他电脑导入本机的同步包后，也会一并删除。"
                ).format(address=preview.address),
            )
            # The form shows the wiped values no longer: close without asking about edits.
            self._initial = self.values()
            self.accept()

        def failed(error: BaseException) -> None:
            self._set_personal_busy(False)
            if alive(self):
                show_error(self, error, self.tr("没有删除"))

        self.context.write(erase_job(preview.id), done, failed)


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


# ---------------------------------------------------------------------------- personal data


def ask_export_path(parent: QWidget, tenant: str) -> Path | None:
    """Where to save a person's data: PDF or Excel, by the file type chosen (or typed)."""
    pdf = parent.tr("PDF 文件 (*.pdf)")
    excel = parent.tr("Excel 工作簿 (*.xlsx)")
    folder = (
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        or QDir.homePath()
    )
    suggested = Path(folder) / parent.tr("{name}个人信息.pdf").format(name=tenant.strip() or "住户")
    chosen, chosen_filter = QFileDialog.getSaveFileName(
        parent, parent.tr("导出个人信息"), str(suggested), f"{pdf};;{excel}", pdf
    )
    if not chosen:
        return None
    return export_path(Path(chosen), chosen_filter)


def export_path(path: Path, chosen_filter: str) -> Path:
    """The path typed, with .pdf or .xlsx added by the file type chosen when none was typed."""
    if path.suffix.lower() in (".pdf", ".xlsx"):
        return path
    suffix = ".xlsx" if "*.xlsx" in chosen_filter else ".pdf"
    return path.with_name(path.name + suffix)


def export_person_job(household_id: str, path: Path) -> Callable[[Session], str]:
    """Gather everything held about the household, write it, note it in the audit trail."""

    def run(session: Session) -> str:
        from xmen_desktop.store import subject

        report = subject.household_report(session, household_id, file_name=path.name)
        if path.suffix.lower() == ".xlsx":
            subject.write_subject_xlsx(report, path)
        else:
            from xmen_desktop.printing.subject import subject_pdf

            subject_pdf(report, path)
        return str(path)

    return run


def erase_preview_job(household_id: str) -> Callable[[Session], ErasurePreview]:
    def run(session: Session) -> ErasurePreview:
        from xmen_desktop.store import erasure

        return erasure.preview_household(session, household_id)

    return run


def erase_job(household_id: str) -> Callable[[Session], ErasureResult]:
    def run(session: Session) -> ErasureResult:
        from xmen_desktop.store import erasure

        return erasure.erase_household(session, household_id, "本人申请")

    return run


def settle_job(context: AppContext) -> Callable[[object], None]:
    def run(job: object) -> None:
        from xmen_desktop.store import erasure

        if context.store is not None:
            erasure.settle_file(context.store)

    return run


class EraseConfirmDialog(QDialog):
    """Says plainly what will be wiped, and that it cannot be undone; the red button has to be
    clicked twice (a double-click counts once), and 取消 is the default."""

    def __init__(self, preview: ErasurePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("删除个人信息"))
        self.setModal(True)
        self.preview = preview
        self._armed_at: QElapsedTimer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title = heading(
            self.tr("按本人要求删除 {address} 这户的个人信息").format(address=preview.address)
        )
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(QLabel(self.tr("将删除：")))
        for line in preview.lines():
            item = QLabel("• " + line)
            item.setWordWrap(True)
            item.setContentsMargins(16, 0, 0, 0)
            layout.addWidget(item)
        layout.addWidget(
            hint(
                self.tr(
                    "保留：房屋信息（地址、人数、面积）和表决结果；表决票上的姓名改为“（已删除）”。"
                )
            )
        )
        warning = QLabel(self.tr("删除后不能恢复。其他电脑导入本机的同步包后，也会一并删除。"))
        warning.setWordWrap(True)
        warning.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        layout.addWidget(warning)
        self.step = hint(self.tr("确认是本人的要求后，请点“删除个人信息”，再点一次确认。"))
        layout.addWidget(self.step)

        buttons = QDialogButtonBox()
        self.erase_button = buttons.addButton(
            self.tr("删除个人信息"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.cancel_button = buttons.addButton(
            self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole
        )
        for button in (self.erase_button, self.cancel_button):
            button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("中") * 9)
            button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.erase_button.clicked.connect(self.erase_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)

    @property
    def armed(self) -> bool:
        return self._armed_at is not None

    def erase_clicked(self) -> None:
        if self._armed_at is None:
            self._armed_at = QElapsedTimer()
            self._armed_at.start()
            self.erase_button.setText(self.tr("再点一次，确认删除"))
            self.erase_button.setStyleSheet(f"color: white; background: {ERROR_COLOUR};")
            self.step.setText(self.tr("再点一次红色的按钮就会删除。不想删除，请点“取消”。"))
            self.step.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        # A double-click is one intention, not two.
        if self._armed_at.elapsed() < QApplication.doubleClickInterval():
            return
        self.accept()
