from __future__ import annotations

import pytest
from sqlmodel import select

from xmen_desktop.domain import serials
from xmen_desktop.store import roster, topics, votes
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Ballot, BallotEvent, TopicTransition


def _estate(store: Store, name: str = "小西门") -> str:
    with store.read() as session:
        return roster.resolve_estate(session, name).id


def _households(store: Store, estate_id: str, n: int, area: str | None = "40") -> list[str]:
    ids = []
    with store.write() as session:
        for i in range(n):
            values = {
                "tenant": f"住户{i}",
                "address": f"复兴东路 1 弄 {i // 4 + 1} 号 {i % 4 + 1}01 室",
            }
            if area:
                values["area"] = area
            ids.append(roster.add_household(session, estate_id, values).id)
    return ids


def _topic_in(store: Store, estate_id: str, state: str = "voting") -> str:
    with store.write() as session:
        topic = topics.add_topic(session, estate_id, {"title": "非机动车集中停放"})
        path = ["accepted", "consulting", "deliberating", "voting"]
        for target in path[: path.index(state) + 1] if state in path else []:
            topics.advance_topic(session, topic.id, target)
        return topic.id


def _vote(store: Store, topic_id: str, rule: str = "residents", **kw: object) -> str:
    with store.write() as session:
        vote = votes.create_vote(session, topic_id, question="是否同意？", rule=rule, **kw)
        votes.issue_ballots(session, vote.id)
        return vote.id


def test_every_transition_is_recorded_with_who_and_when(store: Store) -> None:
    topic_id = _topic_in(store, _estate(store), "deliberating")
    with store.read() as session:
        history = topics.transitions(session, topic_id)
    assert [t.to_state for t in history] == ["proposed", "accepted", "consulting", "deliberating"]
    assert [t.from_state for t in history] == [None, "proposed", "accepted", "consulting"]
    assert all(t.by == store.operator and t.at for t in history)


def test_refused_transition_changes_nothing(store: Store) -> None:
    topic_id = _topic_in(store, _estate(store), "proposed")
    with pytest.raises(StoreError, match="下一步可以是"), store.write() as session:
        topics.advance_topic(session, topic_id, "voting")
    with pytest.raises(StoreError, match="理由"), store.write() as session:
        topics.advance_topic(session, topic_id, "declined", "")
    with store.read() as session:
        assert len(session.exec(select(TopicTransition)).all()) == 1


def test_supports_count_against_the_estates_threshold(store: Store) -> None:
    estate_id = _estate(store)
    households = _households(store, estate_id, 20)
    topic_id = _topic_in(store, estate_id, "proposed")
    with store.write() as session:
        topics.set_support_threshold(session, estate_id, share="10%")
        for household_id in households[:2]:
            topics.add_support(session, topic_id, household_id)
        status = topics.support_status(session, topic_id)
    assert (status.supports, status.required, status.met) == (2, 2, True)
    with pytest.raises(StoreError, match="已经附议"), store.write() as session:
        topics.add_support(session, topic_id, households[0])
    with store.write() as session:  # withdrawn and given again: the same row comes back
        topics.remove_support(session, topic_id, households[0])
        topics.add_support(session, topic_id, households[0])
        assert topics.support_status(session, topic_id).supports == 2


def test_coverage_per_doorway_names_who_nobody_reached(store: Store) -> None:
    estate_id = _estate(store)
    households = _households(store, estate_id, 8)  # two doorways of four flats
    topic_id = _topic_in(store, estate_id, "consulting")
    with store.write() as session:
        first = topics.add_round(session, topic_id)
        for household_id in households[:3]:
            topics.record_contact(session, first.id, household_id, method="door", opinion="support")
        second = topics.add_round(session, topic_id)
        topics.record_contact(session, second.id, households[5], method="电话", opinion="oppose")
        reach = topics.coverage(session, topic_id)
        only_second = topics.coverage(session, topic_id, second.id)
    assert (reach.households, reach.reached) == (8, 4)
    one, two = reach.doorways
    assert (one.doorway, one.reached, one.households) == ("复兴东路 1 弄 1 号", 3, 4)
    assert one.not_reached == ("复兴东路 1 弄 1 号 401 室",)
    assert (two.reached, two.share) == (1, 0.25)
    assert reach.opinions == {"support": 3, "oppose": 1}
    assert only_second.reached == 1


def test_a_vote_needs_a_topic_in_the_voting_state(store: Store) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 4)
    topic_id = _topic_in(store, estate_id, "deliberating")
    with pytest.raises(StoreError, match="表决中"), store.write() as session:
        votes.create_vote(session, topic_id, question="是否同意？", rule="residents")


def test_households_without_area_are_named_before_an_area_vote(store: Store) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 3, area=None)
    topic_id = _topic_in(store, estate_id)
    with pytest.raises(StoreError, match="住户0") as refused, store.write() as session:
        votes.create_vote(session, topic_id, question="是否同意？", rule="art278")
    assert "面积" in refused.value.message
    _vote(store, topic_id, rule="residents")  # a headcount rule needs no area


