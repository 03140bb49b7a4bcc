"""导出同步包 / 导入同步包: the dialogs that carry changes between PCs on a USB stick.

Export: choose where to save, type the passphrase, then the bundle is written on the worker
(a progress dialog after ~600 ms, with 取消). Import: choose the file, type the passphrase; the
bundle is checked on the worker and any refusal is said plainly; a site not yet trusted shows
its fingerprint to compare by phone; then what will change, and only 确认导入 changes anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDir, QStandardPaths, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.ui import sync_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.table_models import Column, RowTableModel
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    alive,
    big_button,
    error_label,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
    show_message,
)
from xmen_desktop.ui.worker import Cancelled

if TYPE_CHECKING:
    from xmen_desktop.store.sync import ExportReport, ImportReport, MergeStats
    from xmen_desktop.ui.worker import Job

# Show the progress dialog only for work that takes longer than this (ms): no flicker.
PROGRESS_DELAY_MS = 600
OK_COLOUR = "#1e6b2f"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# Where the file dialogs open: the last folder used in this run, else the user's documents.
_last_folder: str | None = None


def _start_folder() -> str:
    if _last_folder and Path(_last_folder).is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or QDir.homePath()


def _remember_folder(path: Path) -> None:
    global _last_folder
    _last_folder = str(path.parent)


def shown_path(path: Path) -> str:
    return QDir.toNativeSeparators(str(path))


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncImportDialog", text)


def refusal_text(error: BaseException) -> str:
    """The store's reason, always saying that nothing was changed."""
    text = error_message(error).rstrip("。")
    # The store's refusals mostly say so already ("……，没有做任何改动。请……").
    if "没有做任何改动" not in text and "没有任何改动" not in text:
        text += _tr("。没有做任何改动")
    return text + "。"


def refusal_label() -> QLabel:
    """A plain red box for why a bundle was refused; hidden while there is nothing to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(
        f"QLabel {{ color: {ERROR_COLOUR}; background: #fdecea; border: 1px solid #f0b8b2; "
        "border-radius: 4px; padding: 10px; }"
    )
    label.setVisible(False)
    return label


def progress_dialog(parent: QWidget, text: str, cancel_text: str, title: str) -> QProgressDialog:
    """Shown only when the work lasts longer than ~600 ms; not modal (see import_dialog)."""
    progress = QProgressDialog(text, cancel_text, 0, 0, parent)
    progress.setWindowTitle(title)
    progress.setMinimumDuration(PROGRESS_DELAY_MS)
    progress.setWindowModality(Qt.WindowModality.NonModal)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.setMinimumWidth(parent.fontMetrics().horizontalAdvance("中") * 22)
    return progress


def close_progress(progress: QProgressDialog | None, on_cancel: Callable[[], None]) -> None:
    if progress is not None and alive(progress):
        progress.canceled.disconnect(on_cancel)
        progress.reset()
        progress.hide()
        progress.deleteLater()


# =============================================================================================
# Small widgets


class PassphraseField(QWidget):
    """A hidden-text box with a 显示 button beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 16)
        roomy(self.edit)
        layout.addWidget(self.edit, 1)
        self.show_button = QPushButton(self.tr("显示"))
        self.show_button.setCheckable(True)
        self.show_button.setAutoDefault(False)
        roomy(self.show_button)
        self.show_button.toggled.connect(self._toggle)
        layout.addWidget(self.show_button)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText(self.tr("隐藏") if shown else self.tr("显示"))

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def setFocus(self) -> None:
        self.edit.setFocus()


