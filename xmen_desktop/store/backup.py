"""Copies of the database file: taken, kept, checked, previewed and restored.

Copies are taken with SQLite's online backup API, which reads a consistent snapshot while the
app (or the command line) goes on writing. They live in ``<data dir>/backups`` and are named
``xmen-YYYYmmdd-HHMMSS-ffffff-<reason>.sqlite3`` (local time); only files with such names are
ever listed or deleted here.

When copies are taken: at the first start of each day, before a migration, before a sync bundle
is applied, before a restore, and when someone asks. What is kept: every copy of the last 30
days, and the newest copy of each of the last 12 months (``backups_to_keep``).

A restore never edits a backup: the chosen file is checked through a read-only connection,
copied beside the database, and moved into place in one step, after the current file has been
saved as a backup of its own (or set aside as it is, when it is damaged).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from xmen_desktop.store import paths
from xmen_desktop.store.errors import AccessDenied, DatabaseDamaged, SignInRequired, StoreError

if TYPE_CHECKING:
    from xmen_desktop.domain.access import Actor
    from xmen_desktop.store.database import Store

log = logging.getLogger(__name__)

KEEP_DAYS = 30
KEEP_MONTHS = 12
# Room to leave free beyond the copy itself: a disk filled to the last byte breaks more than
# the backup (the database's own log, the logs, other programs).
MARGIN_BYTES = 16 * 1024 * 1024
MB = 1024 * 1024

_STAMP = "%Y%m%d-%H%M%S-%f"
NAME_PATTERN = re.compile(r"^xmen-(\d{8}-\d{6}-\d{6})-([A-Za-z0-9][A-Za-z0-9_.-]*)\.sqlite3$")
# A copy still being written (or left by a crash while it was): same name, ".partial".
_PARTIAL_PATTERN = re.compile(r"^xmen-\d{8}-\d{6}-\d{6}-[A-Za-z0-9][A-Za-z0-9_.-]*\.partial$")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26
# Tables every version of our schema has: a file without them is not a backup of ours.
_CORE_TABLES = frozenset({"alembic_version", "local_identity", "household", "change_log"})

REASON_LABELS: dict[str, str] = {
    "daily": "每日自动备份",
    "manual": "手动备份",
    "usb": "备份到U盘",
    "before-import": "导入同步包前自动备份",
    "before-restore": "恢复备份前自动备份",
}


def reason_label(reason: str) -> str:
    if reason.startswith("before-migration"):
        return "软件升级前自动备份"
    return REASON_LABELS.get(reason, reason or "其他位置的文件")


class BackupFailed(StoreError):
    """A copy could not be made (full, read-only or missing folder); nothing was changed."""


class BackupRefused(StoreError):
    """A file offered for restore is not a sound backup of ours; nothing was changed."""


# ---------------------------------------------------------------------------- names and lists


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime.datetime  # local time, naive
    reason: str
    size: int

    @property
    def id(self) -> str:  # table models find rows by id
        return self.path.name

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    @property
    def taken_text(self) -> str:
        return self.taken_at.strftime("%Y-%m-%d %H:%M")

    @property
    def size_text(self) -> str:
        return size_text(self.size)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "taken_at": self.taken_at.isoformat(timespec="seconds"),
            "reason": self.reason,
            "reason_label": self.reason_label,
            "size": self.size,
        }


def size_text(size: int) -> str:
    if size < MB:
        return f"{-(-size // 1024)} KB"
    return f"{size / MB:.1f} MB"


def backup_name(taken_at: datetime.datetime, reason: str) -> str:
    name = f"xmen-{taken_at.strftime(_STAMP)}-{reason}.sqlite3"
    if not NAME_PATTERN.match(name):
        raise ValueError(f"not a backup reason: {reason!r}")
    return name


def parse_backup_name(name: str) -> tuple[datetime.datetime, str] | None:
    """(taken at, reason) of one of our backup names; None for any other file name."""
    match = NAME_PATTERN.match(name)
    if match is None:
        return None
    try:
        taken = datetime.datetime.strptime(match.group(1), _STAMP)
    except ValueError:
        return None
    return taken, match.group(2)


def _info(path: Path) -> BackupInfo | None:
    parsed = parse_backup_name(path.name)
    if parsed is None:
        return None
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return BackupInfo(path, parsed[0], parsed[1], size)


def list_backups(folder: Path) -> list[BackupInfo]:
    """Our backups in ``folder``, newest first; an absent folder has none."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [info for entry in entries if (info := _info(entry)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.name), reverse=True)