def test_ballots_have_natural_ids_and_serials_with_check_digits(store: Store) -> None:
    estate_id = _estate(store)
    households = _households(store, estate_id, 5)
    vote_id = _vote(store, _topic_in(store, estate_id))
    with store.write() as session:
        ballots = votes.issue_ballots(session, vote_id)  # again: nothing new
    assert len(ballots) == 5
    from xmen_desktop.domain.ids import natural_id

    assert {b.id for b in ballots} == {natural_id("ballot", vote_id, h) for h in households}
    for ballot in ballots:
        assert serials.parse_serial(ballot.serial).number == ballot.number


def test_tally_refuses_repeats_other_votes_and_strangers_and_undo_keeps_history(
    store: Store,
) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 4)
    vote_id = _vote(store, _topic_in(store, estate_id))
    other_household = _households(store, _estate(store, "陆兴"), 1)[0]
    with store.read() as session:
        first, second = votes.list_ballots(session, vote_id)[:2]
    with store.write() as session:
        votes.cast(session, vote_id, serial=first.serial, choice="同意")
        votes.cast(session, vote_id, serial=second.serial, choice="2")  # keypad 2 = 不同意
    with pytest.raises(votes.AlreadyTallied, match="同意"), store.write() as session:
        votes.cast(session, vote_id, serial=first.serial, choice="不同意")
    wrong_digit = first.serial[:-1] + str((int(first.serial[-1]) + 1) % 10)
    for bad, reason in [
        (wrong_digit, "校验位"),
        (serials.make_serial("00000000-0000-4000-8000-000000000000", 1), "另一次表决"),
    ]:
        with pytest.raises(StoreError, match=reason), store.write() as session:
            votes.cast(session, vote_id, serial=bad, choice="同意")
    with pytest.raises(StoreError, match="不在本次表决"), store.write() as session:
        votes.cast(session, vote_id, household_id=other_household, choice="同意")
    with store.write() as session:
        undone = votes.undo_last(session, vote_id)
    assert undone.serial == second.serial
    with store.read() as session:
        events = session.exec(select(BallotEvent.kind)).all()
        result = votes.compute_result(session, vote_id)
    assert sorted(events) == ["cast", "cast", "undo"]
    assert result.counts["同意"].households == 1 and result.counts["不同意"].households == 0


def test_double_entry_lists_every_mismatch(store: Store) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 3)
    vote_id = _vote(store, _topic_in(store, estate_id))
    with store.read() as session:
        ballots = votes.list_ballots(session, vote_id)
    with store.write() as session:
        votes.cast(session, vote_id, serial=ballots[0].serial, choice="同意")
        votes.cast(session, vote_id, serial=ballots[1].serial, blank=True)
        assert votes.check_entry(session, vote_id, serial=ballots[0].serial, choice="1")
        assert not votes.check_entry(session, vote_id, serial=ballots[1].serial, choice="不同意")
        assert not votes.check_entry(session, vote_id, serial=ballots[2].serial, spoilt=True)
        found = votes.mismatches(session, vote_id)
    assert [m.serial for m in found] == sorted([ballots[1].serial, ballots[2].serial])


def test_closing_locks_the_vote_and_moves_the_topic(store: Store) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 5)
    topic_id = _topic_in(store, estate_id)
    vote_id = _vote(store, topic_id)
    with store.read() as session:
        ballots = votes.list_ballots(session, vote_id)
    with store.write() as session:
        for ballot, choice in zip(ballots, ["同意", "同意", "同意", "不同意"], strict=False):
            votes.cast(session, vote_id, serial=ballot.serial, choice=choice)
        result = votes.close_vote(session, vote_id)
    assert result.passed
    with store.read() as session:
        topic_state = topics.list_topics(session, estate_id)[0].state
        closed = session.exec(select(Ballot)).all()
    assert topic_state == "passed"
    assert len(closed) == 5
    with pytest.raises(StoreError, match="已经结束"), store.write() as session:
        votes.cast(session, vote_id, serial=ballots[4].serial, choice="同意")
    with pytest.raises(StoreError), store.write() as session:
        votes.close_vote(session, vote_id)


def test_assembly_electorate_is_the_members_households(store: Store) -> None:
    estate_id = _estate(store)
    households = _households(store, estate_id, 6)
    with store.write() as session:
        for household_id in households[:2]:
            resident = roster.add_resident(session, household_id, {"name": "代表"})
            roster.add_member(
                session,
                estate_id,
                {"body": "assembly", "name": "代表", "resident_id": resident.id},
            )
    vote_id = _vote(store, _topic_in(store, estate_id), electorate="assembly")
    with store.read() as session:
        assert {b.household_id for b in votes.list_ballots(session, vote_id)} == set(households[:2])


def test_ballot_counts_count_every_returned_ballot(store: Store) -> None:
    estate_id = _estate(store)
    _households(store, estate_id, 4)
    vote_id = _vote(store, _topic_in(store, estate_id))
    with store.write() as session:
        for ballot in votes.list_ballots(session, vote_id)[:3]:
            votes.cast(session, vote_id, serial=ballot.serial, choice="同意")
        assert votes.ballot_counts(session, vote_id) == (4, 3)
