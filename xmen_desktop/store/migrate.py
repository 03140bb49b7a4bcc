"""Recognise the database file before touching it, back it up, then run Alembic migrations."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from xmen_desktop.store.changelog import sanctioned_writes
from xmen_desktop.store.errors import DatabaseNotOurs, DatabaseTooNew

# PRAGMA application_id of our files: "XMEN".
APPLICATION_ID = 0x584D454E
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


@dataclass(frozen=True)
class FileState:
    exists: bool
    revision: str | None

    @property
    def needs_migration(self) -> bool:
        return self.revision != head_revision()


def inspect_file(path: Path) -> FileState:
    """Say what the file is without writing to it; refuse files that are not ours or too new."""
    if not path.exists() or path.stat().st_size == 0:
        return FileState(exists=False, revision=None)
    with path.open("rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    not_ours = DatabaseNotOurs(
        f"数据文件 {path} 不是本软件的数据库，未做任何改动。"
        "请换一个数据文件夹（--data-dir），或把这个文件移走后再打开。"
    )
    if magic != SQLITE_MAGIC:
        raise not_ours
    try:
        # immutable=1 reads without creating -wal/-shm files beside a file we may refuse; a
        # left-over -wal (after a crash) holds committed pages, so then a plain read-only open.
        has_wal = path.with_name(path.name + "-wal").exists()
        mode = "mode=ro" if has_wal else "immutable=1"
        connection = sqlite3.connect(f"{path.as_uri()}?{mode}", uri=True)
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseNotOurs(
            f"数据文件 {path} 无法读取（{error}），未做任何改动。请从备份恢复，或换一个数据文件夹。"
        ) from error
    if application_id != APPLICATION_ID:
        if tables:
            raise not_ours
        return FileState(exists=False, revision=None)
    if revision is None:
        return FileState(exists=True, revision=None)
    try:
        known = ScriptDirectory.from_config(_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise DatabaseTooNew(
            f"数据文件来自更新版本的软件（数据版本 {revision}），本软件无法打开，文件未做任何改动。"
            "请先把本软件升级到最新版本。"
        )
    return FileState(exists=True, revision=revision)


def upgrade(engine: Engine) -> None:
    config = _config()
    with sanctioned_writes(), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
