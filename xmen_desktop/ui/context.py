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

from PySide6.QtCore import QMetaMethod, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from xmen_desktop.domain.access import NOBODY, SYSTEM, Actor
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.worker import Cancelled, Job, Worker

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.database import Store

log = logging.getLogger(__name__)


class AppContext(QObject):
    store_ready = Signal()
    store_failed = Signal(str)
    # The database file is damaged (store.errors.DatabaseDamaged): the way out is a restore
    # (ui.backup_page.offer_restore). Sent instead of store_failed when someone listens.
    store_damaged = Signal(str)
    # frozenset of table names that a write touched
    changed = Signal(object)
    # The Actor the sessions now work for (signed in, locked, switched).
    actor_changed = Signal(object)
    # An administrator saved a new idle-lock time (minutes).
    idle_minutes_changed = Signal(int)

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        synchronous: bool = False,
        ask_for_admin: bool = False,
    ) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.worker = Worker(synchronous=synchronous)
        self.store: Store | None = None
        # A new PC asks for its first administrator (the app does; tests mostly do not).
        self.ask_for_admin = ask_for_admin
        # The UI thread's copy of ``store.actor``, updated when a sign-in job answers.
        self.actor: Actor = SYSTEM
        # Locked: jobs still in flight that find nobody signed in are dropped quietly
        # (their screens reload after the sign-in) instead of popping up messages.
        self.locked = False
        self._missed_while_locked = False

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
            # Nobody is signed in once operators exist; nothing loads until someone does.
            store.require_sign_in()
            return store

        def done(store: Store) -> None:
            self.store = store
            self.actor = store.actor
            emit(self.store_ready)

        def failed(error: BaseException) -> None:
            log.error("could not open the store: %s", error)
            from xmen_desktop.store.errors import DatabaseDamaged

            if isinstance(error, DatabaseDamaged) and self.isSignalConnected(
                QMetaMethod.fromSignal(self.store_damaged)
            ):
                emit(self.store_damaged, error_message(error))
                return
            emit(self.store_failed, error_message(error))

        self.worker.submit(work, done, failed)

    def close(self) -> None:
        def work(job: Job) -> None:
            if self.store is not None:
                self.store.close()

        self.worker.submit(work)
        self.worker.wait(5000)

    # ------------------------------------------------------------------ who is signed in

    @property
    def sign_in_needed(self) -> bool:
        """Operators exist and nobody is signed in (at start, or locked)."""
        return not self.actor.signed_in

    def sign_in(
        self,
        username: str,
        secret: str,
        on_done: Callable[[Actor], None],
        on_error: Callable[[BaseException], None],
    ) -> Job:
        """Check the credentials on the worker (Argon2 takes ~50 ms); audited either way."""

        def work(job: Job) -> Actor:
            assert self.store is not None, "sign-in before the store is open"
            return self.store.sign_in(username, secret)

        def done(person: Actor) -> None:
            self.actor = person
            self.locked = False
            missed, self._missed_while_locked = self._missed_while_locked, False
            emit(self.actor_changed, person)
            on_done(person)  # first: someone else's screens are replaced before any reload
            if missed:
                self._refresh_everything()

        return self.worker.submit(work, done, on_error)

    def lock(self, reason: str = "") -> None:
        """Nobody may read or change anything until someone signs in again (audited)."""
        self.locked = True

        def work(job: Job) -> None:
            if self.store is not None:
                self.store.sign_out(reason)

        def done(_: None) -> None:
            self.actor = NOBODY
            emit(self.actor_changed, NOBODY)

        self.worker.submit(work, done, self._log_error)

    def _refresh_everything(self) -> None:
        # Screens whose reload was refused while locked read again: as if every table changed.
        from xmen_desktop.store.models import TABLE_BY_NAME

        emit(self.changed, frozenset(TABLE_BY_NAME))

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

        return self.worker.submit(work, on_done, self._on_error(on_error), on_progress)

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

        return self.worker.submit(work, done, self._on_error(on_error), on_progress)

    def _on_error(
        self, on_error: Callable[[BaseException], None] | None
    ) -> Callable[[BaseException], None]:
        def handle(error: BaseException) -> None:
            from xmen_desktop.store.errors import AccessDenied, SignInRequired

            if isinstance(error, SignInRequired) and self.locked:
                log.info("a job found nobody signed in (locked): %s", error)
                self._missed_while_locked = True
                return
            if on_error is not None:
                on_error(error)
            elif isinstance(error, AccessDenied | SignInRequired):
                # Nobody asked to hear about this job's failure, but a refusal must be seen.
                show_error(QApplication.activeWindow(), error, "没有权限")
            else:
                self._log_error(error)

        return handle

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
