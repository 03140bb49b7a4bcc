"""Signing in: the first administrator of a new PC, the sign-in (and lock) screen, passwords.

The sign-in screen is not a dialog: it takes the window's place, so nothing personal stays
visible behind it. Credentials are checked on the worker (Argon2 takes ~50 ms); the answer
to a wrong username and to a wrong password is the same, word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import ADMIN, Actor
from xmen_desktop.domain.estates import SUBDISTRICT_NAME
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import (
    alive,
    big_button,
    error_label,
    heading,
    hint,
    roomy,
    show_message,
)

if TYPE_CHECKING:
    from sqlmodel import Session

# The countdown after too many failed tries ticks once a second (tests make it faster).
TICK_MS = 1000


def password_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    roomy(edit)
    return edit


def text_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    roomy(edit)
    return edit


def dialog_buttons(
    ok_text: str, cancel_text: str
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """Roomy 确定-style and 取消-style buttons for the small dialogs here."""
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = box.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    for button in (ok, cancel):
        button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance("中") * 6)
    ok.setDefault(True)
    return box, ok, cancel


class FieldGrid:
    """Labelled fields with a red line under each, in a grid (label left, field right)."""

    def __init__(self) -> None:
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.errors: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self._row = 0

    def add(self, name: str, label: str, widget: QWidget, note: str = "") -> QLabel | None:
        caption = QLabel(label)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        caption.setBuddy(widget)
        self.grid.addWidget(caption, self._row, 0)
        self.grid.addWidget(widget, self._row, 1)
        error = error_label()
        self.grid.addWidget(error, self._row + 1, 1)
        self.errors[name] = error
        self._row += 2
        note_label = None
        if note:
            note_label = hint(note)
            self.grid.addWidget(note_label, self._row, 1)
            self.notes[name] = note_label
            self._row += 1
        self.grid.setRowMinimumHeight(self._row, 8)
        self._row += 1
        return note_label

    def show(self, problems: dict[str, str]) -> bool:
        """Each message under its field; True when there was none."""
        for name, label in self.errors.items():
            show_message(label, problems.get(name, ""))
            note = self.notes.get(name)
            if note is not None:
                # The red message already says the rule: once is enough.
                note.setVisible(name not in problems)
        return not problems

    def error(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if label.isVisible() else ""


# ---------------------------------------------------------------------------- sign-in screen


class SignInScreen(QWidget):
    """用户名, 密码或 PIN, 登录: at start, when locked, and to switch to another person."""

    # The Actor who signed in.
    signed_in = Signal(object)

    START, LOCKED, SWITCH = "start", "locked", "switch"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.mode = self.START
        self._busy = False
        self._wait_left = 0
        self.tick_ms = TICK_MS

        self.app_title = QLabel(
            self.tr("{subdistrict}自治家园工作台").format(subdistrict=SUBDISTRICT_NAME)
        )
        self.app_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.app_title.setStyleSheet("color: #555555;")
        self.title = heading("", scale=1.6)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = hint()
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.username = text_edit(self.tr("例如 wangli"))
        self.username.setAccessibleName(self.tr("用户名"))
        self.secret = password_edit()
        self.secret.setAccessibleName(self.tr("密码或 PIN"))
        self.username.returnPressed.connect(self._next_field)
        self.secret.returnPressed.connect(self.submit)
        self.message = error_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sign_in_button = big_button(self.tr("登录"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.switch_button = big_button(self.tr("切换用户"))
        self.switch_button.clicked.connect(self.show_switch)
        self.switch_button.setToolTip(self.tr("换另一位操作员登录"))

        fields = QGridLayout()
        fields.setHorizontalSpacing(12)
        fields.setVerticalSpacing(10)
        for row, (label, widget) in enumerate(
            ((self.tr("用户名"), self.username), (self.tr("密码或 PIN"), self.secret))
        ):
            caption = QLabel(label)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            caption.setBuddy(widget)
            fields.addWidget(caption, row, 0)
            fields.addWidget(widget, row, 1)
        fields.setColumnStretch(1, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        panel = QFrame()
        panel.setObjectName("signInPanel")
        panel.setStyleSheet(
            "QFrame#signInPanel { background: palette(base); border: 1px solid #c8c8c8;"
            " border-radius: 10px; }"
        )
        cell = self.fontMetrics().horizontalAdvance("中")
        panel.setFixedWidth(cell * 32)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(cell * 2, cell * 2, cell * 2, round(cell * 1.5))
        inner.setSpacing(12)
        inner.addWidget(self.app_title)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(8)
        inner.addLayout(fields)
        inner.addWidget(self.message)
        inner.addSpacing(4)
        inner.addLayout(buttons)
        self.forgot = hint(self.tr("忘记密码，请找管理员重设。"))
        self.forgot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.forgot)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(row)
        outer.addStretch(3)

        self._countdown = QTimer(self)
        self._countdown.timeout.connect(self._tick)
        self.show_start()

    # ------------------------------------------------------------------ modes

    def show_start(self) -> None:
        self.mode = self.START
        self.title.setText(self.tr("请登录"))
        self.subtitle.setText(self.tr("请输入您的用户名和密码（或 PIN），再点“登录”。"))
        self.switch_button.setVisible(False)
        self._reset(username="")

    def show_locked(self, person: Actor, reason: str = "") -> None:
        self.mode = self.LOCKED
        self.title.setText(self.tr("已锁定"))
        self.subtitle.setText(
            self.tr(
                "{reason}\n请 {name}（{role}）输入密码或 PIN 继续，\n刚才的工作都还在。"
                "换别人用，请点“切换用户”。"
            ).format(reason=reason, name=person.display_name, role=person.role_label)
        )
        self.switch_button.setVisible(True)
        self._reset(username=person.username)

    def show_switch(self) -> None:
        self.mode = self.SWITCH
        self.title.setText(self.tr("切换用户"))
        self.subtitle.setText(self.tr("请下一位操作员输入自己的用户名和密码（或 PIN）。"))
        self.switch_button.setVisible(False)
        self._reset(username="")

    def _reset(self, username: str) -> None:
        self.username.setText(username)
        self.secret.clear()
        if not self._wait_left:
            show_message(self.message, "")
        self._focus_first_empty()

    def _focus_first_empty(self) -> None:
        target = self.secret if self.username.text() else self.username
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _next_field(self) -> None:
        if self.secret.text():
            self.submit()
        else:
            self.secret.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ signing in

    def submit(self) -> None:
        if self._busy or self._wait_left > 0:
            return
        username = self.username.text().strip()
        secret = self.secret.text()
        if not username:
            show_message(self.message, self.tr("请填写用户名。"))
            self.username.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not secret:
            show_message(self.message, self.tr("请填写密码或 PIN。"))
            self.secret.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._set_busy(True)
        self.context.sign_in(username, secret, self._done, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_button()

    def _update_button(self) -> None:
        if self._wait_left > 0:
            self.sign_in_button.setText(self.tr("请等 {n} 秒").format(n=self._wait_left))
        elif self._busy:
            self.sign_in_button.setText(self.tr("正在登录……"))
        else:
            self.sign_in_button.setText(self.tr("登录"))
        self.sign_in_button.setEnabled(not self._busy and self._wait_left <= 0)

    def _done(self, person: Actor) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.secret.clear()
        show_message(self.message, "")
        emit(self.signed_in, person)

    def _failed(self, error: BaseException) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.secret.clear()
        wait = int(getattr(error, "wait_seconds", 0) or 0)
        if wait > 0:
            self._start_countdown(wait)
        else:
            show_message(self.message, error_message(error))
        self.secret.setFocus(Qt.FocusReason.OtherFocusReason)

    def _start_countdown(self, seconds: int) -> None:
        self._wait_left = seconds
        self._show_wait()
        self._countdown.start(self.tick_ms)

    def _tick(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        if self._wait_left > 0:
            self._show_wait()
            return
        self._countdown.stop()
        show_message(self.message, self.tr("现在可以再试一次。"))
        self._update_button()

    def _show_wait(self) -> None:
        show_message(
            self.message,
            self.tr("密码错误次数太多，为了安全，请等 {n} 秒后再试。").format(n=self._wait_left),
        )
        self._update_button()

    @property
    def waiting_seconds(self) -> int:
        return self._wait_left


# ---------------------------------------------------------------------------- first administrator


class FirstAdminDialog(QDialog):
    """A new PC: create its first administrator, who is then signed in."""

    # The Actor of the administrator, signed in.
    created = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._busy = False
        self.setWindowTitle(self.tr("设置管理员"))
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        intro = hint(
            self.tr(
                "这台电脑还没有管理员。请先设置一位管理员：以后每个人用自己的用户名和密码登录，"
                "管理员可以添加其他操作员。"
            )
        )
        self.username = text_edit(self.tr("例如 admin 或 wangli"))
        self.display_name = text_edit(self.tr("例如 王丽"))
        self.password = password_edit()
        self.again = password_edit()
        self.form = FieldGrid()
        self.form.add("username", self.tr("用户名"), self.username, rules.USERNAME_RULE)
        self.form.add("display_name", self.tr("姓名"), self.display_name)
        self.rule_note = self.form.add(
            "password", self.tr("密码"), self.password, rules.ADMIN_PASSWORD_RULE
        )
        self.form.add("again", self.tr("再输一次密码"), self.again)
        self.general_error = error_label()

        self.buttons, self.ok_button, self.later_button = dialog_buttons(
            self.tr("创建并登录"), self.tr("以后再说")
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("设置第一位管理员")))
        layout.addWidget(intro)
        layout.addLayout(self.form.grid)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 44)

    def problems(self) -> dict[str, str]:
        username = self.username.text().strip()
        password = self.password.text()
        found: dict[str, str] = {}
        rule = rules.check_username(username)
        if rule:
            found["username"] = rule
        if not self.display_name.text().strip():
            found["display_name"] = self.tr("请填写姓名")
        rule = rules.check_password(password, username, ADMIN)
        if rule:
            found["password"] = self.tr("密码太简单：{rule}").format(rule=rule)
        elif self.again.text() != password:
            found["again"] = self.tr("两次输入的密码不一样，请再输一次")
        return found

    def submit(self) -> None:
        if self._busy:
            return
        show_message(self.general_error, "")
        if not self.form.show(self.problems()):
            return
        username = self.username.text().strip()
        name = self.display_name.text().strip()
        password = self.password.text()
        self._set_busy(True)

        def create(session: Session) -> None:
            from xmen_desktop.store import operators

            operators.add_operator(session, username, name, ADMIN, password)

        def created(_: object) -> None:
            self.context.sign_in(username, password, self._signed_in, self._failed)

        self.context.write(create, created, self._failed, tables=("operator",))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.ok_button.setText(self.tr("正在创建……") if busy else self.tr("创建并登录"))

    def _signed_in(self, person: Actor) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        emit(self.created, person)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        show_message(self.general_error, error_message(error))

    def reject(self) -> None:
        if not self._busy:
            super().reject()


# ---------------------------------------------------------------------------- passwords


class PasswordDialog(QDialog):
    """A new password (and, where allowed, a PIN): one's own, or an administrator resets one."""

    saved = Signal()

    def __init__(
        self,
        context: AppContext,
        username: str,
        role: str,
        *,
        title: str,
        intro: str = "",
        pin_allowed: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.username = username
        self.role = role
        self._busy = False
        self.setWindowTitle(title)
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rule = rules.ADMIN_PASSWORD_RULE if role == ADMIN else rules.PASSWORD_RULE

        self.password = password_edit()
        self.again = password_edit()
        self.pin = password_edit(self.tr("不用 PIN 可不填"))
        self.form = FieldGrid()
        self.form.add("password", self.tr("新密码"), self.password, self.rule)
        self.form.add("again", self.tr("再输一次"), self.again)
        if pin_allowed:
            self.form.add("pin", self.tr("PIN"), self.pin, rules.PIN_RULE + "，可以代替密码登录")
        self.pin.setVisible(pin_allowed)
        self.pin_allowed = pin_allowed
        self.general_error = error_label()
        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(
            self.tr("保存"), self.tr("取消")
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        if intro:
            layout.addWidget(hint(intro))
        layout.addLayout(self.form.grid)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        password, pin = self.password.text(), self.pin.text()
        if password or not (self.pin_allowed and pin):
            rule = rules.check_password(password, self.username, self.role)
            if rule:
                found["password"] = rule
            elif self.again.text() != password:
                found["again"] = self.tr("两次输入的密码不一样，请再输一次")
        if self.pin_allowed and pin:
            rule = rules.check_pin(pin)
            if rule:
                found["pin"] = rule
        return found

    def submit(self) -> None:
        if self._busy or not self.form.show(self.problems()):
            return
        username, password = self.username, self.password.text()
        pin = self.pin.text() if self.pin_allowed else ""

        def save(session: Session) -> None:
            from xmen_desktop.store import operators

            if password:
                operators.set_password(session, username, password)
            if pin:
                operators.set_pin(session, username, pin)

        self._busy = True
        self.ok_button.setEnabled(False)
        self.context.write(save, self._saved, self._failed, tables=("operator",))

    def _saved(self, _: object) -> None:
        if not alive(self):
            return
        self._busy = False
        emit(self.saved)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self.ok_button.setEnabled(True)
        show_message(self.general_error, error_message(error))


def open_change_own_password(
    context: AppContext, parent: QWidget, on_saved: Callable[[], None] | None = None
) -> None:
    """修改我的密码…: whether a PIN is allowed is read first (on the worker)."""
    person = context.actor

    def pin_allowed(session: Session) -> bool:
        from xmen_desktop.store import operators

        return operators.get_operator(session, person.username).pin_allowed

    def show(allowed: bool) -> None:
        if not alive(parent):
            return
        dialog = PasswordDialog(
            context,
            person.username,
            person.role,
            title=parent.tr("修改我的密码"),
            intro=parent.tr("为 {name} 设置新密码。下次登录时用新密码。").format(
                name=person.display_name
            ),
            pin_allowed=allowed,
            parent=parent,
        )
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.open()

    from xmen_desktop.ui.context import show_error

    context.read(pin_allowed, show, lambda error: show_error(parent, error))
