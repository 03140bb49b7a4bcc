"""``xmen backup create|list|restore``, run as a user or a script would, in a subprocess."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_refused, xmen
from xmen_desktop.store import audit, operators, paths, roster
from xmen_desktop.store.database import Store

PASSWORD = "Laoximen2026"


def add(data_dir: Path, *tenants: str) -> None:
    """Households written in-process: the commands under test here are the backup ones."""
    store = Store.open(data_dir, site_name="小西门居委会")
    try:
        with store.write() as session:
            estate = roster.resolve_estate(session, "小西门").id
            for tenant in tenants:
                door = len(roster.list_households(session, estate)) + 1
                roster.add_household(
                    session, estate, {"tenant": tenant, "address": f"复兴东路 {door} 号"}
                )
    finally:
        store.close()


def tenants(data_dir: Path) -> set[str]:
    store = Store.open(data_dir)
    try:
        with store.read() as session:
            return {row.tenant for row in roster.list_households(session)}
    finally:
        store.close()


def listed(data_dir: Path) -> list[dict[str, object]]:
    return json.loads(xmen(data_dir, "backup", "list", "--json").stdout)  # type: ignore[no-any-return]


def state(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def restore_events(data_dir: Path) -> list[audit.AuditLine]:
    store = Store.open(data_dir)
    try:
        with store.read() as session:
            return audit.audit_lines(session, audit.AuditFilter(kind="restore"))
    finally:
        store.close()


@pytest.fixture
def office(data_dir: Path) -> Path:
    add(data_dir, "王阿毛", "李秀英")
    return data_dir


def test_create_prints_the_path_and_list_shows_it(office: Path, tmp_path: Path) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    assert made.is_file() and made.parent == paths.backups_dir(office)
    rows = listed(office)
    names = [row["name"] for row in rows]
    assert made.name in names
    row = next(r for r in rows if r["name"] == made.name)
    assert row["reason"] == "manual" and row["size"] == made.stat().st_size
    assert str(row["taken_at"]).startswith(made.name[5:9])  # the year in the name
    text = xmen(office, "backup", "list").stdout
    assert made.name in text and "手动备份" in text and "份备份" in text

    stick = tmp_path / "U盘"
    stick.mkdir()
    copied = Path(xmen(office, "backup", "create", "--to", str(stick)).stdout.strip())
    assert copied.parent == stick and copied.is_file()


def test_create_to_a_missing_folder_is_one_clear_line(office: Path, tmp_path: Path) -> None:
    result = xmen(office, "backup", "create", "--to", str(tmp_path / "没插"), check=False)
    assert_refused(result, "U盘可能没有插好")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_with_no_backups_yet(data_dir: Path) -> None:
    assert "还没有备份" in xmen(data_dir, "backup", "list").stdout
    assert listed(data_dir) == []


def test_restore_by_name_brings_the_backup_back_and_is_audited(office: Path) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    add(office, "后来的")
    result = xmen(office, "backup", "restore", made.name, "--yes")
    assert "已恢复" in result.stdout and "小西门 2 户" in result.stdout
    assert tenants(office) == {"王阿毛", "李秀英"}
    (event,) = restore_events(office)
    assert made.name in event.detail and event.operator == "system"
    reasons = [row["reason"] for row in listed(office)]
    assert "before-restore" in reasons


def test_restore_asks_first_and_refuses_without_a_terminal(office: Path) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    add(office, "后来的")
    before = state(office)
    result = xmen(office, "backup", "restore", str(made), check=False)
    assert_refused(result, "--yes")
    assert result.returncode == 1
    assert state(office) == before


def test_restore_of_a_file_that_is_not_a_backup_is_refused_untouched(
    office: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "名单.sqlite3"
    roster.write_text("姓名,电话\n王阿毛,13812345678\n", "utf-8")
    before = state(office)
    result = xmen(office, "backup", "restore", str(roster), "--yes", check=False)
    assert_refused(result, "不是本软件的备份", "没有改动")
    assert state(office) == before
    missing = xmen(office, "backup", "restore", "xmen-没有这个.sqlite3", "--yes", check=False)
    assert_refused(missing, "找不到备份", "xmen backup list")


def test_with_operators_only_an_administrator_restores(office: Path) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    store = Store.open(office)
    try:
        with store.write() as session:
            operators.add_operator(session, "wangli", "王丽", "admin", PASSWORD)
        store.sign_in("wangli", PASSWORD)
        with store.write() as session:
            operators.add_operator(session, "zhaomin", "赵敏", "estate", "zhaomin1", ["小西门"])
    finally:
        store.close()
    secret = office.parent / "secret.txt"
    secret.write_text("zhaomin1\n", "utf-8")
    nobody = xmen(office, "backup", "restore", made.name, "--yes", check=False)
    assert_refused(nobody, "--as")
    staff = xmen(
        office,
        "--as",
        "zhaomin",
        "--password-file",
        str(secret),
        "backup",
        "restore",
        made.name,
        "--yes",
        check=False,
    )
    assert_refused(staff, "只有管理员可以恢复备份")
    secret.write_text(PASSWORD + "\n", "utf-8")
    done = xmen(
        office,
        "--as",
        "wangli",
        "--password-file",
        str(secret),
        "backup",
        "restore",
        made.name,
        "--yes",
    )
    assert "已恢复" in done.stdout
    (event,) = restore_events(office)
    assert event.operator == "wangli"


def test_a_damaged_database_is_reported_and_restored_from_the_command_line(
    office: Path,
) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    database = paths.database_path(office)
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(bytes(range(256)) * 64)
    broken = xmen(office, "households", "list", check=False)
    assert_refused(broken, "数据文件损坏了", "xmen backup restore")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    # The list still works (it needs no open database), and so does the restore.
    assert made.name in [row["name"] for row in listed(office)]
    result = xmen(office, "backup", "restore", made.name, "--yes")
    assert "损坏的数据文件另存为" in result.stdout
    assert tenants(office) == {"王阿毛", "李秀英"}
    (event,) = restore_events(office)
    assert event.operator == f"os:{getpass.getuser()}"
    assert list(paths.backups_dir(office).glob("*.damaged"))


def _on_a_terminal(data_dir: Path, answer: str, *args: str) -> tuple[int, str]:
    """Run ``xmen`` with a terminal for stdin/stdout; type ``answer`` when it asks."""
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    child = subprocess.Popen(
        [sys.executable, "-m", "xmen_desktop", "--data-dir", str(data_dir), *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while "输入 y 确定".encode() not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(controller, 4096)
            except OSError:
                break  # the child closed the terminal
        os.write(controller, answer.encode() + b"\n")
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    return child.wait(timeout=120), seen.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pty is POSIX")
def test_on_a_terminal_restore_shows_the_preview_and_asks(office: Path) -> None:
    made = Path(xmen(office, "backup", "create").stdout.strip())
    add(office, "后来的")
    code, said = _on_a_terminal(office, "", "backup", "restore", made.name)
    assert code == 1 and "小西门 2 户" in said and "已取消" in said
    assert tenants(office) == {"王阿毛", "李秀英", "后来的"}
    code, said = _on_a_terminal(office, "y", "backup", "restore", made.name)
    assert code == 0, said
    assert "已恢复到" in said
    assert tenants(office) == {"王阿毛", "李秀英"}
