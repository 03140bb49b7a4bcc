"""数据备份: this PC's backups, what each holds, taking one now, and restoring one.

``BackupPage`` is a self-contained page (for 系统管理): the list of backups with date, kind
and size, a preview of the selected one, and 立即备份 / 备份到U盘… / 恢复这个备份….
``offer_restore`` is the dialog for the start-up failure path: the database is damaged, here
are the backups, restore one.

Every file operation (listing, checking a backup, copying, restoring) runs on the worker.
The questions and notices a person answers go through ``Prompts``, so tests never block.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.store import backup, paths
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.signals import emit
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
from xmen_desktop.ui.worker import Job, Worker

if TYPE_CHECKING:
    from xmen_desktop.store.database import Store

log = logging.getLogger(__name__)

OK_COLOUR = "#1e6b2f"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# A backup older than this many days is shown in red: the daily copy has not been happening.
STALE_DAYS = 2


# ---------------------------------------------------------------------------- prompts


def _choose_folder(parent: QWidget) -> str | None:
    chosen = QFileDialog.getExistingDirectory(parent, parent.tr("选择U盘或文件夹"))
    return chosen or None


def _choose_file(parent: QWidget) -> str | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("选择备份文件"), "", parent.tr("备份文件 (*.sqlite3);;所有文件 (*)")
    )
    return chosen or None


def _notify(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def _warn(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


@dataclass
class Prompts:
    """What asks a person something; tests swap in answers."""

    confirm: Callable[[QWidget, str, str], bool] = ask
    choose_folder: Callable[[QWidget], str | None] = _choose_folder
    choose_file: Callable[[QWidget], str | None] = _choose_file
    notify: Callable[[QWidget, str, str], None] = _notify
    warn: Callable[[QWidget, str, str], None] = _warn


# ---------------------------------------------------------------------------- the list


class BackupsModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("备份时间"), lambda b: b.taken_text),
            Column(self.tr("类型"), lambda b: b.reason_label),
            Column(self.tr("大小"), lambda b: b.size_text, _RIGHT),
        ]


def _restore_question(info: backup.BackupInfo) -> str:
    return (
        f"要用 {info.taken_text} 的备份（{info.reason_label}）替换现在的全部数据吗？\n\n"
        "这份备份之后录入或修改的内容都会不见。现在的数据会先另存为一份"
        "“恢复备份前自动备份”，需要时还能找回。\n\n"
        "恢复后软件会重新打开数据。"
    )


class PreviewPanel(QWidget):
    """What one backup holds: when, what kind, how big, whose, and households per estate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(heading(self.tr("这份备份的内容"), scale=1.15))
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(
            (
                ("taken", self.tr("备份时间")),
                ("reason", self.tr("类型")),
                ("size", self.tr("文件大小")),
                ("site", self.tr("站点名称")),
                ("revision", self.tr("数据版本")),
                ("newest", self.tr("最后一次修改")),
                ("households", self.tr("住户")),
            )
        ):
            label = QLabel(title)
            label.setStyleSheet("color: #555555;")
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        # Households per estate, under the total.
        self.estates = QLabel()
        self.estates.setTextFormat(Qt.TextFormat.RichText)
        grid.addWidget(self.estates, len(self.values), 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.preview: backup.BackupPreview | None = None
        self.clear(self.tr("在左边选一份备份，这里会显示它的内容。"))

    def clear(self, message: str, *, error: bool = False) -> None:
        self.preview = None
        for value in self.values.values():
            value.setText("")
        self.estates.setText("")
        self.status.setText(message)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "color: #555555;")

    def show_info(self, info: backup.BackupInfo) -> None:
        """What the name says, at once; the rest once the backup has been checked."""
        self.clear(self.tr("正在检查这份备份……"))
        self.values["taken"].setText(info.taken_at.strftime("%Y-%m-%d %H:%M:%S"))
        self.values["reason"].setText(info.reason_label)
        self.values["size"].setText(info.size_text)

    def show_preview(self, preview: backup.BackupPreview) -> None:
        self.show_info(preview.info)
        self.preview = preview
        self.status.setText(self.tr("检查通过：这份备份完好，可以用来恢复。"))
        self.status.setStyleSheet(f"color: {OK_COLOUR};")
        self.values["site"].setText(preview.site_name)
        self.values["revision"].setText(preview.revision)
        self.values["newest"].setText(preview.newest_change_text)
        self.values["households"].setText(
            self.tr("共 {n} 户，居民 {r} 人").format(
                n=f"{preview.total_households:,}", r=f"{preview.residents:,}"
            )
        )
        rows = "".join(
            f"<tr><td style='padding-right:24px'>{name}</td>"
            f"<td align='right'>{count:,} 户</td></tr>"
            for name, count in preview.households
        )
        self.estates.setText(f"<table cellspacing='0' cellpadding='1'>{rows}</table>")


