"""District-scale figures: build 6 × 2,000 households, start the GUI on them, filter a roster.

    python bench/district.py [--households 12000] [--runs 5] [--data-dir DIR]

Prints the time to build the database, the time from process start to the main window shown
(``xmen-desktop --quit-after-show``), and the search-filter latency over one estate's roster.
Figures go into docs/PERFORMANCE.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build(data_dir: Path, households: int) -> None:
    from xmen_desktop.store import roster
    from xmen_desktop.store.database import Store
    from xmen_desktop.store.demo import fill_demo

    started = time.perf_counter()
    store = Store.open(data_dir, site_name="性能测试")
    with store.write() as session:
        report = fill_demo(session, households)
    elapsed = time.perf_counter() - started
    with store.read() as session:
        largest = max(roster.estate_summaries(session), key=lambda s: s.households)
    store.close()
    size_mb = (data_dir / "xmen.sqlite3").stat().st_size / 1e6
    print(
        f"build: {report.households} households, {report.residents} residents, "
        f"{report.members} members in {elapsed:.1f} s ({size_mb:.0f} MB; "
        f"largest estate {largest.name} {largest.households})"
    )


def startup(data_dir: Path, runs: int) -> None:
    shown, loaded = [], []
    for _ in range(runs):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "xmen_desktop.app",
                "--data-dir",
                str(data_dir),
                "--quit-after-show",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            print("startup failed:", result.stderr.strip()[-500:])
            return
        shown.append(int(lines[-1]))
        loaded.append(int(lines[-2].split("：")[1].split()[0]))
    print(
        f"window shown: median {statistics.median(shown):.0f} ms "
        f"(min {min(shown)}, max {max(shown)}, {runs} runs); "
        f"data loaded: median {statistics.median(loaded):.0f} ms"
    )


def filtering(data_dir: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from xmen_desktop.store import roster
    from xmen_desktop.store.database import Store
    from xmen_desktop.ui.table_models import HouseholdFilterProxy, HouseholdTableModel

    app = QApplication.instance() or QApplication([])
    store = Store.open(data_dir)
    with store.read() as session:
        largest = max(roster.estate_summaries(session), key=lambda s: s.households)
        rows = roster.list_households(session, largest.estate_id)
    store.close()
    model = HouseholdTableModel()
    started = time.perf_counter()
    model.set_rows(rows)
    load_ms = (time.perf_counter() - started) * 1000
    proxy = HouseholdFilterProxy()
    proxy.setSourceModel(model)
    # What staff type: a surname, part of an address, a phone fragment, a miss, then clear.
    queries = ["王", "王阿", "12 弄", "1 弄 3 号", "139", "6328", "不存在的人", ""]
    timings = []
    for _ in range(20):
        for query in queries:
            started = time.perf_counter()
            proxy.set_query(query)
            proxy.rowCount()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"filter over {len(rows)} households of {largest.name}: "
        f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
        f"max {timings[-1]:.2f} ms (model load {load_ms:.0f} ms)"
    )
    del app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", help="reuse (or keep) the database here")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="xmen-bench-"))
    if not (data_dir / "xmen.sqlite3").exists():
        build(data_dir, args.households)
    startup(data_dir, args.runs)
    filtering(data_dir)


if __name__ == "__main__":
    main()
