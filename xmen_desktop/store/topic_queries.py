"""Read helpers for the topic, consultation and tally screens: frozen rows, nothing live.

Screens receive these plain rows instead of table objects, which expire once their session
closes; nothing a screen holds can reach back into the database. The tally helpers also wrap
one entry and the recount in a single call, so a scan costs one small job on the worker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain import votes as rules
from xmen_desktop.domain.topics import SupportThreshold
from xmen_desktop.store import topics, votes
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import (
    Ballot,
    ConsultationContact,
    ConsultationRound,
    Estate,
    Household,
    Topic,
    TopicSupport,
    Vote,
)

# How many of the latest tally entries a screen shows again when it opens.
RECENT_ENTRIES = 12


def local_time(stamp: str | None) -> str:
    """An ISO time as stored (UTC) in this PC's local time: "2025-03-01 14:05"."""
    if not stamp:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------- households


@dataclass(frozen=True)
class HouseholdChoice:
    """A household offered in a picker (proposer, support, consultation)."""

    id: str
    tenant: str
    address: str


def household_choices(session: Session, estate_id: str) -> list[HouseholdChoice]:
    require_estate(session, estate_id)
    rows = session.exec(
        select(Household.id, Household.tenant, Household.address).where(
            Household.estate_id == estate_id, Household.cl % 2 == 1
        )
    ).all()
    choices = [HouseholdChoice(*row) for row in rows]
    return sorted(choices, key=lambda c: addresses.sort_key(c.address))


# ---------------------------------------------------------------------------- topic list


@dataclass(frozen=True)
class ThresholdInfo:
    households: int | None
    share: str | None  # as stored, e.g. "1/20"
    roster_size: int
    required: int
    description: str


@dataclass(frozen=True)
class TopicList:
    rows: list[topics.TopicRow]
    threshold: ThresholdInfo


def roster_size(session: Session, estate_id: str) -> int:
    require_estate(session, estate_id)
    return len(
        session.exec(
            select(Household.id).where(Household.estate_id == estate_id, Household.cl % 2 == 1)
        ).all()
    )


def threshold_info(session: Session, estate_id: str) -> ThresholdInfo:
    require_estate(session, estate_id)
    threshold: SupportThreshold = topics.support_threshold(session, estate_id)
    size = roster_size(session, estate_id)
    return ThresholdInfo(
        threshold.households,
        str(threshold.share) if threshold.share is not None else None,
        size,
        threshold.required(size),
        threshold.describe(size),
    )


def topic_list(session: Session, estate_id: str) -> TopicList:
    require_estate(session, estate_id)
    return TopicList(topics.list_topics(session, estate_id), threshold_info(session, estate_id))


# ---------------------------------------------------------------------------- topic detail


@dataclass(frozen=True)
class TransitionRow:
    id: str
    seq: int
    from_state: str | None
    to_state: str
    note: str
    at: str  # local time, "2025-03-01 14:05"
    by: str


@dataclass(frozen=True)
class SupportRow:
    id: str  # the household's id: one support per household
    tenant: str
    address: str
    supported_on: datetime.date
    note: str


@dataclass(frozen=True)
class RoundRow:
    id: str
    number: int
    title: str
    started_on: datetime.date


@dataclass(frozen=True)
class ContactRow:
    id: str
    round_number: int
    household_id: str
    tenant: str
    address: str
    method: str  # code: door phone meeting written
    opinion: str  # code: support oppose neutral ""
    said: str
    contacted_on: datetime.date


@dataclass(frozen=True)
class VoteRow:
    id: str
    question: str
    state: str  # open | closed
    options: tuple[str, ...]
    rule_name: str
    rule_lines: tuple[str, ...]
    electorate: str  # households | assembly
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    return_place: str
    issued: int
    returned: int
    closed_at: str  # local time, "" while open
    closed_by: str
    passed: bool | None  # None while open


@dataclass(frozen=True)
class TopicDetail:
    id: str
    estate_id: str
    title: str
    description: str
    category: str
    channel: str
    proposer_name: str
    proposer_household_id: str | None
    proposer_address: str
    raised_on: datetime.date
    state: str
    transitions: list[TransitionRow]
    supports: list[SupportRow]
    support: topics.SupportStatus
    rounds: list[RoundRow]
    # The round the contacts and coverage are for; None: all rounds together.
    round_id: str | None
    contacts: list[ContactRow]
    coverage: topics.Coverage
    votes: list[VoteRow]
    # The meetings that discussed it (on the agenda or in a resolution), as one line each.
    meetings: tuple[str, ...] = ()

    @property
    def open_vote(self) -> VoteRow | None:
        return next((v for v in self.votes if v.state == "open"), None)


def ballot_counts(session: Session, vote_id: str) -> tuple[int, int]:
    """(issued, returned) of a vote's ballots.

    Counted here rather than with ``votes.ballot_counts``, whose SUM over the boolean column
    comes back typed as a boolean (any number of returned ballots reads as 1).
    """
    live_ballots = (Ballot.vote_id == vote_id, Ballot.cl % 2 == 1)
    issued = session.exec(select(func.count()).select_from(Ballot).where(*live_ballots)).one()
    returned = session.exec(
        select(func.count()).select_from(Ballot).where(*live_ballots, Ballot.returned == True)  # noqa: E712
    ).one()
    return int(issued), int(returned)


