"""The main window: 街道总览 and one tab per estate.

It is built at once from the fixed list of estates, before the database is open (opening it
means importing SQLAlchemy, ~300 ms), and fills in when ``context.store_ready`` fires. Nothing
imported here may import sqlalchemy, sqlmodel or reportlab.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QTabWidget, QWidget

from xmen_desktop import __version__
from xmen_desktop.domain.estates import ESTATES, SUBDISTRICT_NAME
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.estate_tab import EstateTab
from xmen_desktop.ui.language import install_chinese
from xmen_desktop.ui.overview import OverviewTab
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.sync_dialogs import open_export_dialog, open_import_dialog
from xmen_desktop.ui.widgets import ERROR_COLOUR, StatusPage


class MainWindow(QMainWindow):
    # Emitted once: the store is open and the tab on screen shows its first data.
    data_loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = QCoreApplication.instance()
        if app is not None:
            install_chinese(app)
        self.context = context
        self._data_loaded_sent = False
        # A bundle the user opened from outside before the data was open: shown once it is.
        self._pending_bundle: str | None = None
        self.setWindowTitle(self.tr("老西门街道自治家园工作台"))
        self.resize(1280, 800)

        self.overview = OverviewTab(context)
        self.estate_tabs: list[EstateTab] = []
        self.tabs = QTabWidget()
        # Wider tabs: easier to read and to hit than Qt's tight default.
        self.tabs.setStyleSheet("QTabBar::tab { padding: 8px 22px; }")
        self.tabs.addTab(self.overview, self.tr("街道总览"))
        for estate in ESTATES:
            tab = EstateTab(context, estate)
            tab.loaded.connect(self._check_loaded)
            self.estate_tabs.append(tab)
            self.tabs.addTab(tab, estate.name)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.overview.loaded.connect(self._check_loaded)
        self.overview.estate_chosen.connect(self.show_estate)
        self.overview.review_count_changed.connect(self._show_review_count)

        self.error_page = StatusPage(self.tr("无法打开数据"))
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.error_page)
        self.setCentralWidget(self.pages)

        self.site_label = QLabel(self.tr("正在打开数据……"))
        self.statusBar().addWidget(self.site_label)
        self._build_menus()

        context.store_ready.connect(self._store_ready)
        context.store_failed.connect(self._store_failed)
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
        quit_action = QAction(self.tr("退出"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("帮助"))
        about_action = QAction(self.tr("关于"), self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    # ------------------------------------------------------------------ tabs

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
        self.export_action.setEnabled(True)
        self.import_action.setEnabled(True)
        if self._pending_bundle is not None:
            path, self._pending_bundle = self._pending_bundle, None
            self.import_bundle(path)
        self.overview.load()
        self._tab_changed(self.tabs.currentIndex())

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

        Before the data is open, the bundle waits and its dialog opens once the data is ready.
        """
        if self.context.store is not None:
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
