"""Votes (表决): creating them on a topic, issuing ballots, tallying, closing and the result."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain import serials
from xmen_desktop.domain import votes as rules
from xmen_desktop.domain.ids import natural_id
from xmen_desktop.domain.topics import STATES
from xmen_desktop.domain.validation import FieldError, area_number, clean_text, date_value
from xmen_desktop.store.common import live, now_text, operator
from xmen_desktop.store.errors import StoreError, ValidationFailed
from xmen_desktop.store.models import (
    Ballot,
    BallotEvent,
    BodyMember,
    Estate,
    Household,
    Resident,
    Topic,
    Vote,
)
from xmen_desktop.store.review import ballots_in_review
from xmen_desktop.store.topics import record_transition

ELECTORATES: dict[str, str] = {
    "households": "全体住户（每户一票）",
    "assembly": "议事大会成员所在户",
}


class AlreadyTallied(StoreError):
    """The ballot was recorded before; ``ballot`` says how."""

    def __init__(self, message: str, ballot: Ballot) -> None:
        super().__init__(message)
        self.ballot = ballot


# ---------------------------------------------------------------------------- creating


def vote_rule(vote: Vote) -> rules.Rule:
    return rules.rule_for(vote.rule, vote.participation_share, vote.pass_share, vote.basis)


def vote_options(vote: Vote) -> tuple[str, ...]:
    return tuple(json.loads(vote.options))


def _eligible_households(session: Session, estate_id: str, electorate: str) -> list[Household]:
    households = session.exec(
        select(Household).where(Household.estate_id == estate_id, Household.cl % 2 == 1)
    ).all()
    if electorate == "assembly":
        member_households = set(
            session.exec(
                select(Resident.household_id)
                .join(BodyMember, col(BodyMember.resident_id) == col(Resident.id))
                .where(
                    BodyMember.estate_id == estate_id,
                    BodyMember.body == "assembly",
                    BodyMember.cl % 2 == 1,
                    Resident.cl % 2 == 1,
                )
            ).all()
        )
        households = [h for h in households if h.id in member_households]
    return sorted(households, key=lambda h: addresses.sort_key(h.address))


def _options(raw: Sequence[str] | str | None) -> tuple[str, ...]:
    if raw is None or raw == "":
        return rules.DEFAULT_OPTIONS
    items = raw.replace("，", ",").split(",") if isinstance(raw, str) else list(raw)
    options = tuple(clean_text(o) for o in items if clean_text(o))
    if len(options) < 2:
        raise ValidationFailed([FieldError("options", "至少需要两个选项，例如 同意,不同意,弃权")])
    if len(set(options)) != len(options):
        raise ValidationFailed([FieldError("options", "选项不能重复")])
    if len(options) > 9:
        raise ValidationFailed([FieldError("options", "最多 9 个选项（计票时按数字键 1–9 选择）")])
    return options


def create_vote(
    session: Session,
    topic_id: str,
    *,
    question: str,
    rule: str,
    options: Sequence[str] | str | None = None,
    participation: str | None = None,
    passing: str | None = None,
    basis: str | None = None,
    electorate: str = "households",
    opens_on: object = None,
    closes_on: object = None,
    return_place: str = "",
) -> Vote:
    topic = live(session, Topic, topic_id, "议题")
    if topic.state != "voting":
        raise StoreError(
            f"议题现在是“{STATES[topic.state]}”，不能发起表决：请先把议题推进到“表决中”"
        )
    question = clean_text(question)
    if not question:
        raise ValidationFailed([FieldError("question", "请写明表决事项，例如“是否同意……”")])
    try:
        chosen = rules.rule_for(rule, participation, passing, basis)
    except rules.RuleError as error:
        raise StoreError(error.message) from error
    if electorate not in ELECTORATES:
        raise StoreError("表决范围应为 households（全体住户）或 assembly（议事大会成员）")
    opens = date_value(opens_on, "opens_on") or datetime.date.today()
    closes = date_value(closes_on, "closes_on")
    if closes is not None and closes < opens:
        raise ValidationFailed([FieldError("closes_on", "截止日期不能早于开始日期")])
    voters = _eligible_households(session, topic.estate_id, electorate)
    if not voters:
        raise StoreError("表决范围内没有住户：请先录入住户名册（或议事大会成员）")
    if chosen.needs_area:
        missing = [h for h in voters if not h.area_centi]
        if missing:
            names = "、".join(f"{h.address}（{h.tenant}）" for h in missing[:10])
            more = f"等 {len(missing)} 户" if len(missing) > 10 else ""
            raise StoreError(
                f"这个规则要按面积计算，但以下住户没有登记面积：{names}{more}。"
                "请先在住户名册补上面积，或改用只按户数计算的规则"
            )
    vote = Vote(
        topic_id=topic.id,
        estate_id=topic.estate_id,
        question=question,
        options=json.dumps(list(_options(options)), ensure_ascii=False),
        rule=chosen.code,
        participation_share=str(chosen.participation.share) if chosen.code == "custom" else None,
        pass_share=str(chosen.passing.share) if chosen.code == "custom" else None,
        basis=chosen.basis if chosen.code == "custom" else None,
        electorate=electorate,
        opens_on=opens,
        closes_on=closes,
        return_place=clean_text(return_place),
    )
    session.add(vote)
    session.flush()
    return vote


# ---------------------------------------------------------------------------- ballots


def issue_ballots(session: Session, vote_id: str) -> list[Ballot]:
    """One ballot per eligible household; issuing again adds only households new since."""
    vote = live(session, Vote, vote_id, "表决")
    if vote.state != "open":
        raise StoreError("表决已经结束，不能再发票")
    existing = {b.household_id: b for b in list_ballots(session, vote.id)}
    number = max((b.number for b in existing.values()), default=0)
    for household in _eligible_households(session, vote.estate_id, vote.electorate):
        if household.id in existing:
            continue
        number += 1
        if number > serials.MAX_BALLOTS:
            raise StoreError(f"一次表决最多 {serials.MAX_BALLOTS} 张票")
        ballot = Ballot(
            id=natural_id("ballot", vote.id, household.id),
            vote_id=vote.id,
            household_id=household.id,
            number=number,
            serial=serials.make_serial(vote.id, number),
            tenant=household.tenant,
            address=household.address,
            area_centi=household.area_centi,
        )
        session.add(ballot)
        existing[household.id] = ballot
    session.flush()
    return sorted(existing.values(), key=lambda b: b.number)


def list_ballots(session: Session, vote_id: str) -> list[Ballot]:
    return list(
        session.exec(
            select(Ballot)
            .where(Ballot.vote_id == vote_id, Ballot.cl % 2 == 1)
            .order_by(col(Ballot.number))
        )
    )


def find_ballot(
    session: Session, vote_id: str, *, serial: str | None = None, household_id: str | None = None
) -> Ballot:
    """The ballot a scanned or typed serial (or a household) stands for, or why not."""
    vote = live(session, Vote, vote_id, "表决")
    if serial is not None:
        try:
            parsed = serials.parse_serial(serial)
        except serials.SerialError as error:
            raise StoreError(error.message) from error
        if parsed.vote_code != serials.vote_code(vote.id):
            raise StoreError(f"编号 {parsed.text} 是另一次表决的票，不是这次的，请分开计票")
        ballot = session.exec(
            select(Ballot).where(
                Ballot.vote_id == vote.id, Ballot.number == parsed.number, Ballot.cl % 2 == 1
            )
        ).first()
        if ballot is None:
            raise StoreError(f"本次表决没有发出编号为 {parsed.text} 的票")
        return ballot
    if household_id is None:
        raise StoreError("请给出票面编号或住户")
    ballot = session.get(Ballot, natural_id("ballot", vote.id, household_id))
    if ballot is None or not ballot.is_live:
        household = session.get(Household, household_id)
        who = f"{household.address} {household.tenant}" if household else household_id
        raise StoreError(f"{who} 不在本次表决的范围内（没有给这一户发票）")
    return ballot


def local_time_text(stamp: str | None) -> str:
    """Stored times are UTC; people read them in the PC's local time."""
    if not stamp:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_record(ballot: Ballot) -> str:
    if not ballot.returned:
        return "尚未交回"
    what = "废票" if ballot.spoilt else "空白票" if ballot.blank else f"“{ballot.choice}”"
    when = local_time_text(ballot.recorded_at)
    by = f"，{ballot.recorded_by} 登记" if ballot.recorded_by else ""
    return f"已登记为{what}（{when}{by}）"


