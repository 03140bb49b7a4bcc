"""Functions of a session that the topic, vote and tally screens hand to ``context.read/write``.

Like ``ui.jobs`` they run on the worker, import the store inside each function (the main
window imports this module and SQLAlchemy must not delay the first window), and return ids
or frozen rows, never table objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.topic_queries import (
        CheckOutcome,
        EntryRow,
        HouseholdChoice,
        TallyOutcome,
        TallyState,
        ThresholdInfo,
        TopicDetail,
        TopicList,
    )
    from xmen_desktop.ui.worker import Job

Values = Mapping[str, object]

# Table names as the change log reports them in ``AppContext.changed``.
TOPIC = "topic"
TOPIC_TRANSITION = "topic_transition"
TOPIC_SUPPORT = "topic_support"
CONSULTATION_ROUND = "consultation_round"
CONSULTATION_CONTACT = "consultation_contact"
ESTATE_SETTING = "estate_setting"
VOTE = "vote"
BALLOT = "ballot"
BALLOT_EVENT = "ballot_event"


# ---------------------------------------------------------------------------- reads


def load_topics(estate_id: str) -> Callable[[Session], TopicList]:
    def run(session: Session) -> TopicList:
        from xmen_desktop.store import topic_queries

        return topic_queries.topic_list(session, estate_id)

    return run


def load_topic(topic_id: str, round_id: str | None = None) -> Callable[[Session], TopicDetail]:
    def run(session: Session) -> TopicDetail:
        from xmen_desktop.store import topic_queries

        return topic_queries.topic_detail(session, topic_id, round_id)

    return run


def load_household_choices(estate_id: str) -> Callable[[Session], list[HouseholdChoice]]:
    def run(session: Session) -> list[HouseholdChoice]:
        from xmen_desktop.store import topic_queries

        return topic_queries.household_choices(session, estate_id)

    return run


def load_threshold(estate_id: str) -> Callable[[Session], ThresholdInfo]:
    def run(session: Session) -> ThresholdInfo:
        from xmen_desktop.store import topic_queries

        return topic_queries.threshold_info(session, estate_id)

    return run


def load_tally(vote_id: str) -> Callable[[Session], TallyState]:
    def run(session: Session) -> TallyState:
        from xmen_desktop.store import topic_queries

        return topic_queries.tally_state(session, vote_id)

    return run


def lookup_ballot(vote_id: str, serial: str) -> Callable[[Session], EntryRow]:
    def run(session: Session) -> EntryRow:
        from xmen_desktop.store import topic_queries

        return topic_queries.lookup_ballot(session, vote_id, serial)

    return run


# ---------------------------------------------------------------------------- topic writes


def add_topic(estate_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        return topics.add_topic(session, estate_id, values).id

    return run


def update_topic(topic_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        return topics.update_topic(session, topic_id, values).id

    return run


def advance_topic(topic_id: str, target: str, note: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        return topics.advance_topic(session, topic_id, target, note).id

    return run


def add_support(topic_id: str, household_id: str, note: str = "") -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        return topics.add_support(session, topic_id, household_id, note).id

    return run


def remove_support(topic_id: str, household_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import topics

        topics.remove_support(session, topic_id, household_id)

    return run


def set_threshold(
    estate_id: str, *, households: int | None = None, share: str | None = None
) -> Callable[[Session], str]:
    """Set the estate's support threshold; returns what it now means in words."""

    def run(session: Session) -> str:
        from xmen_desktop.store import topic_queries, topics

        topics.set_support_threshold(session, estate_id, households=households, share=share)
        return topic_queries.threshold_info(session, estate_id).description

    return run


def start_round(topic_id: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        return topics.add_round(session, topic_id).id

    return run


def record_contact(
    topic_id: str,
    round_id: str | None,
    household_id: str,
    *,
    method: str,
    opinion: str,
    said: str,
) -> Callable[[Session], str]:
    """A household reached; into the round given, else the latest (started if none yet)."""

    def run(session: Session) -> str:
        from xmen_desktop.store import topics

        chosen = round_id or topics.current_round(session, topic_id).id
        return topics.record_contact(
            session, chosen, household_id, method=method, opinion=opinion, said=said
        ).id

    return run


# ---------------------------------------------------------------------------- votes


def create_vote(topic_id: str, values: Values) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import votes

        return votes.create_vote(session, topic_id, **values).id  # type: ignore[arg-type]

    return run


def issue_ballots(vote_id: str) -> Callable[[Session], int]:
    def run(session: Session) -> int:
        from xmen_desktop.store import votes

        return len(votes.issue_ballots(session, vote_id))

    return run


def print_ballots(
    vote_id: str, path: Path, two_up: bool, stop: threading.Event
) -> Callable[[Session, Job], int]:
    """Write the ballots PDF; ``stop`` or a cancelled job stops it and removes the part written."""

    def run(session: Session, job: Job) -> int:
        from xmen_desktop.store import printables
        from xmen_desktop.ui.worker import Cancelled

        def step(done: int, total: int) -> None:
            if stop.is_set():
                job.cancel()
            job.check()
            job.progress(done, total)

        try:
            return printables.print_ballots(session, vote_id, path, two_up=two_up, progress=step)
        except Cancelled:
            path.unlink(missing_ok=True)
            raise

    return run


def print_result(vote_id: str, path: Path) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import printables

        printables.print_result(session, vote_id, path)

    return run


# ---------------------------------------------------------------------------- tally


def cast(
    vote_id: str,
    serial: str,
    *,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> Callable[[Session], TallyOutcome]:
    def run(session: Session) -> TallyOutcome:
        from xmen_desktop.store import topic_queries

        return topic_queries.cast_and_count(
            session, vote_id, serial, choice=choice, blank=blank, spoilt=spoilt
        )

    return run


def undo_last(vote_id: str) -> Callable[[Session], TallyOutcome]:
    def run(session: Session) -> TallyOutcome:
        from xmen_desktop.store import topic_queries

        return topic_queries.undo_and_count(session, vote_id)

    return run


def check_entry(
    vote_id: str,
    serial: str,
    *,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> Callable[[Session], CheckOutcome]:
    def run(session: Session) -> CheckOutcome:
        from xmen_desktop.store import topic_queries

        return topic_queries.check_and_list(
            session, vote_id, serial, choice=choice, blank=blank, spoilt=spoilt
        )

    return run


def close_vote(vote_id: str) -> Callable[[Session], TallyState]:
    """Lock the vote (the store moves the topic to passed or failed) and read the final state."""

    def run(session: Session) -> TallyState:
        from xmen_desktop.store import topic_queries, votes

        votes.close_vote(session, vote_id)
        return topic_queries.tally_state(session, vote_id)

    return run
