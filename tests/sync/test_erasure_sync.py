"""An erasure travels, and nothing brings the data back: not the receiver's own log, not an
older bundle, not an edit made elsewhere before the erasure was known, in any import order."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.test_personal_data import (
    ADDRESS,
    SECRETS,
    TENANT,
    Household_,
    fill_household,
)
from tests.sync.helpers import apply, dump, exchange_all, export, log_rows, open_pc, ship
from xmen_desktop.store import erasure, roster
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError

pytestmark = pytest.mark.usefixtures("cheap_kdf")

# Typed on another PC that has not yet heard of the erasure.
LATE_PHONE, LATE_NOTE, LATE_RESIDENT = "13900001111", "后来补的备注", "钱后来"
LATE = (LATE_PHONE, LATE_NOTE, LATE_RESIDENT)


def everything(store: Store) -> str:
    """Every value of every table of the PC's file (the change log and review queue too)."""
    connection = sqlite3.connect(store.path)
    try:
        parts = []
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for row in connection.execute(f"SELECT * FROM {table}"):
                parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
        return "\n".join(parts)
    finally:
        connection.close()


def holds(store: Store, words: tuple[str, ...] = SECRETS + LATE) -> list[str]:
    held = everything(store)
    return [w for w in words if w in held]


def household_row(store: Store, household_id: str) -> tuple[Any, ...]:
    with store.read() as session:
        row = roster.get_household(session, household_id)
        return (row.tenant, row.phone, row.notes, row.address, row.size)


def fill(store: Store) -> Household_:
    with store.write() as session:
        return fill_household(session)


def erase(store: Store, household_id: str) -> None:
    with store.write() as session:
        erasure.erase_household(session, household_id, "本人申请")


def late_edit(store: Store, household_id: str) -> None:
    """What a PC that has not seen the erasure may still type about the household."""
    with store.write() as session:
        roster.update_household(session, household_id, {"phone": LATE_PHONE, "notes": LATE_NOTE})
        roster.add_resident(session, household_id, {"name": LATE_RESIDENT})


WIPED = (erasure.ERASED_NAME, None, "", ADDRESS, 3)


def test_the_receiver_wipes_and_scrubs_its_own_log(pcs: list[Store], sticks: Path) -> None:
    a, b, _ = pcs
    ids = fill(a)
    ship(a, b, sticks)
    assert holds(b, SECRETS) == list(SECRETS)  # what the search looks for is there
    erase(a, ids.household)
    report = ship(a, b, sticks)
    assert report.stats.applied > 0
    assert household_row(b, ids.household) == WIPED
    with b.read() as session:
        assert roster.list_residents(session, ids.household) == []
    assert holds(b) == []
    assert holds(a) == []
    assert dump(a) == dump(b)


def test_an_older_bundle_does_not_bring_the_data_back(pcs: list[Store], sticks: Path) -> None:
    a, b, c = pcs
    ids = fill(a)
    ship(a, b, sticks)
    # B's edits, in a bundle A has not read yet: entries that are new to A.
    with b.write() as session:
        roster.update_household(session, ids.household, {"notes": "独居老人，子女在外地"})
        roster.add_household(session, ids.estate, {"tenant": "孙另户", "address": "中华路 9 号"})
    old_from_b = export(b, sticks, full=True)
    old_from_a = export(a, sticks, full=True)
    erase(a, ids.household)
    after = export(a, sticks, full=True)

    report = apply(a, old_from_b)
    assert report.stats.applied > 0  # the old bundle brought something new
    apply(a, old_from_a)
    assert household_row(a, ids.household) == WIPED
    assert holds(a, (*SECRETS, "子女在外地")) == []
    assert "孙另户" in everything(a)  # the rest of the old bundle still counts

    # A PC that gets the erasure first, then the old bundles, and one that gets them the
    # other way round, end up alike.
    apply(c, after)
    apply(c, old_from_b)
    apply(c, old_from_a)
    assert holds(c, (*SECRETS, "子女在外地")) == []
    ship(a, b, sticks)
    assert holds(b, (*SECRETS, "子女在外地")) == []
    exchange_all(pcs, sticks, rounds=1)
    assert dump(a) == dump(b) == dump(c)
    assert household_row(c, ids.household) == WIPED