def describe_file(path: Path) -> BackupInfo:
    """What the name says of a file offered for restore; a renamed copy: its file time."""
    info = _info(path)
    if info is not None:
        return info
    try:
        stat = path.stat()
    except OSError as error:
        raise BackupRefused(f"找不到文件 {path}（{error.strerror}）。请重新选择。") from error
    return BackupInfo(path, datetime.datetime.fromtimestamp(stat.st_mtime), "", stat.st_size)


# ---------------------------------------------------------------------------- what to keep

K = TypeVar("K", bound=Hashable)


def _month(moment: datetime.datetime) -> int:
    return moment.year * 12 + moment.month - 1


def backups_to_keep(
    taken: Mapping[K, datetime.datetime],
    now: datetime.datetime,
    *,
    days: int = KEEP_DAYS,
    months: int = KEEP_MONTHS,
) -> set[K]:
    """Which backups to keep: every one of the last ``days`` days, the newest of each of the
    last ``months`` months before this one (and of this month), and the newest of all.

    Copies dated after ``now`` are kept (the clock was set back: better too many than none).
    """
    keep: set[K] = set()
    cutoff = now - datetime.timedelta(days=days)
    this_month = _month(now)
    newest_of_month: dict[int, datetime.datetime] = {}
    for key, at in taken.items():
        if at >= cutoff:
            keep.add(key)
        month = _month(at)
        if this_month - months <= month <= this_month:
            newest_of_month[month] = max(at, newest_of_month.get(month, at))
    newest = max(taken.values(), default=None)
    for key, at in taken.items():
        if at == newest or newest_of_month.get(_month(at)) == at:
            keep.add(key)
    return keep


def prune_backups(
    folder: Path, *, now: datetime.datetime | None = None, protect: Iterable[Path] = ()
) -> list[Path]:
    """Delete the backups in ``folder`` that ``backups_to_keep`` lets go; returns them.

    Only files named like our backups are touched; ``protect`` (the copy just taken, the copy
    being restored) is never deleted. A copy that cannot be deleted is left and logged.
    """
    now = now or datetime.datetime.now()
    backups = list_backups(folder)
    kept = backups_to_keep({b.name: b.taken_at for b in backups}, now)
    kept |= {Path(p).name for p in protect}
    deleted = []
    for backup in backups:
        if backup.name in kept:
            continue
        try:
            backup.path.unlink()
        except OSError as error:
            log.warning("could not delete old backup %s: %s", backup.path, error)
            continue
        deleted.append(backup.path)
        log.info("deleted old backup %s", backup.path)
    _remove_stale_partials(folder, now)
    return deleted


def _remove_stale_partials(folder: Path, now: datetime.datetime) -> None:
    # A day old: no copy takes that long, so it was left by a crash (or a pulled USB stick).
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if not _PARTIAL_PATTERN.match(entry.name):
                continue
            with contextlib.suppress(OSError):
                age = now - datetime.datetime.fromtimestamp(entry.stat().st_mtime)
                if age > datetime.timedelta(days=1):
                    entry.unlink()


# ---------------------------------------------------------------------------- reading files


def _read_uri(path: Path) -> str:
    # A left-over -wal holds committed pages: then a plain read-only open, which reads it.
    # Without one, immutable=1 reads without creating -wal/-shm files beside the file.
    wal = path.with_name(path.name + "-wal")
    return f"{path.as_uri()}?{'mode=ro' if wal.exists() else 'immutable=1'}"


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(_read_uri(path), uri=True)


