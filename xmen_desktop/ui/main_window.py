"""The main window: 街道总览, one tab per estate the person may see, and 系统管理.

It is built at once from the fixed list of estates, before the database is open (opening it
means importing SQLAlchemy, ~300 ms), and fills in when ``context.store_ready`` fires. Nothing
imported here may import sqlalchemy, sqlmodel or reportlab.

Once operators exist, nothing loads until someone signs in; the tabs then follow that person's
role. After some idle minutes the window locks: the sign-in screen takes the tabs' place (the
tabs are kept, hidden), and the same person signing in comes back to exactly where they were;
someone else gets tabs built afresh for their own role.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from xmen_desktop import __version__
from xmen_desktop.domain.access import SYSTEM, Actor
from xmen_desktop.domain.estates import ESTATES, SUBDISTRICT_NAME
from xmen_desktop.ui.admin_tab import AdminTab
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.estate_tab import EstateTab
from xmen_desktop.ui.language import install_chinese
from xmen_desktop.ui.overview import OverviewTab
from xmen_desktop.ui.session_guard import SessionGuard
from xmen_desktop.ui.sign_in import FirstAdminDialog, SignInScreen, open_change_own_password
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.sync_dialogs import open_export_dialog, open_import_dialog
from xmen_desktop.ui.widgets import ERROR_COLOUR, StatusPage, alive


def _is_person(actor: Actor) -> bool:
    """Someone signed in by name (not the PC itself, not nobody)."""
    return actor is not SYSTEM and actor.signed_in


class MainWindow(QMainWindow):
    # Emitted once: the store is open and the tab on screen shows its first data.
    data_loaded = Signal()
    # The store is open, operators exist, and the sign-in screen waits for someone.
    sign_in_shown = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        idle_lock_ms: int | None = None,
    ) -> None:
        """``idle_lock_ms`` fixes the idle time before the lock (tests); else the setting's."""
        super().__init__(parent)
        app = QCoreApplication.instance()
        if app is not None:
            install_chinese(app)
        self.context = context
        self._data_loaded_sent = False
        # A bundle the user opened from outside before the data was open: shown once it is.
        self._pending_bundle: str | None = None
        # Who was signed in when the window locked (None: not locked).
        self._locked_for: Actor | None = None
        # Dialogs hidden by the lock, shown again when the same person signs back in.
        self._hidden_dialogs: list[QDialog] = []
        self._focus_before_lock: QWidget | None = None
        self.first_admin_dialog: FirstAdminDialog | None = None
        self.setWindowTitle(self.tr("老西门街道自治家园工作台"))
        self.resize(1280, 800)

        self.overview: OverviewTab
        self.estate_tabs: list[EstateTab] = []
        self.admin_tab: AdminTab | None = None
        self.tabs = QTabWidget()
        # Wider tabs: easier to read and to hit than Qt's tight default.
        self.tabs.setStyleSheet("QTabBar::tab { padding: 8px 22px; }")
        self.tabs.currentChanged.connect(self._tab_changed)
        # Before the store is open nobody is known: every estate, as a new PC shows them.
        self._build_tabs(SYSTEM)

        self.error_page = StatusPage(self.tr("无法打开数据"))
        self.sign_in_screen = SignInScreen(context)
        self.sign_in_screen.signed_in.connect(self._signed_in)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.error_page)
        self.pages.addWidget(self.sign_in_screen)
        self.setCentralWidget(self.pages)

        self.guard = SessionGuard(self, interval_ms=idle_lock_ms)
        self.guard.idle.connect(self._idle)
        context.idle_minutes_changed.connect(self.guard.set_minutes)

        self.site_label = QLabel(self.tr("正在打开数据……"))
        self.statusBar().addWidget(self.site_label)
        self.person_label = QLabel()
        # Apart from the site's name: two facts, not one run-on line.
        self.person_label.setContentsMargins(
            self.fontMetrics().horizontalAdvance("中") * 2, 0, 0, 0
        )
        self.person_label.setVisible(False)
        self.statusBar().addWidget(self.person_label)
        self._build_menus()

        context.store_ready.connect(self._store_ready)
        context.store_failed.connect(self._store_failed)
        context.store_damaged.connect(self._store_damaged)
        if context.store is not None:
            # Opened before this window existed: fill in once construction has returned.
            QTimer.singleShot(0, self._store_ready)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件"))
        self.export_action = QAction(self.tr("导出同步包…"), self)
        self.export_action.triggered.connect(self.export_bundle)
        file_menu.addAction(self.export_action)
        self.import_action = QAction(self.tr("导入同步包…"), self)
        self.import_action.triggered.connect(lambda: self.import_bundle())
        file_menu.addAction(self.import_action)
        for action in (self.export_action, self.import_action):
            action.setEnabled(False)  # until the data is open
        file_menu.addSeparator()
        self.switch_action = QAction(self.tr("切换用户…"), self)
        self.switch_action.triggered.connect(self.switch_user)
        self.lock_action = QAction(self.tr("锁定"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock())
        self.password_action = QAction(self.tr("修改我的密码…"), self)
        self.password_action.triggered.connect(self.change_password)
        self.admin_action = QAction(self.tr("设置管理员…"), self)
        self.admin_action.triggered.connect(self.ask_for_admin)
        for action in (
            self.switch_action,
            self.lock_action,
            self.password_action,
            self.admin_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self._update_actions()
        quit_action = QAction(self.tr("退出"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("帮助"))
        about_action = QAction(self.tr("关于"), self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    def _update_actions(self) -> None:
        """Menu items as the person on the PC may use them (none while locked)."""
        person = self.context.actor
        open_ = self.context.store is not None and self._locked_for is None
        for action in (self.export_action, self.import_action):
            action.setEnabled(open_ and person.signed_in and person.may_sync)
        named = open_ and _is_person(person)
        for action in (self.switch_action, self.lock_action, self.password_action):
            action.setEnabled(named)
        # A PC with no operators yet: the way to its first administrator.
        self.admin_action.setVisible(open_ and person is SYSTEM)

    def _update_person(self) -> None:
        person = self.context.actor
        if self._locked_for is not None:
            self.person_label.setText(self.tr("已锁定"))
        elif _is_person(person):
            self.person_label.setText(
                self.tr("当前：{name}（{role}）").format(
                    name=person.display_name, role=person.role_label
                )
            )
        else:
            self.person_label.setText("")
        self.person_label.setVisible(bool(self.person_label.text()))

    # ------------------------------------------------------------------ tabs

    def _build_tabs(self, person: Actor) -> None:
        """The tabs this person may see, built afresh (the previous person's are destroyed)."""
        old = [self.tabs.widget(i) for i in range(self.tabs.count())]
        self.tabs.blockSignals(True)
        try:
            self.tabs.clear()
        finally:
            self.tabs.blockSignals(False)
        for widget in old:
            # At once, not later: a hidden page of someone else's estate must not reload
            # (and be refused) for the next person in between.
            shiboken6.delete(widget)
        self.overview = OverviewTab(self.context)
        self.overview.loaded.connect(self._check_loaded)
        self.overview.estate_chosen.connect(self.show_estate)
        self.overview.review_count_changed.connect(self._show_review_count)
        self.tabs.addTab(self.overview, self.tr("街道总览"))
        self.estate_tabs = []
        for estate in ESTATES:
            if not (person.all_estates or estate.id in person.estates):
                continue
            tab = EstateTab(self.context, estate)
            tab.loaded.connect(self._check_loaded)
            self.estate_tabs.append(tab)
            self.tabs.addTab(tab, estate.name)
        self.admin_tab = None
        if _is_person(person):
            self._add_admin_tab(person)
        self.tabs.setCurrentIndex(0)

    def _add_admin_tab(self, person: Actor) -> None:
        if self.admin_tab is not None:
            index = self.tabs.indexOf(self.admin_tab)
            self.tabs.removeTab(index)
            shiboken6.delete(self.admin_tab)
        self.admin_tab = AdminTab(self.context, person)
        self.tabs.addTab(self.admin_tab, self.tr("系统管理"))

    def estate_tab(self, estate_id: str) -> EstateTab | None:
        for tab in self.estate_tabs:
            if tab.estate.id == estate_id:
                return tab
        return None

    def show_estate(self, estate_id: str) -> None:
        tab = self.estate_tab(estate_id)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)

    def _tab_changed(self, _index: int) -> None:
        current = self.tabs.currentWidget()
        for tab in self.estate_tabs:
            tab.set_active(tab is current)

    # ------------------------------------------------------------------ store

    def _store_ready(self) -> None:
        store = self.context.store
        if store is None:
            return
        self.site_label.setText(self.tr("本机站点：{name}").format(name=store.site_name))
        if self.context.sign_in_needed:
            # Operators exist: the data stays hidden until someone signs in.
            self.sign_in_screen.show_start()
            self.pages.setCurrentWidget(self.sign_in_screen)
            self._update_actions()
            emit(self.sign_in_shown)
            return
        self._start_work()
        if self.context.actor is SYSTEM and self.context.ask_for_admin:
            self.ask_for_admin()

    def _start_work(self) -> None:
        """Someone may see the data (a person, or the PC before it has operators): load it."""
        self.pages.setCurrentWidget(self.tabs)
        self._update_actions()
        self._update_person()
        if self._pending_bundle is not None:
            path, self._pending_bundle = self._pending_bundle, None
            self.import_bundle(path)
        self.overview.load()
        self._tab_changed(self.tabs.currentIndex())
        self._watch_idle()

    def _watch_idle(self) -> None:
        if not _is_person(self.context.actor):
            self.guard.stop()
            return

        def minutes(session: object) -> int:
            from xmen_desktop.store import operators

            return operators.idle_lock_minutes(session)  # type: ignore[arg-type]

        self.guard.start()
        self.context.read(minutes, self.guard.set_minutes)

    # ------------------------------------------------------------------ people

    def ask_for_admin(self) -> None:
        """A new PC: create its first administrator (non-blocking; 以后再说 is allowed)."""
        if self.first_admin_dialog is not None and alive(self.first_admin_dialog):
            self.first_admin_dialog.activateWindow()
            return
        dialog = FirstAdminDialog(self.context, self)
        dialog.created.connect(self._admin_created)
        self.first_admin_dialog = dialog
        dialog.open()

    def _admin_created(self, person: Actor) -> None:
        # The same human who was using the new PC: their screen stays, 系统管理 is added.
        self._add_admin_tab(person)
        self._update_actions()
        self._update_person()
        self._watch_idle()

    def _signed_in(self, person: Actor) -> None:
        previous, self._locked_for = self._locked_for, None
        if previous is not None and previous.username == person.username:
            # The same person: back to exactly where they were.
            self.pages.setCurrentWidget(self.tabs)
            self._restore_dialogs()
            self._update_actions()
            self._update_person()
            self._watch_idle()
            if self._pending_bundle is not None:
                path, self._pending_bundle = self._pending_bundle, None
                self.import_bundle(path)
            return
        self._close_hidden_dialogs()
        self._build_tabs(person)
        self._start_work()

    def _idle(self) -> None:
        self.lock(reason=self.tr("一段时间没有操作，已自动锁定。"))

    def lock(self, *, reason: str = "", switch: bool = False) -> None:
        """Cover the window with the sign-in screen; nobody is signed in until someone does."""
        person = self.context.actor
        if not _is_person(person) or self._locked_for is not None:
            return
        self._locked_for = person
        self.guard.stop()
        self._focus_before_lock = QApplication.focusWidget()
        self._hide_dialogs()
        self.context.lock(self.tr("切换用户") if switch else (reason or self.tr("锁定")))
        if switch:
            self.sign_in_screen.show_switch()
        else:
            self.sign_in_screen.show_locked(person, reason or self.tr("已锁定。"))
        self.pages.setCurrentWidget(self.sign_in_screen)
        self._update_actions()
        self._update_person()

    def switch_user(self) -> None:
        self.lock(switch=True)

    @property
    def locked(self) -> bool:
        return self._locked_for is not None

    def change_password(self) -> None:
        if _is_person(self.context.actor):
            open_change_own_password(self.context, self)

    def _hide_dialogs(self) -> None:
        """Nothing personal stays on screen: open dialogs are hidden until the person is back."""
        self._hidden_dialogs = []
        found = {id(d): d for d in self.findChildren(QDialog)}
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog):
                found.setdefault(id(widget), widget)
        for dialog in found.values():
            # A progress dialog shows no one's data, and hiding it would not stop its work.
            if not dialog.isVisible() or isinstance(dialog, QProgressDialog):
                continue
            if isinstance(dialog, QMessageBox):
                dialog.reject()  # a question left open answers "no"
                continue
            dialog.hide()
            self._hidden_dialogs.append(dialog)

    def _restore_dialogs(self) -> None:
        for dialog in self._hidden_dialogs:
            if alive(dialog):
                dialog.show()
        self._hidden_dialogs = []
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None and alive(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _close_hidden_dialogs(self) -> None:
        # Someone else's half-filled form is not the next person's to save.
        for dialog in self._hidden_dialogs:
            if alive(dialog):
                QDialog.reject(dialog)  # no "discard changes?" question to a different person
                if alive(dialog):
                    dialog.close()
        self._hidden_dialogs = []
        self._focus_before_lock = None

    def _store_failed(self, message: str) -> None:
        self.error_page.set_text(
            self.tr("无法打开数据"),
            self.tr(
                "{message}\n\n请关闭本程序后重新打开。"
                "如果仍然出现这个提示，请把上面这段文字告诉维护人员。"
            ).format(message=message),
        )
        self.pages.setCurrentWidget(self.error_page)
        self.site_label.setText(self.tr("数据没有打开"))

    def _store_damaged(self, message: str) -> None:
        """The file is damaged: say so, then offer the backups (after this slot returns)."""
        self._store_failed(message)
        QTimer.singleShot(0, lambda: self._offer_restore(message))

    def _offer_restore(self, message: str) -> None:
        from xmen_desktop.ui.backup_page import offer_restore

        if offer_restore(self, self.context.data_dir, message, worker=self.context.worker):
            self.site_label.setText(self.tr("正在打开数据……"))
            self.pages.setCurrentWidget(self.tabs)
            self.context.open_store()

    def _check_loaded(self) -> None:
        if self._data_loaded_sent or not self.overview.has_data:
            return
        current = self.tabs.currentWidget()
        if isinstance(current, EstateTab) and not current.has_data:
            return
        self._data_loaded_sent = True
        emit(self.data_loaded)

    # ------------------------------------------------------------------ sync

    def export_bundle(self) -> None:
        if self.context.store is not None:
            open_export_dialog(self, self.context)

    def import_bundle(self, path: str | None = None) -> None:
        """导入同步包…; ``path``: a bundle the user opened from outside (double-clicked).

        Before the data is open (or before anyone has signed in), the bundle waits and its
        dialog opens once the data is ready.
        """
        if self.context.store is not None and self.context.actor.signed_in and not self.locked:
            open_import_dialog(self, self.context, path)
        elif path:
            self._pending_bundle = path

    def _show_review_count(self, count: int) -> None:
        index = self.tabs.indexOf(self.overview)
        self.tabs.setTabText(
            index,
            self.tr("街道总览（待核对 {n}）").format(n=count) if count else self.tr("街道总览"),
        )
        self.tabs.tabBar().setTabTextColor(index, QColor(ERROR_COLOUR) if count else QColor())

    def closeEvent(self, event: QCloseEvent) -> None:
        # Leaving the program ends the person's session, in the audit trail too.
        if _is_person(self.context.actor) and not self.locked and self.context.store is not None:
            self.guard.stop()
            self.context.lock(self.tr("退出程序"))
        super().closeEvent(event)

    # ------------------------------------------------------------------ help

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr(
                "<h3>{subdistrict}自治家园工作台</h3>"
                "<p>版本 {version}</p>"
                "<p>供{subdistrict}小西门、龙门村、普育里、景德里、安澜、陆兴六个小区的"
                "自治家园使用：住户名册、自治机构、议题与表决等。</p>"
                "<p>所有数据都保存在这台电脑上，不需要连网。</p>"
            ).format(subdistrict=SUBDISTRICT_NAME, version=__version__),
        )
