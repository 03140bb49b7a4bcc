"""Backups: what is kept, the daily copy and the check at start, previews, restores, and the
bad cases (a file that is not ours, a full or read-only folder, a damaged database)."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from tests.sync.helpers import add_household, dump, ship
from xmen_desktop.domain.access import SYSTEM
from xmen_desktop.store import audit, backup, bundle, migrate, operators, paths, sync
from xmen_desktop.store.backup import BackupFailed, BackupRefused, DatabaseInUse
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import AccessDenied, DatabaseDamaged, DatabaseNotOurs
from xmen_desktop.store.models import Household

NOW = datetime.datetime(2026, 11, 27, 10, 30)
_doors = itertools.count(1)
ADMIN_PASSWORD = "Laoximen2026"


# ---------------------------------------------------------------------------- helpers


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its hash: "untouched" means equal before and after."""
    return {str(p.relative_to(folder)): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def households(store: Store) -> set[str]:
    with store.read() as session:
        return set(session.exec(select(Household.tenant).where(Household.cl % 2 == 1)).all())


def backups_in(data_dir: Path) -> list[backup.BackupInfo]:
    return backup.list_backups(paths.backups_dir(data_dir))


def fill(data_dir: Path, *tenants: str) -> None:
    store = Store.open(data_dir)
    try:
        for tenant in tenants:
            add_household(store, tenant, f"中华路 {next(_doors)} 号")
    finally:
        store.close()


def age_backups(data_dir: Path, days: int = 1) -> None:
    """Rename every backup as if taken ``days`` earlier: tomorrow comes without waiting."""
    for item in backups_in(data_dir):
        older = item.taken_at - datetime.timedelta(days=days)
        item.path.rename(item.path.with_name(backup.backup_name(older, item.reason)))


def add_admin(store: Store, username: str = "wangli") -> None:
    with store.write() as session:
        operators.add_operator(session, username, "王丽", "admin", ADMIN_PASSWORD)


def damage(path: Path, *, at: float = 0.5, pages: int = 4) -> None:
    """Overwrite whole pages in the middle of the (closed) file with garbage."""
    size = path.stat().st_size
    page = 4096
    start = int(size * at) // page * page
    with path.open("r+b") as handle:
        handle.seek(start)
        handle.write(bytes((i * 151 + 7) % 256 for i in range(page * pages)))


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "SCRYPT_N", 2**10)
    monkeypatch.setattr(sync, "VERIFIER_COST", (2**10, 8, 1))


@pytest.fixture
def filled(data_dir: Path) -> Iterator[Path]:
    """A data folder with two households, closed; yesterday's daily backup not taken yet."""
    fill(data_dir, "王阿毛", "李秀英")
    yield data_dir


# ---------------------------------------------------------------------------- names


def test_names_round_trip_and_other_files_are_not_backups() -> None:
    name = backup.backup_name(NOW, "before-migration-0005")
    assert name == "xmen-20261127-103000-000000-before-migration-0005.sqlite3"
    assert backup.parse_backup_name(name) == (NOW, "before-migration-0005")
    for other in (
        "xmen.sqlite3",
        "xmen-20261127-103000-000000-daily.partial",
        "xmen-20261127-103000-000000-damaged.sqlite3.damaged",
        "xmen-20261399-103000-000000-daily.sqlite3",  # no 13th month
        "照片.jpg",
    ):
        assert backup.parse_backup_name(other) is None, other
    with pytest.raises(ValueError):
        backup.backup_name(NOW, "../escape")


# ---------------------------------------------------------------------------- retention

moments = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2026, 12, 31)
)


def _month(moment: datetime.datetime) -> int:
    return moment.year * 12 + moment.month


@given(st.lists(moments, max_size=60, unique=True), moments)
def test_retention_keeps_30_days_and_the_newest_of_each_of_12_months(
    stamps: list[datetime.datetime], now: datetime.datetime
) -> None:
    taken = {f"b{i}": at for i, at in enumerate(stamps)}
    kept = backup.backups_to_keep(taken, now)
    recent = {k for k, at in taken.items() if at >= now - datetime.timedelta(days=30)}
    month_ends = {
        k
        for k, at in taken.items()
        if 0 <= _month(now) - _month(at) <= 12
        and at == max(a for a in taken.values() if _month(a) == _month(at))
    }
    newest = {k for k, at in taken.items() if at == max(taken.values())}
    # Everything of the last 30 days, each month's newest, and the newest of all ...
    assert recent | month_ends | newest <= kept
    # ... and nothing else.
    assert kept <= recent | month_ends | newest
    # Pruning again changes nothing: the kept copies keep themselves.
    assert backup.backups_to_keep({k: taken[k] for k in kept}, now) == kept


