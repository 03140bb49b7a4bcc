"""Read helpers for the project, meeting and dashboard screens: frozen rows, nothing live.

Like ``queries`` and ``topic_queries`` these hand screens plain rows instead of table objects
(which expire with their session), each built in a few queries, so a screen's load is one
small job on the worker.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import projects as rules
from xmen_desktop.domain import votes as vote_rules
from xmen_desktop.domain.estates import BODY_KINDS
from xmen_desktop.domain.topics import OPEN_STATES
from xmen_desktop.domain.topics import STATES as TOPIC_STATES
from xmen_desktop.store import meetings, projects
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live, today
from xmen_desktop.store.models import (
    AgendaItem,
    Attachment,
    BodyMember,
    BudgetLine,
    Estate,
    Expense,
    Household,
    Invitee,
    Meeting,
    Milestone,
    Project,
    ProjectLog,
    ProjectMember,
    Resolution,
    Topic,
)
from xmen_desktop.store.notices import NoticeRow, publicity_watch
from xmen_desktop.store.projects import ProjectRow, list_projects

# Milestones due within this many days are "due soon" (as in ``projects.list_projects``).
DUE_SOON_DAYS = 14
# The dashboard lists meetings this many days ahead.
UPCOMING_DAYS = 30
# Projects whose milestones still matter: not finished, not cancelled.
OPEN_PROJECT_STATES = frozenset({"planned", "in_progress", "paused"})
# Topics waiting for someone to act on them, in workflow order.
WAITING_TOPIC_STATES = ("proposed", "accepted", "consulting", "deliberating", "voting")


def _estate_names(session: Session) -> dict[str, str]:
    return dict(
        session.exec(
            select(Estate.id, Estate.name).where(Estate.cl % 2 == 1).order_by(Estate.position)
        ).all()
    )


def _topic_titles(session: Session, topic_ids: set[str]) -> dict[str, str]:
    if not topic_ids:
        return {}
    return dict(
        session.exec(select(Topic.id, Topic.title).where(col(Topic.id).in_(topic_ids))).all()
    )


def _attachment_facts(session: Session, ids: set[str]) -> dict[str, tuple[str, str]]:
    """Attachment id -> (sha256, original name)."""
    if not ids:
        return {}
    rows = session.exec(
        select(Attachment.id, Attachment.sha256, Attachment.original_name).where(
            col(Attachment.id).in_(ids)
        )
    ).all()
    return {row_id: (sha, name) for row_id, sha, name in rows}


def allowed_project_moves(status: str) -> list[str]:
    """The statuses a project may move to from ``status``, in the workflow's order."""
    moves = []
    for target in rules.PROJECT_STATES:
        try:
            rules.check_project_move(status, target)
        except rules.MoveRefused:
            continue
        moves.append(target)
    return moves


# ---------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class TopicChoice:
    """A topic offered in a list box (立项, 议程, 决议)."""

    id: str
    title: str
    state: str
    raised_on: datetime.date

    @property
    def state_label(self) -> str:
        return TOPIC_STATES.get(self.state, self.state)


def topic_choices(
    session: Session, estate_id: str, states: tuple[str, ...] | None = None
) -> list[TopicChoice]:
    """The estate's topics (those in ``states`` when given), open ones first, newest first."""
    require_estate(session, estate_id)
    query = select(Topic).where(Topic.estate_id == estate_id, Topic.cl % 2 == 1)
    if states is not None:
        query = query.where(col(Topic.state).in_(states))
    rows = [
        TopicChoice(t.id, t.title, t.state, t.raised_on)
        for t in session.exec(query.order_by(col(Topic.raised_on).desc(), col(Topic.title)))
        if t.state != "withdrawn"
    ]
    return sorted(rows, key=lambda t: t.state not in OPEN_STATES)


def passed_topics(session: Session, estate_id: str) -> list[TopicChoice]:
    """Passed topics not yet made into a project (the ones a project can start from)."""
    require_estate(session, estate_id)
    started = set(
        session.exec(
            select(Project.topic_id).where(
                Project.estate_id == estate_id,
                Project.cl % 2 == 1,
                col(Project.topic_id).isnot(None),
            )
        ).all()
    )
    return [t for t in topic_choices(session, estate_id, ("passed",)) if t.id not in started]


# ---------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class MemberItem:
    id: str
    name: str
    role: str
    resident_id: str | None


@dataclass(frozen=True)
class LineItem:
    id: str
    item: str
    budget_fen: int
    spent_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.spent_fen

    @property
    def over(self) -> bool:
        return self.spent_fen > self.budget_fen


