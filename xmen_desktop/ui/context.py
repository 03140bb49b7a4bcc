"""What every screen shares: the worker, the open store, and the app-wide "data changed" signal.

Screens never touch the database: they hand a function of a session to ``read``/``write``;
it runs on the worker and the result comes back on the UI thread. After a write, ``changed``
carries the names of the tables touched so each screen refreshes only what it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.worker import Cancelled, Job, Worker

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.database import Store

log = logging.getLogger(__name__)


class AppContext(QObject):
    store_ready = Signal()
    store_failed = Signal(str)
    # frozenset of table names that a write touched
    changed = Signal(object)

    def __init__(self, data_dir: str | Path | None = None, *, synchronous: bool = False) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.worker = Worker(synchronous=synchronous)
        self.store: Store | None = None

    # ------------------------------------------------------------------ opening

    def open_store(self, *, demo_households: int | None = None) -> None:
        """Open (and migrate) the store on the worker; optionally fill demo data if empty."""

        def work(job: Job) -> Store:
            from xmen_desktop.store.database import Store
            from xmen_desktop.store.demo import fill_demo, has_households

            store = Store.open(self.data_dir)
            if demo_households:
                with store.write() as session:
                    if not has_households(session):
                        fill_demo(session, demo_households)
            return store

        def done(store: Store) -> None:
            self.store = store
            emit(self.store_ready)

        def failed(error: BaseException) -> None:
            log.error("could not open the store: %s", error)
            emit(self.store_failed, error_message(error))

        self.worker.submit(work, done, failed)

    def close(self) -> None:
        def work(job: Job) -> None:
            if self.store is not None:
                self.store.close()

        self.worker.submit(work)
        self.worker.wait(5000)

    # ------------------------------------------------------------------ jobs

    def read(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        with_job: bool = False,
    ) -> Job:
        """Run ``fn(session)`` (or ``fn(session, job)`` with ``with_job``) in a read session."""

        def work(job: Job) -> Any:
            assert self.store is not None, "read before the store is open"
            with self.store.read() as session:
                return fn(session, job) if with_job else fn(session)

        return self.worker.submit(work, on_done, on_error or self._log_error, on_progress)

    def write(
        self,
        fn: Callable[[Session], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        tables: Iterable[str] = (),
        on_progress: Callable[[int, int], None] | None = None,
        with_job: bool = False,
    ) -> Job:
        """Run ``fn(session)`` (or ``fn(session, job)`` with ``with_job``) in one transaction."""
        touched = frozenset(tables)

        def work(job: Job) -> Any:
            assert self.store is not None, "write before the store is open"
            with self.store.write() as session:
                result = fn(session, job) if with_job else fn(session)
                touched_now = touched | frozenset(session.info.get("changed_tables", ()))
            return result, touched_now

        def done(value: tuple[Any, frozenset[str]]) -> None:
            result, touched_now = value
            if touched_now:
                emit(self.changed, touched_now)
            if on_done is not None:
                on_done(result)

        return self.worker.submit(work, done, on_error or self._log_error, on_progress)

    def _log_error(self, error: BaseException) -> None:
        log.error("background job failed: %s", error, exc_info=error)


def error_message(error: BaseException) -> str:
    """What to tell the user: our own messages as they are, anything else as a plain notice."""
    from xmen_desktop.store.errors import StoreError

    if isinstance(error, Cancelled):
        return "已取消，没有做任何改动。"
    if isinstance(error, StoreError):
        return error.message
    return f"操作没有完成（{type(error).__name__}: {error}）。数据没有改动，请重试或告诉维护人员。"


def show_error(parent: QWidget | None, error: BaseException, title: str = "无法完成") -> None:
    QMessageBox.warning(parent, title, error_message(error))