@given(st.lists(moments, min_size=1, max_size=40, unique=True), moments)
def test_retention_never_deletes_the_newest_copy(
    stamps: list[datetime.datetime], now: datetime.datetime
) -> None:
    taken = dict(enumerate(stamps))
    newest = max(taken, key=lambda k: taken[k])
    assert newest in backup.backups_to_keep(taken, now)


def test_two_years_of_daily_backups_leave_30_days_and_12_month_ends(tmp_path: Path) -> None:
    """Day after day a copy is taken and the folder pruned, as the app does."""
    folder = tmp_path / "backups"
    folder.mkdir()
    day = datetime.datetime(2025, 1, 1, 9, 0)
    while day < datetime.datetime(2026, 11, 27, 9, 0):
        path = folder / backup.backup_name(day, "daily")
        path.write_bytes(b"x")
        backup.prune_backups(folder, now=day, protect=[path])
        day += datetime.timedelta(days=1)
    kept = sorted(b.taken_at.date() for b in backup.list_backups(folder))
    last = datetime.date(2026, 11, 26)
    recent = [d for d in kept if d >= last - datetime.timedelta(days=30)]
    assert len(recent) == 31  # 30 days back from the newest, both ends counted
    older = [d for d in kept if d not in recent]

    def month_end(year: int, month: int) -> datetime.date:
        first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - datetime.timedelta(days=1)

    # The last day of each month before this one, back 12 months (October's is recent).
    ends = [month_end(2025, 11), month_end(2025, 12)] + [month_end(2026, m) for m in range(1, 10)]
    assert older == ends