@dataclass(frozen=True)
class ExpenseItem:
    id: str
    spent_on: datetime.date
    amount_fen: int
    line_item: str  # "" when not booked to a budget line
    payee: str
    note: str
    receipt_sha256: str | None
    receipt_name: str


@dataclass(frozen=True)
class MilestoneItem:
    id: str
    title: str
    due_on: datetime.date
    progress: int
    done_on: datetime.date | None
    overdue: bool
    due_soon: bool


@dataclass(frozen=True)
class LogItem:
    id: str
    logged_on: datetime.date
    text: str
    by: str
    photo_sha256: str | None
    photo_name: str


@dataclass(frozen=True)
class StatusItem:
    seq: int
    at: str  # ISO time, UTC
    from_status: str | None
    to_status: str
    note: str
    by: str


@dataclass(frozen=True)
class ProjectDetail:
    id: str
    estate_id: str
    estate_name: str
    title: str
    description: str
    status: str
    topic_id: str | None
    topic_title: str
    lead_name: str
    funding_source: str
    started_on: datetime.date
    outcome: str
    progress: int
    members: tuple[MemberItem, ...]
    lines: tuple[LineItem, ...]
    unassigned_fen: int  # spending not booked to any budget line
    expenses: tuple[ExpenseItem, ...]
    milestones: tuple[MilestoneItem, ...]
    logs: tuple[LogItem, ...]
    history: tuple[StatusItem, ...]
    moves: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return rules.PROJECT_STATES.get(self.status, self.status)

    @property
    def budget_fen(self) -> int:
        return sum(line.budget_fen for line in self.lines)

    @property
    def spent_fen(self) -> int:
        return sum(line.spent_fen for line in self.lines) + self.unassigned_fen

    @property
    def over(self) -> bool:
        return self.spent_fen > self.budget_fen

    @property
    def finished(self) -> bool:
        return not self.moves


def project_detail(
    session: Session, project_id: str, *, on: datetime.date | None = None
) -> ProjectDetail:
    day = on or today()
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    project = live(session, Project, project_id, "项目")
    estate = session.get(Estate, project.estate_id)

    members = tuple(
        MemberItem(m.id, m.name, m.role, m.resident_id)
        for m in session.exec(
            select(ProjectMember)
            .where(ProjectMember.project_id == project.id, ProjectMember.cl % 2 == 1)
            .order_by(col(ProjectMember.name))
        )
    )
    members = tuple(
        sorted(
            members,
            key=lambda m: (
                rules.MEMBER_ROLES.index(m.role)
                if m.role in rules.MEMBER_ROLES
                else len(rules.MEMBER_ROLES)
            ),
        )
    )

    budget_lines = list(
        session.exec(
            select(BudgetLine)
            .where(BudgetLine.project_id == project.id, BudgetLine.cl % 2 == 1)
            .order_by(col(BudgetLine.item))
        )
    )
    line_names = {line.id: line.item for line in budget_lines}
    expenses = list(
        session.exec(
            select(Expense)
            .where(Expense.project_id == project.id, Expense.cl % 2 == 1)
            .order_by(col(Expense.spent_on).desc(), col(Expense.id))
        )
    )
    spent: dict[str | None, int] = defaultdict(int)
    for expense in expenses:
        spent[expense.line_id] += expense.amount_fen
    lines = tuple(
        LineItem(line.id, line.item, line.budget_fen, spent[line.id]) for line in budget_lines
    )
    unassigned = sum(v for k, v in spent.items() if k not in line_names)

    logs = list(
        session.exec(
            select(ProjectLog)
            .where(ProjectLog.project_id == project.id, ProjectLog.cl % 2 == 1)
            .order_by(col(ProjectLog.logged_on).desc(), col(ProjectLog.id))
        )
    )
    files = _attachment_facts(
        session,
        {e.receipt_id for e in expenses if e.receipt_id} | {g.photo_id for g in logs if g.photo_id},
    )

    stones = projects.milestones(session, project.id)
    milestones = tuple(
        MilestoneItem(
            m.id,
            m.title,
            m.due_on,
            m.progress,
            m.done_on,
            m.progress < 100 and m.due_on < day,
            m.progress < 100 and day <= m.due_on <= soon,
        )
        for m in stones
    )
    topic_title = ""
    if project.topic_id:
        topic_title = _topic_titles(session, {project.topic_id}).get(project.topic_id, "")
    return ProjectDetail(
        id=project.id,
        estate_id=project.estate_id,
        estate_name=estate.name if estate else "",
        title=project.title,
        description=project.description,
        status=project.status,
        topic_id=project.topic_id,
        topic_title=topic_title,
        lead_name=project.lead_name,
        funding_source=project.funding_source,
        started_on=project.started_on,
        outcome=project.outcome,
        progress=rules.progress_percent([m.progress for m in stones]),
        members=members,
        lines=lines,
        unassigned_fen=unassigned,
        expenses=tuple(
            ExpenseItem(
                e.id,
                e.spent_on,
                e.amount_fen,
                line_names.get(e.line_id or "", ""),
                e.payee,
                e.note,
                files.get(e.receipt_id or "", (None, ""))[0],
                files.get(e.receipt_id or "", (None, ""))[1],
            )
            for e in expenses
        ),
        milestones=milestones,
        logs=tuple(
            LogItem(
                g.id,
                g.logged_on,
                g.text,
                g.by,
                files.get(g.photo_id or "", (None, ""))[0],
                files.get(g.photo_id or "", (None, ""))[1],
            )
            for g in logs
        ),
        history=tuple(
            StatusItem(h.seq, h.at, h.from_status, h.to_status, h.note, h.by)
            for h in projects.status_history(session, project.id)
        ),
        moves=tuple(allowed_project_moves(project.status)),
    )


