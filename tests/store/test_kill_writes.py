"""A process killed while it writes loses nothing it committed and leaves nothing half-written.

A writer process adds households (each with two residents, now and then editing an earlier
one) in a loop, one transaction each, and prints a line for each only after it committed.
The test kills it with SIGKILL at a random moment, again and again, and after every kill
opens the data as the app would and checks it: everything printed is there, SQLite finds
nothing wrong, no household lacks a field or a resident, and the change log still rebuilds
every row exactly.

Each writer is forked from a helper process that imported the program once (a "zygote"), so
a run costs a fork instead of a fresh interpreter: 25 kills fit in well under half a minute.
The helper never opens the database itself; each writer opens it as the app would.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.store.test_changelog import counters_are_gap_free, log_matches_tables
from xmen_desktop.store import paths
from xmen_desktop.store.database import Store

KILLS = 25

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

ZYGOTE = textwrap.dedent(
    """
    import os
    import sys
    from pathlib import Path

    from xmen_desktop.store import roster
    from xmen_desktop.store.database import Store


    def write_forever(folder, n):
        store = Store.open(folder)
        with store.read() as session:
            estate = roster.resolve_estate(session, "小西门").id
        previous = []
        while True:
            with store.write() as session:
                household = roster.add_household(
                    session,
                    estate,
                    {
                        "tenant": f"住户{n}",
                        "address": f"中华路 {n} 号",
                        "phone": f"139{n:08d}",
                        "size": 2,
                        "area": "45.5",
                        "notes": "独居老人" if n % 7 == 0 else "",
                    },
                )
                for who in ("本人", "配偶"):
                    roster.add_resident(
                        session, household.id, {"name": f"{who}{n}", "relation": who}
                    )
                edited = None
                if previous and n % 3 == 0:
                    edited = previous[n % len(previous)]
                    roster.update_household(session, edited, {"notes": f"改{n}"})
            # Only now, after the commit, does the test hear of it.
            print(f"add {household.id} {n}", flush=True)
            if edited is not None:
                print(f"set {edited} {n}", flush=True)
            previous.append(household.id)
            n += 1


    for line in sys.stdin:  # one line per run: the first household number to use
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(Path(sys.argv[1]), int(line))
            finally:
                os._exit(1)
        print(f"pid {pid}", flush=True)
        os.waitpid(pid, 0)
        # After the writer is gone: every line it wrote is ahead of this one in the pipe.
        print(f"dead {pid}", flush=True)
    """
)


class Zygote:
    """The helper process, and its output as a queue of lines (read on a thread)."""

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        # Drained too: a writer that fills an unread stderr pipe would stop there.
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # the helper is gone

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line)

    def next_line(self, pid: int | None = None) -> str:
        try:
            # Generous: a loaded CI machine may take long over an fsync.
            line = self.lines.get(timeout=180)
        except queue.Empty:
            state = _process_state(pid) if pid else ""
            pytest.fail(
                f"the writer said nothing for three minutes {state}: {''.join(self.errors)[-2000:]}"
            )
        if not line:
            pytest.fail(f"the helper process stopped: {''.join(self.errors)[-2000:]}")
        return line

    def lines_until_dead(self, pid: int) -> list[str]:
        """Every line the killed writer printed, up to the helper's word that it is gone.

        Once seen on a loaded machine: that word never came although the writer was gone
        and the helper waited for its next run. Then what the writer printed is already in
        the pipe, ahead of anything else: take what arrives within a few seconds.
        """
        lines: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=30)
            except queue.Empty:
                if _process_state(pid) in ("(gone)", "Z"):
                    time.sleep(2)
                    while not self.lines.empty():
                        lines.append(self.lines.get_nowait())
                    return [line for line in lines if not line.startswith("dead ")]
                continue
            if not line:
                pytest.fail(f"the helper process stopped: {''.join(self.errors)[-2000:]}")
            if line == f"dead {pid}":
                return lines
            lines.append(line)

    def start(self, first: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{first}\n")
        self.process.stdin.flush()

    def close(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=30)


def _process_state(pid: int) -> str:
    """The kernel's view of a process (Linux), to tell a stuck write from a lost line."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "(gone)"