def test_pruning_touches_only_our_backups_and_never_the_protected(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / backup.backup_name(datetime.datetime(2020, 5, 1), "daily")
    older = folder / backup.backup_name(datetime.datetime(2020, 4, 30), "daily")
    chosen = folder / backup.backup_name(datetime.datetime(2020, 4, 29), "manual")
    mine = folder / "我的文件.sqlite3"
    aside = folder / "xmen-20200101-000000-000000-damaged.sqlite3.damaged"
    new = folder / backup.backup_name(NOW, "daily")
    for path in (old, older, chosen, mine, aside, new):
        path.write_bytes(b"x")
    deleted = backup.prune_backups(folder, now=NOW, protect=[chosen])
    assert sorted(deleted) == sorted([old, older])
    assert {p.name for p in folder.iterdir()} == {chosen.name, mine.name, aside.name, new.name}


# ---------------------------------------------------------------------------- taking copies


def test_a_backup_is_a_complete_readable_copy_taken_while_the_store_is_open(
    store: Store, tmp_path: Path
) -> None:
    add_household(store, "王阿毛", "中华路 1 号")
    # The store stays open (with uncheckpointed pages in its log) while the copy is taken.
    copy = backup.backup_database(store.path, tmp_path / "copies", "manual")
    assert copy.parent == tmp_path / "copies"
    assert [b.path for b in backup.list_backups(copy.parent)] == [copy]
    preview = backup.inspect_backup(copy)
    assert preview.total_households == 1
    assert not list(copy.parent.glob("*.partial"))


def test_a_full_folder_refuses_with_the_sizes_and_writes_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    free = 3 * backup.MB
    real = backup.shutil.disk_usage

    def nearly_full(path: object) -> object:
        usage = real(path)  # type: ignore[arg-type]
        return type(usage)(usage.total, usage.total - free, free)

    monkeypatch.setattr(backup.shutil, "disk_usage", nearly_full)
    with pytest.raises(BackupFailed) as refused:
        backup.create_backup(store, to=stick)
    assert "U盘空间不够" in refused.value.message
    assert "只剩 3 MB" in refused.value.message
    assert "请换一个U盘" in refused.value.message
    assert list(stick.iterdir()) == []


def _read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder nobody may write to; as root (who may write anyway), writing is refused by
    the operating-system calls the copy goes through."""
    folder.mkdir(exist_ok=True)
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return
    probe.unlink()

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backup.tempfile, "mkstemp", refuse)


def test_a_read_only_folder_refuses_clearly(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "只读U盘"
    _read_only_folder(stick, monkeypatch)
    try:
        with pytest.raises(BackupFailed) as refused:
            backup.create_backup(store, to=stick)
        assert "这个文件夹不能写入" in refused.value.message
        assert str(stick) in refused.value.message
        assert list(stick.iterdir()) == []
    finally:
        stick.chmod(0o755)


def test_a_missing_folder_says_to_plug_the_stick_in(store: Store, tmp_path: Path) -> None:
    with pytest.raises(BackupFailed) as refused:
        backup.create_backup(store, to=tmp_path / "拔掉的U盘")
    assert "U盘可能没有插好" in refused.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_copy_that_fails_half_way_leaves_no_partial_file(filled: Path, tmp_path: Path) -> None:
    """The disk fills up in the middle of the copy (a file size limit stands in for it)."""
    stick = tmp_path / "小U盘"
    stick.mkdir()
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from xmen_desktop.store import backup
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        source = Path(sys.argv[1])
        limit = source.stat().st_size // 2
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            backup.backup_database(source, Path(sys.argv[2]), "usb", prune=False, usb=True)
        except backup.BackupFailed as error:
            print(error.message)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(paths.database_path(filled)), str(stick)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "U盘空间不够" in result.stdout or "不能写入" in result.stdout, result.stdout
    assert list(stick.iterdir()) == []


def test_a_damaged_file_makes_no_backup(filled: Path, tmp_path: Path) -> None:
    """A copy of a damaged file would be kept in place of a sound one: none is made."""
    database = paths.database_path(filled)
    damage(database)
    with pytest.raises(BackupFailed) as refused:
        backup.backup_database(database, tmp_path / "copies", "manual")
    assert "数据文件本身有损坏" in refused.value.message
    assert list((tmp_path / "copies").iterdir()) == []


def test_create_backup_is_audited(store: Store, tmp_path: Path) -> None:
    add_household(store, "王阿毛", "中华路 1 号")
    local = backup.create_backup(store)
    stick = tmp_path / "stick"
    stick.mkdir()
    usb = backup.create_backup(store, to=stick)
    assert local.parent == paths.backups_dir(store.directory) and usb.parent == stick
    assert backup.parse_backup_name(usb.name)[1] == "usb"  # type: ignore[index]
    with store.read() as session:
        lines = audit.audit_lines(session, audit.AuditFilter(kind="backup"))
    assert len(lines) == 2
    assert any(local.name in line.detail for line in lines)
    assert any(str(usb) in line.detail for line in lines)


def test_only_an_administrator_takes_a_copy_away(store: Store, tmp_path: Path) -> None:
    add_admin(store)
    store.sign_in("wangli", ADMIN_PASSWORD)
    with store.write() as session:
        operators.add_operator(session, "zhaomin", "赵敏", "estate", "zhaomin1", ["小西门"])
    store.sign_in("zhaomin", "zhaomin1")
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.raises(AccessDenied):
        backup.create_backup(store, to=stick)
    assert list(stick.iterdir()) == []
    assert backup.create_backup(store).exists()  # a copy kept on this PC is fine


# ---------------------------------------------------------------------------- at start


def test_the_first_open_of_a_day_takes_one_daily_backup(data_dir: Path) -> None:
    Store.open(data_dir).close()
    Store.open(data_dir).close()
    assert backups_in(data_dir) == []  # a new, empty database: nothing to save
    fill(data_dir, "王阿毛")  # opens once more: the data is written after that open's check
    Store.open(data_dir).close()
    Store.open(data_dir).close()
    daily = backups_in(data_dir)
    assert [b.reason for b in daily] == ["daily"]
    assert daily[0].taken_at.date() == datetime.date.today()
    assert backup.inspect_backup(daily[0].path).total_households == 1
    age_backups(data_dir)  # the next day
    Store.open(data_dir).close()
    assert [b.reason for b in backups_in(data_dir)] == ["daily", "daily"]


def test_the_first_open_of_a_day_checks_everything_later_opens_quickly(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[bool] = []
    real = backup.integrity_problems

    def spy(path: Path, *, full: bool = True) -> list[str]:
        if path == paths.database_path(filled):
            checks.append(full)
        return real(path, full=full)

    monkeypatch.setattr(backup, "integrity_problems", spy)
    Store.open(filled).close()
    Store.open(filled).close()
    assert checks == [True, False]


def test_a_daily_backup_that_cannot_be_written_does_not_stop_the_work(filled: Path) -> None:
    paths.backups_dir(filled).write_text("not a folder")  # nothing can be written there
    store = Store.open(filled)
    try:
        assert households(store) == {"王阿毛", "李秀英"}
    finally:
        store.close()


def test_a_migration_backup_counts_as_the_days_backup(filled: Path) -> None:
    from alembic import command

    store = Store.open(filled)
    age_backups(filled, days=2)
    config = migrate._config()
    with store.engine.begin() as connection, migrate.sanctioned_writes():
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    store.close()
    Store.open(filled).close()
    today = [b for b in backups_in(filled) if b.taken_at.date() == datetime.date.today()]
    assert [b.reason for b in today] == ["before-migration-0005"]
    # A backup of the older schema restores too: it is migrated when next opened.
    (older,) = today
    assert backup.inspect_backup(older.path).revision == "0005"
    fill(filled, "后来的")
    backup.restore_backup(filled, older.path)
    store = Store.open(filled)
    try:
        assert households(store) == {"王阿毛", "李秀英"}
    finally:
        store.close()


# ---------------------------------------------------------------------------- damage


def test_a_damaged_database_is_refused_untouched_and_a_restore_brings_the_backup_back(
    data_dir: Path,
) -> None:
    fill(data_dir, *(f"住户{i}" for i in range(300)))
    store = Store.open(data_dir)  # takes the day's backup of these 300 households
    saved_dump = dump(store)
    add_household(store, "备份之后", "中华路 999 号")
    store.close()
    (daily,) = backups_in(data_dir)
    database = paths.database_path(data_dir)
    assert not database.with_name(database.name + "-wal").exists()  # all in the file itself
    damage(database)
    before = folder_state(data_dir)

    with pytest.raises(DatabaseDamaged) as refused:
        Store.open(data_dir)
    message = refused.value.message
    assert "数据文件损坏了" in message
    assert "xmen backup restore" in message and "xmen backup list" in message
    assert daily.taken_text in message
    assert folder_state(data_dir) == before  # not opened for writing, not backed up

    result = backup.restore_backup(data_dir, daily.path)
    assert result.damaged and result.saved is not None
    assert result.saved.name.endswith(".damaged")
    assert sha(result.saved) == before[str(database.relative_to(data_dir))]
    restored = Store.open(data_dir)
    try:
        assert dump(restored) == saved_dump
        assert "备份之后" not in households(restored)
    finally:
        restored.close()
    assert sha(daily.path) == before[str(daily.path.relative_to(data_dir))]


def test_a_file_with_a_broken_header_is_damaged_when_our_backups_are_beside_it(
    filled: Path,
) -> None:
    Store.open(filled).close()  # the day's backup
    database = paths.database_path(filled)
    with database.open("r+b") as handle:
        handle.write(b"\0" * 100)
    with pytest.raises(DatabaseDamaged) as refused:
        Store.open(filled)
    assert "xmen backup restore" in refused.value.message
    for item in backups_in(filled):
        item.path.unlink()
    with pytest.raises(DatabaseNotOurs):  # nothing of ours beside it: someone else's file
        Store.open(filled)


# ---------------------------------------------------------------------------- preview


def test_the_preview_says_what_a_backup_holds_without_touching_it(filled: Path) -> None:
    store = Store.open(filled)
    site_name = store.site_name
    store.close()
    (daily,) = backups_in(filled)
    before = folder_state(paths.backups_dir(filled))
    preview = backup.inspect_backup(daily.path)
    assert folder_state(paths.backups_dir(filled)) == before  # no -wal, no -shm, no change
    assert preview.site_name == site_name
    assert preview.revision == migrate.head_revision()
    assert dict(preview.households)["小西门"] == 2
    assert [name for name, _ in preview.households] == [
        "小西门",
        "龙门村",
        "普育里",
        "景德里",
        "安澜",
        "陆兴",
    ]
    assert preview.total_households == 2
    assert preview.newest_change is not None
    assert abs(preview.newest_change - datetime.datetime.now()) < datetime.timedelta(minutes=5)
    assert preview.info.reason_label == "每日自动备份"
    text = "\n".join(preview.lines())
    assert "小西门 2 户" in text and "共 2 户" in text


def _not_backups(tmp_path: Path, filled: Path) -> dict[str, tuple[Path, str]]:
    text_file = tmp_path / "名单.sqlite3"
    text_file.write_text("姓名,电话\n王阿毛,13812345678\n", "utf-8")
    foreign = tmp_path / "contacts.sqlite3"
    other = sqlite3.connect(foreign)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.commit()
    other.close()
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(daily.path.read_bytes())
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(daily.path.read_bytes())
    damage(broken, at=0.3)
    return {
        "text": (text_file, "不是本软件的备份"),
        "foreign": (foreign, "不是本软件的备份"),
        "newer": (newer, "升级"),
        "broken": (broken, "损坏"),
        "missing": (tmp_path / "没有这个文件.sqlite3", "找不到"),
    }


def test_a_file_that_is_not_a_sound_backup_of_ours_is_refused_and_nothing_changes(
    filled: Path, tmp_path: Path
) -> None:
    for kind, (path, words) in _not_backups(tmp_path, filled).items():
        before = folder_state(filled)
        with pytest.raises(BackupRefused) as refused:
            backup.restore_backup(filled, path)
        assert words in refused.value.message, kind
        assert "没有改动" in refused.value.message or kind == "missing", kind
        assert folder_state(filled) == before, kind


# ---------------------------------------------------------------------------- restore


def test_a_restore_keeps_the_current_data_as_a_before_restore_backup(filled: Path) -> None:
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    fill(filled, "后来的")
    result = backup.restore_backup(filled, daily.path)
    assert not result.damaged and result.saved is not None
    assert backup.parse_backup_name(result.saved.name)[1] == "before-restore"  # type: ignore[index]
    assert backup.inspect_backup(result.saved).total_households == 3
    store = Store.open(filled)
    try:
        assert households(store) == {"王阿毛", "李秀英"}
    finally:
        store.close()
    # And back again: the before-restore copy is a backup like any other.
    backup.restore_backup(filled, result.saved)
    store = Store.open(filled)
    try:
        assert households(store) == {"王阿毛", "李秀英", "后来的"}
    finally:
        store.close()


def test_a_restore_is_refused_while_the_database_is_open(filled: Path) -> None:
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    store = Store.open(filled)
    try:
        add_household(store, "还开着", "中华路 50 号")
        before = folder_state(filled)
        with pytest.raises(DatabaseInUse) as refused:
            backup.restore_backup(filled, daily.path)
        assert "关闭" in refused.value.message
        assert folder_state(filled) == before
        assert "还开着" in households(store)
    finally:
        store.close()


def test_a_restore_without_room_for_the_copies_changes_nothing(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    before = folder_state(filled)
    real = backup.shutil.disk_usage
    monkeypatch.setattr(
        backup.shutil,
        "disk_usage",
        lambda p: type(real(p))(real(p).total, real(p).total, 1 * backup.MB),
    )
    with pytest.raises(BackupFailed) as refused:
        backup.restore_backup(filled, daily.path)
    assert "磁盘空间不够" in refused.value.message
    assert folder_state(filled) == before


def test_restore_and_open_is_audited_and_takes_a_fresh_site_id(filled: Path) -> None:
    store = Store.open(filled)
    first_site = store.site_id
    store.close()
    (daily,) = backups_in(filled)
    store, result = backup.restore_and_open(filled, daily.path, by=SYSTEM)
    try:
        assert store.site_id != first_site
        with store.read() as session:
            (line,) = audit.audit_lines(session, audit.AuditFilter(kind="restore"))
        assert daily.name in line.detail
        assert result.saved is not None and result.saved.name in line.detail
        assert line.operator == "system"
    finally:
        store.close()


def test_restoring_the_same_backup_twice_never_reuses_change_counters(
    tmp_path: Path, cheap_kdf: None
) -> None:
    """A peer that saw changes made after the backup still takes every change made after
    each restore: no two different changes ever share one (site, counter)."""
    office = tmp_path / "甲"
    peer = Store.open(tmp_path / "乙", site_name="乙")
    sticks = tmp_path / "stick"
    sticks.mkdir()
    try:
        fill(office, "孙七")
        Store.open(office).close()  # the day's backup: 孙七 only
        (daily,) = backups_in(office)
        sites = []
        for round_ in range(3):
            store = Store.open(office)
            sites.append(store.site_id)
            add_household(store, f"第{round_}轮", f"中华路 {100 + round_} 号")
            ship(store, peer, sticks)
            store.close()
            backup.restore_backup(office, daily.path)
        assert len(set(sites)) == 3
        assert {f"第{i}轮" for i in range(3)} <= households(peer)
        store = Store.open(office)
        try:
            ship(peer, store, sticks)  # the restored PC gets back what it lost
            assert dump(store) == dump(peer)
        finally:
            store.close()
    finally:
        peer.close()


def test_restore_in_place_needs_an_administrator_and_keeps_them_signed_in(
    filled: Path,
) -> None:
    store = Store.open(filled)
    add_admin(store)
    store.close()
    age_backups(filled)  # so that today's open takes a backup with the administrator in it
    store = Store.open(filled)
    today = [b for b in backups_in(filled) if b.taken_at.date() == datetime.date.today()]
    (daily,) = today
    reopened: list[Store | None] = []
    try:
        store.require_sign_in()
        with store.write(actor=SYSTEM) as session:
            operators.add_operator(session, "zhaomin", "赵敏", "subdistrict", "zhaomin1")
        store.sign_in("zhaomin", "zhaomin1")
        with pytest.raises(AccessDenied):
            backup.restore_in_place(store, daily.path, reopened.append)
        assert reopened == []
        assert households(store) == {"王阿毛", "李秀英"}  # still open, still usable

        admin = store.sign_in("wangli", ADMIN_PASSWORD)
        add_household(store, "后来的", "中华路 77 号")
        result = backup.restore_in_place(store, daily.path, reopened.append)
        (new,) = reopened
        assert new is not None and new is not store
        assert new.actor == admin  # the administrator is in the restored data: still signed in
        assert households(new) == {"王阿毛", "李秀英"}
        assert result.saved is not None
        with new.read() as session:
            (line,) = audit.audit_lines(session, audit.AuditFilter(kind="restore"))
        assert line.operator == "wangli"
        store = new
    finally:
        store.close()


def test_restore_in_place_refused_half_way_reopens_the_old_data(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    store = Store.open(filled)
    add_household(store, "后来的", "中华路 77 号")

    def fails(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(backup, "_mark_restored", fails)
    reopened: list[Store | None] = []
    with pytest.raises(BackupFailed) as refused:
        backup.restore_in_place(store, daily.path, reopened.append)
    assert "没有改动" in refused.value.message
    (old,) = reopened
    assert old is not None
    try:
        assert households(old) == {"王阿毛", "李秀英", "后来的"}
        assert not list(filled.glob("*.restoring*"))
    finally:
        old.close()


def test_a_restore_onto_a_new_pc_needs_no_current_database(filled: Path, tmp_path: Path) -> None:
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    stick = tmp_path / "stick"
    stick.mkdir()
    copy = stick / daily.name
    copy.write_bytes(daily.path.read_bytes())
    new_pc = tmp_path / "新电脑"
    result = backup.restore_backup(new_pc, copy)
    assert result.saved is None
    store = Store.open(new_pc)
    try:
        assert households(store) == {"王阿毛", "李秀英"}
    finally:
        store.close()


def test_a_restored_file_never_replays_an_old_log(filled: Path) -> None:
    """A -wal left beside a damaged file must not be applied to the restored one."""
    Store.open(filled).close()
    (daily,) = backups_in(filled)
    database = paths.database_path(filled)
    wal = database.with_name(database.name + "-wal")
    wal.write_bytes(os.urandom(8192))
    damage(database)
    result = backup.restore_backup(filled, daily.path)
    assert result.damaged and result.saved is not None
    assert result.saved.with_name(result.saved.name + "-wal").exists()  # kept with the file
    store = Store.open(filled)
    try:
        assert households(store) == {"王阿毛", "李秀英"}
    finally:
        store.close()
    assert backup.integrity_problems(database) == []
