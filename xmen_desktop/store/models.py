"""Tables of the store.

Every table that syncs derives from :class:`Synced`: a UUID key made where the row is
created and a causal length ``cl`` (odd = live, even = deleted; a delete or re-creation
adds one), so that deletes are tombstones that sync and a re-created row outlives an
older delete. Local-only tables (this PC's identity, the change log itself) do not.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from xmen_desktop.domain.ids import new_id


class Synced(SQLModel):
    """Base of every table whose rows travel in sync bundles."""

    # Fields kept on this PC only and never logged (automatic fields like "last opened").
    __local_fields__: ClassVar[frozenset[str]] = frozenset()
    # Fields never overwritten silently by sync: different values from two PCs go to review.
    __protected_fields__: ClassVar[frozenset[str]] = frozenset()
    # Tables where an edit on one PC against a delete on another goes to review.
    __review_deletes__: ClassVar[bool] = False

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    cl: int = Field(default=1, nullable=False)

    @property
    def is_live(self) -> bool:
        return self.cl % 2 == 1


class Site(Synced, table=True):
    """A PC that writes data: its name travels so other PCs can say where a change came from."""

    __tablename__ = "site"

    name: str


class Estate(Synced, table=True):
    __tablename__ = "estate"

    code: str = Field(index=True, unique=True)
    name: str
    position: int


class Household(Synced, table=True):
    """户: a flat of the estate and its tenant of record (公房承租人)."""

    __tablename__ = "household"
    __protected_fields__ = frozenset({"tenant"})

    estate_id: str = Field(foreign_key="estate.id", index=True)
    tenant: str
    address: str
    # Spaceless canonical address: how "already on the roster" is decided.
    address_key: str = Field(index=True)
    phone: str | None = None
    size: int | None = None
    # Floor area in hundredths of m²: integers, so sums over a roster never drift.
    area_centi: int | None = None
    notes: str = ""


class Resident(Synced, table=True):
    """居民: a person living in a household (the tenant is usually one of them)."""

    __tablename__ = "resident"
    __protected_fields__ = frozenset({"name"})

    household_id: str = Field(foreign_key="household.id", index=True)
    name: str
    relation: str = ""
    gender: str = ""
    birth_year: int | None = None
    phone: str | None = None
    notes: str = ""


class BodyMember(Synced, table=True):
    """A member of one of the four bodies (议事大会, 执委会, 党建联络员, 纠纷调处委员会)."""

    __tablename__ = "body_member"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    body: str = Field(index=True)
    resident_id: str | None = Field(default=None, foreign_key="resident.id")
    # Kept even when the member is a resident: the roll must read right if they move away.
    name: str
    role: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    notes: str = ""


class ChangeEntry(SQLModel, table=True):
    """One changed field of one row (or a tombstone, ``field == "cl"`` with an even value).

    (site_id, counter) identifies an entry everywhere: counters are gap-free per site, so a
    version vector says exactly which entries a PC holds. ``hlc`` only orders concurrent edits.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_row", "tbl", "row_id", "field"),)

    site_id: str = Field(primary_key=True, max_length=36)
    counter: int = Field(primary_key=True)
    hlc: int = Field(index=True)
    tbl: str
    row_id: str = Field(max_length=36)
    field: str
    # JSON text of the new value.
    value: str | None = None
    # The row's causal length when the change was made: an edit made before a delete loses to it.
    cl: int
    # The entry this change overwrote (the field's winner when it was made): a change that saw
    # another wins over it whatever the clocks say; changes with no such link are concurrent.
    base_site: str | None = Field(default=None, max_length=36)
    base_counter: int | None = None
    # Who made the change (an operator's username, or "system"): travels with the entry.
    operator: str | None = None
    # The estate the changed row belongs to (derived here, for the audit screen's filter).
    estate_id: str | None = Field(default=None, max_length=36)


class FieldVersion(SQLModel, table=True):
    """Which log entry each field's current value comes from (derived from the log, local)."""

    __tablename__ = "field_version"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True, max_length=36)
    field: str = Field(primary_key=True)
    site_id: str = Field(max_length=36)
    counter: int
    hlc: int
    cl: int