@dataclass(frozen=True)
class BoardCard:
    """A project as its card on the board shows it."""

    row: ProjectRow
    milestones: int  # how many milestones it has (0: progress cannot be measured yet)
    over_lines: int  # budget lines spent beyond their budget

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def over(self) -> bool:
        return self.row.spent_fen > self.row.budget_fen


def board_cards(
    session: Session, estate_id: str, *, on: datetime.date | None = None
) -> list[BoardCard]:
    require_estate(session, estate_id)
    rows = list_projects(session, estate_id, on=on)
    ids = [r.id for r in rows]
    if not ids:
        return []
    stones: dict[str, int] = dict(
        session.exec(
            select(Milestone.project_id, func.count())
            .where(col(Milestone.project_id).in_(ids), Milestone.cl % 2 == 1)
            .group_by(col(Milestone.project_id))
        ).all()
    )
    spent: dict[str, int] = defaultdict(int)
    for line_id, amount in session.exec(
        select(Expense.line_id, Expense.amount_fen).where(
            col(Expense.project_id).in_(ids), Expense.cl % 2 == 1, col(Expense.line_id).isnot(None)
        )
    ):
        spent[line_id] += amount
    over: dict[str, int] = defaultdict(int)
    for line in session.exec(
        select(BudgetLine).where(col(BudgetLine.project_id).in_(ids), BudgetLine.cl % 2 == 1)
    ):
        if spent[line.id] > line.budget_fen:
            over[line.project_id] += 1
    return [BoardCard(r, stones.get(r.id, 0), over[r.id]) for r in rows]


def project_leads(session: Session, project_id: str) -> list[str]:
    """The names of the project's members whose role is 负责人, in the order they joined."""
    return list(
        session.exec(
            select(ProjectMember.name).where(
                ProjectMember.project_id == project_id,
                ProjectMember.role == "负责人",
                ProjectMember.cl % 2 == 1,
            )
        ).all()
    )


def member_of(session: Session, member_id: str) -> MemberItem:
    member = live(session, ProjectMember, member_id, "项目成员")
    return MemberItem(member.id, member.name, member.role, member.resident_id)


# ---------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class MeetingRow:
    id: str
    estate_id: str
    estate_name: str
    form: str
    title: str
    held_on: datetime.date
    starts_at: str
    place: str
    convener: str
    quorum_rule: str
    invited: int
    attended: int  # in person or by proxy

    @property
    def form_label(self) -> str:
        return rules.MEETING_FORMS.get(self.form, self.form)

    @property
    def is_assembly(self) -> bool:
        return self.form == "assembly"


