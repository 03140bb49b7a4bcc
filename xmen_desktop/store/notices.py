"""Notices for the lane noticeboard: the estates they cover, where they were posted, publicity."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from xmen_desktop.domain.ids import natural_id
from xmen_desktop.domain.notices import KINDS, Publicity, clean_notice, publicity
from xmen_desktop.domain.validation import clean_text, date_value
from xmen_desktop.store import attachments
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.common import clean, live, operator, revive, today, tombstone
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Estate, Notice, NoticeEstate, NoticePosting
from xmen_desktop.store.roster import list_estates, resolve_estate

ImageInput = tuple[bytes, str]  # (bytes, file name)


def resolve_estates(session: Session, names: Iterable[str]) -> list[str]:
    """Estate ids from names/ids; "all" (or 全部) means the whole subdistrict."""
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        raise StoreError("请选择这份通知涉及的小区（一个、几个，或全部）")
    if any(n.lower() == "all" or n in ("全部", "全街道") for n in wanted):
        return [e.id for e in list_estates(session)]
    return list(dict.fromkeys(resolve_estate(session, n).id for n in wanted))


def _set_estates(session: Session, notice: Notice, estate_ids: list[str]) -> None:
    current = {
        row.estate_id: row
        for row in session.exec(select(NoticeEstate).where(NoticeEstate.notice_id == notice.id))
    }
    for estate_id in estate_ids:
        row = current.get(estate_id)
        if row is None:
            row = NoticeEstate(
                id=natural_id("notice_estate", notice.id, estate_id),
                notice_id=notice.id,
                estate_id=estate_id,
            )
            session.add(row)
        revive(row)
    for estate_id, row in current.items():
        if estate_id not in estate_ids:
            tombstone(row)


def _attach_image(session: Session, data_dir: Path, notice: Notice, image: ImageInput) -> None:
    data, name = image
    original = attachments.add_attachment(session, data_dir, data, name=name)
    printable = attachments.printable_image(session, data_dir, original)
    notice.original_image_id = original.id
    notice.image_id = printable.id


def add_notice(
    session: Session,
    data_dir: Path,
    values: Mapping[str, object],
    estate_ids: list[str],
    image: ImageInput | None = None,
) -> Notice:
    if not estate_ids:
        raise StoreError("请选择这份通知涉及的小区")
    cleaned = clean(clean_notice, values, partial=False)
    cleaned["issued_on"] = cleaned.get("issued_on") or today()
    notice = Notice(**cleaned)  # type: ignore[arg-type]
    session.add(notice)
    session.flush()
    _set_estates(session, notice, estate_ids)
    if image is not None:
        _attach_image(session, data_dir, notice, image)
    session.flush()
    return notice


def update_notice(
    session: Session,
    data_dir: Path,
    notice_id: str,
    values: Mapping[str, object],
    estate_ids: list[str] | None = None,
    image: ImageInput | None = None,
) -> Notice:
    notice = live(session, Notice, notice_id, "通知")
    cleaned = clean(clean_notice, values, partial=True)
    start = cleaned.get("publicity_from", notice.publicity_from)
    end = cleaned.get("publicity_to", notice.publicity_to)
    if start and end and end < start:  # type: ignore[operator]
        raise StoreError("公示期的结束日期不能早于开始日期")
    for name, value in cleaned.items():
        setattr(notice, name, value)
    if estate_ids is not None:
        if not estate_ids:
            raise StoreError("请至少选择一个小区")
        _set_estates(session, notice, estate_ids)
    if image is not None:
        _attach_image(session, data_dir, notice, image)
    session.flush()
    return notice


def delete_notice(session: Session, notice_id: str) -> None:
    tombstone(live(session, Notice, notice_id, "通知"))
    session.flush()


def post_notice(
    session: Session,
    data_dir: Path,
    notice_id: str,
    *,
    board: str,
    posted_on: object = None,
    photo: ImageInput | None = None,
    notes: str = "",
) -> NoticePosting:
    """Record where and when the notice went up, by whom, optionally with a photo of it."""
    notice = live(session, Notice, notice_id, "通知")
    board = clean_text(board)
    if not board:
        raise StoreError("请写明贴在哪个宣传栏，例如“复兴东路 1234 弄 1 号门口宣传栏”")
    posting = NoticePosting(
        notice_id=notice.id,
        board=board,
        posted_on=date_value(posted_on, "posted_on") or today(),
        posted_by=operator(session),
        notes=clean_text(notes),
    )
    if photo is not None:
        posting.photo_id = attachments.add_attachment(session, data_dir, photo[0], name=photo[1]).id
    session.add(posting)
    session.flush()
    return posting


def take_down(session: Session, notice_id: str, on: object = None) -> Notice:
    notice = live(session, Notice, notice_id, "通知")
    notice.taken_down_on = date_value(on, "taken_down_on") or today()
    session.flush()
    return notice


@dataclass(frozen=True)
class NoticeRow:
    id: str
    kind: str
    title: str
    issuer: str
    issued_on: datetime.date
    estates: tuple[str, ...]
    publicity: Publicity
    postings: int

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "title": self.title,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat(),
            "estates": list(self.estates),
            "publicity": self.publicity.state,
            "publicity_label": self.publicity.label,
            "days_left": self.publicity.days_left,
            "postings": self.postings,
        }


def list_notices(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> list[NoticeRow]:
    if estate_id is not None:
        require_estate(session, estate_id)
    day = on or today()
    names = {e.id: e.name for e in list_estates(session)}
    covered: dict[str, list[str]] = defaultdict(list)
    for notice_id, estate_id_ in session.exec(
        select(NoticeEstate.notice_id, NoticeEstate.estate_id).where(NoticeEstate.cl % 2 == 1)
    ):
        covered[notice_id].append(estate_id_)
    postings: dict[str, int] = defaultdict(int)
    for notice_id in session.exec(
        select(NoticePosting.notice_id).where(NoticePosting.cl % 2 == 1)
    ).all():
        postings[notice_id] += 1
    rows = []
    for notice in session.exec(
        select(Notice)
        .where(Notice.cl % 2 == 1)
        .order_by(col(Notice.issued_on).desc(), col(Notice.title))
    ):
        estates = covered.get(notice.id, [])
        if estate_id and estate_id not in estates:
            continue
        order = list(names)
        labels = tuple(names[e] for e in sorted(estates, key=order.index) if e in names)
        rows.append(
            NoticeRow(
                notice.id,
                notice.kind,
                notice.title,
                notice.issuer,
                notice.issued_on,
                ("全街道",) if len(labels) == len(names) else labels,
                publicity(notice.publicity_from, notice.publicity_to, day, notice.taken_down_on),
                postings[notice.id],
            )
        )
    return rows


def publicity_watch(
    session: Session, estate_id: str | None = None, *, on: datetime.date | None = None
) -> list[NoticeRow]:
    """Notices whose period is running, ending within three days, or over and still up."""
    if estate_id is not None:
        require_estate(session, estate_id)
    order = {"ended": 0, "ending": 1, "running": 2}
    rows = [r for r in list_notices(session, estate_id, on=on) if r.publicity.needs_attention]
    return sorted(rows, key=lambda r: (order[r.publicity.state], r.publicity.days_left or 0))


def postings(session: Session, notice_id: str) -> list[NoticePosting]:
    return list(
        session.exec(
            select(NoticePosting)
            .where(NoticePosting.notice_id == notice_id, NoticePosting.cl % 2 == 1)
            .order_by(col(NoticePosting.posted_on))
        )
    )


def estate_names(session: Session, notice_id: str) -> list[str]:
    rows = session.exec(
        select(Estate.name)
        .join(NoticeEstate, col(NoticeEstate.estate_id) == col(Estate.id))
        .where(NoticeEstate.notice_id == notice_id, NoticeEstate.cl % 2 == 1)
        .order_by(col(Estate.position))
    ).all()
    return list(rows)