class LocalIdentity(SQLModel, table=True):
    """This PC: one row, never synced."""

    __tablename__ = "local_identity"

    id: int = Field(default=1, primary_key=True)
    site_id: str = Field(max_length=36)
    site_name: str
    last_hlc: int = 0
    # When this identity was made (ISO text, UTC): shown in "site show".
    created_at: str = Field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    )


class SiteCounter(SQLModel, table=True):
    """Version vector: the highest gap-free counter held from each site (ours included)."""

    __tablename__ = "site_counter"

    site_id: str = Field(primary_key=True, max_length=36)
    counter: int = 0


# ---------------------------------------------------------------------------- topics and votes


class EstateSetting(Synced, table=True):
    """Per-estate settings set by staff; one row per estate (id = natural id of the estate)."""

    __tablename__ = "estate_setting"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    # Supports (附议) a topic needs: a number of households, or a share of the roster ("1/20").
    support_households: int | None = None
    support_share: str | None = None


class Topic(Synced, table=True):
    """议题: raised by a resident, supported, consulted on, decided."""

    __tablename__ = "topic"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    title: str
    description: str = ""
    category: str = ""
    proposer_household_id: str | None = Field(default=None, foreign_key="household.id")
    proposer_resident_id: str | None = Field(default=None, foreign_key="resident.id")
    proposer_name: str = ""
    channel: str = "in_person"
    raised_on: datetime.date
    # The latest transition's target: kept on the row so lists need no history scan.
    state: str = "proposed"


class TopicTransition(Synced, table=True):
    """Append-only history of a topic's states: who moved it, when, and why."""

    __tablename__ = "topic_transition"

    topic_id: str = Field(foreign_key="topic.id", index=True)
    # Position in the topic's history (timestamps can tie within a second).
    seq: int = 0
    from_state: str | None = None
    to_state: str
    note: str = ""
    at: str  # ISO time, UTC
    by: str = ""


class TopicSupport(Synced, table=True):
    """附议: one household's support; id = natural id of (topic, household)."""

    __tablename__ = "topic_support"

    topic_id: str = Field(foreign_key="topic.id", index=True)
    household_id: str = Field(foreign_key="household.id")
    supported_on: datetime.date
    note: str = ""


class ConsultationRound(Synced, table=True):
    """征询: one round of consulting households on a topic."""

    __tablename__ = "consultation_round"

    topic_id: str = Field(foreign_key="topic.id", index=True)
    number: int
    title: str = ""
    started_on: datetime.date
    notes: str = ""


class ConsultationContact(Synced, table=True):
    """A household reached in a round; id = natural id of (round, household)."""

    __tablename__ = "consultation_contact"

    round_id: str = Field(foreign_key="consultation_round.id", index=True)
    household_id: str = Field(foreign_key="household.id")
    method: str  # door | phone | meeting | written
    opinion: str = ""  # support | oppose | neutral | ""
    said: str = ""
    contacted_on: datetime.date


class Vote(Synced, table=True):
    """表决 on a topic."""

    __tablename__ = "vote"
    __review_deletes__ = True

    topic_id: str = Field(foreign_key="topic.id", index=True)
    estate_id: str = Field(foreign_key="estate.id", index=True)
    question: str
    options: str  # JSON list of option labels
    rule: str  # residents | art278 | art278-major | custom
    participation_share: str | None = None  # custom rule only, e.g. "2/3"
    pass_share: str | None = None
    basis: str | None = None  # custom rule only: headcount | area | both
    electorate: str = "households"  # households | assembly
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    return_place: str = ""
    state: str = "open"  # open | closed
    closed_at: str | None = None
    closed_by: str | None = None


class Ballot(Synced, table=True):
    """One household's ballot; id = natural id of (vote, household) so two PCs agree on it.

    The roster facts are copied at issue so the tally and re-prints never shift when the
    roster is edited later.
    """

    __tablename__ = "ballot"
    __protected_fields__ = frozenset({"returned", "choice", "blank", "spoilt"})
    __review_deletes__ = True

    vote_id: str = Field(foreign_key="vote.id", index=True)
    household_id: str = Field(foreign_key="household.id")
    number: int
    serial: str = Field(index=True)
    tenant: str
    address: str
    area_centi: int | None = None
    returned: bool = False
    choice: str | None = None
    blank: bool = False
    spoilt: bool = False
    recorded_at: str | None = None
    recorded_by: str | None = None


