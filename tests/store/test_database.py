from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import migrate, paths
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import DatabaseNotOurs, DatabaseTooNew
from xmen_desktop.store.roster import list_estates


def test_a_new_database_has_the_six_estates_wal_and_foreign_keys(store: Store) -> None:
    with store.read() as session:
        estates = list_estates(session)
        assert [(e.id, e.name) for e in estates] == [(e.id, e.name) for e in ESTATES]
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == migrate.head_revision()
        assert session.execute(text("PRAGMA application_id")).scalar() == migrate.APPLICATION_ID


def test_every_pc_gets_the_same_estates_but_its_own_site_id(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "a", site_name="甲")
    second = Store.open(tmp_path / "b", site_name="乙")
    try:
        with first.read() as one, second.read() as two:
            assert [e.id for e in list_estates(one)] == [e.id for e in list_estates(two)]
        assert first.site_id != second.site_id
    finally:
        first.close()
        second.close()


def test_reopening_keeps_the_site_identity(data_dir: Path) -> None:
    store = Store.open(data_dir, site_name="甲")
    site_id = store.site_id
    store.close()
    again = Store.open(data_dir)
    try:
        assert (again.site_id, again.site_name) == (site_id, "甲")
    finally:
        again.close()


def test_data_dir_comes_from_the_flag_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XMEN_DATA_DIR", str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    assert paths.data_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("XMEN_DATA_DIR")
    assert paths.data_dir().name == "xmen-desktop"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_file_that_is_not_sqlite_is_refused_untouched(data_dir: Path) -> None:
    paths.database_path(data_dir).write_bytes(b"name,phone\n\xe5\xbc\xa0\xe4\xb8\x89,1\n")
    before = _snapshot(data_dir)
    with pytest.raises(DatabaseNotOurs) as refused:
        Store.open(data_dir)
    assert "不是本软件的数据库" in refused.value.message
    assert _snapshot(data_dir) == before


def test_another_programs_sqlite_file_is_refused_untouched(data_dir: Path) -> None:
    other = sqlite3.connect(paths.database_path(data_dir))
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.commit()
    other.close()
    before = _snapshot(data_dir)
    with pytest.raises(DatabaseNotOurs):
        Store.open(data_dir)
    assert _snapshot(data_dir) == before


def test_a_database_from_a_newer_version_is_refused_untouched(data_dir: Path) -> None:
    Store.open(data_dir).close()
    connection = sqlite3.connect(paths.database_path(data_dir))
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = _snapshot(data_dir)
    with pytest.raises(DatabaseTooNew) as refused:
        Store.open(data_dir)
    assert "升级" in refused.value.message
    assert _snapshot(data_dir) == before


def test_a_backup_is_taken_before_a_migration(data_dir: Path) -> None:
    store = Store.open(data_dir)
    # Take the file back to before the first migration, as an older install would have it.
    config = migrate._config()
    with store.engine.begin() as connection, migrate.sanctioned_writes():
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    store.close()
    reopened = Store.open(data_dir)
    reopened.close()
    backups = list(paths.backups_dir(data_dir).glob("xmen-*-before-migration-*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "household" not in tables  # the copy is the file as it was before migrating
    finally:
        copy.close()


def test_no_backup_when_nothing_needs_migrating(data_dir: Path) -> None:
    Store.open(data_dir).close()
    Store.open(data_dir).close()
    assert not paths.backups_dir(data_dir).exists()


def test_the_migrations_build_exactly_the_models(store: Store) -> None:
    """Hand-written migrations and the SQLModel tables must not drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