class FingerprintView(QWidget):
    """Six groups of five digits, each in its own box: easy to read aloud and compare."""

    def __init__(self, scale: float = 1.6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._scale = scale
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(round(10 * scale))
        self.grid.setVerticalSpacing(round(6 * scale))
        self.boxes: list[QLabel] = []
        for number in range(6):
            box = QLabel()
            font = QFont(box.font())
            font.setPointSizeF(font.pointSizeF() * scale)
            font.setBold(True)
            font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 112)
            box.setFont(font)
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setStyleSheet(
                "QLabel { background: #f4f7fb; border: 1px solid #b9c6d6; border-radius: 4px; "
                f"padding: {round(3 * scale)}px {round(8 * scale)}px; }}"
            )
            self.boxes.append(box)
            self.grid.addWidget(box, number // 3, number % 3)
        self.grid.setColumnStretch(3, 1)

    def set_fingerprint(self, fingerprint: str) -> None:
        self._text = fingerprint
        groups = sync_jobs.fingerprint_groups(fingerprint)
        for box, group in zip(self.boxes, groups + [""] * 6, strict=False):
            box.setText(group)
        self.setToolTip(fingerprint)
        self.setAccessibleName(fingerprint)

    def text(self) -> str:
        return self._text


# =============================================================================================
# Export


class ExportDialog(QDialog):
    """导出同步包: where to, everything or only what peers lack, the passphrase."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.path: Path | None = None
        self.setup: sync_jobs.ExportSetup | None = None
        self._exporting = False
        self._progress: QProgressDialog | None = None
        self._job: Job | None = None
        self._stop = threading.Event()
        self.report: ExportReport | None = None

        self.setWindowTitle(self.tr("导出同步包"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 46)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("导出同步包"), scale=1.3))
        layout.addWidget(
            hint(
                self.tr(
                    "把这台电脑上的修改存成一个同步包文件（.xmb），用 U 盘带到别的电脑，"
                    "在那里点“导入同步包…”。"
                )
            )
        )

        place = QHBoxLayout()
        place.setSpacing(12)
        self.choose_button = big_button(self.tr("选择保存位置（U 盘）…"))
        self.choose_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 11)
        self.choose_button.clicked.connect(self.choose_location)
        place.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignTop)
        self.path_label = QLabel(self.tr("还没有选择。请先插好 U 盘，再点左边的按钮。"))
        self.path_label.setWordWrap(True)
        self.path_label.setStyleSheet(f"color: {HINT_COLOUR};")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        place.addWidget(self.path_label, 1)
        layout.addLayout(place)

        self.full_box = QCheckBox(self.tr("全部导出（给新电脑）"))
        box_size = self.fontMetrics().height()
        self.full_box.setStyleSheet(
            f"QCheckBox::indicator {{ width: {box_size}px; height: {box_size}px; }}"
        )
        layout.addWidget(self.full_box)
        layout.addWidget(
            hint(
                self.tr(
                    "平时不用勾选：只导出对方电脑可能还没有的修改。"
                    "给新装本软件的电脑准备数据时，才勾选这一项。"
                )
            )
        )

        self.secret_box = QWidget()
        secret = QGridLayout(self.secret_box)
        secret.setContentsMargins(0, 6, 0, 0)
        secret.setHorizontalSpacing(12)
        secret.setVerticalSpacing(8)
        self.passphrase_label = QLabel(self.tr("同步口令："))
        secret.addWidget(self.passphrase_label, 0, 0)
        self.passphrase = PassphraseField()
        secret.addWidget(self.passphrase, 0, 1)
        self.again_label = QLabel(self.tr("再输入一次："))
        secret.addWidget(self.again_label, 1, 0)
        self.again = PassphraseField()
        secret.addWidget(self.again, 1, 1)
        self.secret_hint = hint()
        secret.addWidget(self.secret_hint, 2, 0, 1, 2)
        secret.setColumnStretch(1, 1)
        layout.addWidget(self.secret_box)
        self.plain_warning = QLabel(
            self.tr(
                "本机已关闭同步包加密：同步包里居民的姓名、电话、地址都不加密，"
                "请妥善保管 U 盘，用完删除同步包。"
            )
        )
        self.plain_warning.setWordWrap(True)
        self.plain_warning.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(self.plain_warning)

        self.error = error_label()
        layout.addWidget(self.error)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.export_button = big_button(self.tr("导出"))
        self.export_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 7)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)

        self.secret_box.setVisible(False)
        self.plain_warning.setVisible(False)
        self.export_button.setEnabled(False)
        sync_jobs.run_on_store(context, sync_jobs.export_setup, self._set_up, self._setup_failed)

    def _set_up(self, setup: sync_jobs.ExportSetup) -> None:
        if not alive(self):
            return
        self.setup = setup
        self.secret_box.setVisible(setup.encryption)
        self.plain_warning.setVisible(not setup.encryption)
        first = setup.encryption and not setup.passphrase_set
        self.again_label.setVisible(first)
        self.again.setVisible(first)
        if first:
            self.secret_hint.setText(
                self.tr(
                    "本机还没有设置同步口令：请输入街道统一的同步口令（至少 {n} 个字符），"
                    "以后导出、导入都用这个口令。"
                ).format(n=sync_jobs.MIN_PASSPHRASE)
            )
        else:
            self.secret_hint.setText(self.tr("请输入街道统一的同步口令（区分大小写）。"))
        self.export_button.setEnabled(True)
        self.adjustSize()

    def _setup_failed(self, error: BaseException) -> None:
        if alive(self):
            show_message(self.error, error_message(error))

    # ------------------------------------------------------------------ where to

    def choose_location(self) -> bool:
        name = sync_jobs.default_bundle_name(self.setup.site_name if self.setup else "")
        folder = str(self.path.parent) if self.path is not None else _start_folder()
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("把同步包保存到哪里"),
            str(Path(folder) / name),
            self.tr("同步包 (*.xmb)"),
        )
        if not chosen:
            return False
        self.set_path(sync_jobs.with_bundle_suffix(Path(chosen)))
        return True

    def set_path(self, path: Path) -> None:
        self.path = path
        _remember_folder(path)
        self.path_label.setText(self.tr("保存到：{path}").format(path=shown_path(path)))
        self.path_label.setStyleSheet("")
        show_message(self.error, "")

    # ------------------------------------------------------------------ exporting

    def _passphrase(self) -> str | None:
        """The passphrase to use, or None after saying what is wrong."""
        assert self.setup is not None
        if not self.setup.encryption:
            return ""
        text = self.passphrase.text()
        if not text:
            show_message(self.error, self.tr("请输入同步口令。"))
            self.passphrase.setFocus()
            return None
        if not self.setup.passphrase_set:
            if len(text) < sync_jobs.MIN_PASSPHRASE:
                show_message(
                    self.error,
                    self.tr("同步口令至少要 {n} 个字符。").format(n=sync_jobs.MIN_PASSPHRASE),
                )
                self.passphrase.setFocus()
                return None
            if self.again.text() != text:
                show_message(
                    self.error, self.tr("两次输入的口令不一样，请重新输入“再输入一次”这一栏。")
                )
                self.again.setFocus()
                return None
        return text

    def start_export(self) -> None:
        if self.setup is None or self._exporting:
            return
        if self.path is None and not self.choose_location():
            return
        passphrase = self._passphrase()
        if passphrase is None or self.path is None:
            return
        show_message(self.error, "")
        path = self.path
        self._exporting = True
        self._stop = threading.Event()
        self._set_enabled(False)
        progress = progress_dialog(
            self, self.tr("正在导出同步包，请稍候……"), self.tr("取消导出"), self.tr("正在导出")
        )
        progress.canceled.connect(self.cancel_export)
        self._progress = progress

        def on_progress(done: int, total: int) -> None:
            if self._progress is not None and alive(self._progress):
                self._progress.setMaximum(max(total, 1))
                self._progress.setValue(done)

        def done(report: ExportReport) -> None:
            self._end_export()
            self.report = report
            emit(self.context.changed, frozenset({sync_jobs.SYNC_STATUS}))
            parent = self.parentWidget()
            self.accept()
            QMessageBox.information(parent, self.tr("导出完成"), self.done_text(report))

        def failed(error: BaseException) -> None:
            self._end_export()
            if not alive(self):
                return
            if isinstance(error, Cancelled):
                show_message(self.error, self.tr("已取消导出，没有写入同步包。"))
                return
            show_message(self.error, error_message(error))

        job = sync_jobs.run_on_store(
            self.context,
            sync_jobs.export_to(
                path,
                full=self.full_box.isChecked(),
                passphrase=passphrase or None,
                stop=self._stop,
            ),
            done,
            failed,
            on_progress,
        )
        if self._exporting:  # still running (the synchronous worker of tests is done by now)
            self._job = job

    def done_text(self, report: ExportReport) -> str:
        where = shown_path(report.path)
        if report.entries:
            text = self.tr("已导出 {n} 条修改到：\n{path}").format(
                n=f"{report.entries:,}", path=where
            )
        else:
            text = self.tr(
                "这次没有需要导出的新修改。仍然写了一个同步包到：\n{path}\n"
                "对方导入后，就知道本机已经有哪些修改。"
            ).format(path=where)
        lock = self.tr("同步包已加密。") if report.encrypted else self.tr("同步包没有加密！")
        return (
            text
            + "\n\n"
            + lock
            + self.tr("拔下 U 盘前请先“安全弹出”；到另一台电脑上，点“导入同步包…”选这个文件。")
        )

    def cancel_export(self) -> None:
        """The progress dialog's 取消: stop before the file is put in place."""
        self._stop.set()
        if self._job is not None:
            self._job.cancel()

    def _end_export(self) -> None:
        self._exporting = False
        self._job = None
        progress, self._progress = self._progress, None
        close_progress(progress, self.cancel_export)
        if alive(self):
            self._set_enabled(True)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.choose_button,
            self.full_box,
            self.secret_box,
            self.export_button,
            self.cancel_button,
        ):
            widget.setEnabled(enabled)

    def done(self, result: int) -> None:
        if self._exporting:
            return  # the progress dialog's 取消 stops an export; closing must not hide it
        super().done(result)


