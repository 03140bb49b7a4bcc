"""操作员 (administrators only): who may sign in, their role and estates, PINs, and the idle lock.

Every change goes through ``store.operators`` on the worker; the store refuses what the
signed-in person may not do, and this page shows its message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import ADMIN, ESTATE, MEDIATOR, ROLES, SUBDISTRICT
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui.context import AppContext, error_message, show_error
from xmen_desktop.ui.sign_in import (
    FieldGrid,
    PasswordDialog,
    dialog_buttons,
    password_edit,
    text_edit,
)
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import Column, RowTableModel
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
    set_column_widths,
    setup_table,
    show_message,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.operators import OperatorRow

OPERATOR = "operator"

# Under the role box: what the role may see, in a line.
ROLE_NOTES = {
    ADMIN: "管理员：所有小区的资料，以及操作员和备份",
    SUBDISTRICT: "街道工作人员：所有小区的资料",
    ESTATE: "小区工作人员：只看、只改下面勾选的小区",
    MEDIATOR: "调解员：只处理调解档案",
}


def _pin_text(row: OperatorRow) -> str:
    if not row.pin_allowed:
        return "不允许"
    return "已设置" if row.has_pin else "允许（未设置）"


class OperatorTableModel(RowTableModel):
    """用户名, 姓名, 角色, 负责小区, PIN, 状态."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("用户名"), lambda r: r.username),
            Column(self.tr("姓名"), lambda r: r.display_name),
            Column(self.tr("角色"), lambda r: r.role_label),
            Column(self.tr("负责小区"), lambda r: r.estate_names, tooltip=True),
            Column(self.tr("PIN"), _pin_text),
            Column(
                self.tr("状态"),
                lambda r: "已停用" if r.disabled else "在用",
                colour=lambda r: ERROR_COLOUR if r.disabled else None,
            ),
        ]


