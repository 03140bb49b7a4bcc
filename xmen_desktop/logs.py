"""Logging for the app: a rotating log file, Qt's own messages, and a hook for uncaught errors.

No Qt import at module level: the CLI uses this too, and it must not pay for (or need) Qt.
The GUI registers a crash reporter (``ui/crash_dialog.py``) that shows the report to the user;
without one (the CLI) an uncaught error is only logged and printed.
"""

from __future__ import annotations

import datetime
import logging
import logging.handlers
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from xmen_desktop import __version__
from xmen_desktop.store import paths

LOG_FILE_NAME = "xmen-desktop.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)

_log_file: Path | None = None
_handlers: list[logging.Handler] = []
_reporter: Callable[[str], None] | None = None
_reporting = threading.local()


def setup_logging(folder: Path | None = None, *, level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in ``folder`` (default: the portable-aware log dir).

    Returns the log file, or None when the folder cannot be written (then stderr only).
    Calling it again replaces the handlers it added before and leaves others alone.
    """
    global _log_file
    remove_logging()
    folder = folder if folder is not None else paths.log_dir()
    handlers: list[logging.Handler] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handlers.append(file_handler)
        _log_file = folder / LOG_FILE_NAME
    except OSError:
        _log_file = None
    # A windowed app on Windows has no stderr at all (sys.stderr is None).
    stderr = sys.stderr
    if stderr is not None and (_log_file is None or _isatty(stderr)):
        console = logging.StreamHandler(stderr)
        # From a terminal, only what a developer should notice; the file gets everything.
        console.setLevel(logging.INFO if _log_file is None else logging.WARNING)
        handlers.append(console)
    formatter = logging.Formatter(LOG_FORMAT)
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
        _handlers.append(handler)
    root.setLevel(level)
    # Alembic announces each of its plugins at every start: noise in a log staff may send us.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return _log_file


def remove_logging() -> None:
    """Take away (and close) the handlers :func:`setup_logging` added."""
    global _log_file
    root = logging.getLogger()
    while _handlers:
        handler = _handlers.pop()
        root.removeHandler(handler)
        handler.close()
    _log_file = None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def log_file() -> Path | None:
    """The file :func:`setup_logging` writes to, if any."""
    return _log_file


# ---------------------------------------------------------------------------- crash reports


def crash_report(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
    *,
    thread: str | None = None,
) -> str:
    """The text a user copies to the maintainer: versions, time, where, and the traceback."""
    lines = [
        f"自治家园工作台 xmen-desktop {__version__}",
        f"时间：{datetime.datetime.now().isoformat(sep=' ', timespec='seconds')}",
        f"系统：{platform.platform()}；Python {platform.python_version()}"
        + ("；安装版" if getattr(sys, "frozen", False) else ""),
    ]
    try:
        # Only when Qt is already loaded: never import it for a report.
        qtcore = sys.modules.get("PySide6.QtCore")
        if qtcore is not None:
            lines.append(f"Qt：{qtcore.qVersion()}")
    except Exception:  # a report must never fail because of its header
        pass
    if thread:
        lines.append(f"线程：{thread}")
    lines.append("")
    lines.extend(line.rstrip("\n") for line in traceback.format_exception(exc_type, exc, tb))
    return "\n".join(lines)


def set_crash_reporter(reporter: Callable[[str], None] | None) -> None:
    """Who shows a crash report to the user (the GUI's dialog); None: log only."""
    global _reporter
    _reporter = reporter


def handle_exception(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
    *,
    thread: str | None = None,
) -> None:
    """Log an uncaught exception and hand its report to the reporter; never raises."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc or exc_type(), tb)
        return
    # An error inside the reporter itself would come back here: report it once, not forever.
    if getattr(_reporting, "active", False):
        log.critical("error while reporting an error", exc_info=(exc_type, exc, tb))
        return
    _reporting.active = True
    try:
        report = crash_report(exc_type, exc, tb, thread=thread)
        log.critical("uncaught exception\n%s", report)
        if _reporter is None:
            if sys.stderr is not None:
                sys.stderr.write(report + "\n")
            return
        try:
            _reporter(report)
        except Exception:
            log.exception("the crash reporter failed")
    finally:
        _reporting.active = False


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    handle_exception(exc_type, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as the default hook: a thread may end itself this way
        return
    name = args.thread.name if args.thread is not None else None
    handle_exception(args.exc_type, args.exc_value, args.exc_traceback, thread=name)


def install_excepthooks() -> None:
    """Route uncaught exceptions, on any thread, through :func:`handle_exception`.

    PySide6 hands an exception raised in a slot or an event handler to ``sys.excepthook`` and
    carries on, so with this hook such an error is logged and reported and the app keeps going.
    """
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook


# ---------------------------------------------------------------------------- Qt messages

# QtMsgType values: debug 0, warning 1, critical 2, fatal 3, info 4.
_QT_LEVELS = {0: logging.DEBUG, 1: logging.WARNING, 2: logging.ERROR, 3: logging.CRITICAL}


def qt_message_handler(mode: Any, context: Any, message: str) -> None:
    """Qt's own messages (``qWarning`` and friends) into the log, under the ``qt`` logger."""
    try:
        level = _QT_LEVELS.get(int(getattr(mode, "value", mode)), logging.INFO)
    except (TypeError, ValueError):
        level = logging.WARNING
    category = getattr(context, "category", None)
    # Qt's categories already start with "qt." (qt.qpa.xcb); "default" is an uncategorised one.
    if not category or category == "default":
        name = "qt"
    else:
        name = category if category.startswith("qt.") else f"qt.{category}"
    where = ""
    file = getattr(context, "file", None)
    if file:
        where = f" ({file}:{getattr(context, 'line', 0)})"
    logging.getLogger(name).log(level, "%s%s", message, where)


def install_qt_message_handler() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(qt_message_handler)
