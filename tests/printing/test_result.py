from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pypdf

from tests.printing import samples
from tests.printing.test_ballots import font_report
from xmen_desktop.printing.result import outcome_words, render_result


def render(notice) -> bytes:
    out = io.BytesIO()
    render_result(notice, out)
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in document.pages))


def outcome_shown(text: str, outcome: str) -> bool:
    """表决结果：通过 (the lead and the large word sit on one baseline at two sizes, so text
    extraction may give them in either order)."""
    return f"表决结果：{outcome}" in text or f"{outcome}表决结果：" in text


def passed_art278():
    # 120 households; 90 take part: 70 agree, 12 disagree, 5 abstain, 1 blank, 2 spoilt.
    choices = ["同意"] * 70 + ["不同意"] * 12 + ["弃权"] * 5 + [None]
    result = samples.tallied("art278", choices)
    notice = samples.notice_of(result)
    return notice


def test_the_notice_shows_outcome_counts_and_dates() -> None:
    notice = passed_art278()
    assert notice.passed
    text = text_of(render(notice))
    assert "表决结果公示" in text
    assert notice.vote_title in text
    assert re.sub(r"\s+", "", notice.question) in text
    assert notice.rule_name in text
    assert outcome_shown(text, "通过")
    for option, households, _area_centi in notice.counts:
        assert option in text
        assert f"{households}户" in text
    assert f"{notice.electorate_households}户" in text
    assert f"{notice.participated_households}户" in text
    assert f"{notice.not_returned_households}户" in text
    for word in ("空白票", "废票", "未交回", "待核实", "计票人", "监票人", "特此公示"):
        assert word in text
    assert "公示期：2025年3月20日至2025年3月26日" in text
    assert "2025年3月19日" in text  # issued on
    assert notice.home_name in text
    # Each threshold with its part, whole and what was needed.
    for _label, basis, part, whole, needed, _met in notice.checks:
        unit = "户" if basis == "headcount" else "㎡"
        for value in (part, whole, needed):
            shown = str(value) if basis == "headcount" else _area(value)
            assert f"{shown}{unit}" in text
    assert text.count("达到") >= len(notice.checks)


def _area(centi: int) -> str:
    whole, frac = divmod(centi, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") if frac else str(whole)


def test_areas_are_square_metres_with_two_decimals_at_most() -> None:
    notice = passed_art278()
    text = text_of(render(notice))
    assert _area(notice.electorate_area_centi) in text
    assert not re.search(r"\d\.\d{3}", text)


def test_a_failed_vote_says_why() -> None:
    result = samples.tallied("art278", ["同意"] * 50)  # 50 of 120 take part
    notice = samples.notice_of(result, title="关于加装电梯的表决", question="是否同意加装电梯？")
    assert not notice.passed
    headline, reason = outcome_words(notice)
    assert headline == "未通过" and "参加表决" in reason
    text = text_of(render(notice))
    assert outcome_shown(text, "未通过") and "未达到" in text


def test_a_custom_choice_names_the_winner() -> None:
    options = ("方案一：在3号门东侧建停车棚", "方案二：在弄堂口划线停放", "弃权")
    choices = [options[0]] * 20 + [options[1]] * 60 + [options[2]] * 5
    result = samples.tallied("residents", choices, options=options)
    assert result.winner == options[1]
    text = text_of(render(samples.notice_of(result, title="关于停放方案的选择")))
    assert outcome_shown(text, "通过")
    assert f"选定：“{options[1]}”" in text


def test_multi_page_notices_are_numbered_and_the_judgement_stays_together() -> None:
    pdf = render(passed_art278())
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = [re.sub(r"\s+", "", p.extract_text() or "") for p in document.pages]
    if len(pages) == 1:
        assert "第1页" not in pages[0]
        return
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in page
    last = pages[-1]
    for word in ("表决结果", "公示期", "计票人", "监票人", "盖章"):
        assert word in last
    assert "表决结果公示（续）" in last


def test_the_notice_is_deterministic_and_embeds_its_font(tmp_path: Path) -> None:
    notice = passed_art278()
    first = render(notice)
    assert render(notice) == first
    render_result(notice, tmp_path / "公示.pdf")
    assert (tmp_path / "公示.pdf").read_bytes() == first
    report = font_report(first)
    assert report
    for base_font, embedded in report:
        assert "WenQuanYi" in base_font and embedded and "STSong" not in base_font


def test_body_type_is_at_least_16_points_and_the_title_28() -> None:
    with pdfplumber.open(io.BytesIO(render(passed_art278()))) as document:
        chars = [c for page in document.pages for c in page.chars]
        heights = [page.height for page in document.pages]
    title = [c for c in chars if c["text"] in "公示" and round(c["size"], 2) >= 28]
    assert title
    # Small print only for the page furniture, the seal hint and who closed the vote.
    small = {c["text"] for c in chars if round(c["size"], 2) < 16}
    allowed = set("第页共（续）盖章表决截止确认：执委会王建国 0123456789") | set(
        "关于非机动车集中停放点设置的表决结果公示"
    )
    assert small <= allowed, small - allowed
    assert all(c["bottom"] <= heights[0] for c in chars)


def test_the_result_pdf_opens_as_a4() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(passed_art278())))
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
