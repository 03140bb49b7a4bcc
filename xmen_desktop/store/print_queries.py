"""Reads the print centre and the notice screens need, on top of ``printables`` and ``notices``.

Nothing here writes to the database. The preview helpers render a PDF of what a print would
give, quickly: a ballot preview holds only the first few ballots of a batch.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from xmen_desktop.store import printables
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import live, today
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Attachment, Notice, NoticeEstate, NoticePosting

if TYPE_CHECKING:
    from xmen_desktop.store.notices import NoticeRow

# Kinds whose print has a layout choice (A4 / A3 poster / large print).
LAYOUT_KINDS = frozenset({"notice", "meeting-notice"})
# Kinds printed as one batch with a page per household (a progress dialog, may be stopped).
BATCH_KINDS = frozenset({"ballots"})
# How many ballots a preview shows.
PREVIEW_BALLOTS = 4

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NoticeDetail:
    """A stored notice as the notice dialog edits it."""

    id: str
    values: dict[str, object]
    estate_ids: tuple[str, ...]
    image_name: str  # "" when the notice has no picture
    taken_down_on: datetime.date | None


def notice_detail(session: Session, notice_id: str) -> NoticeDetail:
    notice = live(session, Notice, notice_id, "通知")
    estate_ids = tuple(
        session.exec(
            select(NoticeEstate.estate_id).where(
                NoticeEstate.notice_id == notice.id, NoticeEstate.cl % 2 == 1
            )
        ).all()
    )
    image_name = ""
    image_id = notice.original_image_id or notice.image_id
    if image_id:
        attachment = session.get(Attachment, image_id)
        image_name = (attachment.original_name if attachment else "") or "配图"
    values: dict[str, object] = {
        name: getattr(notice, name)
        for name in (
            "kind",
            "title",
            "salutation",
            "body",
            "issuer",
            "issued_on",
            "publicity_from",
            "publicity_to",
            "image_caption",
            "qr_text",
            "qr_caption",
            "layout",
        )
    }
    return NoticeDetail(notice.id, values, estate_ids, image_name, notice.taken_down_on)


def known_boards(session: Session, limit: int = 30) -> list[str]:
    """Noticeboards notices were posted on before, the most recently used first."""
    rows = session.exec(
        select(NoticePosting.board, NoticePosting.posted_on)
        .where(NoticePosting.cl % 2 == 1)
        .order_by(col(NoticePosting.posted_on).desc())
    ).all()
    seen: list[str] = []
    for board, _day in rows:
        if board and board not in seen:
            seen.append(board)
        if len(seen) >= limit:
            break
    return seen


@dataclass(frozen=True)
class Rendered:
    """What rendering a document gave, besides the file."""

    pages_in_full: int | None  # for a partial (preview) batch: how many sheets in full
    layout: str  # the layout used ("" for kinds without a choice)
    missing_chars: tuple[str, ...]  # printed as 〓: no bundled font has them
    warning: str  # something to point out before printing ("" when none)
    # For each missing character, the words around where it first appears, with every
    # missing character shown as 〓: the screen's font may not have it either.
    missing_context: tuple[str, ...] = ()


PLACEHOLDER = "〓"


def where_chars(text: str, chars: Sequence[str], around: int = 6) -> tuple[str, ...]:
    """The words around the first place each of ``chars`` appears in ``text``."""
    found = []
    for char in chars:
        at = text.find(char)
        if at < 0:
            found.append(PLACEHOLDER)
            continue
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        snippet = text[max(line_start, at - around) : min(line_end, at + around + 1)]
        found.append("".join(PLACEHOLDER if c in chars else c for c in snippet).strip())
    return tuple(found)


def stored_layout(session: Session, kind: str, ref: str) -> str:
    if kind == "notice":
        return live(session, Notice, ref, "通知").layout or "a4"
    return "a4" if kind in LAYOUT_KINDS else ""


def render(
    session: Session,
    data_dir: Path,
    kind: str,
    ref: str,
    out: Path,
    *,
    layout: str | None = None,
    two_up: bool = False,
    preview: bool = False,
    progress: Progress | None = None,
) -> Rendered:
    """Write one printable document (``Printable.kind``/``ref``) as a PDF to ``out``.

    ``layout`` None means the notice's own layout. With ``preview`` a ballot batch is cut to its
    first few ballots. ``progress(done, total)`` is called during a ballot batch and may raise
    to stop it; nothing is left at ``out`` then.
    """
    chosen = layout or stored_layout(session, kind, ref)
    missing: list[str] = []
    text = ""
    warning = ""
    pages_in_full = None
    if kind == "notice":
        missing = printables.print_notice(session, data_dir, ref, out, chosen)
        if missing:
            notice = live(session, Notice, ref, "通知")
            text = "\n".join(
                (notice.title, notice.salutation, notice.body, notice.issuer, notice.image_caption)
            )
    elif kind == "ballots":
        if preview:
            pages_in_full = _ballot_preview(session, ref, out, two_up)
        else:
            # Written to a temporary file and renamed when complete: a stopped batch leaves
            # nothing behind (and keeps an earlier file of the same name).
            printables.print_ballots(session, ref, out, two_up=two_up, progress=progress)
    elif kind == "result":
        printables.print_result(session, ref, out)
    elif kind in ("meeting-notice", "sign-in", "minutes", "project"):
        printables.print_meeting_doc(session, data_dir, kind, ref, out, chosen or "a4")
        if kind == "meeting-notice":
            missing, warning, text = _meeting_notice_checks(session, ref)
    else:
        raise StoreError(f"不认识的文件种类“{kind}”")
    return Rendered(
        pages_in_full,
        chosen if kind in LAYOUT_KINDS else "",
        tuple(missing),
        warning,
        where_chars(text, missing),
    )


def _ballot_preview(session: Session, vote_id: str, out: Path, two_up: bool) -> int:
    """The first few ballots of the batch; returns how many ballots the whole batch has."""
    from xmen_desktop.printing.ballots import render_ballots

    batch = printables.ballot_batch(session, vote_id)
    total = len(batch.ballots)
    # Two-up: show two whole sheets.
    shown = batch.ballots[: PREVIEW_BALLOTS if two_up else PREVIEW_BALLOTS // 2]
    sample = dataclasses.replace(batch, ballots=shown)
    try:
        render_ballots(sample, out, two_up=two_up)
    except ValueError as error:
        raise StoreError(str(error)) from error
    except OSError as error:
        raise StoreError(f"无法写入预览文件：{error.strerror or error}") from error
    return total


def _meeting_notice_checks(session: Session, meeting_id: str) -> tuple[list[str], str, str]:
    from xmen_desktop.printing.meetings import meeting_notice
    from xmen_desktop.printing.notices import notice_missing_chars
    from xmen_desktop.store import meetings
    from xmen_desktop.store.models import Meeting

    doc = printables.meeting_notice_doc(session, meeting_id)
    missing = notice_missing_chars(meeting_notice(doc))
    warning = meetings.notice_check(live(session, Meeting, meeting_id, "会议"), today()) or ""
    text = "\n".join((doc.title, doc.place, doc.convener, *doc.agenda))
    return missing, warning, text


@dataclass(frozen=True)
class WatchRow:
    """A notice of the 公示提醒 panel, with the last day of its publicity period."""

    notice: NoticeRow
    ends_on: datetime.date | None


def publicity_watch(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> list[WatchRow]:
    """``notices.publicity_watch`` (running, ending soon, ended and still up), with end dates."""
    if estate_id is not None:
        require_estate(session, estate_id)
    from xmen_desktop.store import notices

    rows = notices.publicity_watch(session, estate_id, on=on)
    ends = dict(
        session.exec(
            select(Notice.id, Notice.publicity_to).where(col(Notice.id).in_([r.id for r in rows]))
        ).all()
    )
    return [WatchRow(row, ends.get(row.id)) for row in rows]
