"""The dialog shown when the program hits an error it did not expect (a bug).

It says in plain words that work can go on, and gives a report to copy and send to the
maintainer. It is never modal while the app runs: an error in a slot must not stop the app.
Errors on other threads reach it through a queued signal, so it is only built on the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop import logs
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import alive

log = logging.getLogger(__name__)

# More reports than this while one dialog is open (an error in a repaint repeats) are logged only.
MAX_REPORTS_PER_DIALOG = 10
SEPARATOR = "\n\n———— 又出现一个问题 ————\n\n"


class CrashDialog(QDialog):
    def __init__(
        self,
        report: str,
        log_file: Path | None,
        parent: QWidget | None = None,
        *,
        fatal: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("程序出了问题"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reports = 1
        # Wide enough that the explanation wraps into two even lines at the large app font.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 46)
        layout = QVBoxLayout(self)

        title = QLabel(self.tr("程序没能启动") if fatal else self.tr("程序遇到了一个意外的问题"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)

        explain = QLabel(
            self.tr(
                "请关闭这个窗口，再重新打开本程序。\n"
                "如果仍然打不开，请点「复制报告」，把报告粘贴到微信或邮件里发给维护人员。"
            )
            if fatal
            else self.tr(
                "您可以关闭这个窗口，继续使用本程序。刚才的操作可能没有完成，请检查一下结果。\n"
                "如果这个问题反复出现，请点「复制报告」，把报告粘贴到微信或邮件里发给维护人员。"
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)

        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMinimumHeight(self.fontMetrics().height() * 12)
        layout.addWidget(self.text, 1)

        where = (
            self.tr("报告也已保存在日志文件里：{path}").format(path=log_file)
            if log_file is not None
            else self.tr("日志文件无法写入，请务必复制这份报告。")
        )
        self.log_label = QLabel(where)
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.log_label)

        self.copied_label = QLabel()
        layout.addWidget(self.copied_label)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("复制报告"))
        self.copy_button.clicked.connect(self.copy_report)
        buttons.addWidget(self.copy_button)
        self.folder_button = QPushButton(self.tr("打开日志文件夹"))
        self.folder_button.setEnabled(log_file is not None)
        self._log_folder = log_file.parent if log_file is not None else None
        self.folder_button.clicked.connect(self.open_log_folder)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("关闭") if fatal else self.tr("关闭，继续使用"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def report(self) -> str:
        return self.text.toPlainText()

    def add_report(self, report: str) -> None:
        """A further error while this dialog is open: shown below the first, not a new dialog."""
        self.reports += 1
        self.text.appendPlainText(SEPARATOR + report)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report())
        self.copied_label.setText(self.tr("已复制。现在可以粘贴到微信或邮件里。"))

    def open_log_folder(self) -> None:
        if self._log_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_folder)))


def _show_non_modal(dialog: CrashDialog) -> None:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()


class CrashReporter(QObject):
    """Takes reports from any thread and shows them on the UI thread, one dialog at a time.

    ``show`` decides how a new dialog appears (tests pass one that does not show it).
    """

    # A report text; queued, so the dialog is built later on the UI thread, never inside the
    # failing code and never on a worker thread.
    reported = Signal(str)

    def __init__(
        self,
        show: Callable[[CrashDialog], None] = _show_non_modal,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._show = show
        self.dialog: CrashDialog | None = None
        self.reported.connect(self._on_report, Qt.ConnectionType.QueuedConnection)

    def report(self, text: str) -> None:
        """Callable from any thread (it is the ``logs`` crash reporter)."""
        if QApplication.instance() is None or not alive(self):
            return  # shutting down: the log has it
        emit(self.reported, text)

    def _on_report(self, text: str) -> None:
        if alive(self.dialog) and self.dialog is not None and self.dialog.isVisible():
            if self.dialog.reports < MAX_REPORTS_PER_DIALOG:
                self.dialog.add_report(text)
            return
        self.dialog = CrashDialog(text, logs.log_file())
        self._show(self.dialog)


def install_crash_reporter(app: QApplication) -> CrashReporter:
    """Show uncaught errors in a dialog from now on; the reporter lives as long as ``app``."""
    reporter = CrashReporter(parent=app)
    logs.set_crash_reporter(reporter.report)
    return reporter


def show_fatal(report: str) -> None:
    """An error before the event loop runs (start-up): show it and wait, the app then ends."""
    dialog = CrashDialog(report, logs.log_file(), fatal=True)
    dialog.exec()
