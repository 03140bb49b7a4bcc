"""同步: this PC as a sync site, its peers, the sync history, trusted sites and the review queue.

The page sits in 街道总览. It reloads at once after a sync or a review decision (the count of
items to review is shown on the tab titles even while the page is out of sight), and after any
other change only when it is next shown.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.ui import sync_jobs
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.review_dialog import field_label, group_reviews, open_review_dialog
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.sync_dialogs import (
    FingerprintView,
    PassphraseDialog,
    open_export_dialog,
    open_import_dialog,
)
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    alive,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    set_column_widths,
    setup_table,
)

log = logging.getLogger(__name__)

OK_COLOUR = "#1e6b2f"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# How many review items the page lists before "……" (the dialog shows them all).
REVIEW_LINES = 5


def _changes(number: int) -> str:
    return f"{number:,} 条"


class PeersModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("站点"), lambda r: r.name),
            Column(self.tr("最近收到它的同步包"), lambda r: r.last_in),
            Column(self.tr("最近发给它"), lambda r: r.last_out),
            Column(self.tr("对方已有的修改"), lambda r: _changes(r.has), _RIGHT),
            Column(
                self.tr("对方还没有的"),
                lambda r: _changes(r.lacks) if r.lacks else self.tr("没有，已同步"),
                _RIGHT,
                colour=lambda r: ERROR_COLOUR if r.lacks else OK_COLOUR,
            ),
        ]


class HistoryModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("时间"), lambda r: r.at),
            Column(
                self.tr("导入/导出"),
                lambda r: self.tr("导入") if r.direction == "in" else self.tr("导出"),
            ),
            Column(self.tr("对方站点"), lambda r: r.peer),
            Column(self.tr("文件"), lambda r: r.file_name, tooltip=True),
            Column(self.tr("内容"), self.summary, tooltip=True),
        ]

    def summary(self, row: sync_jobs.HistoryRow) -> str:
        """One line for a bundle sent or received."""
        details = row.details
        if row.direction == "out":
            return self.tr("导出 {n} 条修改").format(n=f"{int(details.get('entries', 0)):,}")
        if details.get("already_applied"):
            return self.tr("已导入过，没有改动")
        parts = [self.tr("收到 {n} 条修改").format(n=f"{int(details.get('applied', 0)):,}")]
        for label, key in (
            (self.tr("新增"), "new"),
            (self.tr("修改"), "updated"),
            (self.tr("删除"), "deleted"),
        ):
            counts = details.get(key) or {}
            if counts:
                parts.append(f"{label} {sync_jobs.counts_text(counts)}")
        if int(details.get("review_items", 0)):
            parts.append(self.tr("有待核对的事项"))
        return "；".join(parts)


class TrustedModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("站点"), lambda r: r.name),
            Column(self.tr("密钥指纹"), lambda r: r.fingerprint),
            Column(self.tr("信任时间"), lambda r: r.trusted_at),
        ]


def _section(title: str) -> QLabel:
    label = heading(title, scale=1.2)
    label.setContentsMargins(0, 10, 0, 0)
    return label


def _beside(first: QWidget, second: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(16)
    row.addWidget(first)
    row.addWidget(second)
    row.addStretch(1)
    return row


def _line() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: #d0d0d0;")
    return line


class SyncPage(QWidget):
    """同步 in 街道总览."""

    loaded = Signal()
    # How many items wait in the review queue; sent after every load.
    review_count_changed = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.overview: sync_jobs.SyncOverview | None = None
        self.review_count = 0
        self.has_data = False
        self._stale = True
        self._loading = False
        self._load_again = False

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(10)

        # ---- what to do: the two buttons first
        top = QHBoxLayout()
        top.setSpacing(14)
        self.export_button = big_button(self.tr("导出同步包…"))
        self.import_button = big_button(self.tr("导入同步包…"))
        for button in (self.export_button, self.import_button):
            button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 9)
            font = button.font()
            font.setBold(True)
            button.setFont(font)
            top.addWidget(button)
        self.export_button.clicked.connect(self.export_bundle)
        self.import_button.clicked.connect(self.import_bundle)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(
            hint(
                self.tr(
                    "各台电脑之间不联网：用 U 盘带同步包来交换数据。"
                    "把本机的修改“导出”到 U 盘，在另一台电脑上“导入”；反过来也一样。"
                )
            )
        )

        # ---- review queue
        layout.addWidget(_line())
        self.review_title = _section(self.tr("待核对"))
        layout.addWidget(self.review_title)
        self.review_list = QLabel()
        self.review_list.setWordWrap(True)
        self.review_list.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.review_list)
        self.review_button = big_button(self.tr("逐项核对…"))
        self.review_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 9)
        self.review_button.clicked.connect(self.open_review)
        layout.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignLeft)

        # ---- this site
        layout.addWidget(_line())
        layout.addWidget(_section(self.tr("本机站点")))
        site = QGridLayout()
        site.setHorizontalSpacing(14)
        site.setVerticalSpacing(10)
        site.addWidget(QLabel(self.tr("站点名称：")), 0, 0)
        self.site_name = QLabel()
        font = self.site_name.font()
        font.setBold(True)
        self.site_name.setFont(font)
        site.addWidget(self.site_name, 0, 1)
        site.addWidget(QLabel(self.tr("站点编号：")), 1, 0)
        self.site_id = hint()
        self.site_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        site.addWidget(self.site_id, 1, 1)
        fingerprint_label = QLabel(self.tr("密钥指纹："))
        site.addWidget(fingerprint_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        self.fingerprint = FingerprintView(scale=1.3)
        site.addWidget(self.fingerprint, 2, 1)
        site.addWidget(
            hint(
                self.tr(
                    "别的电脑第一次导入本机的同步包时，对方会打电话来核对这串数字，"
                    "请一组一组念给对方听。"
                )
            ),
            3,
            1,
        )
        site.addWidget(QLabel(self.tr("同步包加密：")), 4, 0)
        self.encryption_label = QLabel()
        self.encryption_button = big_button("")
        self.encryption_button.clicked.connect(self.toggle_encryption)
        site.addLayout(_beside(self.encryption_label, self.encryption_button), 4, 1)
        site.addWidget(QLabel(self.tr("同步口令：")), 5, 0)
        self.passphrase_label = QLabel()
        self.passphrase_button = big_button(self.tr("设置同步口令…"))
        self.passphrase_button.clicked.connect(self.set_passphrase)
        site.addLayout(_beside(self.passphrase_label, self.passphrase_button), 5, 1)
        site.setColumnStretch(1, 1)
        layout.addLayout(site)

        # ---- peers
        layout.addWidget(_line())
        layout.addWidget(_section(self.tr("对方站点")))
        self.peers_model = PeersModel(self)
        self.peers_view = self._table(self.peers_model, {0: 9, 1: 9, 2: 9, 3: 8, 4: 8})
        layout.addWidget(self.peers_view)
        self.peers_empty = hint(self.tr("还没有导入过其他电脑的同步包。"))
        layout.addWidget(self.peers_empty)
        self.peers_note = hint(
            self.tr(
                "“对方还没有的”是本机有、而对方上次发来同步包时还没有的修改；"
                "把同步包导出给对方并导入后，等对方再发来同步包，这里就会更新。"
            )
        )
        layout.addWidget(self.peers_note)

        # ---- history
        layout.addWidget(_line())
        layout.addWidget(_section(self.tr("同步记录")))
        self.history_model = HistoryModel(self)
        self.history_view = self._table(self.history_model, {0: 9, 1: 5, 2: 8, 3: 14, 4: 20}, 4)
        layout.addWidget(self.history_view)
        self.history_empty = hint(self.tr("还没有导出或导入过同步包。"))
        layout.addWidget(self.history_empty)

        # ---- trusted sites
        layout.addWidget(_line())
        layout.addWidget(_section(self.tr("信任的站点")))
        self.trusted_model = TrustedModel(self)
        self.trusted_view = self._table(self.trusted_model, {0: 9, 1: 20, 2: 9})
        self.trusted_view.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.trusted_view)
        self.trusted_empty = hint(
            self.tr("还没有信任的站点。第一次导入某台电脑的同步包时，核对指纹后就会信任它。")
        )
        layout.addWidget(self.trusted_empty)
        self.untrust_button = big_button(self.tr("取消信任…"))
        self.untrust_button.clicked.connect(self.untrust)
        self.trusted_note = hint(self.tr("先在表里点一下要取消信任的站点，再点“取消信任…”。"))
        self.trusted_note.setWordWrap(False)
        layout.addLayout(_beside(self.untrust_button, self.trusted_note))
        layout.addStretch(1)

        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroller)
        self.scroller = scroller

        context.changed.connect(self._on_changed)
        self._update_buttons()

    def _table(
        self, model: RowTableModel, widths: dict[int, float], stretch: int | None = None
    ) -> QTableView:
        """A table as wide as its columns (or the page, when one column takes the rest)."""
        view = QTableView()
        view.setModel(model)
        setup_table(view, stretch_column=stretch)
        view.horizontalHeader().setStretchLastSection(False)
        set_column_widths(view, widths)
        if stretch is None:
            view.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        return view

    @staticmethod
    def _fit(view: QTableView, rows: int, most: int) -> None:
        """As tall as its rows (up to ``most``), so the page scrolls rather than each table."""
        row_height = view.verticalHeader().defaultSectionSize()
        header = view.horizontalHeader().minimumHeight()
        view.setFixedHeight(
            header + max(1, min(rows, most)) * row_height + 2 * view.frameWidth() + 2
        )
        if view.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Maximum:
            columns = view.horizontalHeader()
            width = sum(
                columns.sectionSize(c) for c in range(columns.count()) if not view.isColumnHidden(c)
            )
            scrollbar = view.verticalScrollBar().sizeHint().width() if rows > most else 0
            view.setMaximumWidth(width + scrollbar + 2 * view.frameWidth() + 2)

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        if self.context.store is None:
            return
        if self._loading:
            self._load_again = True  # what is being read may already be out of date
            return
        self._loading = True
        self._stale = False

        def failed(error: BaseException) -> None:
            self._loading = False
            self._load_again = False
            log.error("could not load the sync page: %s", error, exc_info=error)

        sync_jobs.run_on_store(
            self.context, sync_jobs.load_overview, guarded(self, self.show_overview), failed
        )

    def show_overview(self, overview: sync_jobs.SyncOverview) -> None:
        self._loading = False
        if self._load_again:
            self._load_again = False
            self.load()
            return
        self.overview = overview
        self.site_name.setText(overview.site_name)
        self.site_id.setText(overview.site_id)
        self.fingerprint.set_fingerprint(overview.fingerprint)
        if overview.encryption:
            self.encryption_label.setText(self.tr("已打开（推荐）"))
            self.encryption_label.setStyleSheet(f"color: {OK_COLOUR};")
            self.encryption_button.setText(self.tr("关闭加密…"))
        else:
            self.encryption_label.setText(self.tr("已关闭：同步包里居民的个人信息没有加密！"))
            self.encryption_label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
            self.encryption_button.setText(self.tr("打开加密"))
        if overview.passphrase_set:
            self.passphrase_label.setText(self.tr("已设置（本机只保存校验值，不保存口令本身）"))
            self.passphrase_label.setStyleSheet("")
        else:
            self.passphrase_label.setText(
                self.tr(
                    "还没有设置。请向街道问清统一的同步口令后设置；第一次导出时也可以直接输入。"
                )
            )
            self.passphrase_label.setStyleSheet(f"color: {ERROR_COLOUR};")

        self._show_reviews(overview)

        self.peers_model.set_rows(overview.peers)
        self.peers_view.setColumnHidden(2, not any(p.last_out != "—" for p in overview.peers))
        self._fit(self.peers_view, len(overview.peers), 6)
        self.peers_view.setVisible(bool(overview.peers))
        self.peers_note.setVisible(bool(overview.peers))
        self.peers_empty.setVisible(not overview.peers)

        self.history_model.set_rows(overview.history)
        self._fit(self.history_view, len(overview.history), 8)
        self.history_view.setVisible(bool(overview.history))
        self.history_empty.setVisible(not overview.history)

        self.trusted_model.set_rows(overview.trusted)
        self._fit(self.trusted_view, len(overview.trusted), 6)
        self.trusted_view.setVisible(bool(overview.trusted))
        self.trusted_note.setVisible(bool(overview.trusted))
        self.trusted_empty.setVisible(not overview.trusted)
        self.untrust_button.setVisible(bool(overview.trusted))

        self.has_data = True
        self._update_buttons()
        emit(self.review_count_changed, self.review_count)
        emit(self.loaded)

    def _show_reviews(self, overview: sync_jobs.SyncOverview) -> None:
        # Counted by record, as the review dialog shows them: a ballot whose choice and blank
        # mark both disagree is one thing to decide.
        groups = group_reviews(overview.reviews)
        count = len(groups)
        self.review_count = count
        if count:
            self.review_title.setText(self.tr("待核对 {n} 项").format(n=count))
            self.review_title.setStyleSheet(f"color: {ERROR_COLOUR};")
            lines = []
            for group in groups[:REVIEW_LINES]:
                what = "、".join(field_label(group.tbl, name) for name in group.fields)
                if group.is_delete:
                    what = self.tr("删除还是保留")
                lines.append(f"· {_escape(group.summary)}（{_escape(what)}）")
            if count > REVIEW_LINES:
                lines.append(self.tr("…… 共 {n} 项").format(n=count))
            explain = self.tr("两台电脑记录得不一样，需要您决定以哪个为准。")
            if any(item.tbl == "ballot" for item in overview.reviews):
                explain += self.tr("核对前，这些表决票不计入表决结果。")
            lines.append(f"<span style='color:#555555'>{explain}</span>")
            self.review_list.setText("<br>".join(lines))
        else:
            self.review_title.setText(self.tr("待核对"))
            self.review_title.setStyleSheet("")
            self.review_list.setText(
                self.tr("<span style='color:#1e6b2f'>没有待核对的事项。</span>")
            )
        self.review_button.setVisible(bool(count))

    def _on_changed(self, tables: frozenset[str]) -> None:
        if self.context.store is None:
            return
        if sync_jobs.SYNC_TABLES & tables:
            self.load()  # the review count is shown on the tabs even while out of sight
        elif self.isVisible():
            self.load()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.has_data:
            self.load()

    def _update_buttons(self) -> None:
        ready = self.context.store is not None and self.has_data
        for button in (
            self.export_button,
            self.import_button,
            self.encryption_button,
            self.passphrase_button,
        ):
            button.setEnabled(ready)
        self.untrust_button.setEnabled(ready and self._chosen_trusted() is not None)

    # ------------------------------------------------------------------ actions

    def export_bundle(self) -> None:
        open_export_dialog(self, self.context)

    def import_bundle(self) -> None:
        open_import_dialog(self, self.context)

    def open_review(self) -> None:
        open_review_dialog(self, self.context)

    def toggle_encryption(self) -> None:
        if self.overview is None:
            return
        turn_on = not self.overview.encryption
        if not turn_on and not ask(
            self,
            self.tr("关闭同步包加密"),
            self.tr(
                "关闭加密后，本机导出的同步包里，居民的姓名、电话、地址等个人信息都不加密："
                "U 盘丢了或被别人拿到，任何人都能看到这些信息。\n\n"
                "只有在街道明确要求时才关闭。确定要关闭加密吗？"
            ),
        ):
            return
        self._run(sync_jobs.set_encryption(turn_on))

    def set_passphrase(self) -> None:
        already = self.overview.passphrase_set if self.overview is not None else False
        dialog = PassphraseDialog(self.context, already, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _chosen_trusted(self) -> sync_jobs.TrustedRow | None:
        rows = self.trusted_view.selectionModel().selectedRows()
        if not rows:
            return None
        row: sync_jobs.TrustedRow = self.trusted_model.row_at(rows[0].row())
        return row

    def untrust(self) -> None:
        site = self._chosen_trusted()
        if site is None:
            return
        if not ask(
            self,
            self.tr("取消信任"),
            self.tr(
                "取消信任站点“{name}”吗？\n\n取消后，再收到它的同步包时，"
                "要重新打电话核对密钥指纹才能导入。已经导入的数据不受影响。"
            ).format(name=site.name),
        ):
            return
        self._run(sync_jobs.untrust(site.id))

    def _run(self, fn: Any) -> None:
        def done(_: object) -> None:
            emit(self.context.changed, frozenset({sync_jobs.SYNC_STATUS}))

        def failed(error: BaseException) -> None:
            if alive(self):
                show_error(self, error)

        sync_jobs.run_on_store(self.context, fn, done, failed)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
