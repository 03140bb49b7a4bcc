"""What the printing layer prints: plain, frozen data the store fills from stored records.

Nothing here imports reportlab, Qt or the store, so the store can build these cheaply and the
renderers never reach back into the database. Same input → same PDF bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xmen_desktop.domain.notice_text import NoticeBlock


@dataclass(frozen=True)
class BallotSheet:
    """One household's ballot."""

    serial: str  # "123456-0042-7": exactly what the QR code encodes (ASCII)
    number: int
    household_address: str
    tenant: str


@dataclass(frozen=True)
class BallotBatch:
    """Every ballot of one vote, with the text they share."""

    estate_name: str  # 小西门
    home_name: str  # 小西门自治家园: the issuing body, printed as the heading
    vote_title: str  # 关于非机动车集中停放点设置的表决
    question: str  # the question, in large type
    options: tuple[str, ...]  # 同意 / 不同意 / 弃权, or custom choices
    rule_lines: tuple[str, ...]  # Rule.explain(), printed small
    return_place: str  # 交回地点
    return_by: dt.date | None
    ballots: tuple[BallotSheet, ...]


@dataclass(frozen=True)
class ResultNotice:
    """表决结果公示: the posted result of a closed vote."""

    estate_name: str
    home_name: str
    vote_title: str
    question: str
    rule_name: str
    rule_source: str
    rule_lines: tuple[str, ...]
    electorate_households: int
    electorate_area_centi: int  # hundredths of m²
    participated_households: int
    participated_area_centi: int
    counts: tuple[tuple[str, int, int], ...]  # (option, households, area_centi)
    blank_households: int
    spoilt_households: int
    not_returned_households: int
    in_review_households: int
    # (label 参与 / “同意”, basis headcount|area, part, whole, needed, met)
    checks: tuple[tuple[str, str, int, int, int, bool], ...]
    participation_met: bool
    passed: bool
    winner: str | None
    publicity_from: dt.date
    publicity_to: dt.date
    issued_on: dt.date
    closed_by: str  # who closed the vote


@dataclass(frozen=True, kw_only=True)
class NoticeDoc:
    """A notice for the lane noticeboard (通知、公告、征询公告、结果公示、活动通知、温馨提示).

    ``blocks`` come from ``domain.notice_text.parse_notice(body)``. The kind label is printed
    above the title only when the title does not already end with its last word (关于……的通知
    for 通知 or 活动通知; ……结果公示 for 结果公示).
    """

    kind_label: str  # 通知 / 公告 / 征询公告 / 结果公示 / 活动通知 / 温馨提示
    title: str  # 关于开展“垃圾分类我先行”活动的通知
    # "" for none; a first line of the body typed as a salutation (各位业主：) replaces it
    salutation: str = "各位居民："
    blocks: tuple[NoticeBlock, ...]
    issuer: str  # 小西门自治家园执行委员会
    issued_on: dt.date
    publicity_from: dt.date | None = None  # 公示期, both or neither
    publicity_to: dt.date | None = None
    image: bytes | None = None  # PNG or JPEG, already scaled by the store
    image_caption: str = ""
    qr_text: str | None = None  # what the QR code encodes: a phone number, a short text
    qr_caption: str = ""  # 扫码报名 / 咨询电话
    estates: tuple[str, ...] = ()  # the estates it is posted in: 小西门、龙门村
    reference: str = ""  # a document number, e.g. 小西门自治〔2026〕5号; "" for none


# --- meetings and projects ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MeetingNoticeDoc:
    """会议通知: the notice calling a meeting, posted on the noticeboard or handed round."""

    home_name: str  # 小西门自治家园
    form_label: str  # 议事大会 / 执行委员会会议 / 纠纷调处委员会会议 / 听证会 / 协调会 / 评议会
    title: str  # 关于召开2026年第一次居民议事大会的通知
    held_on: dt.date
    starts_at: str  # "14:00"; "" when not fixed yet
    place: str  # 小西门居委会二楼会议室
    convener: str  # 召集人: 小西门自治家园执行委员会, or a person
    agenda: tuple[str, ...]  # one item each, without numbers (typed numbers are dropped)
    invitees: str  # 全体住户 / 执行委员会成员 / 3号楼各户
    issuer: str  # 小西门自治家园执行委员会
    issued_on: dt.date
    notes: str = ""  # anything else to say (请携带……); notice body syntax, "" for none


@dataclass(frozen=True, kw_only=True)
class SignInSheetDoc:
    """签到表: one sheet per doorway (门牌), to hang at that entrance or pass round."""

    home_name: str
    meeting_title: str
    held_on: dt.date
    starts_at: str
    place: str
    # (doorway 门牌, address, tenant), already sorted by address: rows of one doorway together.
    # An address that starts with its doorway prints only the rest (201室) under the doorway.
    rows: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, kw_only=True)
class MinutesDoc:
    """会议纪要, signed by the host, the recorder and representatives of those present."""

    home_name: str
    meeting_title: str  # 2026年第一次居民议事大会
    form_label: str  # 议事大会 ... (MEETING_FORMS)
    held_on: dt.date
    starts_at: str
    place: str
    convener: str  # 主持人 (the convener chairs)
    recorder: str  # 记录人
    invited: int  # 应到
    present: int  # 本人到会
    proxy: int  # 委托到会
    absent: int  # 缺席
    # For an assembly: 到会（含委托）45 户，超过应到 80 户的半数，符合居民会议规则; else ""
    quorum_line: str = ""
    # 户 or 人; "" means 户 for a 议事大会 or when there is a quorum line, else 人
    attendance_unit: str = ""
    agenda: tuple[str, ...]
    minutes: str  # notice body syntax: headings end in ：, items 1. / 一、 / ●, **emphasis**
    # (resolution, linked topic title or "", linked vote outcome or ""), in order
    resolutions: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class ProjectProgressDoc:
    """项目进展公示: where a self-governance project stands, for the noticeboard."""

    home_name: str
    estate_name: str
    project_title: str  # 弄堂口非机动车棚改造
    status_label: str  # PROJECT_STATES: 进行中
    lead: str  # 负责人
    funding_source: str  # 资金来源: 自治金 / 居民众筹
    started_on: dt.date
    description: str  # notice body syntax
    budget_lines: tuple[tuple[str, int, int], ...]  # (item, budget_fen, spent_fen)
    unassigned_spent_fen: int = 0  # spending not booked to a budget line
    # (title, due_on, progress 0–100, done, overdue), in plan order
    milestones: tuple[tuple[str, dt.date, int, bool, bool], ...] = ()
    progress_percent: int  # domain.projects.progress_percent
    log_entries: tuple[tuple[dt.date, str], ...] = ()  # recent first, as they should print
    photos: tuple[bytes, ...] = ()  # PNG or JPEG, at most four
    issuer: str  # 小西门自治家园执行委员会
    issued_on: dt.date