def _vote_row(session: Session, vote: Vote) -> VoteRow:
    rule = votes.vote_rule(vote)
    issued, returned = ballot_counts(session, vote.id)
    passed = None
    if vote.state == "closed":
        passed = votes.compute_result(session, vote.id).passed
    return VoteRow(
        vote.id,
        vote.question,
        vote.state,
        votes.vote_options(vote),
        rule.name,
        tuple(rule.explain()),
        vote.electorate,
        vote.opens_on,
        vote.closes_on,
        vote.return_place,
        issued,
        returned,
        local_time(vote.closed_at),
        vote.closed_by or "",
        passed,
    )


def topic_detail(session: Session, topic_id: str, round_id: str | None = None) -> TopicDetail:
    topic = live(session, Topic, topic_id, "议题")
    history = [
        TransitionRow(t.id, t.seq, t.from_state, t.to_state, t.note, local_time(t.at), t.by)
        for t in topics.transitions(session, topic.id)
    ]
    supports = [
        SupportRow(h.id, h.tenant, h.address, s.supported_on, s.note)
        for s, h in session.exec(
            select(TopicSupport, Household)
            .join(Household, col(Household.id) == col(TopicSupport.household_id))
            .where(TopicSupport.topic_id == topic.id, TopicSupport.cl % 2 == 1)
        )
    ]
    supports.sort(key=lambda s: (s.supported_on, addresses.sort_key(s.address)))
    rounds = [
        RoundRow(r.id, r.number, r.title, r.started_on)
        for r in session.exec(
            select(ConsultationRound)
            .where(ConsultationRound.topic_id == topic.id, ConsultationRound.cl % 2 == 1)
            .order_by(col(ConsultationRound.number))
        )
    ]
    if round_id is not None and round_id not in {r.id for r in rounds}:
        round_id = None
    contact_query = (
        select(ConsultationContact, ConsultationRound.number, Household)
        .join(ConsultationRound, col(ConsultationRound.id) == col(ConsultationContact.round_id))
        .join(Household, col(Household.id) == col(ConsultationContact.household_id))
        .where(
            ConsultationRound.topic_id == topic.id,
            ConsultationRound.cl % 2 == 1,
            ConsultationContact.cl % 2 == 1,
        )
    )
    if round_id is not None:
        contact_query = contact_query.where(ConsultationRound.id == round_id)
    contacts = [
        ContactRow(
            c.id,
            number,
            h.id,
            h.tenant,
            h.address,
            c.method,
            c.opinion,
            c.said,
            c.contacted_on,
        )
        for c, number, h in session.exec(contact_query)
    ]
    contacts.sort(key=lambda c: (-c.round_number, addresses.sort_key(c.address)))
    proposer_address = ""
    if topic.proposer_household_id:
        household = session.get(Household, topic.proposer_household_id)
        if household is not None:
            proposer_address = household.address
    return TopicDetail(
        topic.id,
        topic.estate_id,
        topic.title,
        topic.description,
        topic.category,
        topic.channel,
        topic.proposer_name,
        topic.proposer_household_id,
        proposer_address,
        topic.raised_on,
        topic.state,
        history,
        supports,
        topics.support_status(session, topic.id),
        rounds,
        round_id,
        contacts,
        topics.coverage(session, topic.id, round_id),
        [_vote_row(session, v) for v in votes.list_votes(session, topic_id=topic.id)],
        _meeting_lines(session, topic.id),
    )


def _meeting_lines(session: Session, topic_id: str) -> tuple[str, ...]:
    from xmen_desktop.domain.projects import MEETING_FORMS
    from xmen_desktop.store import meetings

    return tuple(
        f"{m.held_on:%Y-%m-%d} {MEETING_FORMS.get(m.form, m.form)}：{m.title}"
        for m in meetings.meetings_for_topic(session, topic_id)
    )


# ---------------------------------------------------------------------------- tally


@dataclass(frozen=True)
class EntryRow:
    """One ballot as the tally screen shows it: who, and what is recorded."""

    id: str  # the ballot's id
    serial: str
    number: int
    address: str
    tenant: str
    returned: bool
    record: str  # "同意" / "空白票" / "废票" / "" when not returned
    at: str  # local time of the record
    by: str

    def describe(self) -> str:
        """What is recorded, in local time: "已登记为“同意”（2025-03-01 14:05，张三 登记）"."""
        if not self.returned:
            return "尚未交回"
        who = f"，{self.by} 登记" if self.by else ""
        what = self.record if self.record in ("空白票", "废票") else f"“{self.record}”"
        return f"已登记为{what}（{self.at}{who}）"


def entry_row(ballot: Ballot) -> EntryRow:
    if not ballot.returned:
        record = ""
    elif ballot.spoilt:
        record = "废票"
    elif ballot.blank or ballot.choice is None:
        record = "空白票"
    else:
        record = ballot.choice
    return EntryRow(
        ballot.id,
        ballot.serial,
        ballot.number,
        ballot.address,
        ballot.tenant,
        ballot.returned,
        record,
        local_time(ballot.recorded_at),
        ballot.recorded_by or "",
    )


