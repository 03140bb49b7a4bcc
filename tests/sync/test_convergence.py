"""Every PC that has seen the same changes holds the same data, whatever the order of import.

A property-based test drives three PCs through random edits and random bundle exchanges
(relays, repeats, old bundles applied late); targeted tests pin down the failures of real
sync systems listed in the project's sync notes.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.sync.helpers import (
    PASSPHRASE,
    VoteSetup,
    add_household,
    apply,
    cast,
    dump,
    estate_id,
    exchange_all,
    export,
    log_rows,
    open_pc,
    open_vote,
    result,
    reviews,
    ship,
    vector,
)
from xmen_desktop.domain import hlc
from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store import changelog, review, roster, sync, topics, votes
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import (
    Ballot,
    BodyMember,
    Household,
    Resident,
    Topic,
    TopicSupport,
)

# Bundles stay encrypted with the passphrase, at a lower scrypt cost (see conftest).
pytestmark = pytest.mark.usefixtures("cheap_kdf")

PROTECTED_BALLOT_FIELDS = ("returned", "choice", "blank", "spoilt")


def ballot_record(store: Store, ballot_id: str) -> tuple[Any, ...]:
    with store.read() as session:
        ballot = session.get(Ballot, ballot_id)
        assert ballot is not None
        return tuple(getattr(ballot, f) for f in PROTECTED_BALLOT_FIELDS)


def ballot_id(setup: VoteSetup, household: str) -> str:
    return natural_id("ballot", setup.vote, household)


# ---------------------------------------------------------------------------- random interleavings

CHOICES = ("同意", "不同意", "弃权")
NEXT_STATE = {"proposed": "accepted", "accepted": "consulting", "consulting": "deliberating"}


def _pick(ids: list[str], n: int) -> str | None:
    return ids[n % len(ids)] if ids else None


# Rows are picked by content, not by their random ids, so that a failing script replays.
STABLE_ORDER = {"household": "address", "resident": "name", "topic": "title", "vote": "question"}


def _live_ids(session: Any, model: type, **where: Any) -> list[str]:
    order = getattr(model, STABLE_ORDER[model.__tablename__])
    query = select(model.id).where(model.cl % 2 == 1).order_by(order, model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(session.exec(query).all())


class World:
    """Three PCs, the bundles written so far, and every ballot record typed on each PC."""

    def __init__(self, pcs: list[Store], folder: Path) -> None:
        self.pcs = pcs
        self.folder = folder
        self.bundles: list[Path] = []
        # ballot id -> {pc index: (returned, choice, blank, spoilt) as typed there}
        self.typed: dict[str, dict[int, tuple[Any, ...]]] = {}
        self.estate = estate_id(pcs[0])

    # -- edits -------------------------------------------------------------------------
    def edit(self, pc: int, op: str, n: int) -> None:
        store = self.pcs[pc]
        try:
            with store.write() as session:
                getattr(self, f"op_{op}")(session, pc, n)
                wrote = bool(session.info.get("changed_tables"))
        except StoreError:
            wrote = False  # refused on this PC (a duplicate address, a ballot already recorded, …)
        event(f"{op}: {'written' if wrote else 'nothing to do or refused'}")

    def op_add_household(self, session: Any, pc: int, n: int) -> None:
        roster.add_household(
            session,
            self.estate,
            {"tenant": f"户主{n}", "address": f"复兴东路 {n} 弄 {pc} 号", "area": "31.5"},
        )

    def op_edit_household(self, session: Any, pc: int, n: int) -> None:
        if hid := _pick(_live_ids(session, Household), n):
            values: dict[str, Any] = {"phone": f"1391234{n:04d}", "size": n % 5 + 1}
            if n % 3 == 0:
                values["tenant"] = f"改名{pc}-{n}"  # protected: a concurrent rename goes to review
            if n % 4 == 0:
                values["notes"] = f"第{pc}台电脑的备注"
            roster.update_household(session, hid, values)

    def op_delete_household(self, session: Any, pc: int, n: int) -> None:
        if hid := _pick(_live_ids(session, Household), n):
            roster.delete_household(session, hid)

    def op_add_resident(self, session: Any, pc: int, n: int) -> None:
        if hid := _pick(_live_ids(session, Household), n):
            roster.add_resident(session, hid, {"name": f"居民{pc}{n}", "birth_year": 1940 + n})

    def op_edit_resident(self, session: Any, pc: int, n: int) -> None:
        if rid := _pick(_live_ids(session, Resident), n):
            values: dict[str, Any] = {"notes": f"备注{pc}-{n}"}
            if n % 2:
                values["name"] = f"更名{pc}-{n}"
            roster.update_resident(session, rid, values)

    def op_delete_resident(self, session: Any, pc: int, n: int) -> None:
        if rid := _pick(_live_ids(session, Resident), n):
            roster.delete_resident(session, rid)

    def op_add_topic(self, session: Any, pc: int, n: int) -> None:
        topics.add_topic(session, self.estate, {"title": f"议题{pc}-{n}"})

    def op_advance_topic(self, session: Any, pc: int, n: int) -> None:
        if tid := _pick(_live_ids(session, Topic), n):
            state = session.get(Topic, tid).state
            if state in NEXT_STATE:
                topics.advance_topic(session, tid, NEXT_STATE[state], "推进")

    def op_toggle_support(self, session: Any, pc: int, n: int) -> None:
        """Support, withdraw, support again: the natural id is re-created (cl 1, 2, 3, …)."""
        tid = _pick(_live_ids(session, Topic), n)
        hid = _pick(_live_ids(session, Household), n // 3)
        if tid and hid:
            support = session.get(TopicSupport, natural_id("support", tid, hid))
            if support is not None and support.is_live:
                topics.remove_support(session, tid, hid)
            else:
                topics.add_support(session, tid, hid, note=f"{pc}")

    def op_create_vote(self, session: Any, pc: int, n: int) -> None:
        if tid := _pick(_live_ids(session, Topic), n):
            while (state := session.get(Topic, tid).state) in (*NEXT_STATE, "deliberating"):
                topics.advance_topic(session, tid, NEXT_STATE.get(state, "voting"))
            if state == "voting":
                vote = votes.create_vote(session, tid, question=f"表决{n}", rule="residents")
                votes.issue_ballots(session, vote.id)

    def op_issue(self, session: Any, pc: int, n: int) -> None:
        from xmen_desktop.store.models import Vote

        if vid := _pick(_live_ids(session, Vote), n):
            votes.issue_ballots(session, vid)

    def op_cast(self, session: Any, pc: int, n: int) -> None:
        unreturned = [
            b
            for b in session.exec(select(Ballot).where(Ballot.cl % 2 == 1)).all()
            if not b.returned
        ]
        if not unreturned:
            return
        ballot = sorted(unreturned, key=lambda b: (b.address, b.number, b.id))[n % len(unreturned)]
        how: dict[str, Any] = {"choice": CHOICES[n % 3]}
        if n % 7 == 5:
            how = {"blank": True}
        elif n % 7 == 6:
            how = {"spoilt": True}
        recorded = votes.cast(session, ballot.vote_id, serial=ballot.serial, **how)
        self.typed.setdefault(ballot.id, {})[pc] = tuple(
            getattr(recorded, f) for f in PROTECTED_BALLOT_FIELDS
        )

    # -- bundles -----------------------------------------------------------------------
    def ship(self, source: int, target: int, full: bool) -> None:
        path = export(self.pcs[source], self.folder, full=full)
        self.bundles.append(path)
        apply(self.pcs[target], path)

    def replay(self, target: int, n: int) -> None:
        """An old bundle found on a stick and imported late (or again)."""
        if self.bundles:
            apply(self.pcs[target], self.bundles[n % len(self.bundles)])


EDITS = [name[3:] for name in dir(World) if name.startswith("op_")]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(EDITS), st.integers(0, 40)),
        st.tuples(st.just("ship"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("replay"), st.integers(0, 2), st.integers(0, 1000)),
    ),
    min_size=10,
    max_size=35,
)


def _ballot_reviews(store: Store, ballot: str) -> list[str]:
    return [key for key in reviews(store) if key.startswith(f"ballot/{ballot}/")]


def _resolve_everything(world: World, pc: int) -> dict[str, tuple[Any, ...]]:
    """A person on one PC decides every item; ballots get one of the records typed for them."""
    store = world.pcs[pc]
    chosen: dict[str, tuple[Any, ...]] = {}
    for key, candidates in reviews(store).items():
        table, row, name = key.split("/")
        if table == "ballot":
            if row not in chosen:
                typed = world.typed[row]
                chosen[row] = typed[min(typed)]
            wanted = chosen[row][PROTECTED_BALLOT_FIELDS.index(name)]
            index = candidates.index(wanted) + 1
        else:
            index = len(candidates)
        with store.write() as session:
            review.resolve_review(session, key, choose=index)
    return chosen


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    script=steps,
    second=st.sampled_from([{"choice": "不同意"}, {"choice": "同意"}, {"blank": True}]),
    resolver=st.integers(0, 2),
)
def test_random_edits_and_exchanges_converge(
    tmp_path_factory: pytest.TempPathFactory,
    cheap_kdf: None,
    script: list[tuple[Any, ...]],
    second: dict[str, Any],
    resolver: int,
) -> None:
    folder = tmp_path_factory.mktemp("world")
    pcs = [open_pc(folder, name) for name in ("甲", "乙", "丙")]
    try:
        world = World(pcs, folder)
        # A shared start: households with residents, a topic taking supports and an open
        # vote everyone has, so that edits, supports and casts can clash from the first step.
        setup = open_vote(pcs[0], households=3)
        with pcs[0].write() as session:
            for i, household in enumerate(setup.households):
                roster.add_resident(session, household, {"name": f"老住户{i}"})
            topics.add_topic(session, world.estate, {"title": "楼道灯"})
        exchange_all(pcs, folder, rounds=1)
        # The same household's ballot typed on two PCs, alike or not.
        ballot = ballot_id(setup, setup.households[0])
        for pc, how in ((1, {"choice": "同意"}), (2, second)):
            cast(pcs[pc], setup.vote, setup.households[0], **how)
            world.typed.setdefault(ballot, {})[pc] = ballot_record(pcs[pc], ballot)
        for step in script:
            if step[0] == "edit":
                world.edit(step[1], step[2], step[3])
            elif step[0] == "ship" and step[1] != step[2]:
                world.ship(step[1], step[2], step[3])
            elif step[0] == "replay":
                world.replay(step[1], step[2])

        # Every PC has sent to every other since the start, so each knows what the others
        # hold: one round of all ordered pairs brings every PC every change.
        exchange_all(pcs, folder, rounds=1)
        dumps = {dump(pc) for pc in pcs}
        assert len(dumps) == 1
        assert all(vector(pc) == vector(pcs[0]) for pc in pcs)
        assert not any(log_rows(pc, "SELECT * FROM pending_row") for pc in pcs)

        # No ballot changed silently: typed the same way everywhere, it holds that record;
        # typed differently, it waits for a person on every PC and the tally sets it aside.
        for ballot, typed in world.typed.items():
            vote = log_rows(pcs[0], "SELECT vote_id FROM ballot WHERE id = :b", b=ballot)[0][0]
            for pc in pcs:
                if len(set(typed.values())) == 1:
                    assert ballot_record(pc, ballot) == next(iter(typed.values()))
                    assert not _ballot_reviews(pc, ballot)
                else:
                    assert _ballot_reviews(pc, ballot), (ballot, typed)
                    assert result(pc, vote)["in_review"] >= 1
        keys = set(reviews(pcs[0]))
        assert all(set(reviews(pc)) == keys for pc in pcs)
        event(f"review items after the exchange: {min(len(keys), 3)}{'+' if len(keys) > 2 else ''}")

        chosen = _resolve_everything(world, resolver)
        exchange_all(pcs, folder, rounds=1)
        assert len({dump(pc) for pc in pcs}) == 1
        for pc in pcs:
            assert reviews(pc) == {}
            for ballot, record in chosen.items():
                assert ballot_record(pc, ballot) == record
        for vote in {r[0] for r in log_rows(pcs[0], "SELECT id FROM vote")}:
            assert all(result(pc, vote)["in_review"] == 0 for pc in pcs)
    finally:
        for pc in pcs:
            pc.close()


# ---------------------------------------------------------------------------- ballots


@pytest.mark.parametrize("keep", [1, 2])
def test_one_ballot_typed_differently_on_two_pcs_waits_for_a_person(
    pcs: list[Store], sticks: Path, keep: int
) -> None:
    a, b, c = pcs
    setup = open_vote(a)
    exchange_all(pcs, sticks, rounds=1)
    household = setup.households[0]
    cast(a, setup.vote, household, choice="同意")
    cast(b, setup.vote, household, choice="不同意")
    exchange_all(pcs, sticks)

    key = f"ballot/{ballot_id(setup, household)}/choice"
    for pc in pcs:
        assert list(reviews(pc)) == [key]
        assert sorted(reviews(pc)[key]) == ["不同意", "同意"]
        tally = result(pc, setup.vote)
        assert tally["in_review"] == 1
        assert tally["counts"] == {"同意": 0, "不同意": 0, "弃权": 0}
    assert len({dump(pc) for pc in pcs}) == 1

    # Keeping either value (also the one that happens to win the merge) clears it everywhere.
    wanted = reviews(c)[key][keep - 1]
    with c.write() as session:
        review.resolve_review(session, key, choose=keep)
    exchange_all(pcs, sticks)
    for pc in pcs:
        assert reviews(pc) == {}
        assert ballot_record(pc, ballot_id(setup, household))[1] == wanted
        tally = result(pc, setup.vote)
        assert tally["in_review"] == 0
        assert tally["counts"][wanted] == 1
    assert len({dump(pc) for pc in pcs}) == 1


def test_a_choice_on_one_pc_and_a_blank_on_another_is_not_merged_silently(
    pcs: list[Store], sticks: Path
) -> None:
    """The two casts wrote different fields (choice; blank): field by field nothing clashes,
    yet the ballot would read 同意 and blank at once. The record as a whole goes to review."""
    a, b, c = pcs
    setup = open_vote(a)
    exchange_all(pcs, sticks, rounds=1)
    household = setup.households[0]
    cast(a, setup.vote, household, choice="同意")
    cast(b, setup.vote, household, blank=True)
    exchange_all(pcs, sticks)

    ballot = ballot_id(setup, household)
    for pc in pcs:
        assert sorted(reviews(pc)) == [f"ballot/{ballot}/blank", f"ballot/{ballot}/choice"]
        assert result(pc, setup.vote)["in_review"] == 1
        assert result(pc, setup.vote)["blank"] == 0

    # A person keeps the blank ballot: choice empty, blank set.
    for key, candidates in reviews(c).items():
        wanted = None if key.endswith("/choice") else True
        with c.write() as session:
            review.resolve_review(session, key, choose=candidates.index(wanted) + 1)
    exchange_all(pcs, sticks)
    for pc in pcs:
        assert reviews(pc) == {}
        assert ballot_record(pc, ballot) == (True, None, True, False)
        assert result(pc, setup.vote)["blank"] == 1
    assert len({dump(pc) for pc in pcs}) == 1


def test_one_ballot_typed_three_ways_offers_every_record(pcs: list[Store], sticks: Path) -> None:
    """同意, 不同意 and spoilt on three PCs: the choice item must offer "no choice" too (the
    spoilt record), or a person could not pick the spoilt ballot."""
    a, b, c = pcs
    setup = open_vote(a)
    exchange_all(pcs, sticks, rounds=1)
    household = setup.households[0]
    cast(a, setup.vote, household, choice="同意")
    cast(b, setup.vote, household, choice="不同意")
    cast(c, setup.vote, household, spoilt=True)
    exchange_all(pcs, sticks)
    ballot = ballot_id(setup, household)
    for pc in pcs:
        items = reviews(pc)
        assert sorted(items) == [f"ballot/{ballot}/choice", f"ballot/{ballot}/spoilt"]
        assert sorted(items[f"ballot/{ballot}/choice"], key=str) == [None, "不同意", "同意"]
    for key, candidates in reviews(a).items():
        wanted = None if key.endswith("/choice") else True
        with a.write() as session:
            review.resolve_review(session, key, choose=candidates.index(wanted) + 1)
    exchange_all(pcs, sticks)
    for pc in pcs:
        assert reviews(pc) == {}
        assert ballot_record(pc, ballot) == (True, None, False, True)
        assert result(pc, setup.vote)["spoilt"] == 1


def test_the_same_ballot_typed_the_same_way_twice_is_no_conflict(
    pcs: list[Store], sticks: Path
) -> None:
    a, b, _ = pcs
    setup = open_vote(a)
    exchange_all(pcs, sticks, rounds=1)
    for pc in (a, b):
        cast(pc, setup.vote, setup.households[1], blank=True)
    exchange_all(pcs, sticks)
    for pc in pcs:
        assert reviews(pc) == {}
        assert result(pc, setup.vote)["blank"] == 1


def test_ballots_issued_on_two_pcs_then_typed_on_one_are_no_conflict(
    pcs: list[Store], sticks: Path
) -> None:
    """Both PCs print the ballots (same natural ids); one tallies. The other PC's later, blank
    copy of the ballot must neither win nor send the typed ballot to review."""
    a, b, _ = pcs
    household = add_household(a, "吴十", "中华路 50 号")
    with a.write() as session:
        topic = topics.add_topic(session, estate_id(a), {"title": "修缮屋顶"}).id
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic, state)
        vote = votes.create_vote(session, topic, question="是否同意修缮", rule="residents").id
    exchange_all(pcs, sticks, rounds=1)
    with a.write() as session:
        votes.issue_ballots(session, vote)
    cast(a, vote, household, choice="同意")
    with b.write() as session:  # later than the cast on A, and without having seen it
        votes.issue_ballots(session, vote)
    exchange_all(pcs, sticks)
    ballot = natural_id("ballot", vote, household)
    for pc in pcs:
        assert reviews(pc) == {}
        assert ballot_record(pc, ballot) == (True, "同意", False, False)
        assert result(pc, vote)["counts"]["同意"] == 1
    assert len({dump(pc) for pc in pcs}) == 1


def test_recast_after_an_undo_on_another_pc_is_no_conflict(pcs: list[Store], sticks: Path) -> None:
    """Sequential changes (cast, undo elsewhere, cast blank) must not look concurrent."""
    a, b, _ = pcs
    setup = open_vote(a)
    cast(a, setup.vote, setup.households[0], choice="同意")
    exchange_all(pcs, sticks, rounds=1)
    with b.write() as session:
        votes.undo_last(session, setup.vote)
    cast(b, setup.vote, setup.households[0], blank=True)
    exchange_all(pcs, sticks)
    for pc in pcs:
        assert reviews(pc) == {}
        assert ballot_record(pc, ballot_id(setup, setup.households[0])) == (
            True,
            None,
            True,
            False,
        )


# ---------------------------------------------------------------------------- deletes


def test_a_deleted_row_does_not_come_back_from_an_old_edit(pcs: list[Store], sticks: Path) -> None:
    """pouchdb#2779: a document deleted on one replica came back when saved from an old revision."""
    a, b, c = pcs
    household = add_household(a, "张三", "中华路 1 号")
    first = export(a, sticks)  # the creation
    apply(b, first)
    with a.write() as session:
        roster.update_household(session, household, {"notes": "旧的修改", "phone": "13912345678"})
    old_edit = export(a, sticks, full=True)
    with b.write() as session:
        roster.delete_household(session, household)
    ship(b, a, sticks)
    ship(b, c, sticks)
    # The old edit arrives late, on its own and again, at every PC.
    for pc in (a, b, c):
        apply(pc, old_edit)
        apply(pc, first)
    exchange_all(pcs, sticks)
    for pc in pcs:
        with pc.read() as session:
            row = session.get(Household, household)
            assert row is not None and not row.is_live
            assert row.notes == "旧的修改"  # the edit is kept, the row stays deleted
        assert household not in dump(pc)
    assert len({dump(pc) for pc in pcs}) == 1


