"""Uncaught errors: logged, shown in a non-modal dialog with a copyable report, app goes on."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMessageLogContext, QObject, QtMsgType, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from xmen_desktop import logs
from xmen_desktop.ui import crash_dialog
from xmen_desktop.ui.crash_dialog import CrashDialog, CrashReporter
from xmen_desktop.ui.signals import emit


class Sender(QObject):
    clicked = Signal()


@pytest.fixture
def shown(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[CrashDialog]]:
    """Our hooks installed (restored afterwards); dialogs collected instead of shown."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logs.install_excepthooks()
    dialogs: list[CrashDialog] = []
    reporter = CrashReporter(show=dialogs.append)
    logs.set_crash_reporter(reporter.report)
    yield dialogs
    logs.set_crash_reporter(None)
    for dialog in dialogs:
        dialog.deleteLater()


def _broken_slot() -> None:
    raise ValueError("名册坏了")


# pytest-qt would itself catch the error in the slot and fail the test; here we want ours.
@pytest.mark.qt_no_exception_capture
def test_error_in_a_slot_is_logged_and_reported(
    qtbot: QtBot, shown: list[CrashDialog], caplog: pytest.LogCaptureFixture
) -> None:
    sender = Sender()
    sender.clicked.connect(_broken_slot)
    emit(sender.clicked)
    # The app goes on: we are still here, and the dialog comes from the event loop.
    assert shown == []
    qtbot.waitUntil(lambda: len(shown) == 1)
    report = shown[0].report()
    assert "ValueError: 名册坏了" in report
    assert "_broken_slot" in report
    assert "xmen-desktop" in report
    critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert critical and "名册坏了" in critical[0].getMessage()
    assert not shown[0].isModal()


@pytest.mark.qt_no_exception_capture
def test_error_on_another_thread_is_shown_on_the_ui_thread(
    qtbot: QtBot, shown: list[CrashDialog]
) -> None:
    def work() -> None:
        raise RuntimeError("线程里出错")

    thread = threading.Thread(target=work, name="导入线程")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    dialog = shown[0]
    assert dialog.thread() is QApplication.instance().thread()
    assert "RuntimeError: 线程里出错" in dialog.report()
    assert "导入线程" in dialog.report()


@pytest.mark.qt_no_exception_capture
def test_more_errors_while_the_dialog_is_open_go_into_it(qtbot: QtBot, qapp: QApplication) -> None:
    dialogs: list[CrashDialog] = []

    def show(dialog: CrashDialog) -> None:
        dialogs.append(dialog)
        qtbot.addWidget(dialog)
        dialog.show()  # non-modal, as in the app: the test goes on

    reporter = CrashReporter(show=show)
    reporter.report("第一个问题")
    qtbot.waitUntil(lambda: len(dialogs) == 1)
    reporter.report("第二个问题")
    qtbot.waitUntil(lambda: dialogs[0].reports == 2)
    assert len(dialogs) == 1
    assert "第一个问题" in dialogs[0].report() and "第二个问题" in dialogs[0].report()
    dialogs[0].close()
    reporter.report("关掉以后的问题")
    qtbot.waitUntil(lambda: len(dialogs) == 2)


def test_copy_button_puts_the_report_on_the_clipboard(qtbot: QtBot, tmp_path: object) -> None:
    dialog = CrashDialog("Traceback: 示例", None)
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "Traceback: 示例"
    assert "已复制" in dialog.copied_label.text()
    # No log file: the dialog says to copy the report, and the folder button is off.
    assert not dialog.folder_button.isEnabled()
    assert "复制" in dialog.log_label.text()


def test_dialog_names_the_log_file(qtbot: QtBot, tmp_path: os.PathLike[str]) -> None:
    from pathlib import Path

    log_file = Path(tmp_path) / "logs" / "xmen-desktop.log"
    dialog = CrashDialog("report", log_file)
    qtbot.addWidget(dialog)
    assert str(log_file) in dialog.log_label.text()
    assert dialog.folder_button.isEnabled()
    assert dialog.text.isReadOnly()


def test_fatal_start_up_error_waits_for_the_user(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[CrashDialog] = []
    monkeypatch.setattr(CrashDialog, "exec", lambda self: seen.append(self) or 0)
    crash_dialog.show_fatal("启动失败")
    assert len(seen) == 1
    assert seen[0].close_button.text() == "关闭"
    seen[0].deleteLater()


def test_without_a_reporter_an_error_is_logged_and_printed(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.set_crash_reporter(None)
    try:
        raise KeyError("没有界面")
    except KeyError:
        logs.handle_exception(*sys.exc_info())  # type: ignore[arg-type]
    assert "没有界面" in caplog.text
    assert "KeyError" in capsys.readouterr().err


def test_a_failing_reporter_does_not_loop(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_report: str) -> None:
        raise OSError("报告也坏了")

    logs.set_crash_reporter(broken)
    try:
        try:
            raise ValueError("原来的问题")
        except ValueError:
            logs.handle_exception(*sys.exc_info())  # type: ignore[arg-type]
    finally:
        logs.set_crash_reporter(None)
    assert "原来的问题" in caplog.text
    assert "the crash reporter failed" in caplog.text


def test_qt_messages_go_into_the_log(qapp: QApplication, caplog: pytest.LogCaptureFixture) -> None:
    logs.qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), "纸张大小不对")
    logs.qt_message_handler(QtMsgType.QtCriticalMsg, QMessageLogContext(), "打印机坏了")
    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert ("qt", logging.WARNING, "纸张大小不对") in records
    assert ("qt", logging.ERROR, "打印机坏了") in records


def test_cli_side_needs_no_qt_and_still_reports() -> None:
    """The hooks work without Qt: an error is logged and printed, no dialog, exit code 1."""
    script = (
        "import sys\n"
        "from xmen_desktop import logs\n"
        "logs.install_excepthooks()\n"
        "assert 'PySide6' not in sys.modules\n"
        "raise ValueError('命令行出错')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 1
    assert "ValueError: 命令行出错" in result.stderr
    assert "AssertionError" not in result.stderr