def test_an_edit_made_after_the_erasure_elsewhere_stays_wiped(
    pcs: list[Store], sticks: Path
) -> None:
    a, b, _ = pcs
    ids = fill(a)
    ship(a, b, sticks)
    erase(a, ids.household)
    late_edit(b, ids.household)  # later by the clock; B has not seen the erasure
    assert household_row(b, ids.household)[1:3] == (LATE_PHONE, LATE_NOTE)

    ship(b, a, sticks)
    assert household_row(a, ids.household) == WIPED
    with a.read() as session:
        # B's new resident arrived wiped: it belongs to an erased household.
        assert [r.name for r in roster.list_residents(session, ids.household)] == [
            erasure.ERASED_NAME
        ]
    assert holds(a) == []

    ship(a, b, sticks)
    assert household_row(b, ids.household) == WIPED
    assert holds(b) == []
    assert dump(a) == dump(b)
    with a.read() as session, b.read() as other:
        assert roster.list_households(session) == roster.list_households(other)


def test_a_pc_that_knows_the_erasure_refuses_to_type_the_data_back(
    pcs: list[Store], sticks: Path
) -> None:
    a, b, _ = pcs
    ids = fill(a)
    ship(a, b, sticks)
    erase(a, ids.household)
    ship(a, b, sticks)
    with pytest.raises(StoreError, match="已按本人要求删除"):
        late_edit(b, ids.household)
    assert household_row(b, ids.household) == WIPED


def test_two_pcs_erasing_the_same_household_agree(pcs: list[Store], sticks: Path) -> None:
    a, b, _ = pcs
    ids = fill(a)
    ship(a, b, sticks)
    erase(a, ids.household)
    erase(b, ids.household)
    ship(a, b, sticks)
    ship(b, a, sticks)
    assert dump(a) == dump(b)
    assert holds(a) == holds(b) == []
    # One marker per wiped row: both PCs made it under the same natural id.
    markers = json.loads(dump(a))["erasure"]
    assert len(markers) == len({(m["tbl"], m["target_id"]) for m in markers}) > 3
    assert log_rows(a, "SELECT count(*) FROM erasure") == [(len(markers),)]


# ---------------------------------------------------------------------------- any order

# One step: ("erase",) on A; ("edit", pc) a late edit on B or C (refused once that PC holds
# the erasure); ("ship", source, target); ("old", target) the pre-erasure bundle of B.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.sampled_from([1, 2])),
        st.tuples(st.just("ship"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("old"), st.integers(0, 2)),
    ),
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=steps, after=steps)
def test_any_order_of_imports_converges_with_the_data_wiped(
    tmp_path_factory: pytest.TempPathFactory,
    cheap_kdf: None,
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
) -> None:
    folder = tmp_path_factory.mktemp("erasure")
    pcs = [open_pc(folder, name) for name in ("甲", "乙", "丙")]
    try:
        ids = fill(pcs[0])
        exchange_all(pcs, folder, rounds=1)
        with pcs[1].write() as session:
            roster.update_household(session, ids.household, {"size": 4})
        old = export(pcs[1], folder, full=True)
        knows = [False, False, False]  # which PCs hold the erasure

        def run(script: list[tuple[Any, ...]]) -> None:
            for step in script:
                if step[0] == "edit":
                    try:
                        late_edit(pcs[step[1]], ids.household)
                    except StoreError:
                        assert knows[step[1]]  # refused only where the erasure is known
                    else:
                        assert not knows[step[1]]
                elif step[0] == "ship" and step[1] != step[2]:
                    ship(pcs[step[1]], pcs[step[2]], folder)
                    knows[step[2]] = knows[step[2]] or knows[step[1]]
                elif step[0] == "old":
                    apply(pcs[step[1]], old)

        run(before)
        erase(pcs[0], ids.household)
        knows[0] = True
        run(after)
        exchange_all(pcs, folder, rounds=1)
        assert len({dump(pc) for pc in pcs}) == 1
        for pc in pcs:
            assert holds(pc) == [], pc.site_name
            assert household_row(pc, ids.household)[0] == erasure.ERASED_NAME
            with pc.read() as session:
                assert all(
                    r.name == erasure.ERASED_NAME
                    for r in roster.list_residents(session, ids.household)
                )
        assert TENANT not in dump(pcs[0])
    finally:
        for pc in pcs:
            pc.close()