class BallotEvent(Synced, table=True):
    """Append-only record of every tally entry: casts, undos and double-entry checks."""

    __tablename__ = "ballot_event"

    ballot_id: str = Field(foreign_key="ballot.id", index=True)
    kind: str  # cast | undo | check
    choice: str | None = None
    blank: bool = False
    spoilt: bool = False
    at: str
    by: str = ""


class ReviewResolution(Synced, table=True):
    """A person's decision on a review item: which entries their new value supersedes.

    Id = natural id of (table, row, field, superseded entries), so two PCs resolving the same
    item the same way make one record.
    """

    __tablename__ = "review_resolution"

    tbl: str
    row_id: str = Field(max_length=36, index=True)
    field: str
    # JSON list of "site_id:counter" of every entry this decision supersedes.
    superseded: str
    value: str | None = None  # JSON of the chosen value
    resolved_by: str = ""
    at: str = ""


# ---------------------------------------------------------------------------- notices


class Attachment(Synced, table=True):
    """A photo or scan, stored once by content: the bytes live in the data folder's
    attachments/ under their SHA-256 and travel in bundles beside the change log."""

    __tablename__ = "attachment"

    sha256: str = Field(max_length=64, index=True)
    mime: str
    size: int
    original_name: str = ""
    width: int | None = None
    height: int | None = None


class Notice(Synced, table=True):
    """A notice for the lane noticeboard (通知, 公告, 征询公告, 结果公示, 活动通知, 温馨提示)."""

    __tablename__ = "notice"

    kind: str
    title: str
    salutation: str = "各位居民："
    body: str
    issuer: str = ""
    issued_on: datetime.date
    publicity_from: datetime.date | None = None
    publicity_to: datetime.date | None = None
    # The image as printed (scaled) and as handed in (kept).
    image_id: str | None = Field(default=None, foreign_key="attachment.id")
    original_image_id: str | None = Field(default=None, foreign_key="attachment.id")
    image_caption: str = ""
    qr_text: str = ""
    qr_caption: str = ""
    layout: str = "a4"
    taken_down_on: datetime.date | None = None


class NoticeEstate(Synced, table=True):
    """An estate a notice covers; id = natural id of (notice, estate)."""

    __tablename__ = "notice_estate"

    notice_id: str = Field(foreign_key="notice.id", index=True)
    estate_id: str = Field(foreign_key="estate.id", index=True)


class NoticePosting(Synced, table=True):
    """Where and when a notice was put up, by whom, with a dated photo of it on the board."""

    __tablename__ = "notice_posting"

    notice_id: str = Field(foreign_key="notice.id", index=True)
    board: str
    posted_on: datetime.date
    posted_by: str = ""
    photo_id: str | None = Field(default=None, foreign_key="attachment.id")
    notes: str = ""


# ---------------------------------------------------------------------------- projects, meetings


class Project(Synced, table=True):
    """自治项目: what a decision starts (or the executive committee starts directly)."""

    __tablename__ = "project"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    title: str
    description: str = ""
    status: str = "planned"  # planned | in_progress | paused | done | cancelled
    topic_id: str | None = Field(default=None, foreign_key="topic.id", index=True)
    vote_id: str | None = Field(default=None, foreign_key="vote.id")
    lead_resident_id: str | None = Field(default=None, foreign_key="resident.id")
    lead_name: str = ""
    funding_source: str = ""
    started_on: datetime.date
    outcome: str = ""


class ProjectStatusChange(Synced, table=True):
    """Append-only history of a project's status (a cancelled project keeps it)."""

    __tablename__ = "project_status_change"

    project_id: str = Field(foreign_key="project.id", index=True)
    seq: int = 0
    from_status: str | None = None
    to_status: str
    note: str = ""
    at: str
    by: str = ""