def open_export_dialog(parent: QWidget, context: AppContext) -> ExportDialog:
    dialog = ExportDialog(context, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# =============================================================================================
# Import


class CountsModel(RowTableModel):
    """新增 / 修改 / 删除 per kind of record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = [
            Column(self.tr("记录"), lambda r: r.label),
            Column(self.tr("新增"), lambda r: _count(r.new), _RIGHT),
            Column(self.tr("修改"), lambda r: _count(r.updated), _RIGHT),
            Column(self.tr("删除"), lambda r: _count(r.deleted), _RIGHT),
        ]


def _count(number: int) -> str:
    return f"{number:,}" if number else "—"


class CountRow:
    def __init__(self, table: str, new: int, updated: int, deleted: int) -> None:
        self.id = table
        self.label = sync_jobs.table_label(table)
        self.new = new
        self.updated = updated
        self.deleted = deleted


def count_rows(stats: MergeStats) -> list[CountRow]:
    tables = set(stats.new) | set(stats.updated) | set(stats.deleted)
    from xmen_desktop.store.sync import TABLE_ORDER

    order = {name: n for n, name in enumerate(TABLE_ORDER)}
    return [
        CountRow(t, stats.new[t], stats.updated[t], stats.deleted[t])
        for t in sorted(tables, key=lambda t: (order.get(t, len(order)), t))
        if stats.new[t] or stats.updated[t] or stats.deleted[t]
    ]


class SyncImportDialog(QDialog):
    """导入同步包: 选择文件 → （核对指纹）→ 看看会有哪些改动 → 确认导入."""

    PAGE_FILE, PAGE_TRUST, PAGE_PREVIEW, PAGE_DONE, PAGE_ALREADY = range(5)

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.header: sync_jobs.BundleHeader | None = None
        self.reading: sync_jobs.Reading | None = None
        self.report: ImportReport | None = None
        self.review_records = 0
        self._trust_new = False
        self._request = 0
        self._busy = False
        self._importing = False
        self._closed = False
        self._progress: QProgressDialog | None = None
        self._job: Job | None = None
        self._stop = threading.Event()

        self.setWindowTitle(self.tr("导入同步包"))
        self.setMinimumSize(760, 560)
        self.resize(860, 640)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.page_title = heading("", scale=1.3)
        self.page_title.setWordWrap(True)
        layout.addWidget(self.page_title)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_file_page())
        self.pages.addWidget(self._build_trust_page())
        self.pages.addWidget(self._build_preview_page())
        self.pages.addWidget(self._build_done_page())
        self.pages.addWidget(self._build_already_page())
        layout.addWidget(self.pages, 1)

        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.review_button = big_button(self.tr("现在去核对…"))
        self.review_button.clicked.connect(self.open_review)
        buttons.addWidget(self.review_button)
        wide = self.fontMetrics().horizontalAdvance("中") * 8
        self.next_button = big_button(self.tr("下一步"))
        self.next_button.setMinimumWidth(wide)
        self.next_button.clicked.connect(self.read)
        buttons.addWidget(self.next_button)
        self.trust_button = big_button(self.tr("信任并继续"))
        self.trust_button.setMinimumWidth(wide)
        self.trust_button.clicked.connect(self.trust)
        buttons.addWidget(self.trust_button)
        self.import_button = big_button(self.tr("确认导入"))
        self.import_button.setMinimumWidth(wide)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(self.import_button)
        self.close_button = big_button(self.tr("关闭"))
        self.close_button.setMinimumWidth(wide)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self._show_page(self.PAGE_FILE)
        if path is not None:
            self.load_file(path)

    # ------------------------------------------------------------------ building

    def _build_file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(
            hint(
                self.tr(
                    "请插好 U 盘，选择另一台电脑导出的同步包文件（.xmb）。"
                    "导入前会先告诉您有哪些改动，您确认后才会导入。"
                )
            )
        )
        row = QHBoxLayout()
        self.choose_button = big_button(self.tr("选择同步包文件…"))
        self.choose_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 9)
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignTop)
        self.file_label = QLabel(self.tr("还没有选择文件"))
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.header_label = QLabel()
        self.header_label.setWordWrap(True)
        self.header_label.setVisible(False)
        layout.addWidget(self.header_label)

        self.secret_box = QWidget()
        secret = QGridLayout(self.secret_box)
        secret.setContentsMargins(0, 0, 0, 0)
        secret.setHorizontalSpacing(12)
        secret.addWidget(QLabel(self.tr("同步口令：")), 0, 0)
        self.passphrase = PassphraseField()
        self.passphrase.edit.textChanged.connect(self._passphrase_edited)
        self.passphrase.edit.returnPressed.connect(self.read)
        secret.addWidget(self.passphrase, 0, 1)
        secret.addWidget(
            hint(self.tr("这个同步包是加密的：请输入街道统一的同步口令（区分大小写）。")),
            1,
            0,
            1,
            2,
        )
        secret.setColumnStretch(1, 1)
        self.secret_box.setVisible(False)
        layout.addWidget(self.secret_box)
        self.status = hint()
        self.status.setVisible(False)
        layout.addWidget(self.status)
        self.refusal = refusal_label()
        layout.addWidget(self.refusal)
        layout.addStretch(1)
        return page

    def _build_trust_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(14)
        self.trust_intro = QLabel()
        self.trust_intro.setWordWrap(True)
        layout.addWidget(self.trust_intro)
        self.fingerprint = FingerprintView(scale=2.0)
        layout.addWidget(self.fingerprint, 0, Qt.AlignmentFlag.AlignLeft)
        ask_label = heading(self.tr("请打电话与对方核对这串数字，一致再点“信任并继续”"), scale=1.1)
        ask_label.setWordWrap(True)
        layout.addWidget(ask_label)
        layout.addWidget(
            hint(
                self.tr(
                    "对方在本软件的“街道总览 → 同步”页面可以看到自己的“密钥指纹”，"
                    "请对方一组一组念给您听。\n"
                    "只要有一个数字不一样，就不要导入：请点“不一致，不导入”，并告诉街道。"
                    "信任以后，再收到这台电脑的同步包就不用再核对了。"
                )
            )
        )
        layout.addStretch(1)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        layout.addWidget(self.source_label)
        self.counts_model = CountsModel(self)
        self.counts_view = QTableView()
        self.counts_view.setModel(self.counts_model)
        setup_table(self.counts_view, stretch_column=None)
        self.counts_view.horizontalHeader().setStretchLastSection(False)
        self.counts_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        set_column_widths(self.counts_view, {0: 9, 1: 5, 2: 5, 3: 5})
        layout.addWidget(self.counts_view)
        self.nothing_label = QLabel()
        self.nothing_label.setWordWrap(True)
        layout.addWidget(self.nothing_label)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.notes_label)
        self.clock_label = QLabel()
        self.clock_label.setWordWrap(True)
        self.clock_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(self.clock_label)
        self.import_refusal = refusal_label()
        layout.addWidget(self.import_refusal)
        layout.addStretch(1)
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(12)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setTextFormat(Qt.TextFormat.RichText)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.done_label)
        layout.addStretch(1)
        return page

    def _build_already_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        self.already_label = QLabel()
        self.already_label.setWordWrap(True)
        layout.addWidget(self.already_label)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ the file

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("选择同步包文件"),
            _start_folder(),
            self.tr("同步包 (*.xmb);;所有文件 (*)"),
        )
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> None:
        """Check the file's header on the worker; say where it comes from, or why not."""
        _remember_folder(path)
        self.header = None
        self.reading = None
        self._trust_new = False
        self.file_label.setText(self.tr("文件：{name}").format(name=path.name))
        self.file_label.setToolTip(shown_path(path))
        self.header_label.setVisible(False)
        self.secret_box.setVisible(False)
        show_message(self.refusal, "")
        self._set_status(self.tr("正在检查文件，请稍候……"))
        self._request += 1
        request = self._request
        self._set_busy(True)

        def done(header: sync_jobs.BundleHeader) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._set_status("")
            self.header = header
            lock = self.tr("已加密") if header.encrypted else self.tr("没有加密")
            self.header_label.setText(
                self.tr("来自“{site}”，导出于 {at}，共 {n} 条修改，{lock}。").format(
                    site=header.site_name, at=header.created_at, n=f"{header.entries:,}", lock=lock
                )
            )
            self.header_label.setVisible(True)
            self.secret_box.setVisible(header.encrypted)
            if header.encrypted:
                self.passphrase.setFocus()
            self._update_buttons()

        def failed(error: BaseException) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._set_status("")
            show_message(self.refusal, refusal_text(error))
            self._update_buttons()

        sync_jobs.run_on_store(self.context, sync_jobs.inspect_bundle(path), done, failed)

    def _passphrase_edited(self) -> None:
        show_message(self.refusal, "")
        self._update_buttons()

    def can_read(self) -> bool:
        if self.header is None or self._busy:
            return False
        return not self.header.encrypted or bool(self.passphrase.text())

    def read(self) -> None:
        """下一步: read and check the whole bundle; refusals are shown here, nothing changes."""
        if not self.can_read() or self.header is None:
            return
        show_message(self.refusal, "")
        self._set_status(self.tr("正在读取同步包，请稍候……"))
        self._request += 1
        request = self._request
        self._set_busy(True)
        passphrase = self.passphrase.text() if self.header.encrypted else None

        def done(reading: sync_jobs.Reading) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._set_status("")
            self.reading = reading
            incoming = reading.incoming
            if incoming.already_applied_at:
                self.already_label.setText(
                    self.tr(
                        "来自“{site}”的这个同步包，已经在 {at} 导入过了。"
                        "这次不会有任何改动，可以直接关闭。"
                    ).format(
                        site=incoming.site_name,
                        at=sync_jobs.local_time(incoming.already_applied_at),
                    )
                )
                self._show_page(self.PAGE_ALREADY)
            elif not incoming.trusted:
                self.trust_intro.setText(
                    self.tr(
                        "这是第一次收到站点“{site}”的同步包。为了防止有人冒充，请核对它的密钥指纹："
                    ).format(site=incoming.site_name)
                )
                self.fingerprint.set_fingerprint(incoming.fingerprint)
                self._show_page(self.PAGE_TRUST)
            else:
                self._show_preview(reading)

        def failed(error: BaseException) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._set_status("")
            show_message(self.refusal, refusal_text(error))
            self.passphrase.setFocus()
            self._update_buttons()

        sync_jobs.run_on_store(
            self.context, sync_jobs.read_bundle(self.header.path, passphrase), done, failed
        )

    # ------------------------------------------------------------------ trust and preview

    def trust(self) -> None:
        """信任并继续: the fingerprint was compared by phone; work out what would change."""
        if self.reading is None or self._busy:
            return
        self._trust_new = True
        self._request += 1
        request = self._request
        self._set_busy(True)

        def done(reading: sync_jobs.Reading) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._show_preview(reading)

        def failed(error: BaseException) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            QMessageBox.warning(self, self.tr("无法导入"), refusal_text(error))

        sync_jobs.run_on_store(self.context, sync_jobs.preview(self.reading), done, failed)

    def _show_preview(self, reading: sync_jobs.Reading) -> None:
        stats = reading.stats
        assert stats is not None
        incoming = reading.incoming
        created = sync_jobs.local_time(incoming.manifest.get("created_at"))
        self.source_label.setText(
            self.tr("来自“{site}”（导出于 {at}），共 {n} 条修改。导入后本机会有这些改动：").format(
                site=incoming.site_name, at=created, n=f"{stats.received:,}"
            )
        )
        rows = count_rows(stats)
        self.counts_model.set_rows(rows)
        self.counts_view.setVisible(bool(rows))
        if rows:
            height = self.counts_view.verticalHeader().defaultSectionSize()
            header = self.counts_view.horizontalHeader().minimumHeight()
            shown = min(len(rows), 8)
            self.counts_view.setFixedHeight(header + shown * height + 4)
            width = sum(self.counts_view.columnWidth(c) for c in range(4))
            self.counts_view.setFixedWidth(width + 4)
        if stats.applied == 0:
            self.nothing_label.setText(
                self.tr(
                    "本机已经有这个同步包里的全部修改，导入后数据不会改变"
                    "（只记下对方已经收到了哪些修改）。"
                )
            )
        elif not rows:
            self.nothing_label.setText(self.tr("这些修改本机已有较新的记录，导入后数据不会改变。"))
        else:
            self.nothing_label.setText("")
        self.nothing_label.setVisible(bool(self.nothing_label.text()))
        self.notes_label.setText(self._notes(stats, reading.reviews_before))
        self.notes_label.setVisible(bool(self.notes_label.text()))
        self.clock_label.setText(
            self.tr("注意：{warning}。").format(warning=stats.clock_warning.rstrip("。"))
            if stats.clock_warning
            else ""
        )
        self.clock_label.setVisible(bool(stats.clock_warning))
        show_message(self.import_refusal, "")
        self._show_page(self.PAGE_PREVIEW)

    def _notes(self, stats: MergeStats, reviews_before: int) -> str:
        lines = []
        if stats.skipped:
            lines.append(
                self.tr("其中 {n} 条修改本机已经有了，会跳过。").format(n=f"{stats.skipped:,}")
            )
        new_reviews = stats.review - reviews_before
        # Conflicts include the ones that go to review; the others are settled by time.
        settled = stats.conflicts - max(new_reviews, 0)
        if settled > 0:
            lines.append(
                self.tr(
                    "有 {n} 处两台电脑改了同一项，已按修改时间较新的为准（两边的记录都保留）。"
                ).format(n=settled)
            )
        if new_reviews > 0:
            lines.append(
                self.tr(
                    "<b style='color:{red}'>有需要核对的地方</b>"
                    "（例如同一张表决票，两台电脑登记得不一样）："
                    "导入后请在“同步”页面逐项核对，核对前这些表决票不计入结果。"
                ).format(red=ERROR_COLOUR)
            )
        elif stats.review:
            lines.append(self.tr("本机还有以前留下的待核对事项，请在“同步”页面核对。"))
        if stats.pending:
            lines.append(
                self.tr(
                    "有 {n} 条记录要等它所属的住户等记录到了才能显示"
                    "（下次收到对方的同步包时会补上）。"
                ).format(n=stats.pending)
            )
        return "<br>".join(f"· {line}" for line in lines)

    # ------------------------------------------------------------------ importing

    def start_import(self) -> None:
        """确认导入: apply everything in one transaction, or nothing."""
        if self.reading is None or self._importing or self._busy:
            return
        incoming = self.reading.incoming
        self._importing = True
        self._stop = threading.Event()
        show_message(self.import_refusal, "")
        self._update_buttons()
        self.pages.setEnabled(False)
        progress = progress_dialog(
            self, self.tr("正在导入同步包，请稍候……"), self.tr("取消导入"), self.tr("正在导入")
        )
        progress.canceled.connect(self.cancel_import)
        self._progress = progress

        def on_progress(done: int, total: int) -> None:
            if self._progress is not None and alive(self._progress):
                self._progress.setMaximum(max(total, 1))
                self._progress.setValue(done)

        def done(imported: sync_jobs.Imported) -> None:
            self._end_import()
            self.report = imported.report
            self.review_records = imported.review_records
            emit(self.context.changed, sync_jobs.tables_touched(imported.report.stats))
            if not alive(self):
                return
            self.done_label.setText(self._report_text(imported.report))
            self._show_page(self.PAGE_DONE)

        def failed(error: BaseException) -> None:
            self._end_import()
            if not alive(self):
                return
            if isinstance(error, Cancelled):
                show_message(self.import_refusal, self.tr("已取消导入，没有做任何改动。"))
            else:
                show_message(self.import_refusal, refusal_text(error))

        job = sync_jobs.run_on_store(
            self.context,
            sync_jobs.apply(incoming, trust_new=self._trust_new, stop=self._stop),
            done,
            failed,
            on_progress,
        )
        if self._importing:
            self._job = job

    def _report_text(self, report: ImportReport) -> str:
        stats = report.stats
        lines = [
            self.tr("已导入来自“{site}”的 {n} 条修改。").format(
                site=report.site_name, n=f"{stats.applied:,}"
            )
        ]
        for label, counts in (
            (self.tr("新增"), stats.new),
            (self.tr("修改"), stats.updated),
            (self.tr("删除"), stats.deleted),
        ):
            if counts:
                lines.append(f"{label}：{sync_jobs.counts_text(counts)}")
        if stats.skipped:
            lines.append(self.tr("本机已有而跳过 {n} 条。").format(n=f"{stats.skipped:,}"))
        if self.review_records:
            lines.append(
                self.tr(
                    "<b style='color:{red}'>现在有 {n} 项需要核对</b>，请点“现在去核对…”。"
                ).format(n=self.review_records, red=ERROR_COLOUR)
            )
        if stats.clock_warning:
            lines.append(
                self.tr("<span style='color:{red}'>注意：{warning}。</span>").format(
                    warning=stats.clock_warning.rstrip("。"), red=ERROR_COLOUR
                )
            )
        lines.append(
            self.tr("<span style='color:{grey}'>导入前已自动备份了本机数据。</span>").format(
                grey=HINT_COLOUR
            )
        )
        return "<br><br>".join(lines)

    def cancel_import(self) -> None:
        self._stop.set()
        if self._job is not None:
            self._job.cancel()

    def _end_import(self) -> None:
        self._importing = False
        self._job = None
        progress, self._progress = self._progress, None
        close_progress(progress, self.cancel_import)
        if alive(self):
            self.pages.setEnabled(True)
            self._update_buttons()

    def open_review(self) -> None:
        from xmen_desktop.ui.review_dialog import open_review_dialog

        parent = self.parentWidget()
        self.accept()
        if parent is not None:
            open_review_dialog(parent, self.context)

    # ------------------------------------------------------------------ pages and buttons

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        titles = {
            self.PAGE_FILE: self.tr("导入同步包"),
            self.PAGE_TRUST: self.tr("核对对方电脑的密钥指纹"),
            self.PAGE_PREVIEW: self.tr("导入前请看一下会有哪些改动"),
            self.PAGE_DONE: self.tr("导入完成"),
            self.PAGE_ALREADY: self.tr("这个同步包已经导入过了"),
        }
        self.page_title.setText(titles[page])
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        busy = self._busy or self._importing
        finished = page in (self.PAGE_DONE, self.PAGE_ALREADY)
        self.cancel_button.setText(
            self.tr("不一致，不导入") if page == self.PAGE_TRUST else self.tr("取消")
        )
        self.cancel_button.setVisible(not finished)
        self.cancel_button.setEnabled(not self._importing)
        self.next_button.setVisible(page == self.PAGE_FILE)
        self.next_button.setEnabled(self.can_read())
        self.trust_button.setVisible(page == self.PAGE_TRUST)
        self.trust_button.setEnabled(not busy)
        self.import_button.setVisible(page == self.PAGE_PREVIEW)
        self.import_button.setEnabled(not busy)
        self.close_button.setVisible(finished)
        self.review_button.setVisible(page == self.PAGE_DONE and self.review_records > 0)
        self.choose_button.setEnabled(not busy)
        for button in (self.next_button, self.trust_button, self.import_button, self.close_button):
            button.setDefault(button.isVisible())
        # The trust question must be answered by a click, never by a stray Enter.
        if page == self.PAGE_TRUST:
            self.trust_button.setDefault(False)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _set_busy(self, busy: bool) -> None:
        if busy and not self._busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        elif self._busy and not busy:
            QApplication.restoreOverrideCursor()
        self._busy = busy
        self.passphrase.setEnabled(not busy)
        self._update_buttons()

    def _stale(self, request: int) -> bool:
        return self._closed or request != self._request or not alive(self)

    def done(self, result: int) -> None:
        if self._importing:
            return  # the progress dialog's 取消 stops an import; closing must not hide it
        if self._busy:
            self._busy = False
            QApplication.restoreOverrideCursor()
        self._closed = True
        super().done(result)


def open_import_dialog(
    parent: QWidget, context: AppContext, path: str | None = None
) -> SyncImportDialog:
    """Show the import dialog; with ``path`` (a double-clicked .xmb) that file is read at once."""
    dialog = SyncImportDialog(context, parent, Path(path) if path else None)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# =============================================================================================
# The passphrase of this PC


class PassphraseDialog(QDialog):
    """设置同步口令: typed twice; this PC keeps only a check value, never the passphrase."""

    def __init__(
        self,
        context: AppContext,
        already_set: bool,
        parent: QWidget | None = None,
        on_saved: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.already_set = already_set
        self._on_saved = on_saved
        self._saving = False
        self.setWindowTitle(self.tr("设置同步口令"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("设置同步口令"), scale=1.3))
        text = self.tr(
            "同步包用这个口令加密。街道各站点要用同一个口令，请向街道问清楚后再填写；"
            "至少 {n} 个字符，区分大小写。本机只保存校验值，不保存口令本身。"
        ).format(n=sync_jobs.MIN_PASSPHRASE)
        if already_set:
            text += self.tr(
                "\n\n本机已经设置过同步口令。改成新口令后，导出时就要输入新口令；"
                "其他电脑也要用同一个新口令，才能打开本机导出的同步包。"
            )
        layout.addWidget(hint(text))
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.addWidget(QLabel(self.tr("新口令：")), 0, 0)
        self.passphrase = PassphraseField()
        grid.addWidget(self.passphrase, 0, 1)
        grid.addWidget(QLabel(self.tr("再输入一次：")), 1, 0)
        self.again = PassphraseField()
        grid.addWidget(self.again, 1, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.save_button = big_button(self.tr("保存"))
        self.save_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 6)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def save(self) -> None:
        if self._saving:
            return
        text = self.passphrase.text()
        if len(text) < sync_jobs.MIN_PASSPHRASE:
            show_message(
                self.error,
                self.tr("口令至少要 {n} 个字符。").format(n=sync_jobs.MIN_PASSPHRASE),
            )
            self.passphrase.setFocus()
            return
        if self.again.text() != text:
            show_message(self.error, self.tr("两次输入的口令不一样，请重新输入。"))
            self.again.setFocus()
            return
        self._saving = True

        def done(_: object) -> None:
            self._saving = False
            emit(self.context.changed, frozenset({sync_jobs.SYNC_STATUS}))
            if self._on_saved is not None:
                self._on_saved()
            if alive(self):
                self.accept()

        def failed(error: BaseException) -> None:
            self._saving = False
            if alive(self):
                show_message(self.error, error_message(error))

        sync_jobs.run_on_store(self.context, sync_jobs.set_passphrase(text), done, failed)
