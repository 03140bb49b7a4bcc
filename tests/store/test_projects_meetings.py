from __future__ import annotations

import pytest

from xmen_desktop.store import meetings, projects, roster, topics, votes
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError, ValidationFailed


def _estate(store: Store) -> str:
    with store.read() as session:
        return roster.resolve_estate(session, "普育里").id


def _households(store: Store, n: int, area: str = "40") -> list[str]:
    with store.write() as session:
        return [
            roster.add_household(
                session,
                _estate(store),
                {"tenant": f"户{i}", "address": f"蓬莱路 1 弄 {i + 1} 号", "area": area},
            ).id
            for i in range(n)
        ]


def _passed_topic(store: Store) -> tuple[str, str]:
    households = _households(store, 3)
    with store.write() as session:
        topic = topics.add_topic(session, _estate(store), {"title": "美丽家园"})
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic.id, state)
        vote = votes.create_vote(session, topic.id, question="是否同意？", rule="residents")
        for ballot in votes.issue_ballots(session, vote.id):
            votes.cast(session, vote.id, serial=ballot.serial, choice="同意")
        votes.close_vote(session, vote.id)
    assert households
    return topic.id, vote.id


def test_a_passed_topics_project_links_back_to_it_and_its_vote(store: Store) -> None:
    topic_id, vote_id = _passed_topic(store)
    with store.write() as session:
        project = projects.add_project(
            session, _estate(store), title="美丽家园工程", topic_id=topic_id
        )
    assert (project.topic_id, project.vote_id) == (topic_id, vote_id)


def test_a_topic_not_passed_cannot_start_a_project(store: Store) -> None:
    with store.write() as session:
        topic = topics.add_topic(session, _estate(store), {"title": "未决"})
    with pytest.raises(StoreError, match="已通过"), store.write() as session:
        projects.add_project(session, _estate(store), title="x", topic_id=topic.id)


def test_a_cancelled_project_keeps_its_history(store: Store) -> None:
    with store.write() as session:
        project = projects.add_project(session, _estate(store), title="弄堂运动会")
        projects.set_project_status(session, project.id, "in_progress")
    with pytest.raises(ValidationFailed), store.write() as session:
        projects.set_project_status(session, project.id, "cancelled")  # needs a reason
    with store.write() as session:
        projects.set_project_status(session, project.id, "cancelled", "场地不能用")
        history = projects.status_history(session, project.id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "planned"),
        ("planned", "in_progress"),
        ("in_progress", "cancelled"),
    ]
    with pytest.raises(StoreError, match="不能改为"), store.write() as session:
        projects.set_project_status(session, project.id, "in_progress")


def test_budget_against_spending_in_fen(store: Store) -> None:
    with store.write() as session:
        project = projects.add_project(session, _estate(store), title="邻里点改造")
        materials = projects.add_budget_line(session, project.id, "材料费", "1000")
        projects.add_budget_line(session, project.id, "人工", "500.50")
        for amount in ("0.10", "0.20", "999.75"):
            projects.add_expense(
                session, store.directory, project.id, amount=amount, line_id=materials.id
            )
        totals = projects.budget(session, project.id)
    assert totals.budget_fen == 150050
    assert totals.spent_fen == 100005
    over = {line.item: line.over for line in totals.lines}
    assert over == {"人工": False, "材料费": True}
    assert not totals.over


def test_bad_money_and_dates_are_refused(store: Store) -> None:
    with store.write() as session:
        project = projects.add_project(session, _estate(store), title="x", started_on="2026-06-01")
    for amount in ("十元", "1.234"):
        with pytest.raises(ValidationFailed), store.write() as session:
            projects.add_expense(session, store.directory, project.id, amount=amount)
    with pytest.raises(ValidationFailed, match="早于项目开始"), store.write() as session:
        projects.add_milestone(session, project.id, "节点", "2026-05-01")
    with store.write() as session:  # confirmed as intended
        projects.add_milestone(session, project.id, "节点", "2026-05-01", confirm_early=True)
        assert projects.list_projects(session)[0].overdue == 1


def test_assembly_quorum_follows_its_rule(store: Store) -> None:
    _households(store, 6)
    with store.write() as session:
        meeting = meetings.add_meeting(
            session, _estate(store), form="议事大会", held_on="2026-12-05"
        )
        assert meetings.invite(session, meeting.id, households=True) == 6
        invitees = meetings.list_invitees(session, meeting.id)
        meetings.record_attendance(session, invitees[0].id, "present")
        meetings.record_attendance(session, invitees[1].id, "proxy", "邻居")
        meetings.record_attendance(session, invitees[2].id, "present")
        quorum = meetings.quorum(session, meeting.id)
        assert (quorum.attending, quorum.invited, quorum.met) == (3, 6, False)  # exactly half
        meetings.record_attendance(session, invitees[3].id, "present")
        assert meetings.quorum(session, meeting.id).met
    with pytest.raises(ValidationFailed, match="受托人"), store.write() as session:
        meetings.record_attendance(session, invitees[4].id, "proxy")


def test_attendance_for_someone_not_invited_is_refused(store: Store) -> None:
    with store.write() as session:
        meeting = meetings.add_meeting(session, _estate(store), form="协调会", held_on="2026-12-05")
    with pytest.raises(StoreError, match="邀请名单"), store.write() as session:
        meetings.record_attendance(session, "not-invited", "present")
    assert meeting.title.endswith("协调会")


def test_a_topics_meetings_are_found_from_agenda_and_resolutions(store: Store) -> None:
    topic_id, _ = _passed_topic(store)
    with store.write() as session:
        first = meetings.add_meeting(
            session, _estate(store), form="executive", held_on="2026-11-01"
        )
        second = meetings.add_meeting(
            session, _estate(store), form="assembly", held_on="2026-11-20"
        )
        meetings.add_agenda_item(session, first.id, topic_id=topic_id)
        resolution = meetings.add_resolution(session, second.id, "同意实施", topic_id)
        found = [m.id for m in meetings.meetings_for_topic(session, topic_id)]
    assert found == [first.id, second.id]
    assert resolution.vote_id is not None


def test_a_notice_for_a_past_meeting_asks_first(store: Store) -> None:
    import datetime

    with store.write() as session:
        meeting = meetings.add_meeting(session, _estate(store), form="听证会", held_on="2026-01-05")
    assert "已经过去" in (meetings.notice_check(meeting, datetime.date(2026, 2, 1)) or "")
    assert meetings.notice_check(meeting, datetime.date(2026, 1, 1)) is None
