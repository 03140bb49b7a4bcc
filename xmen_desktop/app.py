"""The ``xmen-desktop`` GUI entry point.

Start-up shows the window first and opens the database afterwards on the worker: importing
SQLAlchemy alone costs ~300 ms, which must not delay the first window.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Sequence

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


def _setup_logging() -> None:
    import platformdirs

    folder = platformdirs.user_log_dir("xmen-desktop", appauthor=False)
    try:
        os.makedirs(folder, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            os.path.join(folder, "xmen-desktop.log"),
            maxBytes=2_000_000,
            backupCount=5,
            encoding="utf-8",
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="xmen-desktop", description="老西门街道自治家园工作台")
    parser.add_argument("--data-dir", help="数据文件夹")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    _setup_logging()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from xmen_desktop.ui.context import AppContext
    from xmen_desktop.ui.fonts import install_app_font
    from xmen_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("xmen-desktop")
    app.setApplicationDisplayName("自治家园工作台")
    install_app_font(app)
    context = AppContext(args.data_dir)
    window = MainWindow(context)
    window.show()
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
        context.store_failed.connect(failed)
    context.open_store(demo_households=args.demo)
    code = app.exec()
    context.close()
    return exit_code or code


if __name__ == "__main__":
    sys.exit(main())
