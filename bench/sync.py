"""Sync figures: export and import of a bundle of 100,000 changed households.

    python bench/sync.py [--households 100000] [--data-dir DIR] [--keep]

Builds a PC holding N households (every field logged: 9 change entries each), then, each step
in its own process so that its peak memory is its own:

- export: the encrypted bundle of every change;
- import: that bundle into an empty PC;
- again: the same bundle a second time (already imported);
- re-export: ``--full`` again (a different bundle, the same changes), exported and imported;
- one more: one new household on the source, ``--full`` once more, imported: every entry but
  nine is already held, so this measures the per-entry skip path.

Prints wall time, CPU time and peak RSS per step. Figures go into docs/PERFORMANCE.md; nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PASSPHRASE = "性能测试用的同步口令"
TARGETS = {"export": 10.0, "import": 30.0, "again": 3.0, "reimport": 3.0}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def build(folder: Path, households: int) -> None:
    from xmen_desktop.store import roster
    from xmen_desktop.store.database import Store

    started = time.perf_counter()
    store = Store.open(folder / "source", site_name="街道办")
    with store.write() as session:
        estate = roster.resolve_estate(session, "小西门").id
        roster.add_households_bulk(
            session,
            estate,
            [
                {
                    "tenant": f"住户{i}",
                    "address": f"复兴东路 {i // 100} 弄 {i % 100} 号 {i % 7 + 1}01 室",
                    "phone": f"139{i:08d}",
                    "size": i % 5 + 1,
                    "area_centi": 3000 + i % 5000,
                    "notes": "独居老人" if i % 13 == 0 else "",
                }
                for i in range(households)
            ],
            # A progress callback makes the insert flush in steps, which keeps it linear.
            progress=lambda done, total: None,
        )
    store.close()
    print(f"build: {households:,} households in {time.perf_counter() - started:.1f} s")


def step(name: str, folder: Path) -> dict[str, Any]:
    """One measured step, run in this (fresh) process."""
    from xmen_desktop.store import sync
    from xmen_desktop.store.database import Store

    figures: dict[str, Any] = {}
    source = Store.open(folder / "source")
    target = Store.open(folder / "target", site_name="小西门")
    wall, cpu = time.perf_counter(), _cpu()
    if name == "export":
        report = sync.export_bundle(source, folder / "all.xmb", passphrase=PASSPHRASE)
        figures.update(entries=report.entries, size_mb=report.size / 1e6)
    elif name in ("import", "again"):
        incoming = sync.read_bundle(target, folder / "all.xmb", PASSPHRASE)
        result = sync.apply_bundle(target, incoming, trust_new=True)
        figures.update(applied=result.stats.applied, skipped=result.stats.skipped)
    elif name == "reexport":
        report = sync.export_bundle(source, folder / "full.xmb", full=True, passphrase=PASSPHRASE)
        figures.update(entries=report.entries)
    elif name == "reimport":
        incoming = sync.read_bundle(target, folder / "full.xmb", PASSPHRASE)
        result = sync.apply_bundle(target, incoming, trust_new=True)
        figures.update(applied=result.stats.applied, skipped=result.stats.skipped)
    elif name == "onemore":
        incoming = sync.read_bundle(target, folder / "more.xmb", PASSPHRASE)
        result = sync.apply_bundle(target, incoming, trust_new=True)
        figures.update(applied=result.stats.applied, skipped=result.stats.skipped)
    figures.update(wall=time.perf_counter() - wall, cpu=_cpu() - cpu, peak_mb=_peak_mb())
    source.close()
    target.close()
    return figures


def add_one_and_export(folder: Path) -> None:
    from xmen_desktop.store import roster, sync
    from xmen_desktop.store.database import Store

    source = Store.open(folder / "source")
    with source.write() as session:
        estate = roster.resolve_estate(session, "小西门").id
        address = f"中华路 {time.time_ns() % 10**9} 号"  # a fresh one on every run
        roster.add_household(session, estate, {"tenant": "新来的", "address": address})
    sync.export_bundle(source, folder / "more.xmb", full=True, passphrase=PASSPHRASE)
    source.close()


def run_step(name: str, folder: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--step", name, "--data-dir", str(folder)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.data_dir)))
        return

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="xmen-bench-sync-"))
    try:
        if not (folder / "source").exists():
            build(folder, args.households)
        shutil.rmtree(folder / "target", ignore_errors=True)
        rows = []
        for name, label in [
            ("export", "export (all changes, encrypted)"),
            ("import", "import into an empty PC"),
            ("again", "the same bundle again (already imported)"),
            ("reexport", "re-export with --full (another bundle, same changes)"),
            ("reimport", "import of that re-export (nothing new)"),
        ]:
            figures = run_step(name, folder)
            rows.append((name, label, figures))
        add_one_and_export(folder)
        rows.append(
            (
                "onemore",
                "--full with one new household (per-entry skip)",
                run_step("onemore", folder),
            )
        )
        for name, label, figures in rows:
            extra = ", ".join(
                f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}"
                for k, v in figures.items()
                if k not in ("wall", "cpu", "peak_mb")
            )
            target = TARGETS.get(name)
            verdict = "" if target is None else f" (target < {target:.0f} s)"
            print(
                f"{label}: {figures['wall']:.2f} s wall, {figures['cpu']:.2f} s CPU, "
                f"peak {figures['peak_mb']:.0f} MB{verdict}; {extra}"
            )
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