def test_a_re_created_natural_id_row_survives_an_older_delete(
    pcs: list[Store], sticks: Path
) -> None:
    """cr-sqlite#71: "delete wins" blocked re-creating a row with the same (natural) id."""
    a, b, c = pcs
    household = add_household(a, "李四", "中华路 2 号")
    with a.write() as session:
        topic = topics.add_topic(session, estate_id(a), {"title": "晾衣架"}).id
        topics.add_support(session, topic, household)
    exchange_all(pcs, sticks, rounds=1)
    with a.write() as session:
        topics.remove_support(session, topic, household)
    the_delete = export(a, sticks)
    apply(b, the_delete)
    with b.write() as session:  # supported again under the same natural id
        topics.add_support(session, topic, household, note="又来附议")
    ship(b, c, sticks)
    apply(c, the_delete)  # the older delete arrives after the re-creation
    exchange_all(pcs, sticks)
    support_id = natural_id("support", topic, household)
    for pc in pcs:
        with pc.read() as session:
            support = session.get(TopicSupport, support_id)
            assert support is not None and support.is_live and support.cl == 3
            assert support.note == "又来附议"
            assert topics.support_status(session, topic).supports == 1
    assert len({dump(pc) for pc in pcs}) == 1

    # And delete once more on C: the newest generation wins again, everywhere.
    with c.write() as session:
        topics.remove_support(session, topic, household)
    exchange_all(pcs, sticks)
    for pc in pcs:
        with pc.read() as session:
            assert session.get(TopicSupport, support_id).cl == 4  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- authorship


