"""Topics (议题): recording, supports (附议), the workflow, consultation rounds and coverage."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain.ids import natural_id
from xmen_desktop.domain.topics import (
    STATES,
    SupportThreshold,
    TransitionRefused,
    check_transition,
    clean_topic,
)
from xmen_desktop.domain.validation import FieldError, clean_text, date_value
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import clean, live, now_text, operator, revive, today, tombstone
from xmen_desktop.store.errors import StoreError, ValidationFailed
from xmen_desktop.store.models import (
    ConsultationContact,
    ConsultationRound,
    Estate,
    EstateSetting,
    Household,
    Resident,
    Topic,
    TopicSupport,
    TopicTransition,
    Vote,
)

CONSULT_METHODS: dict[str, str] = {
    "door": "上门",
    "phone": "电话",
    "meeting": "会议",
    "written": "书面",
}
OPINIONS: dict[str, str] = {"support": "赞成", "oppose": "反对", "neutral": "无所谓", "": "未表态"}


# ---------------------------------------------------------------------------- threshold


def support_threshold(session: Session, estate_id: str) -> SupportThreshold:
    require_estate(session, estate_id)
    setting = session.get(EstateSetting, natural_id("estate_setting", estate_id))
    if setting is None or not setting.is_live:
        return SupportThreshold(households=5)  # until staff set one: five households
    share = Fraction(setting.support_share) if setting.support_share else None
    return SupportThreshold(households=setting.support_households, share=share)


def set_support_threshold(
    session: Session, estate_id: str, *, households: int | None = None, share: str | None = None
) -> SupportThreshold:
    """Supports a topic needs in this estate: a number of households or a share ("1/20", "5%")."""
    require_estate(session, estate_id)
    from xmen_desktop.domain.votes import RuleError, parse_share

    live(session, Estate, estate_id, "小区")
    if (households is None) == (share is None):
        raise StoreError("请给出附议门槛：户数，或占本小区住户的比例（二选一）")
    if households is not None and households < 1:
        raise ValidationFailed([FieldError("support_households", "附议户数至少为 1")])
    parsed: str | None = None
    if share is not None:
        try:
            parsed = str(parse_share(share))
        except RuleError as error:
            raise StoreError(error.message) from error
    setting_id = natural_id("estate_setting", estate_id)
    setting = session.get(EstateSetting, setting_id)
    if setting is None:
        setting = EstateSetting(id=setting_id, estate_id=estate_id)
        session.add(setting)
    revive(setting)
    setting.support_households = households
    setting.support_share = parsed
    session.flush()
    return support_threshold(session, estate_id)


# ---------------------------------------------------------------------------- topics


def record_transition(session: Session, topic: Topic, target: str, note: str) -> TopicTransition:
    """Append the move to the topic's history and set its state (checks are the caller's)."""
    count = session.exec(
        select(func.count())
        .select_from(TopicTransition)
        .where(TopicTransition.topic_id == topic.id)
    ).one()
    record = TopicTransition(
        topic_id=topic.id,
        seq=count + 1,
        from_state=None if target == "proposed" and topic.state == "proposed" else topic.state,
        to_state=target,
        note=note.strip(),
        at=now_text(),
        by=operator(session),
    )
    session.add(record)
    topic.state = target
    return record


def add_topic(session: Session, estate_id: str, values: Mapping[str, object]) -> Topic:
    require_estate(session, estate_id)
    estate = live(session, Estate, estate_id, "小区")
    cleaned = clean(clean_topic, values, partial=False)
    cleaned["raised_on"] = cleaned.get("raised_on") or today()
    household_id = values.get("proposer_household_id") or None
    resident_id = values.get("proposer_resident_id") or None
    if resident_id:
        resident = live(session, Resident, str(resident_id), "居民")
        household_id = household_id or resident.household_id
        cleaned["proposer_name"] = cleaned.get("proposer_name") or resident.name
    if household_id:
        household = live(session, Household, str(household_id), "住户")
        if household.estate_id != estate.id:
            raise ValidationFailed([FieldError("proposer", "提出人不住在本小区")])
        cleaned["proposer_name"] = cleaned.get("proposer_name") or household.tenant
    topic = Topic(
        estate_id=estate.id,
        proposer_household_id=household_id,
        proposer_resident_id=resident_id,
        **cleaned,
    )
    session.add(topic)
    session.flush()
    record_transition(session, topic, "proposed", "")
    session.flush()
    return topic


def update_topic(session: Session, topic_id: str, values: Mapping[str, object]) -> Topic:
    topic = live(session, Topic, topic_id, "议题")
    for name, value in clean(clean_topic, values, partial=True).items():
        setattr(topic, name, value)
    session.flush()
    return topic


def advance_topic(session: Session, topic_id: str, target: str, note: str = "") -> Topic:
    """Move a topic along the workflow; the domain refuses moves it does not allow."""
    topic = live(session, Topic, topic_id, "议题")
    try:
        check_transition(topic.state, target, note)
    except TransitionRefused as refused:
        raise StoreError(refused.message) from refused
    if target in ("passed", "failed", "withdrawn"):
        open_votes = session.exec(
            select(Vote).where(Vote.topic_id == topic.id, Vote.state == "open", Vote.cl % 2 == 1)
        ).all()
        if open_votes and target != "withdrawn":
            raise StoreError("这个议题的表决还没有结束：请先在计票页面结束表决，结果会自动记入")
        for vote in open_votes:  # a withdrawn topic's vote stops too
            vote.state = "closed"
            vote.closed_at = now_text()
            vote.closed_by = operator(session)
    record_transition(session, topic, target, note)
    session.flush()
    return topic


def delete_topic(session: Session, topic_id: str) -> None:
    topic = live(session, Topic, topic_id, "议题")
    if topic.state not in ("proposed", "withdrawn", "declined"):
        raise StoreError("已受理的议题不能删除，只能撤回（这样记录不会丢失）")
    tombstone(topic)
    session.flush()


@dataclass(frozen=True)
class TopicRow:
    id: str
    estate_id: str
    title: str
    category: str
    state: str
    raised_on: datetime.date
    proposer_name: str
    supports: int

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "estate": self.estate_id,
            "title": self.title,
            "category": self.category,
            "state": self.state,
            "state_label": self.state_label,
            "raised_on": self.raised_on.isoformat(),
            "proposer": self.proposer_name,
            "supports": self.supports,
        }


def list_topics(
    session: Session, estate_id: str | None = None, state: str | None = None
) -> list[TopicRow]:
    if estate_id is not None:
        require_estate(session, estate_id)
    supports = (
        select(TopicSupport.topic_id, func.count().label("n"))
        .where(TopicSupport.cl % 2 == 1)
        .group_by(col(TopicSupport.topic_id))
        .subquery()
    )
    query = (
        select(Topic, func.coalesce(supports.c.n, 0))
        .outerjoin(supports, supports.c.topic_id == Topic.id)
        .where(Topic.cl % 2 == 1)
    )
    if estate_id:
        query = query.where(Topic.estate_id == estate_id)
    if state:
        query = query.where(Topic.state == state)
    query = query.order_by(col(Topic.raised_on).desc(), col(Topic.title))
    return [
        TopicRow(t.id, t.estate_id, t.title, t.category, t.state, t.raised_on, t.proposer_name, n)
        for t, n in session.exec(query)
    ]


def transitions(session: Session, topic_id: str) -> list[TopicTransition]:
    return list(
        session.exec(
            select(TopicTransition)
            .where(TopicTransition.topic_id == topic_id, TopicTransition.cl % 2 == 1)
            .order_by(col(TopicTransition.seq), col(TopicTransition.at), col(TopicTransition.id))
        )
    )


# ---------------------------------------------------------------------------- supports


@dataclass(frozen=True)
class SupportStatus:
    supports: int
    required: int
    met: bool
    explanation: str


def add_support(
    session: Session, topic_id: str, household_id: str, note: str = "", on: object = None
) -> TopicSupport:
    topic = live(session, Topic, topic_id, "议题")
    household = live(session, Household, household_id, "住户")
    if household.estate_id != topic.estate_id:
        raise StoreError("这一户不住在议题所在的小区，不能附议")
    if topic.state not in ("proposed", "accepted"):
        raise StoreError(f"议题已经是“{STATES[topic.state]}”，不再收集附议")
    support_id = natural_id("support", topic.id, household.id)
    support = session.get(TopicSupport, support_id)
    if support is not None and support.is_live:
        raise StoreError(f"{household.address} {household.tenant} 已经附议过这个议题")
    if support is None:
        support = TopicSupport(
            id=support_id, topic_id=topic.id, household_id=household.id, supported_on=today()
        )
        session.add(support)
    revive(support)
    support.supported_on = date_value(on, "supported_on") or today()
    support.note = clean_text(note)
    session.flush()
    return support


def remove_support(session: Session, topic_id: str, household_id: str) -> None:
    support = live(session, TopicSupport, natural_id("support", topic_id, household_id), "附议")
    tombstone(support)
    session.flush()


def support_status(session: Session, topic_id: str) -> SupportStatus:
    topic = live(session, Topic, topic_id, "议题")
    count = session.exec(
        select(func.count())
        .select_from(TopicSupport)
        .where(TopicSupport.topic_id == topic.id, TopicSupport.cl % 2 == 1)
    ).one()
    roster_size = session.exec(
        select(func.count())
        .select_from(Household)
        .where(Household.estate_id == topic.estate_id, Household.cl % 2 == 1)
    ).one()
    threshold = support_threshold(session, topic.estate_id)
    return SupportStatus(
        count,
        threshold.required(roster_size),
        threshold.met(count, roster_size),
        threshold.describe(roster_size),
    )


# ---------------------------------------------------------------------------- consultation


def add_round(
    session: Session, topic_id: str, title: str = "", started_on: object = None
) -> ConsultationRound:
    topic = live(session, Topic, topic_id, "议题")
    if topic.state not in ("accepted", "consulting", "deliberating"):
        raise StoreError("议题受理之后才能开始征询")
    number = (
        session.exec(
            select(func.max(ConsultationRound.number)).where(
                ConsultationRound.topic_id == topic.id, ConsultationRound.cl % 2 == 1
            )
        ).one()
        or 0
    ) + 1
    consultation = ConsultationRound(
        topic_id=topic.id,
        number=number,
        title=clean_text(title) or f"第 {number} 轮征询",
        started_on=date_value(started_on, "started_on") or today(),
    )
    session.add(consultation)
    session.flush()
    return consultation


def current_round(session: Session, topic_id: str, *, start_new: bool = False) -> ConsultationRound:
    """The latest round of a topic, or a new one when asked or when there is none yet."""
    latest = session.exec(
        select(ConsultationRound)
        .where(ConsultationRound.topic_id == topic_id, ConsultationRound.cl % 2 == 1)
        .order_by(col(ConsultationRound.number).desc())
    ).first()
    if latest is None or start_new:
        return add_round(session, topic_id)
    return latest


def record_contact(
    session: Session,
    round_id: str,
    household_id: str,
    *,
    method: str,
    opinion: str = "",
    said: str = "",
    on: object = None,
) -> ConsultationContact:
    """A household reached in a round; recording it again updates the same record."""
    consultation = live(session, ConsultationRound, round_id, "征询轮次")
    topic = live(session, Topic, consultation.topic_id, "议题")
    household = live(session, Household, household_id, "住户")
    if household.estate_id != topic.estate_id:
        raise StoreError("这一户不住在议题所在的小区")
    method = next((c for c, label in CONSULT_METHODS.items() if method in (c, label)), "")
    if not method:
        raise ValidationFailed(
            [FieldError("method", "请选择征询方式：" + "、".join(CONSULT_METHODS.values()))]
        )
    opinion = next((c for c, label in OPINIONS.items() if opinion in (c, label)), "")
    contact_id = natural_id("contact", consultation.id, household.id)
    contact = session.get(ConsultationContact, contact_id)
    if contact is None:
        contact = ConsultationContact(
            id=contact_id,
            round_id=consultation.id,
            household_id=household.id,
            method=method,
            contacted_on=today(),
        )
        session.add(contact)
    revive(contact)
    contact.method = method
    contact.opinion = opinion
    contact.said = str(said or "").strip()
    contact.contacted_on = date_value(on, "contacted_on") or today()
    session.flush()
    return contact


@dataclass(frozen=True)
class DoorwayCoverage:
    doorway: str
    households: int
    reached: int
    not_reached: tuple[str, ...]  # addresses nobody has reached yet

    @property
    def share(self) -> float:
        return self.reached / self.households if self.households else 0.0


@dataclass(frozen=True)
class Coverage:
    households: int
    reached: int
    doorways: list[DoorwayCoverage]
    opinions: dict[str, int]

    @property
    def share(self) -> float:
        return self.reached / self.households if self.households else 0.0


def coverage(session: Session, topic_id: str, round_id: str | None = None) -> Coverage:
    """Who has been reached, per doorway (门牌), over all rounds or one round."""
    topic = live(session, Topic, topic_id, "议题")
    households = session.exec(
        select(Household.id, Household.address).where(
            Household.estate_id == topic.estate_id, Household.cl % 2 == 1
        )
    ).all()
    query = (
        select(ConsultationContact.household_id, ConsultationContact.opinion)
        .join(ConsultationRound, col(ConsultationRound.id) == col(ConsultationContact.round_id))
        .where(
            ConsultationRound.topic_id == topic.id,
            ConsultationRound.cl % 2 == 1,
            ConsultationContact.cl % 2 == 1,
        )
    )
    if round_id:
        query = query.where(ConsultationRound.id == round_id)
    latest_opinion: dict[str, str] = {}
    for household_id, opinion in session.exec(query):
        latest_opinion[household_id] = opinion or latest_opinion.get(household_id, "")
    by_doorway: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for household_id, address in households:
        by_doorway[addresses.parse(address).doorway].append((household_id, address))
    doorways = []
    for doorway, flats in sorted(by_doorway.items(), key=lambda kv: addresses.sort_key(kv[0])):
        missing = tuple(
            sorted((a for h, a in flats if h not in latest_opinion), key=addresses.sort_key)
        )
        doorways.append(DoorwayCoverage(doorway, len(flats), len(flats) - len(missing), missing))
    live_ids = {h for h, _ in households}
    opinions: dict[str, int] = defaultdict(int)
    for household_id, opinion in latest_opinion.items():
        if household_id in live_ids:
            opinions[opinion] += 1
    reached = sum(d.reached for d in doorways)
    return Coverage(len(households), reached, doorways, dict(opinions))
