"""Functions of a session that the project, meeting and dashboard screens hand to
``context.read``/``context.write``.

Like ``ui.jobs`` and ``ui.topic_jobs`` they run on the worker, import the store inside each
function (the main window imports the screens, and SQLAlchemy must not delay the first
window), and return ids or frozen rows, never table objects. Files chosen by the user
(receipts, photos) are read here too, on the worker, so a large scan never freezes the window.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.dashboard_queries import (
        BoardCard,
        DashboardData,
        InviteeRow,
        InviteScope,
        MeetingDetail,
        MeetingRow,
        ProjectDetail,
        QuorumInfo,
        TopicChoice,
    )

# Table names as the change log reports them in ``AppContext.changed``.
PROJECT = "project"
PROJECT_STATUS = "project_status_change"
PROJECT_MEMBER = "project_member"
BUDGET_LINE = "budget_line"
EXPENSE = "expense"
MILESTONE = "milestone"
PROJECT_LOG = "project_log"
MEETING = "meeting"
AGENDA_ITEM = "agenda_item"
INVITEE = "invitee"
RESOLUTION = "resolution"
TOPIC = "topic"
NOTICE = "notice"
NOTICE_ESTATE = "notice_estate"
NOTICE_POSTING = "notice_posting"

PROJECT_TABLES = frozenset(
    {PROJECT, PROJECT_STATUS, PROJECT_MEMBER, BUDGET_LINE, EXPENSE, MILESTONE, PROJECT_LOG}
)
MEETING_TABLES = frozenset({MEETING, AGENDA_ITEM, INVITEE, RESOLUTION})

# A receipt or photo: where the user picked it.
FilePick = Path | None


def _file(path: FilePick) -> tuple[bytes, str] | None:
    """The picked file's bytes and name, read on the worker; a missing file is said plainly."""
    if path is None:
        return None
    from xmen_desktop.store.errors import StoreError

    try:
        return path.read_bytes(), path.name
    except OSError as error:
        raise StoreError(
            f"打不开文件“{path.name}”（{error.strerror or error}）。请确认文件还在，再选一次。"
        ) from error


# ---------------------------------------------------------------------------- reads


def load_projects(estate_id: str) -> Callable[[Session], list[BoardCard]]:
    def run(session: Session) -> list[BoardCard]:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.board_cards(session, estate_id)

    return run


def load_project(project_id: str) -> Callable[[Session], ProjectDetail]:
    def run(session: Session) -> ProjectDetail:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.project_detail(session, project_id)

    return run


def load_passed_topics(estate_id: str) -> Callable[[Session], list[TopicChoice]]:
    def run(session: Session) -> list[TopicChoice]:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.passed_topics(session, estate_id)

    return run


def load_topic_choices(estate_id: str) -> Callable[[Session], list[TopicChoice]]:
    def run(session: Session) -> list[TopicChoice]:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.topic_choices(session, estate_id)

    return run


def load_meetings(estate_id: str) -> Callable[[Session], list[MeetingRow]]:
    def run(session: Session) -> list[MeetingRow]:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.meeting_rows(session, estate_id)

    return run


def load_meeting(meeting_id: str) -> Callable[[Session], MeetingDetail]:
    def run(session: Session) -> MeetingDetail:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.meeting_detail(session, meeting_id)

    return run


def load_invite_scope(estate_id: str) -> Callable[[Session], InviteScope]:
    def run(session: Session) -> InviteScope:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.invite_scope(session, estate_id)

    return run


def load_dashboard(estate_id: str | None) -> Callable[[Session], DashboardData]:
    def run(session: Session) -> DashboardData:
        from xmen_desktop.store import dashboard_queries

        return dashboard_queries.dashboard(session, estate_id)

    return run


# ---------------------------------------------------------------------------- project writes


