"""Opening the store: recognise the file, back it up, migrate, and hand out sessions."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from xmen_desktop.domain.access import NOBODY, SYSTEM, Actor
from xmen_desktop.domain.ids import new_id
from xmen_desktop.store import erasure, migrate, paths  # noqa: F401 (erasure installs a write guard)
from xmen_desktop.store.backup import backup_database
from xmen_desktop.store.changelog import LoggedSession, install_guard
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import LocalIdentity, Site

log = logging.getLogger(__name__)


def _make_engine(path: Path, *, readonly: bool) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 15},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed change survives a power cut, which matters more here than speed.
        cursor.execute("PRAGMA synchronous = FULL")
        if readonly:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front: no deadlock when two processes upgrade at once.
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    if not readonly:
        install_guard(engine)
    return engine


class Store:
    """The model of the program: one SQLite file, read and write sessions, this site's identity."""

    def __init__(self, directory: Path, engine: Engine, read_engine: Engine) -> None:
        self.directory = directory
        self.path = paths.database_path(directory)
        self.engine = engine
        self.read_engine = read_engine
        # Who the sessions work for: the PC itself until a person signs in (store.operators).
        self.actor: Actor = SYSTEM
        self.site_id = self.site_name = ""
        with self.read() as session:
            identity = session.get(LocalIdentity, 1)
            assert identity is not None
            self.site_id = identity.site_id
            self.site_name = identity.site_name

    @classmethod
    def open(cls, directory: Path | str | None = None, *, site_name: str | None = None) -> Store:
        """Open (creating if needed) the store in ``directory``.

        A file that is not ours or comes from a newer version raises before anything is written;
        so does a damaged file (``DatabaseDamaged``: the way out is a restore from a backup).
        The first open of each day checks the whole file (PRAGMA integrity_check) and takes the
        daily backup; later opens run the cheaper quick_check (see docs/PERFORMANCE.md).
        """
        from xmen_desktop.store import backup
        from xmen_desktop.store.errors import DatabaseDamaged, DatabaseNotOurs

        directory = paths.data_dir(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"无法创建数据文件夹 {directory}：{error.strerror}") from error
        path = paths.database_path(directory)
        try:
            state = migrate.inspect_file(path)
        except DatabaseNotOurs as error:
            # Our own file name with our backups beside it: far likelier our file damaged
            # than someone else's put there, and a restore is the way out either way.
            if not backup.list_backups(paths.backups_dir(directory)):
                raise
            # The SQLite error when the file could not be read; else its header is not ours.
            detail = str(error.__cause__ or "文件开头已经不是本软件的数据库格式")
            raise DatabaseDamaged(backup.damaged_message(directory, detail)) from error
        daily = state.exists and backup.daily_backup_due(directory)
        if state.exists:
            backup.check_database(directory, full=daily)
        if state.exists and state.needs_migration:
            copy = backup_database(
                path, paths.backups_dir(directory), f"before-migration-{state.revision}"
            )
            log.info("backed up %s to %s before migrating", path, copy)
        elif daily:
            backup.take_daily_backup(directory)
        engine = _make_engine(path, readonly=False)
        if state.needs_migration:
            migrate.upgrade(engine)
        _ensure_identity(engine, site_name)
        from xmen_desktop.store.identity import ensure_site

        ensure_site(engine, path, site_name)
        return cls(directory, engine, _make_engine(path, readonly=True))

    def sign_in(self, username: str, secret: str) -> Actor:
        """Check the credentials (audited); from now on sessions work for this person."""
        from xmen_desktop.store.operators import check_credentials

        self.actor = check_credentials(self.write, username, secret)
        return self.actor

    def sign_out(self, reason: str = "") -> None:
        from xmen_desktop.store.operators import record_sign_out

        record_sign_out(self.write, self.actor, reason)
        self.actor = NOBODY

    def require_sign_in(self) -> bool:
        """Nobody is signed in yet; True when operators exist (someone must sign in)."""
        from xmen_desktop.store.operators import has_operators

        with self.read(actor=SYSTEM) as session:
            needed = has_operators(session)
        self.actor = NOBODY if needed else SYSTEM
        return needed

    @property
    def operator(self) -> str:
        """The name written into "done by" fields: the person's, or this PC's before sign-in."""
        return self.site_name if self.actor is SYSTEM else self.actor.display_name

    def _info(self, actor: Actor | None) -> dict[str, Any]:
        actor = actor or self.actor
        name = self.site_name if actor is SYSTEM else actor.display_name
        return {"site_id": self.site_id, "actor": actor, "operator": name}

    @contextlib.contextmanager
    def write(self, *, actor: Actor | None = None) -> Iterator[Session]:
        """A session whose changes are logged and committed together, or not at all.

        ``actor`` overrides the signed-in person, for the PC's own bookkeeping (SYSTEM).
        """
        session = LoggedSession(self.engine, info=self._info(actor), expire_on_commit=False)
        try:
            with session.begin():
                yield session
                wrote = bool(session.info.get("changed_tables"))
        finally:
            session.close()
        if wrote:
            self.refresh_marker()

    def refresh_marker(self) -> None:
        """Note the highest counter written, outside the database (see store.identity)."""
        from xmen_desktop.store.identity import write_marker

        with self.engine.connect() as connection:
            counter = connection.execute(
                text("SELECT counter FROM site_counter WHERE site_id = :s"), {"s": self.site_id}
            ).scalar_one()
        write_marker(self.path, self.site_id, counter)

    @contextlib.contextmanager
    def read(self, *, actor: Actor | None = None) -> Iterator[Session]:
        info = {**self._info(actor), "readonly": True}
        session = LoggedSession(self.read_engine, info=info, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        finally:
            session.close()
        events = session.info.get("audit_later")
        if events:  # exports and prints a read made: noted once it succeeded
            from xmen_desktop.store import audit

            with self.write(actor=info["actor"]) as writer:
                for kind, detail, estate_id, username in events:
                    audit.record(writer, kind, detail, estate_id=estate_id, username=username)

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def _ensure_identity(engine: Engine, site_name: str | None) -> None:
    with engine.begin() as connection:
        exists = connection.execute(text("SELECT 1 FROM local_identity")).first()
        if exists:
            return
        site_id = new_id()
        connection.execute(
            text(
                "INSERT INTO local_identity (id, site_id, site_name, last_hlc, created_at) "
                "VALUES (1, :site, :name, 0, :created)"
            ),
            {
                "site": site_id,
                "name": site_name or socket.gethostname() or "本机",
                "created": LocalIdentity().created_at,
            },
        )
        connection.execute(
            text("INSERT INTO site_counter (site_id, counter) VALUES (:site, 0)"),
            {"site": site_id},
        )
    # The site row itself is shared data, so it goes through the logging session.
    session = LoggedSession(engine, info={"site_id": site_id})
    with session, session.begin():
        name = session.execute(text("SELECT site_name FROM local_identity")).scalar_one()
        session.add(Site(id=site_id, name=name))