class EstateChoice(QWidget):
    """Six check boxes, one per estate, two rows of three."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        self.boxes: dict[str, QCheckBox] = {}
        for number, estate in enumerate(ESTATES):
            box = QCheckBox(estate.name)
            self.boxes[estate.id] = box
            grid.addWidget(box, number // 3, number % 3)

    def chosen(self) -> list[str]:
        return [estate_id for estate_id, box in self.boxes.items() if box.isChecked()]

    def set_chosen(self, estate_ids: tuple[str, ...] | list[str]) -> None:
        for estate_id, box in self.boxes.items():
            box.setChecked(estate_id in estate_ids)


class OperatorDialog(QDialog):
    """新增操作员 (``row`` None) or 修改 one: name, role, estates, PIN allowed."""

    def __init__(
        self, context: AppContext, row: OperatorRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.row = row
        self._busy = False
        self.setWindowTitle(
            self.tr("新增操作员")
            if row is None
            else self.tr("修改操作员：{name}").format(name=row.display_name)
        )
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.username = text_edit(self.tr("例如 wangli"))
        self.display_name = text_edit(self.tr("例如 王丽"))
        self.role = QComboBox()
        for role, label in ROLES.items():
            self.role.addItem(label, role)
        roomy(self.role)
        self.estates = EstateChoice()
        self.password = password_edit()
        self.again = password_edit()
        self.pin_allowed = QCheckBox(self.tr("允许用 PIN（4 到 6 位数字）代替密码登录"))

        self.form = FieldGrid()
        if row is None:
            self.form.add("username", self.tr("用户名"), self.username, rules.USERNAME_RULE)
        self.form.add("display_name", self.tr("姓名"), self.display_name)
        self.role_note = self.form.add("role", self.tr("角色"), self.role, " ")
        self.form.add("estates", self.tr("负责小区"), self.estates)
        if row is None:
            self.password_note = self.form.add(
                "password", self.tr("初始密码"), self.password, rules.PASSWORD_RULE
            )
            self.form.add("again", self.tr("再输一次"), self.again)
        self.form.add("pin", "", self.pin_allowed)
        self.general_error = error_label()
        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(
            self.tr("保存"), self.tr("取消")
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(self.form.grid)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)

        if row is not None:
            self.display_name.setText(row.display_name)
            self.role.setCurrentIndex(max(0, self.role.findData(row.role)))
            self.estates.set_chosen(row.estates)
            self.pin_allowed.setChecked(row.pin_allowed)
        else:
            self.role.setCurrentIndex(self.role.findData(ESTATE))
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def _role_changed(self, *_: object) -> None:
        role = self.role.currentData()
        limited = role in (ESTATE, MEDIATOR)
        self.estates.setEnabled(limited)
        if not limited:
            self.estates.set_chosen([])
        if self.role_note is not None:
            self.role_note.setText(ROLE_NOTES.get(role, ""))
        if self.row is None:
            rule = rules.ADMIN_PASSWORD_RULE if role == ADMIN else rules.PASSWORD_RULE
            self.password_note.setText(rule)  # type: ignore[union-attr]

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        role = self.role.currentData()
        username = self.username.text().strip() if self.row is None else self.row.username
        if self.row is None:
            rule = rules.check_username(username)
            if rule:
                found["username"] = rule
        if not self.display_name.text().strip():
            found["display_name"] = self.tr("请填写姓名")
        if role in (ESTATE, MEDIATOR) and not self.estates.chosen():
            found["estates"] = self.tr("请至少勾选一个小区")
        if self.row is None:
            rule = rules.check_password(self.password.text(), username, role)
            if rule:
                found["password"] = rule
            elif self.again.text() != self.password.text():
                found["again"] = self.tr("两次输入的密码不一样，请再输一次")
        return found

    def submit(self) -> None:
        if self._busy:
            return
        show_message(self.general_error, "")
        if not self.form.show(self.problems()):
            return
        role = self.role.currentData()
        name = self.display_name.text().strip()
        estates = self.estates.chosen()
        pin_allowed = self.pin_allowed.isChecked()
        if self.row is None:
            username, password = self.username.text().strip(), self.password.text()

            def save(session: Session) -> None:
                from xmen_desktop.store import operators

                operators.add_operator(
                    session, username, name, role, password, estates, pin_allowed=pin_allowed
                )

        else:
            username = self.row.username

            def save(session: Session) -> None:
                from xmen_desktop.store import operators

                operators.update_operator(
                    session,
                    username,
                    display_name=name,
                    role=role,
                    estates=estates,
                    pin_allowed=pin_allowed,
                )

        self._busy = True
        self.ok_button.setEnabled(False)
        self.context.write(save, self._saved, self._failed, tables=(OPERATOR,))

    def _saved(self, _: object) -> None:
        if alive(self):
            self._busy = False
            self.accept()

    def _failed(self, error: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self.ok_button.setEnabled(True)
        show_message(self.general_error, error_message(error))


class OperatorsPage(QWidget):
    """The list of operators with what an administrator does to them, and the idle lock."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = OperatorTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_column=3)
        set_column_widths(self.table, {0: 8, 1: 6, 2: 7, 4: 8, 5: 4})
        self.table.doubleClicked.connect(lambda _index: self.edit_operator())
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)

        self.add_button = big_button(self.tr("新增操作员…"))
        self.edit_button = big_button(self.tr("修改角色和小区…"))
        self.password_button = big_button(self.tr("重设密码…"))
        self.pin_button = big_button(self.tr("允许用 PIN"))
        self.disable_button = big_button(self.tr("停用…"))
        self.add_button.clicked.connect(self.add_operator)
        self.edit_button.clicked.connect(self.edit_operator)
        self.password_button.clicked.connect(self.reset_password)
        self.pin_button.clicked.connect(self.toggle_pin)
        self.disable_button.clicked.connect(self.toggle_disabled)
        tools = QHBoxLayout()
        tools.setSpacing(10)
        for button in (
            self.add_button,
            self.edit_button,
            self.password_button,
            self.pin_button,
            self.disable_button,
        ):
            tools.addWidget(button)
        tools.addStretch(1)

        # --- the idle lock (this PC's setting)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setValue(rules.IDLE_LOCK_MINUTES_DEFAULT)
        self.idle_minutes.setSuffix(self.tr(" 分钟"))
        self.idle_minutes.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 7)
        roomy(self.idle_minutes)
        self.idle_save = big_button(self.tr("保存"))
        self.idle_save.clicked.connect(self.save_idle_minutes)
        self.idle_note = hint()
        idle = QHBoxLayout()
        idle.addWidget(QLabel(self.tr("无人操作")))
        idle.addWidget(self.idle_minutes)
        idle.addWidget(QLabel(self.tr("后自动锁定")))
        idle.addWidget(self.idle_save)
        idle.addWidget(self.idle_note, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(self.tr("操作员")))
        layout.addWidget(
            hint(
                self.tr(
                    "每个人用自己的用户名登录。小区工作人员只能看、改自己负责的小区；"
                    "停用的账号不能登录，但他做过的记录都保留。"
                )
            )
        )
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addSpacing(8)
        layout.addWidget(heading(self.tr("自动锁定"), scale=1.1))
        layout.addLayout(idle)
        self.has_data = False
        self._pending_select: str | None = None
        context.changed.connect(self._on_changed)
        self.update_buttons()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        def read(session: Session) -> tuple[list[OperatorRow], int]:
            from xmen_desktop.store import operators

            return operators.list_operators(session), operators.idle_lock_minutes(session)

        self.context.read(read, guarded(self, self._show), guarded(self, self._load_failed))

    def showEvent(self, event: object) -> None:
        if not self.has_data:
            self.load()
        super().showEvent(event)  # type: ignore[arg-type]

    def _show(self, answer: tuple[list[OperatorRow], int]) -> None:
        rows, minutes = answer
        keep = self.current()
        self.model.set_rows(rows)
        wanted = self._pending_select or (keep.username if keep is not None else None)
        if wanted is not None and self.select(wanted) and wanted == self._pending_select:
            self._pending_select = None
        self.idle_minutes.setValue(minutes)
        self.has_data = True
        self.update_buttons()

    def _load_failed(self, error: BaseException) -> None:
        show_error(self, error)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if OPERATOR in tables and self.has_data:
            self.load()

    # ------------------------------------------------------------------ selection

    def current(self) -> OperatorRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, username: str) -> bool:
        for number, row in enumerate(self.model.rows()):
            if row.username == username:
                self.table.selectRow(number)
                return True
        return False

    def update_buttons(self, *_: object) -> None:
        row = self.current()
        for button in (self.edit_button, self.password_button, self.pin_button):
            button.setEnabled(row is not None)
        self.disable_button.setEnabled(row is not None)
        if row is not None:
            self.pin_button.setText(
                self.tr("不允许用 PIN") if row.pin_allowed else self.tr("允许用 PIN")
            )
            self.disable_button.setText(self.tr("启用") if row.disabled else self.tr("停用…"))

    # ------------------------------------------------------------------ actions

    def add_operator(self) -> None:
        dialog = OperatorDialog(self.context, None, parent=self)
        dialog.accepted.connect(lambda: self._select_later(dialog.username.text().strip().lower()))
        dialog.open()

    def _select_later(self, username: str) -> None:
        # The list reloads after the save; the new person is selected once they appear.
        self._pending_select = username
        self.select(username)

    def edit_operator(self) -> None:
        row = self.current()
        if row is not None:
            OperatorDialog(self.context, row, parent=self).open()

    def reset_password(self) -> None:
        row = self.current()
        if row is None:
            return
        PasswordDialog(
            self.context,
            row.username,
            row.role,
            title=self.tr("重设密码：{name}").format(name=row.display_name),
            intro=self.tr("为 {name}（{username}）设一个新密码，再当面告诉他本人。").format(
                name=row.display_name, username=row.username
            ),
            parent=self,
        ).open()

    def toggle_pin(self) -> None:
        row = self.current()
        if row is None:
            return
        allow = not row.pin_allowed
        if (
            not allow
            and row.has_pin
            and not ask(
                self,
                self.tr("不允许用 PIN"),
                self.tr("{name} 设置的 PIN 将被清除，以后只能用密码登录。确定吗？").format(
                    name=row.display_name
                ),
            )
        ):
            return
        self._write(
            lambda session: _update(session, row.username, pin_allowed=allow),
            self.tr("没有改成"),
        )

    def toggle_disabled(self) -> None:
        row = self.current()
        if row is None:
            return
        disable = not row.disabled
        if disable and not ask(
            self,
            self.tr("停用操作员"),
            self.tr(
                "停用后，{name}（{username}）就不能再登录了，他做过的记录都保留。"
                "以后可以再点“启用”恢复。确定停用吗？"
            ).format(name=row.display_name, username=row.username),
        ):
            return

        def run(session: Session) -> None:
            from xmen_desktop.store import operators

            operators.set_disabled(session, row.username, disable)

        self._write(run, self.tr("没有改成"))

    def _write(self, fn: object, title: str) -> None:
        self.context.write(
            fn,  # type: ignore[arg-type]
            None,
            guarded(self, lambda error: show_error(self, error, title)),
            tables=(OPERATOR,),
        )

    def save_idle_minutes(self) -> None:
        minutes = self.idle_minutes.value()

        def run(session: Session) -> int:
            from xmen_desktop.store import operators

            operators.set_idle_lock_minutes(session, minutes)
            return minutes

        def saved(value: int) -> None:
            emit(self.context.idle_minutes_changed, value)
            if alive(self):
                show_message(
                    self.idle_note, self.tr("已保存：无人操作 {n} 分钟后自动锁定。").format(n=value)
                )

        self.context.write(
            run, saved, guarded(self, lambda error: show_error(self, error, self.tr("没有保存")))
        )


def _update(session: Session, username: str, **changes: object) -> None:
    from xmen_desktop.store import operators

    operators.update_operator(session, username, **changes)  # type: ignore[arg-type]
