"""Meetings: agenda, invitees, attendance at the door, quorum, minutes and resolutions."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import address as addresses
from xmen_desktop.domain import projects as rules
from xmen_desktop.domain import votes as vote_rules
from xmen_desktop.domain.ids import natural_id
from xmen_desktop.domain.validation import FieldError, clean_text, date_value
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live, revive, today, tombstone
from xmen_desktop.store.errors import StoreError, ValidationFailed
from xmen_desktop.store.models import (
    AgendaItem,
    BodyMember,
    Estate,
    Household,
    Invitee,
    Meeting,
    Resident,
    Resolution,
    Topic,
    Vote,
)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message)])


def add_meeting(
    session: Session,
    estate_id: str,
    *,
    form: str,
    title: str = "",
    held_on: object = None,
    starts_at: str = "",
    place: str = "",
    convener: str = "",
    quorum_rule: str = "residents",
) -> Meeting:
    require_estate(session, estate_id)
    estate = live(session, Estate, estate_id, "小区")
    code = next((c for c, label in rules.MEETING_FORMS.items() if form in (c, label)), None)
    if code is None:
        raise _refuse("form", "会议类型应为：" + "、".join(rules.MEETING_FORMS.values()))
    day = date_value(held_on, "held_on")
    if day is None:
        raise _refuse("held_on", "请填写开会日期")
    starts_at = clean_text(starts_at).replace("：", ":")
    if starts_at and not _TIME.match(starts_at):
        raise _refuse("starts_at", "时间请写成 14:00 这样的格式")
    if quorum_rule not in vote_rules.RULES:
        raise _refuse("quorum_rule", "法定人数规则应为 residents、art278 或 art278-major")
    meeting = Meeting(
        estate_id=estate.id,
        form=code,
        title=clean_text(title) or f"{estate.name}{rules.MEETING_FORMS[code]}",
        held_on=day,
        starts_at=starts_at,
        place=clean_text(place),
        convener=clean_text(convener),
        quorum_rule=quorum_rule,
    )
    session.add(meeting)
    session.flush()
    return meeting


def add_agenda_item(
    session: Session, meeting_id: str, text: str = "", topic_id: str | None = None
) -> AgendaItem:
    meeting = live(session, Meeting, meeting_id, "会议")
    if topic_id:
        topic = live(session, Topic, topic_id, "议题")
        text = text or f"审议议题：{topic.title}"
    text = clean_text(text)
    if not text:
        raise _refuse("text", "请填写议程内容，或选择一个议题")
    position = (
        session.exec(
            select(func.max(AgendaItem.position)).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.cl % 2 == 1
            )
        ).one()
        or 0
    ) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, text=text, topic_id=topic_id)
    session.add(item)
    session.flush()
    return item


def _invite(session: Session, meeting: Meeting, key: str, **fields: object) -> Invitee:
    invitee_id = natural_id("invitee", meeting.id, key)
    invitee = session.get(Invitee, invitee_id)
    if invitee is None:
        invitee = Invitee(id=invitee_id, meeting_id=meeting.id, **fields)  # type: ignore[arg-type]
        session.add(invitee)
    revive(invitee)
    return invitee


def invite(
    session: Session,
    meeting_id: str,
    *,
    households: bool = False,
    body: str | None = None,
    resident_ids: list[str] | None = None,
) -> int:
    """Invite all live households, a body's members, and/or named residents; returns the count."""
    meeting = live(session, Meeting, meeting_id, "会议")
    before = _invitee_count(session, meeting.id)
    if households:
        for household in session.exec(
            select(Household).where(Household.estate_id == meeting.estate_id, Household.cl % 2 == 1)
        ):
            _invite(
                session,
                meeting,
                f"household:{household.id}",
                household_id=household.id,
                name=household.tenant,
                address=household.address,
            )
    if body:
        for member in session.exec(
            select(BodyMember).where(
                BodyMember.estate_id == meeting.estate_id,
                BodyMember.body == body,
                BodyMember.cl % 2 == 1,
            )
        ):
            household_id = None
            address = ""
            if member.resident_id:
                resident = session.get(Resident, member.resident_id)
                household = session.get(Household, resident.household_id) if resident else None
                household_id = household.id if household else None
                address = household.address if household else ""
            _invite(
                session,
                meeting,
                f"member:{member.resident_id or member.id}",
                resident_id=member.resident_id,
                household_id=household_id,
                name=member.name,
                address=address,
            )
    for resident_id in resident_ids or []:
        resident = live(session, Resident, resident_id, "居民")
        household = session.get(Household, resident.household_id)
        _invite(
            session,
            meeting,
            f"resident:{resident.id}",
            resident_id=resident.id,
            household_id=resident.household_id,
            name=resident.name,
            address=household.address if household else "",
        )
    session.flush()
    return _invitee_count(session, meeting.id) - before


def _invitee_count(session: Session, meeting_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Invitee)
        .where(Invitee.meeting_id == meeting_id, Invitee.cl % 2 == 1)
    ).one()


def list_invitees(session: Session, meeting_id: str) -> list[Invitee]:
    invitees = session.exec(
        select(Invitee).where(Invitee.meeting_id == meeting_id, Invitee.cl % 2 == 1)
    ).all()
    return sorted(invitees, key=lambda i: (addresses.sort_key(i.address), i.name))