class BackupBrowser(QWidget):
    """The list of backups beside the preview of the selected one; both pages share it."""

    # The selected backup (None when nothing is selected).
    selected = Signal(object)
    # The selected backup's check has answered (its preview, or why it cannot be used).
    checked = Signal()
    loaded = Signal()

    def __init__(
        self, worker: Worker, folder: Callable[[], Path], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self._folder = folder
        self.model = BackupsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_column=1)
        set_column_widths(self.table, {0: 11, 2: 6})
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.preview = PreviewPanel()
        self.empty = hint()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.empty)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        # One check at a time: a quick run down the list must not queue a check per row.
        self._checking: Path | None = None
        self._previews: dict[tuple[str, int], backup.BackupPreview | str] = {}

    @property
    def folder(self) -> Path:
        return self._folder()

    def load(self, select: str | None = None) -> None:
        folder = self.folder

        def work(job: Job) -> list[backup.BackupInfo]:
            return backup.list_backups(folder)

        self.worker.submit(
            work, guarded(self, lambda rows: self._show(rows, select)), guarded(self, self._failed)
        )

    def _show(self, rows: list[backup.BackupInfo], select: str | None) -> None:
        current = select or (self.current.name if self.current else None)
        self.model.set_rows(rows)
        self.empty.setText(
            self.tr("备份文件夹里还没有备份（{folder}）。").format(folder=self.folder)
            if not rows
            else self.tr("共 {n} 份备份，在 {folder}").format(n=len(rows), folder=self.folder)
        )
        row = self.model.row_of_id(current) if current else -1
        self.table.selectRow(row if row >= 0 else 0)
        if not rows:
            self.preview.clear(self.tr("没有可以恢复的备份。"))
            emit(self.selected, None)
        emit(self.loaded)

    def _failed(self, error: BaseException) -> None:
        self.preview.clear(error_message(error), error=True)
        emit(self.loaded)

    @property
    def current(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    @property
    def refusal(self) -> str | None:
        """Why the selected file cannot be restored, once its check said so; else None."""
        info = self.current
        known = self._previews.get((str(info.path), info.size)) if info else None
        return known if isinstance(known, str) else None

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        info = self.current
        emit(self.selected, info)
        if info is not None:
            self.show_file(info)

    def show_file(self, info: backup.BackupInfo) -> None:
        """Preview ``info`` (checked on the worker; a check already known is shown at once)."""
        known = self._previews.get((str(info.path), info.size))
        if isinstance(known, backup.BackupPreview):
            self.preview.show_preview(known)
            emit(self.checked)
            return
        if isinstance(known, str):
            self._show_refusal(info, known)
            emit(self.checked)
            return
        self.preview.show_info(info)
        if self._checking is None:
            self._check(info)  # else: once that check is done, the selection is looked at

    def _check(self, info: backup.BackupInfo) -> None:
        self._checking = info.path

        def work(job: Job) -> backup.BackupPreview:
            return backup.inspect_backup(info.path)

        def done(preview: backup.BackupPreview) -> None:
            self._previews[(str(info.path), info.size)] = preview
            self._checked(info)

        def failed(error: BaseException) -> None:
            self._previews[(str(info.path), info.size)] = error_message(error)
            self._checked(info)

        self.worker.submit(work, guarded(self, done), guarded(self, failed))

    def _checked(self, info: backup.BackupInfo) -> None:
        self._checking = None
        wanted = self.current
        if wanted is not None:
            self.show_file(wanted)  # the one just checked, or the one chosen meanwhile

    def _show_refusal(self, info: backup.BackupInfo, message: str) -> None:
        self.preview.show_info(info)
        self.preview.status.setText(message)
        self.preview.status.setStyleSheet(f"color: {ERROR_COLOUR};")

    def add_file(self, path: Path) -> None:
        """A backup file from elsewhere (a USB stick): listed first and selected."""
        try:
            info = backup.describe_file(path)
        except backup.BackupRefused as error:
            self.preview.clear(error.message, error=True)
            return
        rows = [info] + [r for r in self.model.rows() if r.path != info.path]
        self.model.set_rows(rows)
        self.table.selectRow(0)


# ---------------------------------------------------------------------------- the page


def _last_backup_text(rows: list[backup.BackupInfo]) -> tuple[str, bool]:
    """(what to say about the newest backup, whether it is worryingly old)."""
    if not rows:
        return "还没有备份。请点“立即备份”。", True
    newest = rows[0]
    days = (datetime.date.today() - newest.taken_at.date()).days
    when = "今天" if days == 0 else "昨天" if days == 1 else f"{days} 天前"
    text = f"最近一次备份：{when} {newest.taken_at.strftime('%H:%M')}（{newest.reason_label}）"
    if days > STALE_DAYS:
        text += "。已经好几天没有备份了，请点“立即备份”，并告诉维护人员。"
    return text, days > STALE_DAYS


class BackupPage(QWidget):
    """数据备份 (for 系统管理)."""

    loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.prompts = prompts or Prompts()
        self._stale = True
        self._busy = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(10)
        layout.addWidget(heading(self.tr("数据备份")))
        layout.addWidget(
            hint(
                self.tr(
                    "每天第一次打开软件时会自动备份一次；软件升级、导入同步包和恢复备份之前"
                    "也会自动备份。保留最近 30 天的全部备份，以及最近 12 个月每月最后一份。"
                    "为防电脑损坏，请定期“备份到U盘”，把U盘放在别处保管。"
                )
            )
        )
        self.last_backup = QLabel()
        self.last_backup.setWordWrap(True)
        layout.addWidget(self.last_backup)

        buttons = QHBoxLayout()
        buttons.setSpacing(14)
        self.backup_button = big_button(self.tr("立即备份"))
        self.usb_button = big_button(self.tr("备份到U盘…"))
        self.restore_button = big_button(self.tr("恢复这个备份…"))
        for button in (self.backup_button, self.usb_button, self.restore_button):
            button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 8)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.backup_button.clicked.connect(self.back_up_now)
        self.usb_button.clicked.connect(self.back_up_to_folder)
        self.restore_button.clicked.connect(self.restore_selected)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)

        self.browser = BackupBrowser(context.worker, self._folder)
        self.browser.selected.connect(lambda _info: self._update_buttons())
        self.browser.checked.connect(self._update_buttons)
        self.browser.loaded.connect(self._browser_loaded)
        layout.addWidget(self.browser, 1)
        context.store_ready.connect(self._store_ready)
        context.actor_changed.connect(lambda _person: self._update_buttons())
        self._update_buttons()

    # ------------------------------------------------------------------ state

    def _store_ready(self) -> None:
        # Opened, or reopened after a restore: the list may have changed.
        self._stale = True
        self._update_buttons()
        if self.isVisible():
            self.load()

    def _folder(self) -> Path:
        store = self.context.store
        directory = store.directory if store is not None else paths.data_dir(self.context.data_dir)
        return paths.backups_dir(directory)

    def _update_buttons(self) -> None:
        person = self.context.actor  # the UI thread's copy of who is signed in
        open_ = self.context.store is not None and not self._busy
        signed_in = person.signed_in
        admin = person.may_restore
        self.backup_button.setEnabled(open_ and signed_in)
        self.usb_button.setEnabled(open_ and admin)
        usable = self.browser.current is not None and self.browser.refusal is None
        self.restore_button.setEnabled(open_ and admin and usable)
        only_admin = "" if admin else self.tr("只有管理员可以做")
        self.usb_button.setToolTip(only_admin)
        self.restore_button.setToolTip(only_admin)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.load()

    def load(self, select: str | None = None) -> None:
        self._stale = False
        self.browser.load(select)

    def _browser_loaded(self) -> None:
        text, worrying = _last_backup_text(self.browser.model.rows())
        self.last_backup.setText(text)
        self.last_backup.setStyleSheet(f"color: {ERROR_COLOUR};" if worrying else "")
        self._update_buttons()
        emit(self.loaded)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR if error else OK_COLOUR};")
        self.message.setVisible(bool(text))

    def _set_busy(self, text: str) -> None:
        self._busy = bool(text)
        if text:
            self.message.setStyleSheet("")
            self.message.setText(text)
            self.message.setVisible(True)
        self._update_buttons()

    # ------------------------------------------------------------------ actions

    def back_up_now(self) -> None:
        self._take(None)

    def back_up_to_folder(self) -> None:
        chosen = self.prompts.choose_folder(self)
        if chosen:
            self._take(Path(chosen))

    def _take(self, folder: Path | None) -> None:
        store = self.context.store
        if store is None or self._busy:
            return
        self._set_busy(self.tr("正在备份，请稍候……"))

        def work(job: Job) -> Path:
            return backup.create_backup(store, to=folder)

        def done(path: Path) -> None:
            self._set_busy("")
            emit(self.context.changed, frozenset({"audit_event"}))
            if folder is None:
                self._say(self.tr("已备份：{name}").format(name=path.name))
                self.load(select=path.name)
                return
            self._say(self.tr("已备份到 {path}").format(path=path))
            self.prompts.notify(
                self,
                self.tr("已备份到U盘"),
                self.tr(
                    "已备份到：\n{path}\n\n拔U盘之前，请先在电脑上点“弹出”，等提示可以安全拔出后再拔。"
                ).format(path=path),
            )
            self.load()

        def failed(error: BaseException) -> None:
            self._set_busy("")
            self._say(error_message(error), error=True)
            self.prompts.warn(self, self.tr("备份没有做成"), error_message(error))

        self.context.worker.submit(work, guarded(self, done), guarded(self, failed))

    def restore_selected(self) -> None:
        info = self.browser.current
        store = self.context.store
        if info is None or store is None or self._busy:
            return
        if not self.context.actor.may_restore:
            self.prompts.warn(
                self, self.tr("不能恢复"), self.tr("只有管理员可以恢复备份。如需要，请找管理员。")
            )
            return
        refusal = self.browser.refusal
        if refusal is not None:
            self._say(refusal, error=True)
            return
        if not self.prompts.confirm(self, self.tr("恢复备份"), _restore_question(info)):
            return
        self._set_busy(self.tr("正在恢复备份，请稍候，不要关闭本软件……"))
        context = self.context

        def reopened(new: Store | None) -> None:
            # On the worker, before any job queued after this one runs: they use the new store.
            context.store = new

        def work(job: Job) -> backup.RestoreResult:
            return backup.restore_in_place(store, info.path, reopened)

        def done(result: backup.RestoreResult) -> None:
            _data_replaced(context)
            if alive(self):
                self._set_busy("")
                self._say(result.summary())
                self.prompts.notify(
                    self,
                    self.tr("已恢复"),
                    result.summary(),
                )

        def failed(error: BaseException) -> None:
            if context.store is not store:
                _data_replaced(context)  # reopened (the old data, untouched) or gone
            if alive(self):
                self._set_busy("")
                self._say(error_message(error), error=True)
                self.prompts.warn(self, self.tr("没有恢复"), error_message(error))

        self.context.worker.submit(work, done, failed)


