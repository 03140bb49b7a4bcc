"""One serial background worker for all database work (one writer, like SQLite itself).

Screens submit a function; it runs off the UI thread and its result (or error) comes back
to the UI thread through a queued signal, so no widget is ever touched from the worker.
Tests use ``synchronous=True``: jobs then run at once in the caller's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from xmen_desktop.ui.signals import emit

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job when the user pressed 取消."""


class Job:
    """What a running job sees: progress reporting and the cancel flag."""

    def __init__(self, relay: _Relay, on_progress: Callable[[int, int], None] | None) -> None:
        self._relay = relay
        self._on_progress = on_progress
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Call between steps of long work: stops it (rolling back) when cancelled."""
        if self._cancelled.is_set():
            raise Cancelled

    def progress(self, done: int, total: int) -> None:
        if self._on_progress is not None:
            emit(self._relay.call, self._on_progress, (done, total))


class _Relay(QObject):
    # (callback, args): emitted from the worker thread, delivered on the UI thread.
    call = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._deliver)

    def _deliver(self, callback: Callable[..., None], args: tuple[Any, ...]) -> None:
        callback(*args)


class _Runnable(QRunnable):
    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self._body = body
        self.setAutoDelete(True)

    def run(self) -> None:
        self._body()


class Worker:
    def __init__(self, *, synchronous: bool = False) -> None:
        self.synchronous = synchronous
        self._relay = _Relay()
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # keep the thread: SQLite connections live on it

    def submit(
        self,
        fn: Callable[[Job], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Job:
        job = Job(self._relay, on_progress)

        def body() -> None:
            try:
                result = fn(job)
            except BaseException as error:  # delivered to the UI thread, never lost
                if not isinstance(error, Cancelled | Exception):
                    raise
                if on_error is None:
                    log.exception("background job failed")
                else:
                    self._post(on_error, error)
                return
            if on_done is not None:
                self._post(on_done, result)

        if self.synchronous:
            body()
        else:
            self._pool.start(_Runnable(body))
        return job

    def _post(self, callback: Callable[[Any], None], value: Any) -> None:
        if self.synchronous:
            callback(value)
        else:
            emit(self._relay.call, callback, (value,))

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)