def record_attendance(
    session: Session, invitee_id: str, status: str, proxy_name: str = ""
) -> Invitee:
    """Taken at the door: 本人到会, 委托到会 (with the proxy's name) or 缺席."""
    invitee = session.get(Invitee, invitee_id)
    if invitee is None or not invitee.is_live:
        raise StoreError("这位不在本次会议的邀请名单上：请先把他（她）加入邀请名单，再登记到会")
    code = next((c for c, label in rules.ATTENDANCE.items() if status in (c, label)), None)
    if code is None:
        raise _refuse("attendance", "到会情况应为：" + "、".join(rules.ATTENDANCE.values()))
    if code == "proxy" and not clean_text(proxy_name):
        raise _refuse("proxy_name", "委托到会请写明受托人姓名")
    invitee.attendance = code
    invitee.proxy_name = clean_text(proxy_name) if code == "proxy" else ""
    session.flush()
    return invitee


@dataclass(frozen=True)
class Quorum:
    rule: str
    invited: int
    attending: int
    checks: tuple[vote_rules.ThresholdCheck, ...]
    explanation: tuple[str, ...]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)


def quorum(session: Session, meeting_id: str) -> Quorum:
    """For an assembly: does attendance (in person or by proxy) meet the rule's participation?"""
    meeting = live(session, Meeting, meeting_id, "会议")
    rule = vote_rules.RULES[meeting.quorum_rule]
    invitees = list_invitees(session, meeting.id)
    # One count per household: two people of one flat at the door are one household there.
    areas: dict[str, int] = {}
    attending: set[str] = set()
    for invitee in invitees:
        key = invitee.household_id or invitee.id
        household = session.get(Household, invitee.household_id) if invitee.household_id else None
        areas[key] = (household.area_centi or 0) if household else 0
        if invitee.attendance in ("present", "proxy"):
            attending.add(key)
    whole = vote_rules.Amount(len(areas), sum(areas.values()))
    part = vote_rules.Amount(len(attending), sum(areas[k] for k in attending))
    checks = tuple(vote_rules.threshold_checks("到会", rule.participation, part, whole, rule.basis))
    basis = vote_rules.BASES[rule.basis]
    explanation = (f"{rule.name}：到会（含委托）须{rule.participation.words()}应到会的{basis}",)
    return Quorum(rule.code, whole.households, part.households, checks, explanation)


def set_minutes(session: Session, meeting_id: str, minutes: str) -> Meeting:
    meeting = live(session, Meeting, meeting_id, "会议")
    meeting.minutes = str(minutes or "").strip()
    session.flush()
    return meeting


def add_resolution(
    session: Session, meeting_id: str, text: str, topic_id: str | None = None
) -> Resolution:
    """A resolution, linked to a topic and — where one was held — the topic's latest vote."""
    meeting = live(session, Meeting, meeting_id, "会议")
    text = clean_text(text)
    if not text:
        raise _refuse("text", "请写明决议内容")
    vote_id = None
    if topic_id:
        live(session, Topic, topic_id, "议题")
        vote_id = session.exec(
            select(Vote.id)
            .where(Vote.topic_id == topic_id, Vote.cl % 2 == 1)
            .order_by(col(Vote.opens_on).desc())
        ).first()
    position = (
        session.exec(
            select(func.max(Resolution.position)).where(
                Resolution.meeting_id == meeting.id, Resolution.cl % 2 == 1
            )
        ).one()
        or 0
    ) + 1
    resolution = Resolution(
        meeting_id=meeting.id, position=position, text=text, topic_id=topic_id, vote_id=vote_id
    )
    session.add(resolution)
    session.flush()
    return resolution


def delete_meeting(session: Session, meeting_id: str) -> None:
    tombstone(live(session, Meeting, meeting_id, "会议"))
    session.flush()


def list_meetings(
    session: Session, estate_id: str | None = None, *, upcoming_from: datetime.date | None = None
) -> list[Meeting]:
    if estate_id is not None:
        require_estate(session, estate_id)
    query = select(Meeting).where(Meeting.cl % 2 == 1)
    if estate_id:
        query = query.where(Meeting.estate_id == estate_id)
    if upcoming_from:
        query = query.where(Meeting.held_on >= upcoming_from)
    return list(session.exec(query.order_by(col(Meeting.held_on), col(Meeting.starts_at))))


def meetings_for_topic(session: Session, topic_id: str) -> list[Meeting]:
    """The meetings that discussed a topic (on the agenda or in a resolution)."""
    ids = set(
        session.exec(
            select(AgendaItem.meeting_id).where(
                AgendaItem.topic_id == topic_id, AgendaItem.cl % 2 == 1
            )
        ).all()
    ) | set(
        session.exec(
            select(Resolution.meeting_id).where(
                Resolution.topic_id == topic_id, Resolution.cl % 2 == 1
            )
        ).all()
    )
    meetings = [m for m in (session.get(Meeting, i) for i in ids) if m is not None and m.is_live]
    return sorted(meetings, key=lambda m: m.held_on)


def notice_check(meeting: Meeting, on: datetime.date | None = None) -> str | None:
    """A warning when a notice is printed for a meeting already past (it may be intended)."""
    day = on or today()
    if meeting.held_on < day:
        return f"这次会议的日期（{meeting.held_on}）已经过去，确定还要打印会议通知吗？"
    return None