def test_a_relayed_change_keeps_its_author(pcs: list[Store], sticks: Path) -> None:
    """cr-sqlite#30/#98: relayed changes lost their author's site id, so ties broke differently."""
    a, b, c = pcs
    ship(c, b, sticks)  # B knows C (and what C holds): its bundles carry what C lacks
    household = add_household(a, "王五", "中华路 3 号")
    with a.write() as session:
        roster.update_household(session, household, {"notes": "甲写的"})
    own = log_rows(
        a,
        "SELECT site_id, counter, hlc, field, value FROM change_log WHERE row_id = :r "
        "ORDER BY site_id, counter",
        r=household,
    )
    assert {r[0] for r in own} == {a.site_id}
    ship(a, b, sticks)
    ship(b, c, sticks)  # C hears of A's change only through B
    for pc in (b, c):
        assert (
            log_rows(
                pc,
                "SELECT site_id, counter, hlc, field, value FROM change_log WHERE row_id = :r "
                "ORDER BY site_id, counter",
                r=household,
            )
            == own
        )
        assert vector(pc)[a.site_id] == vector(a)[a.site_id]
    assert b.site_id not in {
        r[0] for r in log_rows(c, "SELECT site_id FROM change_log WHERE row_id = :r", r=household)
    }

    # Concurrent edits of one field on A and C: every PC picks the same winner, relayed or not.
    with a.write() as session:
        roster.update_household(session, household, {"phone": "13900000001"})
    with c.write() as session:
        roster.update_household(session, household, {"phone": "13900000002"})
    ship(a, b, sticks)
    ship(b, c, sticks)
    ship(c, b, sticks)
    ship(b, a, sticks)
    phones = set()
    for pc in pcs:
        with pc.read() as session:
            phones.add(session.get(Household, household).phone)  # type: ignore[union-attr]
    assert len(phones) == 1
    assert len({dump(pc) for pc in pcs}) == 1


