"""Ballot batches and result notices as the store would fill them, for the printing tests."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pypdfium2
import zxingcpp

from xmen_desktop.domain.serials import make_serial
from xmen_desktop.domain.votes import DEFAULT_OPTIONS, RULES, Ballot, Result, Voter, tally
from xmen_desktop.printing.documents import BallotBatch, BallotSheet, ResultNotice

VOTE_ID = str(uuid.UUID(int=20250301))
# Rare characters in real tenants' names, which a small CJK font would lack.
RARE_NAMES = ("张喆", "王堃", "李昇", "陈赟", "赵珺")
QUESTION = (
    "是否同意在小区3号门东侧空地设置非机动车集中停放点（含充电桩6个），"
    "建成后小区内不再允许在楼道和弄堂停放、充电电动自行车？"
)


def sheets(count: int) -> tuple[BallotSheet, ...]:
    return tuple(
        BallotSheet(
            serial=make_serial(VOTE_ID, n),
            number=n,
            household_address=f"复兴东路{1200 + n}弄{n % 9 + 1}号{(n % 6 + 1) * 100 + 1}室",
            tenant=RARE_NAMES[(n - 1) % len(RARE_NAMES)],
        )
        for n in range(1, count + 1)
    )


def batch(
    count: int = 5,
    *,
    question: str = QUESTION,
    options: tuple[str, ...] = DEFAULT_OPTIONS,
    return_by: dt.date | None = dt.date(2025, 3, 15),
) -> BallotBatch:
    return BallotBatch(
        estate_name="小西门",
        home_name="小西门自治家园",
        vote_title="关于非机动车集中停放点设置的表决",
        question=question,
        options=options,
        rule_lines=tuple(RULES["art278"].explain()),
        return_place="小西门居委会（复兴东路 1234 弄 1 号）",
        return_by=return_by,
        ballots=sheets(count),
    )


def notice_of(
    result: Result, *, title: str = "关于非机动车集中停放点设置的表决", question: str = QUESTION
) -> ResultNotice:
    """What the store will do: copy a domain Result into the printing layer's plain record."""
    checks = tuple(
        (c.label, c.basis, c.part, c.whole, c.needed, c.met)
        for c in result.participation_checks + result.passing_checks
    )
    return ResultNotice(
        estate_name="小西门",
        home_name="小西门自治家园",
        vote_title=title,
        question=question,
        rule_name=result.rule.name,
        rule_source=result.rule.source,
        rule_lines=tuple(result.rule.explain()),
        electorate_households=result.electorate.households,
        electorate_area_centi=result.electorate.area_centi,
        participated_households=result.participated.households,
        participated_area_centi=result.participated.area_centi,
        counts=tuple(
            (o, result.counts[o].households, result.counts[o].area_centi) for o in result.options
        ),
        blank_households=result.blank.households,
        spoilt_households=result.spoilt.households,
        not_returned_households=result.not_returned.households,
        in_review_households=result.in_review.households,
        checks=checks,
        participation_met=result.participation_met,
        passed=result.passed,
        winner=result.winner,
        publicity_from=dt.date(2025, 3, 20),
        publicity_to=dt.date(2025, 3, 26),
        issued_on=dt.date(2025, 3, 19),
        closed_by="执委会 王建国",
    )


def voters(count: int = 120) -> list[Voter]:
    # Areas from 30.00 to 69.99 m², so area totals differ from headcounts.
    return [Voter(f"h{i}", 3000 + (i * 37) % 4000) for i in range(count)]


def tallied(
    rule: str,
    choices: list[str | None],
    *,
    options: tuple[str, ...] = DEFAULT_OPTIONS,
    count: int = 120,
) -> Result:
    ballots = [Ballot(f"h{i}", choice=c, blank=c is None) for i, c in enumerate(choices)]
    return tally(RULES[rule], options, voters(count), ballots)


def decode_qr_codes(pdf: bytes, page: int = 0, dpi: int = 200) -> list[zxingcpp.Barcode]:
    """Rasterise a page as a printer would and read every QR code on it."""
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        image = document[page].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        document.close()
    return [
        code
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]
