"""Build the printing layer's documents from stored records (printing never reads the store)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from xmen_desktop.domain.estates import estate_by_name_or_code
from xmen_desktop.printing.documents import (
    BallotBatch,
    BallotSheet,
    MeetingNoticeDoc,
    MinutesDoc,
    NoticeDoc,
    ProjectProgressDoc,
    ResultNotice,
    SignInSheetDoc,
)
from xmen_desktop.store import audit, votes
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Topic, Vote

PUBLICITY_DAYS = 7


def _home_name(estate_name: str) -> str:
    info = estate_by_name_or_code(estate_name)
    return info.home_name if info else f"{estate_name}自治家园"


def ballot_batch(session: Session, vote_id: str) -> BallotBatch:
    vote = live(session, Vote, vote_id, "表决")
    topic = live(session, Topic, vote.topic_id, "议题")
    estate = votes.estate_of(session, vote)
    ballots = votes.list_ballots(session, vote.id)
    if not ballots:
        raise StoreError("这次表决还没有发票：请先“发放表决票”（xmen votes issue）")
    return BallotBatch(
        estate_name=estate.name,
        home_name=_home_name(estate.name),
        vote_title=topic.title,
        question=vote.question,
        options=votes.vote_options(vote),
        rule_lines=tuple(votes.vote_rule(vote).explain()),
        return_place=vote.return_place or f"{estate.name}居委会",
        return_by=vote.closes_on,
        ballots=tuple(BallotSheet(b.serial, b.number, b.address, b.tenant) for b in ballots),
    )


def result_notice(session: Session, vote_id: str) -> ResultNotice:
    vote = live(session, Vote, vote_id, "表决")
    if vote.state != "closed":
        raise StoreError(
            "表决还没有结束：请先结束表决（计票页面或 xmen votes close），再打印结果公示"
        )
    topic = live(session, Topic, vote.topic_id, "议题")
    estate = votes.estate_of(session, vote)
    result = votes.compute_result(session, vote.id)
    closed_on = (
        datetime.date.fromisoformat(vote.closed_at[:10])
        if vote.closed_at
        else datetime.date.today()
    )
    return ResultNotice(
        estate_name=estate.name,
        home_name=_home_name(estate.name),
        vote_title=topic.title,
        question=vote.question,
        rule_name=result.rule.name,
        rule_source=result.rule.source,
        rule_lines=tuple(result.rule.explain()),
        electorate_households=result.electorate.households,
        electorate_area_centi=result.electorate.area_centi,
        participated_households=result.participated.households,
        participated_area_centi=result.participated.area_centi,
        counts=tuple((o, a.households, a.area_centi) for o, a in result.counts.items()),
        blank_households=result.blank.households,
        spoilt_households=result.spoilt.households,
        not_returned_households=result.not_returned.households,
        in_review_households=result.in_review.households,
        checks=tuple(
            (c.label, c.basis, c.part, c.whole, c.needed, c.met)
            for c in (*result.participation_checks, *result.passing_checks)
        ),
        participation_met=result.participation_met,
        passed=result.passed,
        winner=result.winner,
        publicity_from=closed_on,
        publicity_to=closed_on + datetime.timedelta(days=PUBLICITY_DAYS - 1),
        issued_on=closed_on,
        closed_by=vote.closed_by or "",
    )


def notice_doc(session: Session, data_dir: Path, notice_id: str) -> NoticeDoc:
    from xmen_desktop.domain.notice_text import parse_notice
    from xmen_desktop.domain.notices import KINDS
    from xmen_desktop.store import attachments, notices
    from xmen_desktop.store.models import Attachment, Notice

    notice = live(session, Notice, notice_id, "通知")
    image = None
    if notice.image_id:
        attachment = session.get(Attachment, notice.image_id)
        image = attachments.read_blob(data_dir, attachment.sha256) if attachment else None
        if image is None:
            raise StoreError("这份通知的配图文件找不到了：请重新选择配图，或去掉配图后再打印")
    estates = tuple(notices.estate_names(session, notice.id))
    return NoticeDoc(
        kind_label=KINDS.get(notice.kind, notice.kind),
        title=notice.title,
        salutation=notice.salutation,
        blocks=parse_notice(notice.body),
        issuer=notice.issuer,
        issued_on=notice.issued_on,
        publicity_from=notice.publicity_from,
        publicity_to=notice.publicity_to,
        image=image,
        image_caption=notice.image_caption,
        qr_text=notice.qr_text or None,
        qr_caption=notice.qr_caption,
        estates=("全街道",) if len(estates) == 6 else estates,
    )


def print_notice(
    session: Session, data_dir: Path, notice_id: str, out: Path, layout: str | None = None
) -> list[str]:
    """Render a notice; returns the characters no bundled font has (printed as 〓)."""
    from xmen_desktop.printing.notices import LAYOUTS, notice_missing_chars, render_notice
    from xmen_desktop.store.models import Notice

    chosen = layout or live(session, Notice, notice_id, "通知").layout
    if chosen not in LAYOUTS:
        raise StoreError("版式应为 a4（A4 通知）、a3（A3 海报）或 large（大字版）")
    doc = notice_doc(session, data_dir, notice_id)

    def render() -> None:
        try:
            render_notice(doc, out, layout=chosen)
        except ValueError as error:
            raise StoreError(str(error)) from error

    _write(render, out)
    return notice_missing_chars(doc)


def print_ballots(
    session: Session,
    vote_id: str,
    out: Path,
    *,
    two_up: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    from xmen_desktop.printing.ballots import render_ballots

    batch = ballot_batch(session, vote_id)
    _write(lambda: render_ballots(batch, out, two_up=two_up, progress=progress), out)
    vote = session.get(Vote, vote_id)
    audit.record(
        session,
        "print_ballots",
        f"{len(batch.ballots)} 张表决票：{out.name}",
        estate_id=vote.estate_id if vote else None,
    )
    return len(batch.ballots)


def print_result(session: Session, vote_id: str, out: Path) -> None:
    from xmen_desktop.printing.result import render_result

    notice = result_notice(session, vote_id)
    _write(lambda: render_result(notice, out), out)


def _write(render: Callable[[], None], out: Path) -> None:
    if out.suffix.lower() != ".pdf":
        raise StoreError("文件名请以 .pdf 结尾")
    try:
        render()
    except OSError as error:
        raise StoreError(
            f"无法写入 {out}：{error.strerror or error}。请换一个文件夹或文件名"
        ) from error


@dataclass(frozen=True)
class Printable:
    """One document the print centre can print for an estate."""

    kind: str  # notice | ballots | result
    ref: str  # the notice or vote id
    title: str
    date: datetime.date | None
    status: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.ref,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "status": self.status,
        }


KIND_LABELS = {
    "notice": "通知公告",
    "ballots": "表决票",
    "result": "表决结果公示",
    "meeting-notice": "会议通知",
    "sign-in": "会议签到表",
    "minutes": "会议纪要",
    "project": "项目进展公示",
}


def printable_list(session: Session, estate_id: str | None = None) -> list[Printable]:
    """Everything printable (for one estate, or the whole subdistrict), newest first."""
    if estate_id is not None:
        require_estate(session, estate_id)
    from xmen_desktop.store import notices

    found = [
        Printable(
            "notice", n.id, f"{n.kind_label}：{n.title}", n.issued_on, n.publicity.label or ""
        )
        for n in notices.list_notices(session, estate_id)
    ]
    for vote in votes.list_votes(session, estate_id=estate_id):
        topic = live(session, Topic, vote.topic_id, "议题")
        issued, returned = votes.ballot_counts(session, vote.id)
        if issued:
            found.append(
                Printable(
                    "ballots",
                    vote.id,
                    f"表决票：{topic.title}（{issued} 张）",
                    vote.opens_on,
                    f"已交回 {returned} / {issued}",
                )
            )
        if vote.state == "closed":
            closed = datetime.date.fromisoformat(vote.closed_at[:10]) if vote.closed_at else None
            found.append(
                Printable("result", vote.id, f"表决结果公示：{topic.title}", closed, "表决已结束")
            )
    from xmen_desktop.domain.projects import MEETING_FORMS, PROJECT_STATES
    from xmen_desktop.store import meetings, projects

    for meeting in meetings.list_meetings(session, estate_id):
        form = MEETING_FORMS[meeting.form]
        invited = len(meetings.list_invitees(session, meeting.id))
        found.append(
            Printable(
                "meeting-notice", meeting.id, f"会议通知：{meeting.title}", meeting.held_on, form
            )
        )
        if invited:
            found.append(
                Printable(
                    "sign-in",
                    meeting.id,
                    f"签到表：{meeting.title}",
                    meeting.held_on,
                    f"{invited} 人/户",
                )
            )
        found.append(
            Printable(
                "minutes",
                meeting.id,
                f"会议纪要：{meeting.title}",
                meeting.held_on,
                "已写纪要" if meeting.minutes else "纪要未写",
            )
        )
    for project in projects.list_projects(session, estate_id):
        found.append(
            Printable(
                "project",
                project.id,
                f"项目进展公示：{project.title}",
                project.started_on,
                f"{PROJECT_STATES[project.status]}，进度 {project.progress}%",
            )
        )
    return sorted(found, key=lambda p: p.date or datetime.date.min, reverse=True)


# ---------------------------------------------------------------------------- meetings, projects


def _meeting_parts(session: Session, meeting_id: str) -> tuple[Any, str, list[str]]:
    from sqlmodel import col, select

    from xmen_desktop.store.models import AgendaItem, Estate, Meeting

    meeting = live(session, Meeting, meeting_id, "会议")
    estate = live(session, Estate, meeting.estate_id, "小区")
    agenda = list(
        session.exec(
            select(AgendaItem.text)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.cl % 2 == 1)
            .order_by(col(AgendaItem.position))
        )
    )
    return meeting, estate.name, agenda


def meeting_notice_doc(session: Session, meeting_id: str) -> MeetingNoticeDoc:
    from xmen_desktop.domain.projects import MEETING_FORMS
    from xmen_desktop.store import meetings

    meeting, estate_name, agenda = _meeting_parts(session, meeting_id)
    invitees = meetings.list_invitees(session, meeting.id)
    who = "全体住户" if any(i.household_id and not i.resident_id for i in invitees) else "受邀人员"
    form = MEETING_FORMS[meeting.form]
    return MeetingNoticeDoc(
        home_name=_home_name(estate_name),
        form_label=form,
        title=f"关于召开{meeting.title}的通知",
        held_on=meeting.held_on,
        starts_at=meeting.starts_at,
        place=meeting.place,
        convener=meeting.convener or f"{_home_name(estate_name)}执行委员会",
        agenda=tuple(agenda),
        invitees=who,
        issuer=meeting.convener or f"{_home_name(estate_name)}执行委员会",
        issued_on=datetime.date.today(),
    )


def sign_in_doc(session: Session, meeting_id: str) -> SignInSheetDoc:
    from xmen_desktop.domain import address as addresses
    from xmen_desktop.store import meetings

    meeting, estate_name, _ = _meeting_parts(session, meeting_id)
    invitees = meetings.list_invitees(session, meeting.id)
    if not invitees:
        raise StoreError("这次会议还没有邀请任何人：请先添加邀请名单，再打印签到表")
    return SignInSheetDoc(
        home_name=_home_name(estate_name),
        meeting_title=meeting.title,
        held_on=meeting.held_on,
        starts_at=meeting.starts_at,
        place=meeting.place,
        rows=tuple(
            (addresses.parse(i.address).doorway if i.address else "其他", i.address, i.name)
            for i in invitees
        ),
    )


def minutes_doc(session: Session, meeting_id: str) -> MinutesDoc:
    from sqlmodel import col, select

    from xmen_desktop.domain.projects import MEETING_FORMS
    from xmen_desktop.store import meetings
    from xmen_desktop.store.models import Resolution, Vote

    meeting, estate_name, agenda = _meeting_parts(session, meeting_id)
    invitees = meetings.list_invitees(session, meeting.id)
    count = {
        k: sum(1 for i in invitees if i.attendance == k) for k in ("present", "proxy", "absent")
    }
    quorum_line = ""
    if meeting.form == "assembly" and invitees:
        q = meetings.quorum(session, meeting.id)
        verdict = "符合" if q.met else "未达到"
        quorum_line = (
            f"到会（含委托）{q.attending} 户，应到 {q.invited} 户，{verdict}"
            f"{votes.rules.RULES[meeting.quorum_rule].name}的到会要求"
        )
    resolutions = []
    for resolution in session.exec(
        select(Resolution)
        .where(Resolution.meeting_id == meeting.id, Resolution.cl % 2 == 1)
        .order_by(col(Resolution.position))
    ):
        topic_title = vote_text = ""
        if resolution.topic_id:
            topic = session.get(Topic, resolution.topic_id)
            topic_title = topic.title if topic else ""
        if resolution.vote_id:
            vote = session.get(Vote, resolution.vote_id)
            if vote is not None and vote.state == "closed":
                result = votes.compute_result(session, vote.id)
                vote_text = "表决通过" if result.passed else "表决未通过"
        resolutions.append((resolution.text, topic_title, vote_text))
    return MinutesDoc(
        home_name=_home_name(estate_name),
        meeting_title=meeting.title,
        form_label=MEETING_FORMS[meeting.form],
        held_on=meeting.held_on,
        starts_at=meeting.starts_at,
        place=meeting.place,
        convener=meeting.convener,
        recorder="",
        invited=len(invitees),
        present=count["present"],
        proxy=count["proxy"],
        absent=count["absent"],
        quorum_line=quorum_line,
        agenda=tuple(agenda),
        minutes=meeting.minutes or "（未填写）",
        resolutions=tuple(resolutions),
    )


def project_doc(session: Session, data_dir: Path, project_id: str) -> ProjectProgressDoc:
    from sqlmodel import col, select

    from xmen_desktop.domain.projects import PROJECT_STATES
    from xmen_desktop.store import attachments, projects
    from xmen_desktop.store.models import Attachment, Estate, Project, ProjectLog

    project = live(session, Project, project_id, "项目")
    estate = live(session, Estate, project.estate_id, "小区")
    totals = projects.budget(session, project.id)
    today = datetime.date.today()
    stones = projects.milestones(session, project.id)
    logs = list(
        session.exec(
            select(ProjectLog)
            .where(ProjectLog.project_id == project.id, ProjectLog.cl % 2 == 1)
            .order_by(col(ProjectLog.logged_on).desc())
        )
    )
    photos = []
    for entry in logs:
        attachment = session.get(Attachment, entry.photo_id) if entry.photo_id else None
        data = attachments.read_blob(data_dir, attachment.sha256) if attachment else None
        if data and len(photos) < 4:
            photos.append(data)
    return ProjectProgressDoc(
        home_name=_home_name(estate.name),
        estate_name=estate.name,
        project_title=project.title,
        status_label=PROJECT_STATES[project.status],
        lead=project.lead_name,
        funding_source=project.funding_source,
        started_on=project.started_on,
        description=project.description,
        budget_lines=tuple((line.item, line.budget_fen, line.spent_fen) for line in totals.lines),
        unassigned_spent_fen=totals.unassigned_fen,
        milestones=tuple(
            (
                m.title,
                m.due_on,
                m.progress,
                m.progress >= 100,
                m.progress < 100 and m.due_on < today,
            )
            for m in stones
        ),
        progress_percent=projects.rules.progress_percent([m.progress for m in stones]),
        log_entries=tuple((entry.logged_on, entry.text) for entry in logs[:5]),
        photos=tuple(photos),
        issuer=f"{_home_name(estate.name)}执行委员会",
        issued_on=today,
    )


def print_meeting_doc(
    session: Session, data_dir: Path, kind: str, ref: str, out: Path, layout: str = "a4"
) -> None:
    """kind: meeting-notice | sign-in | minutes | project."""
    from xmen_desktop.printing import meetings as meeting_pdfs
    from xmen_desktop.printing import projects as project_pdfs

    builders: dict[str, Callable[[], None]] = {
        "meeting-notice": lambda: meeting_pdfs.render_meeting_notice(
            meeting_notice_doc(session, ref), out, layout=layout
        ),
        "sign-in": lambda: meeting_pdfs.render_sign_in(sign_in_doc(session, ref), out),
        "minutes": lambda: meeting_pdfs.render_minutes(minutes_doc(session, ref), out),
        "project": lambda: project_pdfs.render_project_progress(
            project_doc(session, data_dir, ref), out
        ),
    }

    def render() -> None:
        try:
            builders[kind]()
        except ValueError as error:
            raise StoreError(str(error)) from error

    _write(render, out)
