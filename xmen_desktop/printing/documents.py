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