def integrity_problems(path: Path, *, full: bool = True) -> list[str]:
    """What SQLite's check finds wrong with the file (at most 20 lines); [] when sound.

    ``full``: PRAGMA integrity_check, else quick_check (the same minus the index-to-table
    cross-check; see docs/PERFORMANCE.md for what each costs).
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        connection = _connect_ro(path)
        try:
            rows = [str(r[0]) for r in connection.execute(f"PRAGMA {pragma}(20)")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows


def _size_with_log(path: Path) -> int:
    size = 0
    for part in (path, path.with_name(path.name + "-wal")):
        with contextlib.suppress(OSError):
            size += part.stat().st_size
    return size


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # A rename is durable only once its folder is synced (POSIX; Windows has no such call).
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------- taking copies


def _not_writable(folder: Path, usb: bool, detail: str = "") -> BackupFailed:
    why = f"（{detail}）" if detail else ""
    if usb:
        return BackupFailed(
            f"这个文件夹不能写入{why}：{folder}。U盘可能是只读的、已经拔出，或没有插好。"
            "请换一个U盘或文件夹再试。"
        )
    return BackupFailed(
        f"备份文件夹不能写入{why}：{folder}。请维护人员检查这个文件夹的权限或磁盘。"
    )


def _too_full(folder: Path, needed: int, usb: bool) -> BackupFailed:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    need_mb, free_mb = -(-needed // MB), free // MB
    if usb:
        return BackupFailed(
            f"U盘空间不够：需要 {need_mb} MB，只剩 {free_mb} MB。请换一个U盘或删掉一些文件。"
        )
    return BackupFailed(
        f"电脑磁盘空间不够，备份没有做成：需要 {need_mb} MB，只剩 {free_mb} MB。"
        "请删掉一些不用的文件，或请维护人员帮忙。"
    )


def _prepare_folder(folder: Path, needed: int, *, usb: bool) -> None:
    """Refuse early, with a message a person can act on, what would fail half-way."""
    if usb:
        if not folder.is_dir():
            raise BackupFailed(
                f"找不到文件夹 {folder}。U盘可能没有插好，请重新插上后再选一次文件夹。"
            )
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _not_writable(folder, usb, error.strerror or str(error)) from error
    try:
        handle, probe = tempfile.mkstemp(prefix=".xmen-write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise _not_writable(folder, usb, error.strerror or str(error)) from error
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # unknown: the copy itself will tell
    if free < needed + MARGIN_BYTES:
        raise _too_full(folder, needed + MARGIN_BYTES, usb)


def _is_full(error: BaseException) -> bool:
    import errno

    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))
    code = getattr(error, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == _SQLITE_FULL) or "full" in str(error)


def backup_database(
    source: Path,
    target_dir: Path,
    reason: str,
    *,
    prune: bool = True,
    usb: bool = False,
    now: datetime.datetime | None = None,
) -> Path:
    """Copy ``source`` into ``target_dir`` without writing to it; returns the copy's path.

    The copy is written under a ``.partial`` name, checked, synced and then renamed, so a
    file with a backup's name is always complete. Then old backups in ``target_dir`` are
    pruned (``prune``), never the new one. ``usb``: the target is a folder the person chose
    (messages speak of a USB stick; it must exist already). Raises ``BackupFailed``.
    """
    name = backup_name(now or datetime.datetime.now(), reason)
    _prepare_folder(target_dir, _size_with_log(source), usb=usb)
    target = target_dir / name
    partial = target.with_suffix(".partial")
    try:
        try:
            src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise BackupFailed(f"数据文件读不出来，备份没有做成（{error}）。") from error
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        problems = integrity_problems(partial, full=False)
        if problems:
            # Pages are copied as they are: a damaged source makes a damaged copy.
            if integrity_problems(source, full=False):
                raise BackupFailed(
                    f"数据文件本身有损坏（{problems[0]}），备份没有做成。"
                    "请不要再录入，从较早的备份恢复，或请维护人员帮忙。"
                )
            raise BackupFailed(
                f"备份写好后检查不通过（{problems[0]}）。"
                + ("U盘可能有问题，请换一个U盘再试。" if usb else "请再试一次。")
            )
        _fsync_file(partial)
        partial.replace(target)
        _fsync_dir(target_dir)
    except BaseException as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if isinstance(error, BackupFailed):
            raise
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):  # the source, not the target
            raise BackupFailed(f"数据文件读不出来，备份没有做成（{error}）。") from error
        if isinstance(error, OSError | sqlite3.Error):
            if _is_full(error):
                raise _too_full(target_dir, _size_with_log(source) + MARGIN_BYTES, usb) from error
            raise _not_writable(target_dir, usb, str(error)) from error
        raise
    log.info("backed up %s to %s", source, target)
    if prune:
        prune_backups(target_dir, protect=[target])
    return target


# ---------------------------------------------------------------------------- at start


def daily_backup_due(directory: Path, now: datetime.datetime | None = None) -> bool:
    """No backup of today's date (local) in the backups folder: judged by file names only."""
    today = (now or datetime.datetime.now()).date()
    return not any(b.taken_at.date() == today for b in list_backups(paths.backups_dir(directory)))