class ProjectMember(Synced, table=True):
    __tablename__ = "project_member"

    project_id: str = Field(foreign_key="project.id", index=True)
    resident_id: str | None = Field(default=None, foreign_key="resident.id")
    name: str
    role: str = "成员"  # 负责人 | 成员 | 志愿者


class BudgetLine(Synced, table=True):
    __tablename__ = "budget_line"

    project_id: str = Field(foreign_key="project.id", index=True)
    item: str
    budget_fen: int


class Expense(Synced, table=True):
    __tablename__ = "expense"

    project_id: str = Field(foreign_key="project.id", index=True)
    line_id: str | None = Field(default=None, foreign_key="budget_line.id")
    spent_on: datetime.date
    amount_fen: int
    payee: str = ""
    note: str = ""
    receipt_id: str | None = Field(default=None, foreign_key="attachment.id")


class Milestone(Synced, table=True):
    __tablename__ = "milestone"

    project_id: str = Field(foreign_key="project.id", index=True)
    title: str
    due_on: datetime.date
    progress: int = 0  # percent
    done_on: datetime.date | None = None


class ProjectLog(Synced, table=True):
    __tablename__ = "project_log"

    project_id: str = Field(foreign_key="project.id", index=True)
    logged_on: datetime.date
    text: str
    photo_id: str | None = Field(default=None, foreign_key="attachment.id")
    by: str = ""


class Meeting(Synced, table=True):
    """A meeting of a body, or one of the three-meetings forms (听证会, 协调会, 评议会)."""

    __tablename__ = "meeting"

    estate_id: str = Field(foreign_key="estate.id", index=True)
    form: str  # assembly | executive | mediation | hearing | coordination | review
    title: str
    held_on: datetime.date
    starts_at: str = ""  # "14:00"
    place: str = ""
    convener: str = ""
    # For an assembly: the vote rule whose participation threshold is its quorum.
    quorum_rule: str = "residents"
    minutes: str = ""


class AgendaItem(Synced, table=True):
    __tablename__ = "agenda_item"

    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str
    topic_id: str | None = Field(default=None, foreign_key="topic.id", index=True)


class Invitee(Synced, table=True):
    """Someone invited; id = natural id of (meeting, household or resident)."""

    __tablename__ = "invitee"

    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    household_id: str | None = Field(default=None, foreign_key="household.id")
    resident_id: str | None = Field(default=None, foreign_key="resident.id")
    name: str
    address: str = ""
    # Attendance taken at the door: "" (not yet) | present | proxy | absent
    attendance: str = ""
    proxy_name: str = ""


class Resolution(Synced, table=True):
    __tablename__ = "resolution"

    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str
    topic_id: str | None = Field(default=None, foreign_key="topic.id")
    vote_id: str | None = Field(default=None, foreign_key="vote.id")


# ---------------------------------------------------------------------------- people and audit


class Operator(Synced, table=True):
    """A person who signs in; synced so they can sign in at any PC their role covers.

    id = natural id of the username, so two PCs that add the same username make one person.
    """

    __tablename__ = "operator"

    username: str = Field(index=True)
    display_name: str
    role: str  # admin | subdistrict | estate | mediator
    estates: str = "[]"  # JSON list of estate ids (estate staff and mediators)
    password_hash: str
    # A short PIN instead of the password, only where an administrator allowed it.
    pin_allowed: bool = False
    pin_hash: str | None = None
    disabled: bool = False
    created_at: str = ""


class AuditEvent(SQLModel, table=True):
    """Append-only (triggers refuse UPDATE and DELETE): sign-ins, failed sign-ins, exports,
    imports, prints of ballots, restores.

    Local to the PC where they happened: an import's own event synced back would make every
    exchange produce something new to send, and PCs would never be "up to date". Who changed
    what travels anyway, in the change log.
    """

    __tablename__ = "audit_event"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    at: str = Field(index=True)
    operator: str = Field(index=True)
    site_id: str = ""
    kind: str = Field(index=True)
    estate_id: str | None = Field(default=None, index=True)
    detail: str = ""