class BallotRefused(StoreError):
    """A ballot that cannot be recorded now; ``earlier`` is its record when it has one."""

    def __init__(self, message: str, earlier: EntryRow | None = None) -> None:
        super().__init__(message)
        self.earlier = earlier


def duplicate_message(entry: EntryRow) -> str:
    return (
        f"这张票已经登记过了，不能重复登记。\n编号 {entry.serial}（{entry.address} "
        f"{entry.tenant}）{entry.describe()}。\n如果当时登记错了，请先撤销那一条再重新登记。"
    )


@dataclass(frozen=True)
class MismatchRow:
    """A ballot whose second entry differs from the first."""

    id: str  # the serial
    serial: str
    address: str
    tenant: str
    recorded: str  # "已登记为“同意”（…）" or "尚未交回"
    checked: str  # "“不同意”" / "空白票" / "废票"


def mismatch_rows(session: Session, vote_id: str) -> list[MismatchRow]:
    rows = []
    for found in votes.mismatches(session, vote_id):
        ballot = votes.find_ballot(session, vote_id, serial=found.serial)
        recorded = entry_row(ballot).describe()
        rows.append(
            MismatchRow(
                found.serial, found.serial, found.address, found.tenant, recorded, found.checked
            )
        )
    return rows


@dataclass(frozen=True)
class TallyState:
    vote_id: str
    topic_id: str
    topic_title: str
    estate_name: str
    question: str
    options: tuple[str, ...]
    state: str  # open | closed
    return_place: str
    closes_on: datetime.date | None
    closed_at: str
    closed_by: str
    result: rules.Result
    recent: list[EntryRow]  # latest first
    mismatches: list[MismatchRow]


def tally_state(session: Session, vote_id: str) -> TallyState:
    vote = live(session, Vote, vote_id, "表决")
    topic = live(session, Topic, vote.topic_id, "议题")
    estate = live(session, Estate, vote.estate_id, "小区")
    recent = session.exec(
        select(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.returned == True, Ballot.cl % 2 == 1)  # noqa: E712
        .order_by(col(Ballot.recorded_at).desc(), col(Ballot.number).desc())
        .limit(RECENT_ENTRIES)
    ).all()
    return TallyState(
        vote.id,
        topic.id,
        topic.title,
        estate.name,
        vote.question,
        votes.vote_options(vote),
        vote.state,
        vote.return_place,
        vote.closes_on,
        local_time(vote.closed_at),
        vote.closed_by or "",
        votes.compute_result(session, vote.id),
        [entry_row(b) for b in recent],
        mismatch_rows(session, vote.id),
    )


def lookup_ballot(session: Session, vote_id: str, serial: str) -> EntryRow:
    """The ballot a scanned serial stands for (wrong check digit, other vote: StoreError)."""
    return entry_row(votes.find_ballot(session, vote_id, serial=serial))


@dataclass(frozen=True)
class TallyOutcome:
    """What one entry (or its undo) did, and the count after it."""

    entry: EntryRow
    result: rules.Result


def cast_and_count(
    session: Session,
    vote_id: str,
    serial: str,
    *,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> TallyOutcome:
    """Record one returned ballot and recount in the same transaction."""
    try:
        ballot = votes.cast(
            session, vote_id, serial=serial, choice=choice, blank=blank, spoilt=spoilt
        )
    except votes.AlreadyTallied as already:
        # Turned into plain data here: the ballot object dies with the rolled-back session.
        earlier = entry_row(already.ballot)
        raise BallotRefused(duplicate_message(earlier), earlier) from None
    return TallyOutcome(entry_row(ballot), votes.compute_result(session, vote_id))


def undo_and_count(session: Session, vote_id: str) -> TallyOutcome:
    # The row as it was recorded, before the undo clears it, so the screen can say what went.
    vote = live(session, Vote, vote_id, "表决")
    latest = session.exec(
        select(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.returned == True, Ballot.cl % 2 == 1)  # noqa: E712
        .order_by(col(Ballot.recorded_at).desc(), col(Ballot.number).desc())
    ).first()
    before = entry_row(latest) if latest is not None else None
    ballot = votes.undo_last(session, vote_id)
    entry = before if before is not None and before.id == ballot.id else entry_row(ballot)
    return TallyOutcome(entry, votes.compute_result(session, vote_id))


@dataclass(frozen=True)
class CheckOutcome:
    entry: EntryRow  # as recorded by the first entry
    matched: bool
    mismatches: list[MismatchRow]


def check_and_list(
    session: Session,
    vote_id: str,
    serial: str,
    *,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> CheckOutcome:
    """Double entry: compare a second operator's entry with the record; list every mismatch."""
    matched = votes.check_entry(
        session, vote_id, serial=serial, choice=choice, blank=blank, spoilt=spoilt
    )
    entry = entry_row(votes.find_ballot(session, vote_id, serial=serial))
    return CheckOutcome(entry, matched, mismatch_rows(session, vote_id))