def cast(
    session: Session,
    vote_id: str,
    *,
    serial: str | None = None,
    household_id: str | None = None,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> Ballot:
    """Record a returned ballot. A ballot already recorded is refused, showing the record."""
    vote = live(session, Vote, vote_id, "表决")
    if vote.state != "open":
        raise StoreError("表决已经结束，不能再登记选票")
    ballot = find_ballot(session, vote.id, serial=serial, household_id=household_id)
    if sum((choice is not None, blank, spoilt)) != 1:
        raise StoreError("请选择一个选项，或登记为空白票、废票（只能选一种）")
    options = vote_options(vote)
    if choice is not None and choice not in options:
        if choice.isdigit() and 1 <= int(choice) <= len(options):
            choice = options[int(choice) - 1]  # a keypad number stands for the option
        else:
            raise StoreError(f"“{choice}”不是这次表决的选项。选项：{'、'.join(options)}")
    if ballot.returned:
        raise AlreadyTallied(
            f"编号 {ballot.serial}（{ballot.address} {ballot.tenant}）{describe_record(ballot)}，"
            "不能重复登记。如登记错了，请先撤销那一条",
            ballot,
        )
    stamp, who = now_text(), operator(session)
    ballot.returned = True
    ballot.choice = choice
    ballot.blank = blank
    ballot.spoilt = spoilt
    ballot.recorded_at = stamp
    ballot.recorded_by = who
    session.add(
        BallotEvent(
            ballot_id=ballot.id,
            kind="cast",
            choice=choice,
            blank=blank,
            spoilt=spoilt,
            at=stamp,
            by=who,
        )
    )
    session.flush()
    return ballot


def undo_last(session: Session, vote_id: str) -> Ballot:
    """Take back the most recent entry still standing (the record stays in the history)."""
    vote = live(session, Vote, vote_id, "表决")
    if vote.state != "open":
        raise StoreError("表决已经结束，不能撤销登记")
    latest = session.exec(
        select(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.returned == True, Ballot.cl % 2 == 1)  # noqa: E712
        .order_by(col(Ballot.recorded_at).desc(), col(Ballot.number).desc())
    ).first()
    if latest is None:
        raise StoreError("还没有登记任何选票，没有可撤销的")
    session.add(
        BallotEvent(
            ballot_id=latest.id,
            kind="undo",
            choice=latest.choice,
            blank=latest.blank,
            spoilt=latest.spoilt,
            at=now_text(),
            by=operator(session),
        )
    )
    latest.returned = False
    latest.choice = None
    latest.blank = latest.spoilt = False
    latest.recorded_at = latest.recorded_by = None
    session.flush()
    return latest


def check_entry(
    session: Session,
    vote_id: str,
    *,
    serial: str,
    choice: str | None = None,
    blank: bool = False,
    spoilt: bool = False,
) -> bool:
    """Double entry: a second operator re-enters a ballot; True when it matches the record."""
    ballot = find_ballot(session, vote_id, serial=serial)
    options = vote_options(live(session, Vote, vote_id, "表决"))
    if choice is not None and choice.isdigit() and 1 <= int(choice) <= len(options):
        choice = options[int(choice) - 1]
    session.add(
        BallotEvent(
            ballot_id=ballot.id,
            kind="check",
            choice=choice,
            blank=blank,
            spoilt=spoilt,
            at=now_text(),
            by=operator(session),
        )
    )
    session.flush()
    return _matches(ballot, choice, blank, spoilt)


def _matches(ballot: Ballot, choice: str | None, blank: bool, spoilt: bool) -> bool:
    return ballot.returned and (ballot.choice, ballot.blank, ballot.spoilt) == (
        choice,
        blank,
        spoilt,
    )


@dataclass(frozen=True)
class Mismatch:
    serial: str
    address: str
    tenant: str
    recorded: str
    checked: str


def mismatches(session: Session, vote_id: str) -> list[Mismatch]:
    """Every ballot whose latest second entry differs from what is recorded."""
    latest_check: dict[str, BallotEvent] = {}
    for event in session.exec(
        select(BallotEvent)
        .join(Ballot, col(Ballot.id) == col(BallotEvent.ballot_id))
        .where(Ballot.vote_id == vote_id, BallotEvent.kind == "check", BallotEvent.cl % 2 == 1)
        .order_by(col(BallotEvent.at), col(BallotEvent.id))
    ):
        latest_check[event.ballot_id] = event
    found = []
    for ballot_id, event in latest_check.items():
        ballot = session.get(Ballot, ballot_id)
        assert ballot is not None
        if not _matches(ballot, event.choice, event.blank, event.spoilt):
            checked = "废票" if event.spoilt else "空白票" if event.blank else f"“{event.choice}”"
            found.append(
                Mismatch(
                    ballot.serial, ballot.address, ballot.tenant, describe_record(ballot), checked
                )
            )
    return sorted(found, key=lambda m: m.serial)


# ---------------------------------------------------------------------------- result


def compute_result(session: Session, vote_id: str) -> rules.Result:
    vote = live(session, Vote, vote_id, "表决")
    ballots = list_ballots(session, vote.id)
    electorate = [rules.Voter(b.household_id, b.area_centi) for b in ballots]
    # A ballot recorded differently on two PCs is set aside until a person decides.
    disputed = ballots_in_review(session, [b.id for b in ballots])
    returned = [
        rules.Ballot(
            b.household_id,
            choice=b.choice,
            blank=b.blank,
            spoilt=b.spoilt,
            in_review=b.id in disputed,
        )
        for b in ballots
        if b.returned or b.id in disputed
    ]
    return rules.tally(vote_rule(vote), vote_options(vote), electorate, returned)


def _amount(amount: rules.Amount) -> dict[str, object]:
    return {"households": amount.households, "area": area_number(amount.area_centi) or 0}


def result_json(vote: Vote, result: rules.Result) -> dict[str, object]:
    return {
        "vote": vote.id,
        "rule": vote.rule,
        "rule_name": result.rule.name,
        "state": vote.state,
        "electorate": _amount(result.electorate),
        "participated": _amount(result.participated),
        "counts": {o: _amount(a) for o, a in result.counts.items()},
        "blank": result.blank.households,
        "spoilt": result.spoilt.households,
        "not_returned": result.not_returned.households,
        "in_review": result.in_review.households,
        "thresholds": [
            {
                "label": c.label,
                "basis": c.basis,
                "share": str(
                    (result.rule.participation if c.label == "参与" else result.rule.passing).share
                ),
                "part": c.part if c.basis == "headcount" else area_number(c.part) or 0,
                "whole": c.whole if c.basis == "headcount" else area_number(c.whole) or 0,
                "needed": c.needed if c.basis == "headcount" else area_number(c.needed) or 0,
                "met": c.met,
            }
            for c in (*result.participation_checks, *result.passing_checks)
        ],
        "participation_met": result.participation_met,
        "passed": result.passed,
        "winner": result.winner,
    }


def close_vote(session: Session, vote_id: str) -> rules.Result:
    """Lock the vote, record who closed it, and move the topic to passed or failed."""
    vote = live(session, Vote, vote_id, "表决")
    if vote.state != "open":
        raise StoreError("这次表决已经结束了")
    result = compute_result(session, vote.id)
    vote.state = "closed"
    vote.closed_at = now_text()
    vote.closed_by = operator(session)
    topic = live(session, Topic, vote.topic_id, "议题")
    if topic.state == "voting":
        outcome = "passed" if result.passed else "failed"
        counts = "，".join(f"{o} {a.households} 户" for o, a in result.counts.items())
        verdict = "通过" if result.passed else "未通过"
        record_transition(session, topic, outcome, f"表决结果：{verdict}（{counts}）")
    session.flush()
    return result


def list_votes(
    session: Session, topic_id: str | None = None, estate_id: str | None = None
) -> list[Vote]:
    query = select(Vote).where(Vote.cl % 2 == 1)
    if topic_id:
        query = query.where(Vote.topic_id == topic_id)
    if estate_id:
        query = query.where(Vote.estate_id == estate_id)
    return list(session.exec(query.order_by(col(Vote.opens_on).desc(), col(Vote.id))))


def ballot_counts(session: Session, vote_id: str) -> tuple[int, int]:
    """(issued, returned)."""
    # Summing the boolean column would come back typed as a boolean (any count reads as 1).
    returned_rows = func.sum(case((col(Ballot.returned), 1), else_=0))
    issued, returned = session.exec(
        select(func.count(), func.coalesce(returned_rows, 0)).where(
            Ballot.vote_id == vote_id, Ballot.cl % 2 == 1
        )
    ).one()
    return int(issued), int(returned)


def estate_of(session: Session, vote: Vote) -> Estate:
    return live(session, Estate, vote.estate_id, "小区")