# ---------------------------------------------------------------------------- identity


def test_a_copied_database_takes_a_new_site_id_and_its_changes_are_not_dropped(
    tmp_path: Path, sticks: Path
) -> None:
    """Syncthing#3876: after a reset counters restarted and new changes were taken as old."""
    a = open_pc(tmp_path, "甲")
    peer = open_pc(tmp_path, "乙")
    try:
        add_household(a, "赵六", "中华路 4 号")
        ship(a, peer, sticks)
        original_site = a.site_id
        a.close()
        shutil.copytree(tmp_path / "甲", tmp_path / "甲的拷贝")
        copy = Store.open(tmp_path / "甲的拷贝")
        a = Store.open(tmp_path / "甲")
        assert a.site_id == original_site  # the original keeps its id
        assert copy.site_id != original_site
        # Both write "their next change": same old counter position, different ids.
        from_original = add_household(a, "原机", "中华路 5 号")
        from_copy = add_household(copy, "拷贝机", "中华路 6 号")
        report = ship(copy, peer, sticks)
        assert report.stats.applied > 0
        ship(a, peer, sticks)
        with peer.read() as session:
            assert session.get(Household, from_original) is not None
            assert session.get(Household, from_copy) is not None
        # The copy's old entries keep their author; its new ones are under its new id.
        authors = log_rows(
            peer, "SELECT DISTINCT site_id FROM change_log WHERE row_id = :r", r=from_copy
        )
        assert authors == [(copy.site_id,)]
        copy.close()
    finally:
        a.close()
        peer.close()