@pytest.fixture
def zygote(data_dir: Path) -> Iterator[Zygote]:
    helper = Zygote(data_dir)
    try:
        yield helper
    finally:
        helper.close()


def _check(folder: Path, site_id: str, added: dict[str, int], edited: dict[str, int]) -> int:
    """Everything reported is there and whole; returns the highest household number used."""
    database = paths.database_path(folder)
    store = Store.open(folder)  # as the app would: its own check, the log replayed
    try:
        assert store.site_id == site_id  # a crash is no restore: no new identity
        with store.read() as session:
            rows = {
                row[0]: row[1:]
                for row in session.execute(
                    text(
                        "SELECT id, tenant, address, address_key, phone, size, area_centi, "
                        "notes, estate_id, cl FROM household"
                    )
                )
            }
            residents = dict(
                session.execute(
                    text("SELECT household_id, count(*) FROM resident GROUP BY household_id")
                ).all()
            )
        for household_id, n in added.items():
            assert household_id in rows, f"committed household {n} lost"
            assert rows[household_id][0] == f"住户{n}"
        for household_id, fields in rows.items():
            tenant, address, key, phone, size, area, notes, estate, cl = fields
            assert None not in (tenant, address, key, phone, size, area, notes, estate)
            assert (size, area, cl) == (2, 4550, 1)
            assert residents.get(household_id) == 2, "a household without its residents"
        assert set(residents) <= set(rows), "residents without their household"
        for household_id, n in edited.items():
            # The edit reported, or a later one that committed just before the kill.
            notes = rows[household_id][6]
            assert notes.startswith("改") and int(notes[1:]) >= n
        log_matches_tables(store)
        counters_are_gap_free(store)
    finally:
        store.close()
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    return max((int(fields[0].removeprefix("住户")) for fields in rows.values()), default=0)


def test_a_writer_killed_at_random_moments_loses_nothing_committed(
    data_dir: Path, zygote: Zygote
) -> None:
    store = Store.open(data_dir, site_name="小西门居委会")
    site_id = store.site_id
    store.close()
    rng = random.Random(20261127)
    added: dict[str, int] = {}
    edited: dict[str, int] = {}
    highest = 0
    unreported = 0
    started = time.monotonic()
    for attempt in range(KILLS):
        zygote.start(highest + 1)
        reported: list[str] = []
        pid: int | None = None
        while pid is None or (attempt % 5 != 4 and not reported):
            line = zygote.next_line(pid)
            if line.startswith("pid "):
                pid = int(line.split()[1])
            elif line.startswith("dead "):
                pytest.fail(f"the writer stopped by itself: {''.join(zygote.errors)[-3000:]}")
            else:
                reported.append(line)
        if attempt % 5 == 4:
            # Now and then while it starts: opening, checking, taking the day's backup.
            time.sleep(rng.uniform(0.0, 0.4))
        else:
            time.sleep(rng.uniform(0.0, 0.25))  # after its first commit
        os.kill(pid, signal.SIGKILL)
        reported += zygote.lines_until_dead(pid)
        for entry in reported:
            kind, household_id, n = entry.split()
            (added if kind == "add" else edited)[household_id] = int(n)
        highest = _check(data_dir, site_id, added, edited)
        # Killed after a commit and before its line: committed, so there all the same.
        unreported += highest > max(added.values(), default=0)
    assert len(added) >= KILLS * 4 // 5  # every kill after a first commit reported one
    print(
        f"{KILLS} kills in {time.monotonic() - started:.1f} s: {len(added)} households reported,"
        f" {unreported} kills between a commit and its report"
    )
