"""Build the printing layer's documents from stored records (printing never reads the store)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from xmen_desktop.domain.estates import estate_by_name_or_code
from xmen_desktop.printing.documents import BallotBatch, BallotSheet, NoticeDoc, ResultNotice
from xmen_desktop.store import votes
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


KIND_LABELS = {"notice": "通知公告", "ballots": "表决票", "result": "表决结果公示"}


def printable_list(session: Session, estate_id: str | None = None) -> list[Printable]:
    """Everything printable (for one estate, or the whole subdistrict), newest first."""
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
    return sorted(found, key=lambda p: p.date or datetime.date.min, reverse=True)
