"""An import killed at any moment leaves the database as it was; the next import succeeds.

``xmen sync import`` runs in a child process on a bundle of 20,000 households and is killed
with SIGKILL at random moments: while it reads and decrypts, while it backs up, and while the
merge transaction is open. SQLite's write-ahead log must roll the open transaction back.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sync.helpers import PASSPHRASE, add_household, dump, export, open_pc
from xmen_desktop.store import roster
from xmen_desktop.store.database import Store

HOUSEHOLDS = 20_000
KILLS = 5

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _build_bundle(folder: Path, sticks: Path) -> Path:
    source = open_pc(folder, "大站")
    try:
        with source.write() as session:
            estate = roster.resolve_estate(session, "普育里").id
            roster.add_households_bulk(
                session,
                estate,
                [
                    {
                        "tenant": f"住户{i}",
                        "address": f"普育东路 {i // 100} 弄 {i % 100} 号",
                        "phone": f"139{i:08d}",
                        "size": i % 5 + 1,
                        "area_centi": 2500 + i % 4000,
                        "notes": "独居老人" if i % 17 == 0 else "",
                    }
                    for i in range(HOUSEHOLDS)
                ],
                progress=lambda done, total: None,  # flush in steps: keeps the build linear
            )
        return export(source, sticks)
    finally:
        source.close()


def _state(folder: Path) -> tuple[str, str]:
    """(dump, integrity check) of the closed database, opened afresh as the app would."""
    store = Store.open(folder)
    try:
        text = dump(store)
    finally:
        store.close()
    connection = sqlite3.connect(folder / "xmen.sqlite3")
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    assert foreign == []
    return text, check


def _importing(folder: Path, bundle: Path, passphrase: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xmen_desktop",
            "--data-dir",
            str(folder),
            "sync",
            "import",
            str(bundle),
            "--passphrase-file",
            str(passphrase),
            "--trust-new",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _count(backups: Path) -> int:
    return len(list(backups.glob("*before-import*.sqlite3"))) if backups.exists() else 0


def _wait(child: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while child.poll() is None and not ready():
        if time.monotonic() > deadline:
            pytest.fail("the import never got there")
        time.sleep(0.005)


def test_an_import_killed_at_random_moments_changes_nothing(tmp_path: Path, sticks: Path) -> None:
    bundle = _build_bundle(tmp_path, sticks)
    passphrase = tmp_path / "口令.txt"
    passphrase.write_text(PASSPHRASE, "utf-8")
    folder = tmp_path / "收件站"
    receiver = Store.open(folder, site_name="收件站")
    add_household(receiver, "原有住户", "普育西路 1 号")
    receiver.close()
    before = _state(folder)
    assert before[1] == "ok"
    database = folder / "xmen.sqlite3"
    file_before = hashlib.sha256(database.read_bytes()).hexdigest()

    rng = random.Random(20240701)
    wal = folder / "xmen.sqlite3-wal"
    written_before_kill: list[int] = []
    for attempt in range(KILLS):
        backups = _count(folder / "backups")
        child = _importing(folder, bundle, passphrase)
        if attempt == 0:  # while starting, reading and decrypting
            time.sleep(rng.uniform(0.2, 0.8))
        elif attempt < 3:  # once backed up: parsing, checking, the first inserts
            _wait(child, lambda n=backups: _count(folder / "backups") > n)
            time.sleep(rng.uniform(0.0, 0.5))
        else:  # inside the merge transaction, when it has written this much to the log
            threshold = rng.uniform(1e6, 30e6)
            _wait(child, lambda t=threshold: wal.exists() and wal.stat().st_size >= t)
        if child.poll() is not None:
            pytest.fail(f"the import finished before it could be killed: {child.stderr.read()!r}")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]
        assert child.returncode == -signal.SIGKILL
        written_before_kill.append(wal.stat().st_size if wal.exists() else 0)
        # The database file itself is untouched (uncommitted pages only ever reach the log),
        # and opened again, the log's uncommitted tail is ignored.
        assert hashlib.sha256(database.read_bytes()).hexdigest() == file_before
        assert _state(folder) == before, f"kill {attempt + 1} left a change behind"
        assert hashlib.sha256(database.read_bytes()).hexdigest() == file_before
    # The last kills hit an open merge transaction that had written to the log.
    assert all(size > 1_000_000 for size in written_before_kill[3:]), written_before_kill

    done = _importing(folder, bundle, passphrase)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err.decode("utf-8")
    summary = json.loads(out)
    assert summary["new"]["household"] == HOUSEHOLDS and summary["pending"] == 0
    after, check = _state(folder)
    assert check == "ok"
    assert len(json.loads(after)["household"]) == HOUSEHOLDS + 1