def _has_data(path: Path) -> bool:
    """Anything written besides the site's own row: a new, empty database is not worth a copy."""
    try:
        connection = _connect_ro(path)
        try:
            row = connection.execute(
                "SELECT EXISTS (SELECT 1 FROM change_log WHERE tbl != 'site')"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return True  # cannot tell: copying too much is the safe side
    return bool(row[0])


def take_daily_backup(directory: Path) -> Path | None:
    """The first start of the day: a copy, unless there is nothing to save yet.

    A failure (disk full, folder read-only) is logged and the work goes on: refusing to
    open the data would stop the office for the sake of a copy.
    """
    path = paths.database_path(directory)
    if not _has_data(path):
        return None
    try:
        return backup_database(path, paths.backups_dir(directory), "daily")
    except BackupFailed as error:
        log.warning("daily backup failed: %s", error.message)
        return None


def damaged_message(directory: Path, detail: str) -> str:
    """What to tell the person when the database file is damaged: what happened, what next."""
    path = paths.database_path(directory)
    backups = list_backups(paths.backups_dir(directory))
    if backups:
        newest = backups[0]
        where = f"最近的一份备份是 {newest.taken_text}（{newest.reason_label}）。"
    else:
        where = "备份文件夹里没有找到备份；如果U盘上有备份，也可以从U盘恢复。"
    return (
        f"数据文件损坏了，软件没有打开它，也没有改动它（{path}；{detail}）。"
        f"可以从备份恢复：在“从备份恢复”窗口里选一份备份；"
        f"或用命令行 xmen backup list 查看备份，xmen backup restore 备份名 恢复。{where}"
        "如果不清楚怎么做，请把这段文字告诉维护人员。"
    )


def check_database(directory: Path, *, full: bool) -> None:
    """Raise ``DatabaseDamaged`` when SQLite's check of the file finds anything wrong."""
    problems = integrity_problems(paths.database_path(directory), full=full)
    if problems:
        log.error("database check failed: %s", "; ".join(problems))
        raise DatabaseDamaged(damaged_message(directory, problems[0]))


# ---------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class BackupPreview:
    """What a backup holds, read without changing it."""

    info: BackupInfo
    site_name: str
    revision: str
    # (estate name, live households), in the estates' usual order
    households: tuple[tuple[str, int], ...]
    residents: int
    newest_change: datetime.datetime | None  # local time

    @property
    def total_households(self) -> int:
        return sum(n for _, n in self.households)

    @property
    def newest_change_text(self) -> str:
        if self.newest_change is None:
            return "（没有修改记录）"
        return self.newest_change.strftime("%Y-%m-%d %H:%M")

    def as_json(self) -> dict[str, Any]:
        return {
            **self.info.as_json(),
            "site_name": self.site_name,
            "revision": self.revision,
            "households": dict(self.households),
            "residents": self.residents,
            "newest_change": (
                self.newest_change.isoformat(timespec="seconds") if self.newest_change else None
            ),
        }

    def lines(self) -> list[str]:
        """The preview as plain lines (the command line prints them)."""
        estates = "，".join(f"{name} {count} 户" for name, count in self.households)
        return [
            f"备份文件：{self.info.path}",
            f"备份时间：{self.info.taken_at.strftime('%Y-%m-%d %H:%M:%S')}"
            f"（{self.info.reason_label}）",
            f"文件大小：{self.info.size_text}",
            f"站点名称：{self.site_name}",
            f"数据版本：{self.revision}",
            f"最新修改：{self.newest_change_text}",
            f"住户：共 {self.total_households} 户（{estates}），居民 {self.residents} 人",
        ]


def _refuse_not_ours(path: Path, why: str) -> BackupRefused:
    return BackupRefused(
        f"这个文件不是本软件的备份（{why}），不能用来恢复，现在的数据没有改动：{path}。"
        "请选择备份文件夹里以 xmen- 开头、以 .sqlite3 结尾的文件。"
    )


def inspect_backup(path: Path) -> BackupPreview:
    """Check that ``path`` is a sound backup of ours and say what it holds.

    Read through a read-only connection (``immutable=1``): the backup is never modified.
    Raises ``BackupRefused`` for anything else: another program's file, a damaged copy, a
    copy from a newer version of the program.
    """
    from xmen_desktop.domain import hlc
    from xmen_desktop.domain.estates import ESTATES
    from xmen_desktop.store import migrate

    info = describe_file(path)
    if not path.is_file():
        raise _refuse_not_ours(path, "它不是一个文件")
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused(f"文件读不出来（{error.strerror}）：{path}。") from error
    if magic != _SQLITE_MAGIC:
        raise _refuse_not_ours(path, "不是数据库文件")
    try:
        connection = _connect_ro(path)
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            if application_id != migrate.APPLICATION_ID or not _CORE_TABLES.issubset(tables):
                raise _refuse_not_ours(path, "是别的程序的数据库")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else ""
            if not revision:
                raise _refuse_not_ours(path, "没有数据版本")
            if not migrate.is_known_revision(revision):
                raise BackupRefused(
                    f"这个备份来自更新版本的软件（数据版本 {revision}），本软件不能用它恢复，"
                    "现在的数据没有改动。请先把本软件升级到最新版本。"
                )
            problems = [
                str(r[0]) for r in connection.execute("PRAGMA integrity_check(20)").fetchall()
            ]
            if problems != ["ok"]:
                raise BackupRefused(
                    f"这个备份文件本身损坏了（{problems[0]}），不能用来恢复，现在的数据没有改动。"
                    "请选另一份备份。"
                )
            site_row = connection.execute("SELECT site_name FROM local_identity").fetchone()
            names = dict(connection.execute("SELECT id, name FROM estate").fetchall())
            counts = dict(
                connection.execute(
                    "SELECT estate_id, count(*) FROM household WHERE cl % 2 = 1 GROUP BY estate_id"
                ).fetchall()
            )
            residents = connection.execute(
                "SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id "
                "WHERE r.cl % 2 = 1 AND h.cl % 2 = 1"
            ).fetchone()[0]
            newest = connection.execute("SELECT max(hlc) FROM change_log").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(
            f"这个备份文件读不出来，可能已经损坏（{error}），不能用来恢复，现在的数据没有改动。"
            "请选另一份备份。"
        ) from error
    order = [e.id for e in ESTATES] + sorted(set(names) - {e.id for e in ESTATES})
    households = tuple((str(names[e]), int(counts.get(e, 0))) for e in order if e in names)
    newest_change = (
        datetime.datetime.fromtimestamp(hlc.wall_ms(int(newest)) / 1000) if newest else None
    )
    return BackupPreview(
        info=info,
        site_name=str(site_row[0]) if site_row else "",
        revision=revision,
        households=households,
        residents=int(residents),
        newest_change=newest_change,
    )


# ---------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupPreview
    # The data as it was before: a "before-restore" backup, or (when the file was damaged or
    # not ours) the file itself set aside under a ``.damaged`` name; None when there was none.
    saved: Path | None
    damaged: bool

    def summary(self) -> str:
        """What happened, in words for the person at the PC."""
        info = self.restored.info
        text = (
            f"已恢复到 {info.taken_text} 的备份（{info.reason_label}，"
            f"共 {self.restored.total_households} 户）。"
        )
        if self.saved is not None and self.damaged:
            text += f"损坏的数据文件没有删除，另存在备份文件夹里（{self.saved.name}）。"
        elif self.saved is not None:
            text += "恢复前的数据已另存为一份“恢复备份前自动备份”，需要时可以再恢复回来。"
        return text

    def detail(self) -> str:
        """One line for the audit trail: which backup came back, where the old data is."""
        info = self.restored.info
        text = (
            f"从备份 {info.name} 恢复（备份时间 {info.taken_at.strftime('%Y-%m-%d %H:%M:%S')}，"
            f"{info.reason_label}，{self.restored.total_households} 户）"
        )
        if self.saved is not None:
            kept = "损坏的数据文件另存为" if self.damaged else "恢复前的数据另存为"
            text += f"；{kept} {self.saved.name}"
        return text


class DatabaseInUse(StoreError):
    """Another program (or another window of ours) has the database open."""


def _quiesce(database: Path) -> None:
    """Fold the write-ahead log into the (sound) file and make sure nobody else has it open.

    Leaving WAL mode needs the only connection to the file, so it doubles as the "is the app
    still running?" check.
    """
    try:
        connection = sqlite3.connect(database, timeout=1.0, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", 0) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
            raise DatabaseInUse(
                "数据文件正被使用（本软件的另一个窗口或命令行还开着），现在不能恢复，"
                "数据没有改动。请先关闭本软件的所有窗口，再恢复。"
            ) from error
        raise


def _sound_and_ours(database: Path) -> bool:
    from xmen_desktop.store import migrate

    try:
        state = migrate.inspect_file(database)
    except StoreError:
        return False
    return state.exists and not integrity_problems(database, full=False)


def _set_aside(database: Path, folder: Path, now: datetime.datetime) -> Path:
    """Keep a damaged file as it is (with its log), out of the way and never pruned."""
    stamp = now.strftime(_STAMP)
    aside = folder / f"xmen-{stamp}-damaged.sqlite3.damaged"
    shutil.copyfile(database, aside)
    wal = database.with_name(database.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, aside.with_name(aside.name + "-wal"))
    return aside


def _mark_restored(copy: Path) -> None:
    """Make the restored copy take a fresh site id when it is next opened.

    Its change counters may already have been used again after the backup (and sent to other
    PCs); the site marker beside the database catches that only for the site in use now. A
    key bound to another place is what ``identity.ensure_site`` treats as "copied": new id.
    """
    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        # Rollback-journal mode while we change it: no -wal file to carry along.
        connection.execute("PRAGMA journal_mode = DELETE")
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        if "site_key" in tables:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE site_key SET bound_path = 'restored:' || bound_path")
            connection.execute("COMMIT")
    finally:
        connection.close()


def restore_backup(
    data_dir: Path,
    backup: Path,
    *,
    checked: BackupPreview | None = None,
    now: datetime.datetime | None = None,
) -> RestoreResult:
    """Replace the database in ``data_dir`` by ``backup``; the store must be closed.

    First the backup is checked (``inspect_backup``; ``checked`` skips a second check of the
    same file); then the current data is saved (a "before-restore" backup, or the file set
    aside when damaged); then the copy is written beside the database and moved into place in
    one step. Any refusal or failure leaves the current database as it was.
    """
    now = now or datetime.datetime.now()
    preview = checked if checked is not None else inspect_backup(backup)
    database = paths.database_path(data_dir)
    folder = paths.backups_dir(data_dir)
    if database.exists() and backup.resolve() == database.resolve():
        raise BackupRefused("选中的是现在正在用的数据文件本身，不是备份。请选备份文件夹里的文件。")
    current = _size_with_log(database) if database.exists() else 0
    _prepare_folder(folder, current + backup.stat().st_size, usb=False)

    saved: Path | None = None
    damaged = False
    if database.exists() and database.stat().st_size > 0:
        # Judged read-only first: a damaged file (and its log) is set aside exactly as it is.
        if _sound_and_ours(database):
            _quiesce(database)
            saved = backup_database(database, folder, "before-restore", prune=False, now=now)
        else:
            damaged = True
            saved = _set_aside(database, folder, now)
    staging = database.with_name(database.name + ".restoring")
    try:
        shutil.copyfile(backup, staging)
        _mark_restored(staging)
        _fsync_file(staging)
        # A log left beside the old file must never be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        os.replace(staging, database)
        _fsync_dir(data_dir)
    except (OSError, sqlite3.Error) as error:
        for leftover in (staging, staging.with_name(staging.name + "-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        if _is_full(error):
            raise _too_full(data_dir, backup.stat().st_size + MARGIN_BYTES, False) from error
        raise BackupFailed(
            f"恢复没有做成（{error}），现在的数据没有改动。请再试一次，或请维护人员帮忙。"
        ) from error
    log.warning("restored %s from %s (previous data: %s)", database, backup, saved)
    prune_backups(folder, now=now, protect=[p for p in (saved, backup) if p is not None])
    return RestoreResult(restored=preview, saved=saved, damaged=damaged)


def _resume(store: Store, by: Actor) -> None:
    """Who works on the restored data: the same administrator if the restored data knows
    them (active, still an administrator); else whoever signs in (or the PC, with no
    operators at all)."""
    from xmen_desktop.domain.access import SYSTEM
    from xmen_desktop.store.models import Operator
    from xmen_desktop.store.operators import actor_for

    store.require_sign_in()
    if by is SYSTEM or by.operator_id is None or store.actor is SYSTEM:
        return
    with store.read(actor=SYSTEM) as session:
        row = session.get(Operator, by.operator_id)
        if row is not None and row.is_live and not row.disabled:
            person = actor_for(row)
            if person.may_restore:
                store.actor = person


def computer_account() -> Actor:
    """The computer account running the program, acting as an administrator.

    For a restore when nobody can sign in (the database is damaged, or not there yet):
    whoever runs the program under this account can already read, copy and replace the data
    file itself, so the account's file permissions are the real protection; refusing would
    only block the repair. The audit trail names the account.
    """
    import getpass

    from xmen_desktop.domain.access import ADMIN, Actor

    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name (a service account): still say who
        user = str(os.getpid())
    return Actor(f"os:{user}", f"{user}（本机账户）", ADMIN)


def restore_and_open(
    data_dir: Path,
    backup: Path,
    *,
    by: Actor,
    checked: BackupPreview | None = None,
) -> tuple[Store, RestoreResult]:
    """Restore (the store closed), open the restored data and note the restore in its audit
    trail, as done by ``by`` (an operator, the PC itself, or the computer account that ran
    the command line on a damaged database)."""
    from xmen_desktop.store import audit
    from xmen_desktop.store.database import Store

    result = restore_backup(data_dir, backup, checked=checked)
    store = Store.open(data_dir)
    try:
        with store.write(actor=by) as session:
            audit.record(session, "restore", result.detail())
        _resume(store, by)
    except BaseException:
        store.close()
        raise
    return store, result


def restore_in_place(
    store: Store, backup: Path, reopened: Callable[[Store | None], None]
) -> RestoreResult:
    """Restore under an open store (the app's 恢复这个备份…): check, close, restore, reopen.

    ``reopened`` gets the store to use from now on, in every case: the restored data, or the
    untouched old data reopened for the same person after a refusal (None if even that
    fails). Refusals found before anything closes (not an administrator, not a backup of
    ours) leave the store open and do not call it.
    """
    from xmen_desktop.store.database import Store

    person = store.actor
    if not person.signed_in:
        raise SignInRequired("请先登录。")
    if not person.may_restore:
        raise AccessDenied("只有管理员可以恢复备份。请请管理员登录后再恢复。")
    preview = inspect_backup(backup)
    directory = store.directory
    store.close()
    try:
        new, result = restore_and_open(directory, backup, by=person, checked=preview)
    except BaseException:
        try:
            old = Store.open(directory)
        except StoreError:
            reopened(None)
            raise
        old.actor = person
        reopened(old)
        raise
    reopened(new)
    return result


# ---------------------------------------------------------------------------- on demand


def create_backup(store: Store, *, to: Path | None = None) -> Path:
    """A backup now, into the backups folder, or (``to``) into a folder such as a USB stick.

    Audited. A copy on a stick carries every estate's data and this PC's site key, so only
    an administrator may take one away; a copy kept on this PC anyone signed in may take.
    """
    from xmen_desktop.store import audit

    person = store.actor
    if not person.signed_in:
        raise SignInRequired("请先登录。")
    if to is None:
        path = backup_database(store.path, paths.backups_dir(store.directory), "manual")
        detail = f"手动备份 {path.name}（{size_text(path.stat().st_size)}）"
    else:
        if not person.may_restore:
            raise AccessDenied(
                "备份到U盘会带走全部小区的资料，只有管理员可以做。如需要，请找管理员。"
            )
        path = backup_database(store.path, to, "usb", prune=False, usb=True)
        detail = f"备份到U盘 {path}（{size_text(path.stat().st_size)}）"
    with store.write() as session:
        audit.record(session, "backup", detail)
    return path