class Erasure(Synced, table=True):
    """A person's data was erased: the marker keeps an older bundle from bringing it back.

    id = natural id of (table, row), so two PCs that erase the same person make one marker.
    """

    __tablename__ = "erasure"

    tbl: str
    target_id: str = Field(max_length=36, index=True)
    erased_at: str
    erased_by: str = ""


class SignInFailure(SQLModel, table=True):
    """Failed sign-ins in a row on this PC, per username typed (local: a delay is per PC)."""

    __tablename__ = "sign_in_failure"

    username: str = Field(primary_key=True)
    failures: int = 0
    last_at: float = 0.0


# ---------------------------------------------------------------------------- sync (local)


class SiteKey(SQLModel, table=True):
    """This install's Ed25519 key and the marker that ties the site id to this place."""

    __tablename__ = "site_key"

    site_id: str = Field(primary_key=True, max_length=36)
    private_key: bytes
    public_key: bytes
    # Where this identity was made: a copy elsewhere takes a new site id.
    bound_path: str
    machine_id: str
    created_at: str


class TrustedSite(SQLModel, table=True):
    __tablename__ = "trusted_site"

    site_id: str = Field(primary_key=True, max_length=36)
    name: str = ""
    public_key: bytes
    trusted_at: str


class Peer(SQLModel, table=True):
    """What we know of another PC: what it has acknowledged, when bundles last went each way."""

    __tablename__ = "peer"

    site_id: str = Field(primary_key=True, max_length=36)
    name: str = ""
    acks: str = "{}"  # JSON {origin site id: highest gap-free counter it holds}
    last_in: str | None = None
    last_out: str | None = None


class SyncHistory(SQLModel, table=True):
    __tablename__ = "sync_history"

    bundle_id: str = Field(primary_key=True, max_length=36)
    direction: str  # in | out
    peer_site: str = ""
    peer_name: str = ""
    at: str
    file_name: str = ""
    summary: str = "{}"  # JSON counts


class ReviewItem(SQLModel, table=True):
    """A field two PCs changed differently where a person must decide (derived from the log)."""

    __tablename__ = "review_item"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True, max_length=36)
    field: str = Field(primary_key=True)
    kind: str  # conflict | edit_vs_delete
    candidates: str  # JSON list of {"entry", "value", "hlc", "site"}
    found_at: str


class Conflict(SQLModel, table=True):
    """A losing value of a concurrent edit, kept (derived from the log, so every PC agrees)."""

    __tablename__ = "conflict"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True, max_length=36)
    field: str = Field(primary_key=True)
    loser: str = Field(primary_key=True)  # "site_id:counter"
    winner: str
    loser_value: str | None = None


class PendingRow(SQLModel, table=True):
    """A row whose changes arrived without all its fields or its parent row yet (a gap)."""

    __tablename__ = "pending_row"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True, max_length=36)


class LocalSetting(SQLModel, table=True):
    __tablename__ = "local_setting"

    key: str = Field(primary_key=True)
    value: str


SYNCED_TABLES: tuple[type[Synced], ...] = (
    Site,
    Estate,
    Household,
    Resident,
    BodyMember,
    EstateSetting,
    Topic,
    TopicTransition,
    TopicSupport,
    ConsultationRound,
    ConsultationContact,
    Vote,
    Ballot,
    BallotEvent,
    ReviewResolution,
    Attachment,
    Notice,
    NoticeEstate,
    NoticePosting,
    Project,
    ProjectStatusChange,
    ProjectMember,
    BudgetLine,
    Expense,
    Milestone,
    ProjectLog,
    Meeting,
    AgendaItem,
    Invitee,
    Resolution,
    Operator,
    Erasure,
)
TABLE_BY_NAME: dict[str, type[Synced]] = {t.__tablename__: t for t in SYNCED_TABLES}  # type: ignore[misc]


def logged_fields(table: type[Synced]) -> list[str]:
    """Fields whose changes are logged (the id travels as the entry's row id), cl first."""
    names = [c.name for c in table.__table__.columns]  # type: ignore[attr-defined]
    return [n for n in names if n != "id" and n not in table.__local_fields__]