def meeting_rows(
    session: Session,
    estate_id: str | None = None,
    *,
    from_day: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[MeetingRow]:
    """Meetings in date order (from ``from_day`` up to ``until`` when given)."""
    if estate_id is not None:
        require_estate(session, estate_id)
    names = _estate_names(session)
    invited: dict[str, int] = defaultdict(int)
    attended: dict[str, int] = defaultdict(int)
    query = select(Invitee.meeting_id, Invitee.attendance, func.count()).where(Invitee.cl % 2 == 1)
    for meeting_id, attendance, count in session.exec(
        query.group_by(col(Invitee.meeting_id), col(Invitee.attendance))
    ):
        invited[meeting_id] += count
        if attendance in ("present", "proxy"):
            attended[meeting_id] += count
    rows = []
    for m in meetings.list_meetings(session, estate_id, upcoming_from=from_day):
        if until is not None and m.held_on > until:
            continue
        rows.append(
            MeetingRow(
                m.id,
                m.estate_id,
                names.get(m.estate_id, ""),
                m.form,
                m.title,
                m.held_on,
                m.starts_at,
                m.place,
                m.convener,
                m.quorum_rule,
                invited[m.id],
                attended[m.id],
            )
        )
    return rows


@dataclass(frozen=True)
class AgendaRow:
    id: str
    position: int
    text: str
    topic_id: str | None


@dataclass(frozen=True)
class InviteeRow:
    id: str
    name: str
    address: str
    household_id: str | None
    resident_id: str | None
    attendance: str  # "" (not yet) | present | proxy | absent
    proxy_name: str

    @property
    def attendance_label(self) -> str:
        return rules.ATTENDANCE.get(self.attendance, "")


@dataclass(frozen=True)
class ResolutionRow:
    id: str
    position: int
    text: str
    topic_id: str | None
    topic_title: str
    vote_id: str | None


@dataclass(frozen=True)
class QuorumInfo:
    """Where attendance stands against the quorum of an assembly."""

    rule: str
    rule_name: str
    strict: bool  # True: more than the share is needed; False: at least the share
    share_words: str  # 半数, 三分之二
    invited: int  # households invited
    attending: int  # households there in person or by proxy
    checks: tuple[vote_rules.ThresholdCheck, ...]
    explanation: str

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)


def quorum_info(session: Session, meeting_id: str) -> QuorumInfo:
    result = meetings.quorum(session, meeting_id)
    rule = vote_rules.RULES[result.rule]
    return QuorumInfo(
        rule=rule.code,
        rule_name=rule.name,
        strict=rule.participation.strict,
        share_words=vote_rules.share_words(rule.participation.share),
        invited=result.invited,
        attending=result.attending,
        checks=result.checks,
        explanation="".join(result.explanation),
    )


@dataclass(frozen=True)
class MeetingDetail:
    row: MeetingRow
    minutes: str
    agenda: tuple[AgendaRow, ...]
    invitees: tuple[InviteeRow, ...]
    resolutions: tuple[ResolutionRow, ...]
    quorum: QuorumInfo | None  # for an assembly only

    @property
    def id(self) -> str:
        return self.row.id


def meeting_form(session: Session, meeting_id: str) -> str:
    return live(session, Meeting, meeting_id, "会议").form


def invitee_row(invitee: Invitee) -> InviteeRow:
    return InviteeRow(
        invitee.id,
        invitee.name,
        invitee.address,
        invitee.household_id,
        invitee.resident_id,
        invitee.attendance,
        invitee.proxy_name,
    )


def meeting_detail(session: Session, meeting_id: str) -> MeetingDetail:
    meeting = live(session, Meeting, meeting_id, "会议")
    invitees = tuple(invitee_row(i) for i in meetings.list_invitees(session, meeting.id))
    estate = session.get(Estate, meeting.estate_id)
    row = MeetingRow(
        meeting.id,
        meeting.estate_id,
        estate.name if estate else "",
        meeting.form,
        meeting.title,
        meeting.held_on,
        meeting.starts_at,
        meeting.place,
        meeting.convener,
        meeting.quorum_rule,
        len(invitees),
        sum(1 for i in invitees if i.attendance in ("present", "proxy")),
    )
    agenda = tuple(
        AgendaRow(a.id, a.position, a.text, a.topic_id)
        for a in session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.cl % 2 == 1)
            .order_by(col(AgendaItem.position))
        )
    )
    resolutions = list(
        session.exec(
            select(Resolution)
            .where(Resolution.meeting_id == meeting.id, Resolution.cl % 2 == 1)
            .order_by(col(Resolution.position))
        )
    )
    titles = _topic_titles(session, {r.topic_id for r in resolutions if r.topic_id})
    return MeetingDetail(
        row=row,
        minutes=meeting.minutes,
        agenda=agenda,
        invitees=invitees,
        resolutions=tuple(
            ResolutionRow(
                r.id, r.position, r.text, r.topic_id, titles.get(r.topic_id or "", ""), r.vote_id
            )
            for r in resolutions
        ),
        quorum=quorum_info(session, meeting.id) if meeting.form == "assembly" else None,
    )


