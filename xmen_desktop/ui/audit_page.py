"""操作记录: who changed what and when, and the sign-ins, exports and prints beside it.

Filters by person, estate, kind of record and date; the store shows each person only the
estates their role covers. 导出 Excel… writes the lines on screen and is itself recorded.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.language import CHINESE
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import (
    big_button,
    guarded,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.audit import AuditFilter, AuditLine
    from xmen_desktop.store.operators import OperatorRow

# How far back the list starts: a month is what an office looks back over.
DEFAULT_DAYS = 30


class AuditTableModel(RowTableModel):
    """时间, 操作员, 小区, 类别, 操作, 内容."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # username -> "wangli（王丽）": people know each other by name, not by username.
        self.people: dict[str, str] = {"system": self.tr("系统（本机）")}
        self.columns = [
            Column(self.tr("时间"), lambda r: r.at),
            Column(self.tr("操作员"), lambda r: self.people.get(r.operator, r.operator)),
            Column(self.tr("小区"), lambda r: r.estate_name),
            Column(self.tr("类别"), lambda r: r.kind_label),
            Column(self.tr("操作"), lambda r: r.action),
            Column(self.tr("内容"), lambda r: r.detail, tooltip=True),
        ]


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setLocale(CHINESE)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.calendarWidget().setLocale(CHINESE)
    edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("0000-00-00") * 2)
    roomy(edit)
    return edit


def _day(edit: QDateEdit) -> datetime.date:
    day = edit.date()
    return datetime.date(day.year(), day.month(), day.day())


class AuditPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.has_data = False
        self._loading = False
        self._again = False
        self.model = AuditTableModel(self)

        self.operator = QComboBox()
        self.estate = QComboBox()
        self.kind = QComboBox()
        for combo in (self.operator, self.estate, self.kind):
            roomy(combo)
            combo.setMinimumContentsLength(8)
        self.operator.addItem(self.tr("全部"), None)
        self.estate.addItem(self.tr("全部小区"), None)
        person = context.actor
        for estate in ESTATES:
            if person.may_read_estate(estate.id):
                self.estate.addItem(estate.name, estate.id)
        self._fill_kinds()
        today = QDate.currentDate()
        self.since = _date_edit()
        self.since.setDate(today.addDays(-DEFAULT_DAYS))
        self.until = _date_edit()
        self.until.setDate(today)

        filters = QGridLayout()
        filters.setHorizontalSpacing(10)
        filters.setVerticalSpacing(8)
        for column, (label, widget) in enumerate(
            (
                (self.tr("操作员"), self.operator),
                (self.tr("小区"), self.estate),
                (self.tr("类别"), self.kind),
            )
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption, 0, column * 2)
            filters.addWidget(widget, 0, column * 2 + 1)
        for column, (label, widget) in enumerate(
            ((self.tr("从"), self.since), (self.tr("到"), self.until))
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption, 1, column * 2)
            filters.addWidget(widget, 1, column * 2 + 1)
        filters.setColumnStretch(6, 1)

        self.count_label = QLabel(self.tr("正在读取……"))
        self.export_button = big_button(self.tr("导出 Excel…"))
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        tools = QHBoxLayout()
        tools.addWidget(self.count_label)
        tools.addStretch(1)
        tools.addWidget(self.export_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_column=5)
        set_column_widths(self.table, {0: 10, 1: 9, 2: 4, 3: 6, 4: 5})
        self.empty_hint = hint()
        self.empty_hint.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(self.tr("操作记录")))
        layout.addWidget(
            hint(
                self.tr(
                    "谁在什么时候新增、修改、删除了什么，以及登录、导出、打印表决票等操作。"
                    "记录只能查看，不能修改。"
                )
            )
        )
        layout.addLayout(filters)
        layout.addLayout(tools)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)

        for combo in (self.operator, self.estate, self.kind):
            combo.currentIndexChanged.connect(self._filters_changed)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self._filters_changed)
        context.changed.connect(self._on_changed)

    def _fill_kinds(self) -> None:
        from xmen_desktop.store.audit import EVENT_KINDS, RECORD_LABELS

        self.kind.addItem(self.tr("全部类别"), None)
        for kind, label in EVENT_KINDS.items():
            self.kind.addItem(label, kind)
        self.kind.insertSeparator(self.kind.count())
        for table, label in RECORD_LABELS.items():
            if table != "audit_event":  # events are listed by their own kind above
                self.kind.addItem(self.tr("{label}（记录）").format(label=label), table)

    # ------------------------------------------------------------------ loading

    def showEvent(self, event: Any) -> None:
        if not self.has_data:
            self.load()
        super().showEvent(event)

    def current_filter(self) -> AuditFilter:
        from xmen_desktop.store.audit import AuditFilter

        since, until = _day(self.since), _day(self.until)
        if until < since:
            since, until = until, since
        return AuditFilter(
            operator=self.operator.currentData(),
            estate_id=self.estate.currentData(),
            kind=self.kind.currentData(),
            since=since,
            until=until,
        )

    def load(self) -> None:
        if self._loading:
            self._again = True  # read again once the answer in flight has come
            return
        self._loading = True
        where = self.current_filter()

        def read(session: Session) -> tuple[list[AuditLine], list[OperatorRow]]:
            from xmen_desktop.store import audit, operators

            # The people too (a handful of rows): one added since is offered at once.
            return audit.audit_lines(session, where), operators.list_operators(session)

        self.context.read(read, guarded(self, self._show), guarded(self, self._failed))

    def _show(self, answer: tuple[list[AuditLine], list[OperatorRow]]) -> None:
        lines, names = answer
        self._loading = False
        self._fill_operators(names)
        self.model.set_rows(lines)
        self.has_data = True
        self.count_label.setText(self.tr("共 {n} 条").format(n=len(lines)))
        self.export_button.setEnabled(bool(lines))
        self.empty_hint.setText(self.tr("没有符合条件的记录。可以换个日期或类别再看。"))
        self.empty_hint.setVisible(not lines)
        if self._again:
            self._again = False
            self.load()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._again = False
        show_error(self, error)

    def _fill_operators(self, rows: list[OperatorRow]) -> None:
        self.model.people.update(
            {row.username: f"{row.username}（{row.display_name}）" for row in rows}
        )
        items = [(self.tr("全部"), None), (self.tr("系统（本机）"), "system")]
        items += [(f"{row.username}（{row.display_name}）", row.username) for row in rows]
        current = [
            (self.operator.itemText(i), self.operator.itemData(i))
            for i in range(self.operator.count())
        ]
        if items == current:
            return
        chosen = self.operator.currentData()
        self.operator.blockSignals(True)
        try:
            self.operator.clear()
            for text, value in items:
                self.operator.addItem(text, value)
            self.operator.setCurrentIndex(max(0, self.operator.findData(chosen)))
        finally:
            self.operator.blockSignals(False)

    def _filters_changed(self, *_: object) -> None:
        if self.has_data or self._loading:
            self.load()

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Every write adds to the change log: read again if on screen, else when next shown.
        if not tables or not self.has_data:
            return
        if self.isVisible():
            self.load()
        else:
            self.has_data = False

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        lines = self.model.rows()
        if not lines:
            return
        suggested = f"操作记录-{datetime.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出操作记录"), suggested, self.tr("Excel 表格 (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        where = self.current_filter()

        def run(session: Session) -> int:
            from xmen_desktop.store import audit

            audit.export_audit_xlsx(lines, path)
            audit.record(
                session,
                "export",
                f"操作记录 {len(lines)} 条（{where.since} 至 {where.until}）→ {Path(path).name}",
                estate_id=where.estate_id,
            )
            return len(lines)

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            QMessageBox.information(
                self,
                self.tr("已导出"),
                self.tr("已把 {n} 条操作记录导出到：\n{path}").format(n=count, path=path),
            )

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            show_error(self, error, self.tr("没有导出"))

        self.export_button.setEnabled(False)
        self.context.write(run, guarded(self, done), guarded(self, failed), tables=("audit_event",))