def test_a_database_restored_in_place_from_an_older_backup_takes_a_new_site_id(
    tmp_path: Path, sticks: Path
) -> None:
    a = open_pc(tmp_path, "甲")
    peer = open_pc(tmp_path, "乙")
    try:
        add_household(a, "孙七", "中华路 7 号")
        original_site = a.site_id
        a.close()
        backup = tmp_path / "backup.sqlite3"
        shutil.copyfile(tmp_path / "甲" / "xmen.sqlite3", backup)
        a = Store.open(tmp_path / "甲")
        lost = add_household(a, "后来的", "中华路 8 号")  # written after the backup …
        ship(a, peer, sticks)  # … and already carried to a peer
        a.close()
        for suffix in ("-wal", "-shm"):
            (tmp_path / "甲" / f"xmen.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, tmp_path / "甲" / "xmen.sqlite3")  # the restore

        a = Store.open(tmp_path / "甲")
        assert a.site_id != original_site
        fresh = add_household(a, "恢复后", "中华路 9 号")
        report = ship(a, peer, sticks)
        assert report.stats.applied > 0
        with peer.read() as session:
            row = session.get(Household, fresh)
            assert row is not None and row.tenant == "恢复后"
            assert session.get(Household, lost).tenant == "后来的"  # type: ignore[union-attr]
        ship(peer, a, sticks)  # the restored PC gets back what it lost
        assert dump(a) == dump(peer)
    finally:
        a.close()
        peer.close()


# ---------------------------------------------------------------------------- clocks


def test_a_clock_far_ahead_warns_and_does_not_move_ours(
    pcs: list[Store], sticks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """actual#3786: one laptop's clock an hour off broke sync; here a PC is two days ahead."""
    a, b, c = pcs
    real_now = changelog.now_ms
    with monkeypatch.context() as patched:
        patched.setattr(changelog, "now_ms", lambda: real_now() + 48 * 3_600_000)
        future_row = add_household(a, "未来", "中华路 10 号")
    report = ship(a, b, sticks)
    assert report.stats.clock_warning is not None
    assert "小时" in report.stats.clock_warning and "时钟" in report.stats.clock_warning
    last = log_rows(b, "SELECT last_hlc FROM local_identity")[0][0]
    assert hlc.wall_ms(last) - real_now() < 60_000
    later = add_household(b, "现在", "中华路 11 号")
    stamp = log_rows(b, "SELECT max(hlc) FROM change_log WHERE row_id = :r", r=later)[0][0]
    assert abs(hlc.wall_ms(stamp) - real_now()) < 60_000
    # The data still arrived, and a later edit on B that saw the future one still wins.
    with b.write() as session:
        roster.update_household(session, future_row, {"notes": "乙改的"})
    ship(b, a, sticks)
    for pc in (a, b):
        with pc.read() as session:
            assert session.get(Household, future_row).notes == "乙改的"  # type: ignore[union-attr]

    # A (whose own stamps stay ahead until its wall clock catches up) keeps being flagged;
    # a PC an hour fast, within a day's drift, is not.
    add_household(a, "甲又写", "中华路 12 号")
    assert ship(a, b, sticks).stats.clock_warning is not None
    with monkeypatch.context() as patched:
        patched.setattr(changelog, "now_ms", lambda: real_now() + 3_600_000)
        add_household(c, "快一小时", "中华路 13 号")
    assert ship(c, b, sticks).stats.clock_warning is None


# ---------------------------------------------------------------------------- gaps


def test_a_receiver_missing_an_earlier_range_does_not_claim_it(
    pcs: list[Store], sticks: Path
) -> None:
    a, b, c = pcs
    old = add_household(a, "老住户", "中华路 20 号")
    with a.write() as session:
        member = roster.add_member(
            session, estate_id(a), {"body": "executive", "name": "钱八", "role": "委员"}
        ).id
    ship(a, c, sticks)
    before_gap = vector(c)[a.site_id]

    # X: a new household with a resident; it reaches B but not C.
    with a.write() as session:
        new = roster.add_household(
            session, estate_id(a), {"tenant": "新住户", "address": "中华路 21 号"}
        ).id
        resident = roster.add_resident(session, new, {"name": "钱八"}).id
    range_x = export(a, sticks)
    apply(b, range_x)
    ship(b, a, sticks)  # A learns that B holds X, so its next bundle starts after X
    # Y: edits of the new rows, of an old row, and a reference to the new resident.
    with a.write() as session:
        roster.update_household(session, new, {"phone": "13911112222"})
        roster.add_resident(session, new, {"name": "钱八的老伴"})
        roster.update_household(session, old, {"notes": "楼组长"})
        roster.update_member(session, member, {"resident_id": resident})
    range_y = export(a, sticks)
    manifest = sync.read_bundle(c, range_y, PASSPHRASE).manifest
    assert manifest["ranges"][a.site_id][0] > before_gap + 1  # Y does not start where C stops

    report = apply(c, range_y)
    assert report.stats.pending > 0
    assert vector(c)[a.site_id] == before_gap  # the gap is not claimed
    with c.read() as session:
        assert session.get(Household, old).notes == "楼组长"  # type: ignore[union-attr]
        assert session.get(Household, new) is None  # waits for its other fields
        # The member stays, keeping its old reference until the resident arrives.
        waiting = session.get(BodyMember, member)
        assert waiting is not None and waiting.is_live and waiting.resident_id is None
        assert session.exec(select(Resident).where(Resident.household_id == new)).all() == []
    assert len(log_rows(c, "SELECT * FROM pending_row")) == report.stats.pending

    # What C passes on (everything it holds) does not make a fourth PC claim the gap either.
    d = open_pc(sticks.parent, "第四台")
    try:
        assert ship(c, d, sticks, full=True).stats.pending > 0
        assert vector(d)[a.site_id] == before_gap
    finally:
        d.close()

    report = apply(c, range_x)  # the missing range arrives: the pending rows materialise
    assert report.stats.pending == 0
    assert vector(c)[a.site_id] == vector(a)[a.site_id]
    assert dump(c) == dump(a)
    with c.read() as session:
        assert session.get(Household, new).phone == "13911112222"  # type: ignore[union-attr]
        assert session.get(BodyMember, member).resident_id == resident  # type: ignore[union-attr]


def test_export_after_a_two_way_exchange_fills_an_unknown_pcs_gap(
    pcs: list[Store], sticks: Path
) -> None:
    """A bundle is cut to what known peers lack; once the new PC has sent one, it gets the rest."""
    a, b, c = pcs
    add_household(a, "甲一", "中华路 30 号")
    ship(a, b, sticks)
    ship(b, a, sticks)
    add_household(a, "甲二", "中华路 31 号")
    ship(a, c, sticks)  # cut after what B holds: C has a gap
    assert dump(c) != dump(a)
    ship(c, a, sticks)
    ship(a, c, sticks)
    assert dump(c) == dump(a)


def test_bundles_in_any_order_give_the_same_data(pcs: list[Store], sticks: Path) -> None:
    a, b, _ = pcs
    paths = []
    household = add_household(a, "周九", "中华路 40 号")
    paths.append(export(a, sticks, full=True))
    ship(a, b, sticks)
    with a.write() as session:
        roster.update_household(session, household, {"phone": "13955556666", "tenant": "周九九"})
    with b.write() as session:
        roster.update_household(session, household, {"phone": "13977778888", "tenant": "周久"})
        roster.add_resident(session, household, {"name": "周小九"})
    paths.append(export(a, sticks, full=True))
    paths.append(export(b, sticks, full=True))
    with b.write() as session:
        roster.delete_household(session, household)
    paths.append(export(b, sticks, full=True))

    results = set()
    for seed in range(4):
        order = paths[:]
        random.Random(seed).shuffle(order)
        target = open_pc(sticks.parent, f"order-{seed}")
        try:
            for path in order:
                apply(target, path)
            results.add((dump(target), json.dumps(reviews(target), ensure_ascii=False)))
        finally:
            target.close()
    assert len(results) == 1
    only = results.pop()
    assert household not in only[0]  # deleted
    assert f"household/{household}/tenant" in only[1]  # concurrent renames wait for a person
