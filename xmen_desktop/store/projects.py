"""Self-governance projects (自治项目): team, budget and spending, milestones, log, status."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from xmen_desktop.domain import projects as rules
from xmen_desktop.domain.money import parse_fen
from xmen_desktop.domain.validation import FieldError, clean_text, date_value
from xmen_desktop.store import attachments
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live, now_text, operator, today, tombstone
from xmen_desktop.store.errors import StoreError, ValidationFailed
from xmen_desktop.store.models import (
    BudgetLine,
    Estate,
    Expense,
    Milestone,
    Project,
    ProjectLog,
    ProjectMember,
    ProjectStatusChange,
    Resident,
    Topic,
    Vote,
)

ImageInput = tuple[bytes, str]


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message)])


def _record_status(session: Session, project: Project, target: str, note: str) -> None:
    count = session.exec(
        select(func.count())
        .select_from(ProjectStatusChange)
        .where(ProjectStatusChange.project_id == project.id)
    ).one()
    session.add(
        ProjectStatusChange(
            project_id=project.id,
            seq=count + 1,
            from_status=None if count == 0 else project.status,
            to_status=target,
            note=note.strip(),
            at=now_text(),
            by=operator(session),
        )
    )
    project.status = target


def add_project(
    session: Session,
    estate_id: str,
    *,
    title: str,
    description: str = "",
    topic_id: str | None = None,
    funding_source: str = "",
    started_on: object = None,
    lead_resident_id: str | None = None,
    lead_name: str = "",
) -> Project:
    """A project, either from a passed topic (linked to it and its vote) or started directly."""
    require_estate(session, estate_id)
    estate = live(session, Estate, estate_id, "小区")
    title = clean_text(title)
    if not title:
        raise _refuse("title", "请填写项目名称")
    vote_id = None
    if topic_id:
        topic = live(session, Topic, topic_id, "议题")
        if topic.estate_id != estate.id:
            raise StoreError("这个议题不属于本小区")
        if topic.state != "passed":
            raise StoreError("只有已通过的议题才能立项；执委会也可以不经议题直接立项")
        vote_id = session.exec(
            select(Vote.id)
            .where(Vote.topic_id == topic.id, Vote.cl % 2 == 1, Vote.state == "closed")
            .order_by(col(Vote.closed_at).desc())
        ).first()
    if lead_resident_id:
        lead_name = lead_name or live(session, Resident, lead_resident_id, "居民").name
    project = Project(
        estate_id=estate.id,
        title=title,
        description=str(description or "").strip(),
        topic_id=topic_id,
        vote_id=vote_id,
        lead_resident_id=lead_resident_id,
        lead_name=clean_text(lead_name),
        funding_source=clean_text(funding_source),
        started_on=date_value(started_on, "started_on") or today(),
    )
    session.add(project)
    session.flush()
    _record_status(session, project, "planned", "立项")
    if lead_name:
        session.add(
            ProjectMember(
                project_id=project.id,
                resident_id=lead_resident_id,
                name=clean_text(lead_name),
                role="负责人",
            )
        )
    session.flush()
    return project


def set_project_status(session: Session, project_id: str, target: str, note: str = "") -> Project:
    project = live(session, Project, project_id, "项目")
    try:
        rules.check_project_move(project.status, target)
    except rules.MoveRefused as refused:
        raise StoreError(refused.message) from refused
    if target == "cancelled" and not note.strip():
        raise _refuse("note", "取消项目请写明原因")
    _record_status(session, project, target, note)
    session.flush()
    return project


def update_project(session: Session, project_id: str, values: Mapping[str, object]) -> Project:
    project = live(session, Project, project_id, "项目")
    for name in ("title", "description", "funding_source", "outcome", "lead_name"):
        if name in values:
            value = clean_text(values[name]) if name != "description" else str(values[name]).strip()
            if name == "title" and not value:
                raise _refuse("title", "项目名称不能为空")
            setattr(project, name, value)
    session.flush()
    return project


def add_member(
    session: Session, project_id: str, name: str, role: str = "成员", resident_id: str | None = None
) -> ProjectMember:
    project = live(session, Project, project_id, "项目")
    if resident_id:
        name = name or live(session, Resident, resident_id, "居民").name
    name = clean_text(name)
    if not name:
        raise _refuse("name", "请填写姓名")
    if role not in rules.MEMBER_ROLES:
        raise _refuse("role", "角色应为：" + "、".join(rules.MEMBER_ROLES))
    member = ProjectMember(project_id=project.id, resident_id=resident_id, name=name, role=role)
    session.add(member)
    session.flush()
    return member


def remove_member(session: Session, member_id: str) -> None:
    tombstone(live(session, ProjectMember, member_id, "项目成员"))
    session.flush()


def add_budget_line(session: Session, project_id: str, item: str, amount: object) -> BudgetLine:
    project = live(session, Project, project_id, "项目")
    item = clean_text(item)
    if not item:
        raise _refuse("item", "请填写预算项目，例如“材料费”")
    try:
        fen = parse_fen(amount, "budget")
    except FieldError as error:
        raise ValidationFailed([error]) from None
    line = BudgetLine(project_id=project.id, item=item, budget_fen=fen)
    session.add(line)
    session.flush()
    return line


def find_budget_line(session: Session, project_id: str, item: str) -> BudgetLine:
    line = session.exec(
        select(BudgetLine).where(
            BudgetLine.project_id == project_id,
            BudgetLine.item == clean_text(item),
            BudgetLine.cl % 2 == 1,
        )
    ).first()
    if line is None:
        raise StoreError(f"本项目没有叫“{item}”的预算项目")
    return line


def add_expense(
    session: Session,
    data_dir: Path,
    project_id: str,
    *,
    amount: object,
    spent_on: object = None,
    line_id: str | None = None,
    payee: str = "",
    note: str = "",
    receipt: ImageInput | None = None,
) -> Expense:
    """Spending, in fen, optionally booked to a budget line and with a receipt photo or scan."""
    project = live(session, Project, project_id, "项目")
    try:
        fen = parse_fen(amount, "amount")
    except FieldError as error:
        raise ValidationFailed([error]) from None
    day = date_value(spent_on, "spent_on") or today()
    if day < project.started_on:
        raise _refuse("spent_on", f"早于项目开始日期（{project.started_on}），请核对")
    if line_id:
        line = live(session, BudgetLine, line_id, "预算项目")
        if line.project_id != project.id:
            raise StoreError("这个预算项目不属于本项目")
    expense = Expense(
        project_id=project.id,
        line_id=line_id,
        spent_on=day,
        amount_fen=fen,
        payee=clean_text(payee),
        note=clean_text(note),
    )
    if receipt is not None:
        expense.receipt_id = attachments.add_attachment(
            session, data_dir, receipt[0], name=receipt[1], mime=None
        ).id
    session.add(expense)
    session.flush()
    return expense


def add_milestone(
    session: Session, project_id: str, title: str, due_on: object, *, confirm_early: bool = False
) -> Milestone:
    project = live(session, Project, project_id, "项目")
    title = clean_text(title)
    if not title:
        raise _refuse("title", "请填写节点名称，例如“材料到位”")
    due = date_value(due_on, "due_on")
    if due is None:
        raise _refuse("due_on", "请填写计划完成日期")
    if due < project.started_on and not confirm_early:
        raise _refuse("due_on", f"早于项目开始日期（{project.started_on}），请核对")
    milestone = Milestone(project_id=project.id, title=title, due_on=due)
    session.add(milestone)
    session.flush()
    return milestone


def set_milestone_progress(session: Session, milestone_id: str, progress: int) -> Milestone:
    milestone = live(session, Milestone, milestone_id, "项目节点")
    if not 0 <= int(progress) <= 100:
        raise _refuse("progress", "进度应在 0 到 100 之间")
    milestone.progress = int(progress)
    milestone.done_on = today() if milestone.progress == 100 else None
    session.flush()
    return milestone


def add_log(
    session: Session,
    data_dir: Path,
    project_id: str,
    text: str,
    *,
    logged_on: object = None,
    photo: ImageInput | None = None,
) -> ProjectLog:
    project = live(session, Project, project_id, "项目")
    text = str(text or "").strip()
    if not text:
        raise _refuse("text", "请写下这次的进展")
    entry = ProjectLog(
        project_id=project.id,
        logged_on=date_value(logged_on, "logged_on") or today(),
        text=text,
        by=operator(session),
    )
    if photo is not None:
        entry.photo_id = attachments.add_attachment(session, data_dir, photo[0], name=photo[1]).id
    session.add(entry)
    session.flush()
    return entry


# ---------------------------------------------------------------------------- reading


def budget(session: Session, project_id: str) -> rules.BudgetTotals:
    lines = list(
        session.exec(
            select(BudgetLine)
            .where(BudgetLine.project_id == project_id, BudgetLine.cl % 2 == 1)
            .order_by(col(BudgetLine.item))
        )
    )
    spent: dict[str | None, int] = defaultdict(int)
    for line_id, amount in session.exec(
        select(Expense.line_id, Expense.amount_fen).where(
            Expense.project_id == project_id, Expense.cl % 2 == 1
        )
    ):
        spent[line_id] += amount
    known = {line.id for line in lines}
    unassigned = sum(v for k, v in spent.items() if k not in known)
    return rules.BudgetTotals(
        tuple(rules.BudgetLineTotals(line.item, line.budget_fen, spent[line.id]) for line in lines),
        unassigned,
    )


def milestones(session: Session, project_id: str) -> list[Milestone]:
    return list(
        session.exec(
            select(Milestone)
            .where(Milestone.project_id == project_id, Milestone.cl % 2 == 1)
            .order_by(col(Milestone.due_on), col(Milestone.title))
        )
    )


@dataclass(frozen=True)
class ProjectRow:
    id: str
    estate_id: str
    title: str
    status: str
    lead_name: str
    started_on: datetime.date
    progress: int
    budget_fen: int
    spent_fen: int
    overdue: int  # milestones past due and not done
    due_soon: int  # milestones due within two weeks

    @property
    def status_label(self) -> str:
        return rules.PROJECT_STATES[self.status]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "estate": self.estate_id,
            "title": self.title,
            "status": self.status,
            "status_label": self.status_label,
            "lead": self.lead_name,
            "started_on": self.started_on.isoformat(),
            "progress": self.progress,
            "budget_fen": self.budget_fen,
            "spent_fen": self.spent_fen,
            "over_budget": self.spent_fen > self.budget_fen,
            "overdue_milestones": self.overdue,
            "milestones_due_soon": self.due_soon,
        }


def list_projects(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> list[ProjectRow]:
    if estate_id is not None:
        require_estate(session, estate_id)
    day = on or today()
    soon = day + datetime.timedelta(days=14)
    query = select(Project).where(Project.cl % 2 == 1)
    if estate_id:
        query = query.where(Project.estate_id == estate_id)
    rows = []
    for project in session.exec(query.order_by(col(Project.started_on).desc())):
        stones = milestones(session, project.id)
        totals = budget(session, project.id)
        open_stones = [m for m in stones if m.progress < 100]
        rows.append(
            ProjectRow(
                project.id,
                project.estate_id,
                project.title,
                project.status,
                project.lead_name,
                project.started_on,
                rules.progress_percent([m.progress for m in stones]),
                totals.budget_fen,
                totals.spent_fen,
                sum(1 for m in open_stones if m.due_on < day),
                sum(1 for m in open_stones if day <= m.due_on <= soon),
            )
        )
    return rows


def status_history(session: Session, project_id: str) -> list[ProjectStatusChange]:
    return list(
        session.exec(
            select(ProjectStatusChange)
            .where(ProjectStatusChange.project_id == project_id, ProjectStatusChange.cl % 2 == 1)
            .order_by(col(ProjectStatusChange.seq))
        )
    )
