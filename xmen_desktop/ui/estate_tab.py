"""One estate's tab: its household roster (住户名册), its four bodies (自治机构) and its topics
and votes (议题与表决, in ``topics_page``).

Pages load when their tab is first shown and reload after a change to the tables they show;
a page that is out of sight only notes that it is out of date and reloads when shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import BODY_KINDS, EstateInfo
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.estate_page import Page
from xmen_desktop.ui.household_dialog import HouseholdDialog, ResidentDialog
from xmen_desktop.ui.lazy import LazyPage
from xmen_desktop.ui.member_dialog import MemberDialog
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import (
    BodyFilterProxy,
    HouseholdFilterProxy,
    HouseholdTableModel,
    MemberTableModel,
    ResidentTableModel,
)
from xmen_desktop.ui.topics_page import TopicsPage
from xmen_desktop.ui.widgets import (
    StatusPage,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from xmen_desktop.store.queries import MemberRow, ResidentRow
    from xmen_desktop.store.roster import HouseholdRow
    from xmen_desktop.ui.meetings_page import MeetingsPage
    from xmen_desktop.ui.notice_dialog import NoticesPage
    from xmen_desktop.ui.print_centre import PrintCentre
    from xmen_desktop.ui.projects_page import ProjectsPage


class RosterPage(Page):
    """住户名册: the households of the estate, searchable, and the residents of the one chosen."""

    TABLES = frozenset({jobs.HOUSEHOLD, jobs.RESIDENT})

    def __init__(
        self, context: AppContext, estate: EstateInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, estate, parent)
        # A household to select once it shows up in the list (just added or changed).
        self._pending_select: str | None = None
        # Whose residents the side list shows, and whether they must be read again.
        self._residents_of: str | None = None
        self._residents_stale = True

        self.model = HouseholdTableModel(self)
        self.proxy = HouseholdFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        # --- tool row: search, count, buttons
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("按姓名、地址或电话查找"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("中") * 16)
        self.search.setMinimumHeight(round(self.search.fontMetrics().height() * 2.1))
        self.search.textChanged.connect(self._search_changed)
        self.count_label = QLabel()
        self.add_button = big_button(self.tr("新增住户"))
        self.edit_button = big_button(self.tr("修改"))
        self.delete_button = big_button(self.tr("删除"))
        self.import_button = big_button(self.tr("导入名册…"))
        self.export_button = big_button(self.tr("导出名册…"))
        self.add_button.clicked.connect(self.add_household)
        self.edit_button.clicked.connect(self.edit_household)
        self.delete_button.clicked.connect(self.delete_household)
        self.import_button.clicked.connect(self.import_roster)
        self.export_button.clicked.connect(self.export_roster)

        tools = QHBoxLayout()
        tools.setSpacing(10)
        tools.addWidget(self.search, 3)
        tools.addWidget(self.count_label)
        tools.addStretch(1)
        for button in (self.add_button, self.edit_button, self.delete_button):
            tools.addWidget(button)
        tools.addSpacing(16)
        tools.addWidget(self.import_button)
        tools.addWidget(self.export_button)

        # --- the household table
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, stretch_column=HouseholdTableModel.NOTES)
        set_column_widths(self.table, {0: 5, 1: 15, 2: 8, 3: 3, 4: 5, 5: 3})
        self.table.horizontalHeader().setSortIndicator(
            HouseholdTableModel.ADDRESS, Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_household())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_hint = hint()
        self.empty_hint.setVisible(False)

        households = QWidget()
        left = QVBoxLayout(households)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.empty_hint)
        left.addWidget(self.table, 1)

        # --- the residents of the chosen household
        self.residents_title = heading(self.tr("居民"), scale=1.1)
        self.residents_title.setWordWrap(True)
        self.residents_model = ResidentTableModel(self)
        self.residents_table = QTableView()
        self.residents_table.setModel(self.residents_model)
        setup_table(self.residents_table, stretch_column=5)
        set_column_widths(self.residents_table, {0: 4, 1: 3, 2: 2, 3: 3, 4: 6.5})
        self.residents_table.doubleClicked.connect(lambda _index: self.edit_resident())
        self.residents_table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.add_resident_button = big_button(self.tr("新增居民"))
        self.edit_resident_button = big_button(self.tr("修改"))
        self.delete_resident_button = big_button(self.tr("删除"))
        self.add_resident_button.clicked.connect(self.add_resident)
        self.edit_resident_button.clicked.connect(self.edit_resident)
        self.delete_resident_button.clicked.connect(self.delete_resident)
        resident_tools = QHBoxLayout()
        for button in (
            self.add_resident_button,
            self.edit_resident_button,
            self.delete_resident_button,
        ):
            resident_tools.addWidget(button)
        resident_tools.addStretch(1)

        residents = QWidget()
        right = QVBoxLayout(residents)
        right.setContentsMargins(12, 0, 0, 0)
        right.addWidget(self.residents_title)
        right.addWidget(self.residents_table, 1)
        right.addLayout(resident_tools)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(households)
        splitter.addWidget(residents)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        cell = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([cell * 45, cell * 27])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addLayout(tools)
        layout.addWidget(splitter, 1)
        self._update_count()
        self._show_household_residents()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        self.context.read(jobs.load_roster(self.estate.id), guarded(self, self._show_roster))

    def _show_roster(self, roster: jobs.Roster) -> None:
        keep = self._pending_select or self.current_household_id()
        scroll = self.table.verticalScrollBar().value()
        self.model.set_rows(roster.households, roster.resident_names)
        self.table.verticalScrollBar().setValue(scroll)
        if keep is not None:
            self._select(keep, scroll_to=self._pending_select is not None)
        self._update_count()
        self._show_household_residents()
        self.has_data = True
        emit(self.loaded)

    def _select(self, household_id: str, *, scroll_to: bool) -> bool:
        row = self.model.row_of_id(household_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid() and scroll_to:
            # Just saved but hidden by the search: show everything so it can be seen.
            self.search.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        if scroll_to:
            self.table.scrollTo(index)
            self._pending_select = None
        return True

    def select_household(self, household_id: str) -> None:
        """Select a household now if listed, else as soon as it appears."""
        if not self._select(household_id, scroll_to=True):
            self._pending_select = household_id

    # ------------------------------------------------------------------ state

    def current_household(self) -> HouseholdRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def current_household_id(self) -> str | None:
        household = self.current_household()
        return household.id if household else None

    def current_resident(self) -> ResidentRow | None:
        rows = self.residents_table.selectionModel().selectedRows()
        return self.residents_model.row_at(rows[0].row()) if rows else None

    def _search_changed(self, text: str) -> None:
        chosen = self.current_household_id()
        self.proxy.set_query(text)
        if chosen is not None and self.current_household_id() != chosen:
            # The chosen household is hidden by the search. Qt would move the selection to a
            # neighbour, which nobody chose: a later 删除 must never hit a household by surprise.
            self.table.selectionModel().clear()
        self._update_count()
        self._show_household_residents()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        query = self.search.text().strip()
        if query:
            self.count_label.setText(
                self.tr("共 {total} 户，找到 {shown} 户").format(total=total, shown=shown)
            )
        else:
            self.count_label.setText(self.tr("共 {total} 户").format(total=total))
        if self.has_data and total == 0:
            message = self.tr(
                "名册里还没有住户。可点“新增住户”逐户登记，或点“导入名册…”从 Excel 表格导入。"
            )
        elif query and shown == 0:
            message = self.tr("没有找到“{query}”。请检查输入，或少输几个字再找。").format(
                query=query
            )
        else:
            message = ""
        self.empty_hint.setText(message)
        self.empty_hint.setVisible(bool(message))

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_household_residents()

    def _show_household_residents(self) -> None:
        household = self.current_household()
        shown_id = self._residents_of
        if household is None:
            self._residents_of = None
            self.residents_model.set_rows([])
            self.residents_title.setText(self.tr("居民：请先在左边名册中选中一户"))
        else:
            self._residents_of = household.id
            self.residents_title.setText(
                self.tr("{tenant} 一户的居民（{address}）").format(
                    tenant=household.tenant, address=household.address
                )
            )
            if shown_id != household.id:
                # Never leave the previous household's people on show while reading.
                self.residents_model.set_rows([])
            if shown_id != household.id or self._residents_stale:
                self._load_residents(household.id)
        self.update_buttons()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if jobs.RESIDENT in tables:
            self._residents_stale = True
        super()._on_changed(tables)

    def _load_residents(self, household_id: str) -> None:
        self._residents_stale = False

        def show(rows: list[ResidentRow]) -> None:
            # Answers can overtake a quick change of selection: show only the current one's.
            if household_id != self._residents_of:
                return
            keep = self.current_resident()
            self.residents_model.set_rows(rows)
            if keep is not None:
                row = self.residents_model.row_of_id(keep.id)
                if row >= 0:
                    self.residents_table.selectRow(row)
            self.update_buttons()

        self.context.read(jobs.load_residents(household_id), guarded(self, show))

    def update_buttons(self, *_: object) -> None:
        has_household = self.current_household() is not None
        self.edit_button.setEnabled(has_household)
        self.delete_button.setEnabled(has_household)
        self.add_resident_button.setEnabled(has_household)
        has_resident = self.current_resident() is not None
        self.edit_resident_button.setEnabled(has_resident)
        self.delete_resident_button.setEnabled(has_resident)
        ready = self.context.store is not None
        for button in (self.add_button, self.import_button, self.export_button):
            button.setEnabled(ready)

    # ------------------------------------------------------------------ households

    def add_household(self) -> None:
        dialog = HouseholdDialog(self.context, self.estate.id, self.estate.name, parent=self)
        dialog.saved.connect(self.select_household)
        dialog.open()

    def edit_household(self) -> None:
        household = self.current_household()
        if household is None:
            return
        dialog = HouseholdDialog(
            self.context, self.estate.id, self.estate.name, household, parent=self
        )
        dialog.saved.connect(self.select_household)
        dialog.open()

    def delete_household(self) -> None:
        household = self.current_household()
        if household is None:
            return
        question = self.tr(
            "确定删除 {address} {tenant} 这一户吗？其家庭成员也会一并删除；"
            "在自治机构任职的，也会一并移出机构。"
        ).format(address=household.address, tenant=household.tenant)
        if not ask(self, self.tr("删除住户"), question):
            return
        self._run(jobs.delete_household(household.id), self.tr("没有删除"))

    # ------------------------------------------------------------------ residents

    def add_resident(self) -> None:
        household = self.current_household()
        if household is None:
            return
        dialog = ResidentDialog(
            self.context, household.id, f"{household.tenant} {household.address}", parent=self
        )
        dialog.saved.connect(self._select_resident_later)
        dialog.open()

    def edit_resident(self) -> None:
        household, resident = self.current_household(), self.current_resident()
        if household is None or resident is None:
            return
        dialog = ResidentDialog(
            self.context,
            household.id,
            f"{household.tenant} {household.address}",
            resident,
            parent=self,
        )
        dialog.saved.connect(self._select_resident_later)
        dialog.open()

    def _select_resident_later(self, resident_id: str) -> None:
        row = self.residents_model.row_of_id(resident_id)
        if row >= 0:
            self.residents_table.selectRow(row)

    def delete_resident(self) -> None:
        household, resident = self.current_household(), self.current_resident()
        if household is None or resident is None:
            return
        question = self.tr(
            "确定删除 {address} 的居民 {name} 吗？如果此人在自治机构任职，也会一并移出机构。"
        ).format(address=household.address, name=resident.name)
        if not ask(self, self.tr("删除居民"), question):
            return
        self._run(jobs.delete_resident(resident.id), self.tr("没有删除"))

    # ------------------------------------------------------------------ roster files

    def import_roster(self) -> None:
        # Imported here: the import screen pulls in spreadsheet code the start-up never needs.
        from xmen_desktop.ui.import_dialog import open_import_dialog

        open_import_dialog(self, self.context, self.estate.id, self.estate.name)

    def export_roster(self) -> None:
        from xmen_desktop.ui.import_dialog import export_roster_interactive

        export_roster_interactive(self, self.context, self.estate.id, self.estate.name)

    def _run(self, job: Callable[..., object], failure_title: str) -> None:
        self.context.write(
            job, None, guarded(self, lambda error: show_error(self, error, failure_title))
        )


class BodiesPage(Page):
    """自治机构: the members of 议事大会, 执行委员会, 党建联络员 and 纠纷调处委员会."""

    # Deleting a resident or a household removes their seats too.
    TABLES = frozenset({jobs.BODY_MEMBER, jobs.RESIDENT, jobs.HOUSEHOLD})

    def __init__(
        self, context: AppContext, estate: EstateInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, estate, parent)
        self.model = MemberTableModel(self)
        self.proxy = BodyFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.selector = QListWidget()
        cell = self.selector.fontMetrics().horizontalAdvance("中")
        self.selector.setFixedWidth(cell * 12)
        row_height = round(self.selector.fontMetrics().height() * 2.6)
        for kind, label in BODY_KINDS.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setSizeHint(QSize(cell * 11, row_height))
            self.selector.addItem(item)
        self.selector.currentRowChanged.connect(self._body_changed)

        self.title = heading("", scale=1.2)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, stretch_column=4)
        set_column_widths(self.table, {0: 5, 1: 6, 2: 13, 3: 14})
        self.table.doubleClicked.connect(lambda _index: self.edit_member())
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.empty_hint = hint()
        self.add_button = big_button(self.tr("新增成员"))
        self.edit_button = big_button(self.tr("修改"))
        self.delete_button = big_button(self.tr("删除"))
        self.add_button.clicked.connect(self.add_member)
        self.edit_button.clicked.connect(self.edit_member)
        self.delete_button.clicked.connect(self.delete_member)

        tools = QHBoxLayout()
        tools.addWidget(self.title)
        tools.addStretch(1)
        for button in (self.add_button, self.edit_button, self.delete_button):
            tools.addWidget(button)
        members = QVBoxLayout()
        members.setSpacing(10)
        members.addLayout(tools)
        members.addWidget(self.empty_hint)
        members.addWidget(self.table, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(16)
        layout.addWidget(self.selector)
        layout.addLayout(members, 1)
        self.selector.setCurrentRow(0)
        self.update_buttons()

    def load(self) -> None:
        self.context.read(jobs.load_members(self.estate.id), guarded(self, self._show_members))

    def _show_members(self, rows: list[MemberRow]) -> None:
        keep = self.current_member()
        self.model.set_rows(rows)
        if keep is not None:
            self.select_member(keep.id)
        self._update_counts()
        self.has_data = True
        emit(self.loaded)

    def _update_counts(self) -> None:
        for row in range(self.selector.count()):
            item = self.selector.item(row)
            kind = item.data(Qt.ItemDataRole.UserRole)
            count = self.model.count(kind)
            item.setText(self.tr("{body}\n{count} 人").format(body=BODY_KINDS[kind], count=count))
        self._update_title()

    def _update_title(self) -> None:
        body = self.proxy.body()
        self.title.setText(BODY_KINDS[body])
        if self.has_data and self.proxy.rowCount() == 0:
            self.empty_hint.setText(
                self.tr("{body}还没有登记成员。请点右上方的“新增成员”。").format(
                    body=BODY_KINDS[body]
                )
            )
            self.empty_hint.setVisible(True)
        else:
            self.empty_hint.setVisible(False)

    def _body_changed(self, row: int) -> None:
        item = self.selector.item(row)
        if item is None:
            return
        self.proxy.set_body(item.data(Qt.ItemDataRole.UserRole))
        self._update_title()
        self.update_buttons()

    def show_body(self, body: str) -> None:
        self.selector.setCurrentRow(list(BODY_KINDS).index(body))

    def current_member(self) -> MemberRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_member(self, member_id: str) -> None:
        row = self.model.row_of_id(member_id)
        if row < 0:
            return
        index: QModelIndex = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.show_body(self.model.row_at(row).body)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())

    def update_buttons(self, *_: object) -> None:
        chosen = self.current_member() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.add_button.setEnabled(self.context.store is not None)

    def add_member(self) -> None:
        dialog = MemberDialog(
            self.context, self.estate.id, self.estate.name, body=self.proxy.body(), parent=self
        )
        dialog.saved.connect(self.select_member)
        dialog.open()

    def edit_member(self) -> None:
        member = self.current_member()
        if member is None:
            return
        dialog = MemberDialog(self.context, self.estate.id, self.estate.name, member, parent=self)
        dialog.saved.connect(self.select_member)
        dialog.open()

    def delete_member(self) -> None:
        member = self.current_member()
        if member is None:
            return
        question = self.tr(
            "确定把 {name} 从{body}中删除吗？只删除这条任职记录，住户名册不受影响。"
        ).format(name=member.name, body=BODY_KINDS.get(member.body, member.body))
        if not ask(self, self.tr("删除机构成员"), question):
            return
        self.context.write(
            jobs.delete_member(member.id),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("没有删除"))),
        )


class EstateTab(QWidget):
    """The tab of one estate: 住户名册 and 自治机构, behind a "正在打开数据……" page."""

    loaded = Signal()

    def __init__(
        self, context: AppContext, estate: EstateInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.estate = estate
        self.roster = RosterPage(context, estate)
        self.bodies = BodiesPage(context, estate)
        self.topics = TopicsPage(context, estate)
        self._active = False
        # Built when first opened, so the window appears without waiting for them.
        self.lazy_projects = LazyPage(lambda: self._activated(_projects_page(context, estate)))
        self.lazy_meetings = LazyPage(lambda: self._activated(_meetings_page(context, estate)))
        self.lazy_notices = LazyPage(lambda: self._notices_page(context, estate))
        self.lazy_print_centre = LazyPage(lambda: _print_centre(context, estate))
        self.lazy_dashboard = LazyPage(lambda: _dashboard(context, estate))
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.roster, self.tr("住户名册"))
        self.pages.addTab(self.bodies, self.tr("自治机构"))
        self.pages.addTab(self.topics, self.tr("议题与表决"))
        self.pages.addTab(self.lazy_projects, self.tr("自治项目"))
        self.pages.addTab(self.lazy_meetings, self.tr("会议"))
        self.pages.addTab(self.lazy_notices, self.tr("通知公示"))
        self.pages.addTab(self.lazy_print_centre, self.tr("打印中心"))
        self.pages.addTab(self.lazy_dashboard, self.tr("工作提醒"))
        self.waiting = StatusPage(self.tr("正在打开数据……"), self.tr("请稍候，马上就好。"))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.waiting)
        self.stack.addWidget(self.pages)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.roster.loaded.connect(self._page_loaded)
        self.bodies.loaded.connect(self._page_loaded)

    @property
    def has_data(self) -> bool:
        return self.roster.has_data and self.bodies.has_data

    @property
    def projects(self) -> ProjectsPage:
        return self.lazy_projects.build()  # type: ignore[return-value]

    @property
    def meetings(self) -> MeetingsPage:
        return self.lazy_meetings.build()  # type: ignore[return-value]

    @property
    def notices(self) -> NoticesPage:
        return self.lazy_notices.build()  # type: ignore[return-value]

    @property
    def print_centre(self) -> PrintCentre:
        return self.lazy_print_centre.build()  # type: ignore[return-value]

    def _activated(self, page: Page) -> Page:
        page.set_active(self._active)
        return page

    def _notices_page(self, context: AppContext, estate: EstateInfo) -> QWidget:
        from xmen_desktop.ui.notice_dialog import NoticesPage

        page = NoticesPage(context, estate.id)
        page.set_print_handler(self._print_document)
        return page

    def _print_document(self, kind: str, ref: str) -> None:
        self.pages.setCurrentWidget(self.lazy_print_centre)
        self.print_centre.focus(kind, ref)

    def set_active(self, active: bool) -> None:
        self.roster.set_active(active)
        self.bodies.set_active(active)
        self.topics.set_active(active)
        self._active = active
        for lazy in (self.lazy_projects, self.lazy_meetings):
            if lazy.page is not None:
                lazy.page.set_active(active)  # type: ignore[attr-defined]

    def _page_loaded(self) -> None:
        if self.has_data:
            self.stack.setCurrentWidget(self.pages)
            self.roster.update_buttons()
            self.bodies.update_buttons()
            self.topics.update_buttons()
            emit(self.loaded)


# Imported on first use: these pages pull in QtPdf, printing and large dialogs.


def _projects_page(context: AppContext, estate: EstateInfo) -> Page:
    from xmen_desktop.ui.projects_page import ProjectsPage

    return ProjectsPage(context, estate)


def _meetings_page(context: AppContext, estate: EstateInfo) -> Page:
    from xmen_desktop.ui.meetings_page import MeetingsPage

    return MeetingsPage(context, estate)


def _print_centre(context: AppContext, estate: EstateInfo) -> QWidget:
    from xmen_desktop.ui.print_centre import PrintCentre

    return PrintCentre(context, estate.id)


def _dashboard(context: AppContext, estate: EstateInfo) -> QWidget:
    from xmen_desktop.ui.dashboard import Dashboard

    return Dashboard(context, estate.id)