def _data_replaced(context: AppContext) -> None:
    """Every screen reads again; whoever must sign in to the restored data is asked to.

    A function of the context, not of the page: it must run even if the page is gone.
    """
    store = context.store
    if store is None:
        emit(context.store_failed, "恢复后数据没有打开。请关闭本软件后重新打开。")
        return
    context.actor = store.actor
    emit(context.store_ready)
    if store.actor.signed_in:
        from xmen_desktop.store.models import TABLE_BY_NAME

        emit(context.changed, frozenset(TABLE_BY_NAME))


# ---------------------------------------------------------------------------- at start


class RestoreDialog(QDialog):
    """The database is damaged: say so, list the backups, restore the one chosen."""

    def __init__(
        self,
        data_dir: Path,
        message: str,
        *,
        worker: Worker | None = None,
        prompts: Prompts | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.worker = worker or Worker()
        self.prompts = prompts or Prompts()
        self.restored = False
        self.result_detail = ""
        self.setWindowTitle(self.tr("数据文件损坏了"))
        self.resize(1000, 680)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        title = heading(self.tr("数据文件损坏了，软件没有打开它"), scale=1.3)
        title.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(title)
        detail = QLabel(message)
        detail.setWordWrap(True)
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(detail)
        layout.addWidget(
            hint(
                self.tr(
                    "请在下面选一份备份（一般选最新的、检查通过的那一份），再点“从这个备份恢复”。"
                    "损坏的数据文件不会删除，会另存一份。备份在U盘上的话，点“从U盘选备份文件…”。"
                )
            )
        )
        self.browser = BackupBrowser(self.worker, lambda: paths.backups_dir(self.data_dir))
        self.browser.selected.connect(lambda _info: self._update_buttons())
        self.browser.checked.connect(self._update_buttons)
        self.browser.loaded.connect(self._update_buttons)
        layout.addWidget(self.browser, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        self.file_button = big_button(self.tr("从U盘选备份文件…"))
        self.restore_button = big_button(self.tr("从这个备份恢复"))
        self.close_button = big_button(self.tr("关闭"))
        font = self.restore_button.font()
        font.setBold(True)
        self.restore_button.setFont(font)
        buttons.addWidget(self.file_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.file_button.clicked.connect(self.choose_file)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button.clicked.connect(self.reject)
        self._busy = False
        self._update_buttons()
        self.browser.load()

    def _update_buttons(self) -> None:
        usable = self.browser.current is not None and self.browser.refusal is None
        self.restore_button.setEnabled(not self._busy and usable)
        self.file_button.setEnabled(not self._busy)
        self.close_button.setEnabled(not self._busy)

    def choose_file(self) -> None:
        chosen = self.prompts.choose_file(self)
        if chosen:
            self.browser.add_file(Path(chosen))

    def restore_selected(self) -> None:
        info = self.browser.current
        if info is None or self._busy:
            return
        refusal = self.browser.refusal
        if refusal is not None:
            self.message.setText(refusal)
            self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        if not self.prompts.confirm(self, self.tr("恢复备份"), _restore_question(info)):
            return
        self._busy = True
        self._update_buttons()
        self.message.setStyleSheet("")
        self.message.setText(self.tr("正在恢复备份，请稍候，不要关闭本软件……"))
        data_dir = self.data_dir

        def work(job: Job) -> str:
            # Nobody can sign in to a damaged database: the computer account restores (and
            # is named in the audit trail), as on the command line; see computer_account.
            store, result = backup.restore_and_open(
                data_dir, info.path, by=backup.computer_account()
            )
            store.close()
            return result.summary()

        def done(detail: str) -> None:
            self.restored = True
            self.result_detail = detail
            self.prompts.notify(
                self,
                self.tr("已恢复"),
                self.tr("已从备份恢复数据，软件现在重新打开数据。\n\n{detail}").format(
                    detail=detail
                ),
            )
            self.accept()

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update_buttons()
            self.message.setText(error_message(error))
            self.message.setStyleSheet(f"color: {ERROR_COLOUR};")

        self.worker.submit(work, guarded(self, done), guarded(self, failed))


def offer_restore(
    parent: QWidget | None,
    data_dir: str | Path | None,
    message: str,
    *,
    worker: Worker | None = None,
    prompts: Prompts | None = None,
) -> bool:
    """Show the damaged-database dialog; True when a backup was restored (open the store
    again then: ``context.open_store()``)."""
    dialog = RestoreDialog(
        paths.data_dir(data_dir), message, worker=worker, prompts=prompts, parent=parent
    )
    dialog.exec()
    restored = dialog.restored
    dialog.deleteLater()  # parented to the main window: do not keep it for the session
    return restored
