"""What roles cost: writes checked per row, reads filtered per estate, the audit screen's query.

    python bench/access.py [--households 12000]

Builds a demo district as the PC itself and again as an estate-staff person (every row's
estate is checked), then times the roster list for a subdistrict person (no filter) and an
estate-staff person (filtered), a sign-in (Argon2id), and the audit list over the whole log.
Figures go into docs/PERFORMANCE.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=12000)
    args = parser.parse_args()

    from xmen_desktop.domain.estates import ESTATES
    from xmen_desktop.store import audit, operators, roster
    from xmen_desktop.store.database import Store
    from xmen_desktop.store.demo import fill_demo

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "system", site_name="性能测试")
        started = time.perf_counter()
        with store.write() as session:
            fill_demo(session, args.households)
        print(f"demo build as the PC itself: {time.perf_counter() - started:.1f} s")
        store.close()

        store = Store.open(Path(folder) / "staff", site_name="性能测试")
        with store.write() as session:
            operators.add_operator(session, "admin", "管理员", "admin", "admin-pass-2026")
        store.sign_in("admin", "admin-pass-2026")
        with store.write() as session:
            operators.add_operator(session, "street", "街道", "subdistrict", "street-pass")
            operators.add_operator(
                session, "wang", "王丽", "estate", "wang-pass", [e.name for e in ESTATES]
            )
        store.sign_in("wang", "wang-pass")
        started = time.perf_counter()
        with store.write() as session:
            fill_demo(session, args.households)
        print(
            f"demo build as estate staff (every row checked): {time.perf_counter() - started:.1f} s"
        )

        sign_in = timed(lambda: store.sign_in("wang", "wang-pass"))
        print(f"sign-in (Argon2id verify + audit event): {sign_in:.0f} ms")
        estate = ESTATES[0].id

        def roster_list() -> object:
            with store.read() as session:
                return roster.list_households(session, estate)

        store.sign_in("street", "street-pass")
        unfiltered = timed(roster_list)
        store.sign_in("wang", "wang-pass")
        filtered = timed(roster_list)
        print(
            f"one estate's roster list: {unfiltered:.0f} ms unfiltered (subdistrict), "
            f"{filtered:.0f} ms filtered (estate staff)"
        )

        def audit_list() -> object:
            with store.read() as session:
                return audit.audit_lines(session, audit.AuditFilter(limit=5000))

        with store.read() as session:
            entries = session.connection().exec_driver_sql("SELECT count(*) FROM change_log")
            count = entries.scalar()
        print(f"audit list, newest 5,000 of {count:,} log entries: {timed(audit_list, 3):.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