def add_project(
    estate_id: str,
    *,
    title: str,
    description: str = "",
    topic_id: str | None = None,
    funding_source: str = "",
    started_on: datetime.date | None = None,
    lead_name: str = "",
    lead_resident_id: str | None = None,
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.add_project(
            session,
            estate_id,
            title=title,
            description=description,
            topic_id=topic_id,
            funding_source=funding_source,
            started_on=started_on,
            lead_resident_id=lead_resident_id,
            lead_name=lead_name,
        ).id

    return run


def update_project(project_id: str, values: dict[str, object]) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.update_project(session, project_id, values).id

    return run


def set_status(project_id: str, target: str, note: str = "") -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.set_project_status(session, project_id, target, note).id

    return run


def _sync_lead(session: Session, project_id: str) -> None:
    """The project's 负责人 as shown on its card: every member whose role is 负责人."""
    from xmen_desktop.store import dashboard_queries, projects

    leads = dashboard_queries.project_leads(session, project_id)
    projects.update_project(session, project_id, {"lead_name": "、".join(leads)})


def add_member(
    project_id: str, name: str, role: str, resident_id: str | None = None
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        member = projects.add_member(session, project_id, name, role, resident_id)
        if role == "负责人":
            _sync_lead(session, project_id)
        return member.id

    return run


def remove_member(project_id: str, member_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import dashboard_queries, projects

        was_lead = dashboard_queries.member_of(session, member_id).role == "负责人"
        projects.remove_member(session, member_id)
        if was_lead:
            _sync_lead(session, project_id)

    return run


def add_budget_line(project_id: str, item: str, amount: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.add_budget_line(session, project_id, item, amount).id

    return run


def add_expense(
    data_dir: Path,
    project_id: str,
    *,
    amount: str,
    spent_on: datetime.date | None,
    line_id: str | None,
    payee: str,
    note: str,
    receipt: FilePick = None,
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.add_expense(
            session,
            data_dir,
            project_id,
            amount=amount,
            spent_on=spent_on,
            line_id=line_id,
            payee=payee,
            note=note,
            receipt=_file(receipt),
        ).id

    return run


def add_milestone(
    project_id: str, title: str, due_on: datetime.date | None, *, confirm_early: bool = False
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.add_milestone(
            session, project_id, title, due_on, confirm_early=confirm_early
        ).id

    return run


def set_milestone_progress(milestone_id: str, progress: int) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.set_milestone_progress(session, milestone_id, progress).id

    return run


def add_log(
    data_dir: Path,
    project_id: str,
    text: str,
    *,
    logged_on: datetime.date | None,
    photo: FilePick = None,
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import projects

        return projects.add_log(
            session, data_dir, project_id, text, logged_on=logged_on, photo=_file(photo)
        ).id

    return run


def attachment_path(data_dir: Path, sha256: str) -> Path:
    """Where a stored photo or scan lies in the data folder (no database needed)."""
    from xmen_desktop.store import attachments

    return attachments.blob_path(data_dir, sha256)


# ---------------------------------------------------------------------------- meeting writes


@dataclass(frozen=True)
class AgendaDraft:
    """An agenda item typed in the 安排会议 dialog: free text, a topic, or both."""

    text: str
    topic_id: str | None = None


@dataclass(frozen=True)
class InviteDraft:
    households: bool = False
    body: str | None = None
    resident_ids: tuple[str, ...] = ()


def add_meeting(
    estate_id: str,
    values: dict[str, object],
    agenda: Sequence[AgendaDraft],
    invite: InviteDraft,
) -> Callable[[Session], str]:
    """The meeting, its agenda and its invitations in one go: all saved, or nothing."""

    def run(session: Session) -> str:
        from xmen_desktop.store import meetings

        meeting = meetings.add_meeting(
            session,
            estate_id,
            form=str(values.get("form") or ""),
            title=str(values.get("title") or ""),
            held_on=values.get("held_on"),
            starts_at=str(values.get("starts_at") or ""),
            place=str(values.get("place") or ""),
            convener=str(values.get("convener") or ""),
            quorum_rule=str(values.get("quorum_rule") or "residents"),
        )
        for item in agenda:
            meetings.add_agenda_item(session, meeting.id, item.text, item.topic_id)
        meetings.invite(
            session,
            meeting.id,
            households=invite.households,
            body=invite.body,
            resident_ids=list(invite.resident_ids),
        )
        return meeting.id

    return run


def delete_meeting(meeting_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import meetings

        meetings.delete_meeting(session, meeting_id)

    return run


def invite_resident(meeting_id: str, resident_id: str) -> Callable[[Session], str]:
    """Add one resident to the invitation list (someone at the door); returns the resident's id."""

    def run(session: Session) -> str:
        from xmen_desktop.store import meetings

        meetings.invite(session, meeting_id, resident_ids=[resident_id])
        return resident_id

    return run


@dataclass(frozen=True)
class AttendanceOutcome:
    invitee: InviteeRow
    quorum: QuorumInfo | None


def record_attendance(
    meeting_id: str, invitee_id: str, status: str, proxy_name: str = ""
) -> Callable[[Session], AttendanceOutcome]:
    """Attendance of one invitee, and the quorum as it now stands (one small job per person)."""

    def run(session: Session) -> AttendanceOutcome:
        from xmen_desktop.store import dashboard_queries, meetings

        invitee = meetings.record_attendance(session, invitee_id, status, proxy_name)
        quorum = None
        if dashboard_queries.meeting_form(session, meeting_id) == "assembly":
            quorum = dashboard_queries.quorum_info(session, meeting_id)
        return AttendanceOutcome(dashboard_queries.invitee_row(invitee), quorum)

    return run


def set_minutes(meeting_id: str, minutes: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import meetings

        return meetings.set_minutes(session, meeting_id, minutes).id

    return run


def add_resolution(meeting_id: str, text: str, topic_id: str | None) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import meetings

        return meetings.add_resolution(session, meeting_id, text, topic_id).id

    return run
