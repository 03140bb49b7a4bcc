"""系统管理: 操作员 (administrators), 操作记录 (everyone: the store filters it), 备份与恢复
(administrators). Each page is built when first opened."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from xmen_desktop.domain.access import Actor
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.lazy import LazyPage
from xmen_desktop.ui.widgets import StatusPage


class AdminTab(QWidget):
    def __init__(self, context: AppContext, person: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.lazy_operators: LazyPage | None = None
        self.lazy_backup: LazyPage | None = None
        if person.may_manage_operators:
            self.lazy_operators = LazyPage(lambda: _operators_page(context))
            self.pages.addTab(self.lazy_operators, self.tr("操作员"))
        self.lazy_audit = LazyPage(lambda: _audit_page(context))
        self.pages.addTab(self.lazy_audit, self.tr("操作记录"))
        if person.may_restore:
            self.lazy_backup = LazyPage(lambda: _backup_page(context))
            self.pages.addTab(self.lazy_backup, self.tr("备份与恢复"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def page_titles(self) -> list[str]:
        return [self.pages.tabText(i) for i in range(self.pages.count())]

    @property
    def operators(self) -> QWidget | None:
        return self.lazy_operators.build() if self.lazy_operators is not None else None

    @property
    def audit(self) -> QWidget:
        return self.lazy_audit.build()


def _operators_page(context: AppContext) -> QWidget:
    from xmen_desktop.ui.operators_page import OperatorsPage

    page = OperatorsPage(context)
    page.load()  # built because it is being shown: read at once
    return page


def _audit_page(context: AppContext) -> QWidget:
    from xmen_desktop.ui.audit_page import AuditPage

    page = AuditPage(context)
    page.load()
    return page


def _backup_page(context: AppContext) -> QWidget:
    import importlib
    import importlib.util

    # Written alongside this tab; until it is there the place says so plainly. (A page that
    # exists but fails to import must fail loudly, not look unfinished.)
    if importlib.util.find_spec("xmen_desktop.ui.backup_page") is None:
        return StatusPage("备份与恢复", "这一页还在准备中。")
    module = importlib.import_module("xmen_desktop.ui.backup_page")
    return module.BackupPage(context, None)  # type: ignore[no-any-return]
