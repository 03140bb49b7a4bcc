"""``xmen backup create|list|restore``: backups from the command line.

``list`` and ``restore`` run without opening the store (``no_store``), so they work when the
database is damaged, which is when they are needed most.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xmen_desktop.domain.access import Actor
    from xmen_desktop.store.database import Store

YES_ANSWERS = frozenset({"y", "yes", "是", "确定"})


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _fail(message: str) -> Exception:
    from xmen_desktop.cli import CliError

    return CliError(message)


def _data_dir(args: argparse.Namespace) -> Path:
    from xmen_desktop.store import paths

    return paths.data_dir(args.data_dir)


# ---------------------------------------------------------------------------- create


def cmd_backup_create(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import backup

    target = Path(args.to).expanduser() if args.to else None
    path = backup.create_backup(store, to=target)
    _print(str(path))


# ---------------------------------------------------------------------------- list


def cmd_backup_list(_store: Store | None, args: argparse.Namespace) -> None:
    from xmen_desktop.store import backup, paths

    folder = paths.backups_dir(_data_dir(args))
    backups = backup.list_backups(folder)
    if args.json:
        sys.stdout.write(
            json.dumps([b.as_json() for b in backups], ensure_ascii=False, indent=2) + "\n"
        )
        return
    for item in backups:
        taken = item.taken_at.strftime("%Y-%m-%d %H:%M:%S")
        _print("\t".join([item.name, taken, item.reason_label, item.size_text]))
    if backups:
        _print(f"共 {len(backups)} 份备份，在 {folder}")
    else:
        _print(f"还没有备份（备份文件夹：{folder}）")


# ---------------------------------------------------------------------------- restore


def _resolve_backup(data_dir: Path, given: str) -> Path:
    """A path, or a name as ``backup list`` prints it (found in the backups folder)."""
    from xmen_desktop.store import paths

    candidate = Path(given).expanduser()
    if candidate.is_file():
        return candidate.resolve()
    in_folder = paths.backups_dir(data_dir) / given
    if given == Path(given).name and in_folder.is_file():
        return in_folder
    raise _fail(
        f"找不到备份“{given}”。请用 xmen backup list 查看可以恢复的备份，或给出文件的完整路径"
    )


def _restorer(data_dir: Path, args: argparse.Namespace) -> Actor:
    """Who restores: an administrator (``--as`` an admin operator, or ``--admin``, as for
    every command); the computer account when the database cannot be signed in to.

    When the database cannot be opened (damaged, not ours, too new) or is not there yet,
    nobody can sign in to it. The restore then runs for the computer account that runs this
    command (``backup.computer_account``): whoever can run it there can already read, copy
    and replace the data file itself (the folder's permissions are the real protection), so
    refusing would only block the repair. The current file is kept (backed up, or set aside
    as it is) and the restore is audited under that account's name.
    """
    from xmen_desktop.cli import _sign_in
    from xmen_desktop.store import backup, paths
    from xmen_desktop.store.database import Store
    from xmen_desktop.store.errors import (
        AccessDenied,
        DatabaseDamaged,
        DatabaseNotOurs,
        DatabaseTooNew,
    )

    if not paths.database_path(data_dir).exists():
        return backup.computer_account()  # a new PC, restoring from a USB stick
    try:
        store = Store.open(data_dir)
    except (DatabaseDamaged, DatabaseNotOurs, DatabaseTooNew):
        return backup.computer_account()
    try:
        _sign_in(store, args)
        person = store.actor
        if not person.may_restore:
            raise AccessDenied(f"{person.display_name}不是管理员：只有管理员可以恢复备份。")
        return person
    finally:
        store.close()


def _confirmed(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    answer = input("确定用这份备份替换现在的全部数据吗？输入 y 确定，直接回车取消：")
    return answer.strip().lower() in YES_ANSWERS


def cmd_backup_restore(_store: Store | None, args: argparse.Namespace) -> None:
    from xmen_desktop.store import backup

    data_dir = _data_dir(args)
    path = _resolve_backup(data_dir, args.file)
    preview = backup.inspect_backup(path)  # refuses a file that is not a sound backup of ours
    if not args.yes and not sys.stdin.isatty():
        raise _fail("恢复会用这份备份替换现在的全部数据。确认无误后，加 --yes 再运行一次")
    person = _restorer(data_dir, args)
    for line in preview.lines():
        _print(line)
    if not _confirmed(args):
        raise _fail("已取消，数据没有改动")
    store, result = backup.restore_and_open(data_dir, path, by=person, checked=preview)
    store.close()
    _print(result.summary())
    _print(f"详情：{result.detail()}")
    _print("本机已换用新的站点编号，以免和恢复前已经发出的修改混在一起。")


# ---------------------------------------------------------------------------- parser


def register(commands: Any) -> None:
    """Add ``backup`` to the ``xmen`` command's subparsers (cli.build_parser calls this)."""
    group = commands.add_parser("backup", help="数据备份：立即备份、查看备份、从备份恢复")
    actions = group.add_subparsers(dest="action", metavar="ACTION", parser_class=type(group))
    actions.required = True

    create = actions.add_parser("create", help="立即备份一份，打印备份文件的路径")
    create.add_argument(
        "--to", metavar="FOLDER", help="备份到这个文件夹（例如U盘），而不是备份文件夹"
    )
    create.set_defaults(handler=cmd_backup_create)

    listing = actions.add_parser("list", help="列出备份：文件名、时间、类型、大小")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_backup_list, no_store=True)

    restore = actions.add_parser("restore", help="用一份备份替换现在的数据（先另存现在的数据）")
    restore.add_argument("file", metavar="FILE", help="备份文件的路径，或 backup list 列出的文件名")
    restore.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    restore.set_defaults(handler=cmd_backup_restore, no_store=True)
