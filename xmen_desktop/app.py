"""The ``xmen-desktop`` GUI entry point.

Start-up shows the window first and opens the database afterwards on the worker: importing
SQLAlchemy alone costs ~300 ms, which must not delay the first window.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from xmen_desktop import __version__

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from xmen_desktop.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)

# Sizes of the window icon made by packaging/make_icons.py from resources/icons/xmen-desktop.svg.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

_IMPORTED_AT = time.monotonic()


def _ms_since_process_start() -> int:
    """Milliseconds since the OS started this process (Linux), else since this module loaded."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return round((uptime - started_ticks / ticks) * 1000)
    except (OSError, ValueError, IndexError):
        return round((time.monotonic() - _IMPORTED_AT) * 1000)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="xmen-desktop", description="老西门街道自治家园工作台")
    # A double-clicked .xmb arrives here: the app opens its import dialog.
    parser.add_argument("bundle", nargs="?", help="要导入的同步包（.xmb 文件）")
    parser.add_argument("--data-dir", help="数据文件夹")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        nargs="?",
        const=600,
        type=int,
        metavar="N",
        help="数据库为空时填入演示数据（默认 600 户）",
    )
    parser.add_argument(
        "--quit-after-show",
        action="store_true",
        help="窗口显示、数据载入后退出，并打印启动用时（毫秒）",
    )
    return parser.parse_args(argv)


def app_icon() -> QIcon:
    """The window icon, from the PNG sizes (no SVG plugin needed, frozen or not)."""
    from PySide6.QtGui import QIcon

    from xmen_desktop.resources import resource

    icon = QIcon()
    for size in ICON_SIZES:
        path = resource("icons", f"xmen-desktop-{size}.png")
        if path.exists():
            icon.addFile(str(path))
    return icon


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    from xmen_desktop import logs
    from xmen_desktop.store import paths

    logs.setup_logging()
    logs.install_excepthooks()
    log.info("xmen-desktop %s starting", __version__)
    logs.install_qt_message_handler()
    from PySide6.QtWidgets import QApplication, QMessageBox

    from xmen_desktop.ui.fonts import install_app_font
    from xmen_desktop.ui.language import install_chinese
    from xmen_desktop.ui.single_instance import Outcome, SingleInstance, instance_key

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("xmen-desktop")
    app.setApplicationDisplayName("自治家园工作台")
    app.setApplicationVersion(__version__)
    # Lets Linux desktops match the window to packaging/linux/xmen-desktop.desktop.
    app.setDesktopFileName("xmen-desktop")
    app.setWindowIcon(app_icon())
    install_app_font(app)
    install_chinese(app)  # the message box below has standard buttons too

    data_dir = paths.data_dir(args.data_dir)
    # Relative to where the second copy was started, which the running copy does not know.
    bundle = os.path.abspath(args.bundle) if args.bundle else None
    instance = SingleInstance(instance_key(data_dir))
    outcome = instance.claim(bundle)
    if outcome is Outcome.HANDED_OVER:
        log.info("handed over to the running copy")
        return 0
    if outcome is Outcome.NOT_RESPONDING:
        QMessageBox.warning(
            None,
            "自治家园工作台",
            "自治家园工作台已经打开了，但暂时没有响应。\n"
            "请稍等一会儿再试；如果一直这样，请关闭已经打开的程序后重新打开。",
        )
        return 1
    try:
        return _run(app, args, data_dir, bundle, instance)
    finally:
        instance.close()


def _run(
    app: QApplication,
    args: argparse.Namespace,
    data_dir: Path,
    bundle: str | None,
    instance: SingleInstance,
) -> int:
    from PySide6.QtCore import QTimer

    from xmen_desktop import logs
    from xmen_desktop.ui.crash_dialog import install_crash_reporter, show_fatal
    from xmen_desktop.ui.single_instance import hand_over_to

    try:
        from xmen_desktop.ui.context import AppContext
        from xmen_desktop.ui.main_window import MainWindow

        install_crash_reporter(app)
        # A timing run must not wait for someone to create the administrator.
        context = AppContext(data_dir, ask_for_admin=not args.quit_after_show)
        window = MainWindow(context)
        hand_over_to(instance, window)
        window.show()
    except Exception:
        # Before the event loop a queued crash dialog would never appear: show it and wait.
        report = logs.crash_report(*sys.exc_info())  # type: ignore[arg-type]
        log.critical("start-up failed\n%s", report)
        if args.quit_after_show:  # a check run by a script: nobody to close a dialog
            print(report, file=sys.stderr, flush=True)
        else:
            show_fatal(report)
        return 1
    shown_ms = _ms_since_process_start()
    exit_code = 0
    if args.quit_after_show:

        def report_and_quit() -> None:
            print(f"数据载入完成：{_ms_since_process_start()} ms", flush=True)
            print(shown_ms, flush=True)
            app.quit()

        def failed(message: str) -> None:
            nonlocal exit_code
            print(f"错误：{message}", file=sys.stderr, flush=True)
            exit_code = 1
            app.quit()

        window.data_loaded.connect(lambda: QTimer.singleShot(0, report_and_quit))
        # Once operators exist nothing loads before a sign-in: the screen asking is the end.
        window.sign_in_shown.connect(lambda: QTimer.singleShot(0, report_and_quit))
        context.store_failed.connect(failed)
    context.open_store(demo_households=args.demo)
    if bundle:
        window.import_bundle(bundle)  # waits until the data is open
    code = app.exec()
    context.close()
    return exit_code or code


if __name__ == "__main__":
    sys.exit(main())