@dataclass(frozen=True)
class InviteScope:
    """What can be invited in an estate: how many households, and each body's members."""

    households: int
    bodies: dict[str, int] = field(default_factory=dict)  # body code -> members


def invite_scope(session: Session, estate_id: str) -> InviteScope:
    require_estate(session, estate_id)
    households = session.exec(
        select(func.count())
        .select_from(Household)
        .where(Household.estate_id == estate_id, Household.cl % 2 == 1)
    ).one()
    counts = dict(
        session.exec(
            select(BodyMember.body, func.count())
            .where(BodyMember.estate_id == estate_id, BodyMember.cl % 2 == 1)
            .group_by(col(BodyMember.body))
        ).all()
    )
    return InviteScope(households, {body: counts.get(body, 0) for body in BODY_KINDS})


# ---------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class MilestoneAlert:
    id: str
    project_id: str
    project_title: str
    estate_id: str
    title: str
    due_on: datetime.date
    progress: int
    overdue: bool


@dataclass(frozen=True)
class WaitingTopic:
    id: str
    estate_id: str
    title: str
    state: str
    raised_on: datetime.date

    @property
    def state_label(self) -> str:
        return TOPIC_STATES.get(self.state, self.state)


@dataclass(frozen=True)
class DashboardData:
    day: datetime.date
    estate_id: str | None
    estate_names: dict[str, str]
    meetings: tuple[MeetingRow, ...]  # within the next UPCOMING_DAYS days
    projects: tuple[ProjectRow, ...]  # in progress
    alerts: tuple[MilestoneAlert, ...]  # overdue first, then due within two weeks
    topics: tuple[WaitingTopic, ...]
    notices: tuple[NoticeRow, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.alerts if a.overdue)

    def topic_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(WAITING_TOPIC_STATES, 0)
        for topic in self.topics:
            counts[topic.state] += 1
        return counts


def milestone_alerts(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> list[MilestoneAlert]:
    """Open milestones of unfinished projects that are overdue or due within two weeks."""
    if estate_id is not None:
        require_estate(session, estate_id)
    day = on or today()
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    query = (
        select(Milestone, Project.title, Project.estate_id)
        .join(Project, col(Milestone.project_id) == col(Project.id))
        .where(
            Milestone.cl % 2 == 1,
            Project.cl % 2 == 1,
            Milestone.progress < 100,
            Milestone.due_on <= soon,
            col(Project.status).in_(OPEN_PROJECT_STATES),
        )
        .order_by(col(Milestone.due_on), col(Milestone.title))
    )
    if estate_id:
        query = query.where(Project.estate_id == estate_id)
    return [
        MilestoneAlert(
            m.id, m.project_id, title, estate, m.title, m.due_on, m.progress, m.due_on < day
        )
        for m, title, estate in session.exec(query)
    ]


def waiting_topics(session: Session, estate_id: str | None = None) -> list[WaitingTopic]:
    if estate_id is not None:
        require_estate(session, estate_id)
    query = select(Topic).where(Topic.cl % 2 == 1, col(Topic.state).in_(WAITING_TOPIC_STATES))
    if estate_id:
        query = query.where(Topic.estate_id == estate_id)
    rows = [
        WaitingTopic(t.id, t.estate_id, t.title, t.state, t.raised_on)
        for t in session.exec(query.order_by(col(Topic.raised_on)))
    ]
    # Furthest along first: a vote running matters more today than a topic just raised.
    order = {state: n for n, state in enumerate(reversed(WAITING_TOPIC_STATES))}
    return sorted(rows, key=lambda t: order[t.state])


def dashboard(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> DashboardData:
    if estate_id is not None:
        require_estate(session, estate_id)
    day = on or today()
    running = [r for r in list_projects(session, estate_id, on=day) if r.status == "in_progress"]
    return DashboardData(
        day=day,
        estate_id=estate_id,
        estate_names=_estate_names(session),
        meetings=tuple(
            meeting_rows(
                session,
                estate_id,
                from_day=day,
                until=day + datetime.timedelta(days=UPCOMING_DAYS),
            )
        ),
        projects=tuple(sorted(running, key=lambda r: (-r.overdue, r.started_on))),
        alerts=tuple(
            sorted(milestone_alerts(session, estate_id, on=day), key=lambda a: not a.overdue)
        ),
        topics=tuple(waiting_topics(session, estate_id)),
        notices=tuple(publicity_watch(session, estate_id, on=day)),
    )
