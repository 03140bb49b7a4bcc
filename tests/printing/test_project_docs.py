from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pdfplumber
import pytest
from PIL import Image

from tests.printing.notice_corpus import photo
from tests.printing.test_meeting_docs import assert_fonts_embedded, page_texts
from xmen_desktop.domain.money import yuan
from xmen_desktop.printing.documents import ProjectProgressDoc
from xmen_desktop.printing.projects import budget_rows, render_project_progress, title_of

LINES = (
    ("车棚钢结构及顶棚", 3_800_000, 3_650_000),
    ("充电桩及线路", 1_200_000, 1_420_050),  # over by 2,200.50
    ("地面硬化", 600_000, 0),
    ("标识标牌", 50_000, 48_000),
)
MILESTONES = (
    ("方案公示及居民意见征询", dt.date(2026, 3, 31), 100, True, False),
    ("钢结构车棚施工", dt.date(2026, 4, 30), 80, False, False),
    ("充电桩安装及电力验收", dt.date(2026, 4, 20), 40, False, True),
    ("地面硬化、划线和标识标牌安装", dt.date(2026, 5, 20), 0, False, False),
)
DESCRIPTION = "根据居民议事大会决议，在3号门东侧空地建设非机动车棚一座，设充电桩6个。"


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 180, 180)).save(buffer, "PNG")
    return buffer.getvalue()


def project_doc(**changes: object) -> ProjectProgressDoc:
    doc = ProjectProgressDoc(
        home_name="小西门自治家园",
        estate_name="小西门",
        project_title="弄堂口非机动车棚改造",
        status_label="进行中",
        lead="王堃",
        funding_source="自治金",
        started_on=dt.date(2026, 3, 20),
        description=DESCRIPTION,
        budget_lines=LINES,
        unassigned_spent_fen=35_000,
        milestones=MILESTONES,
        progress_percent=55,
        log_entries=(
            (dt.date(2026, 4, 25), "充电桩已到货6个，等待供电所验收排期。"),
            (dt.date(2026, 4, 12), "车棚钢结构主体完工。"),
        ),
        photos=(photo(), photo(1000, 1400), png(800, 600), photo(1200, 900)),
        issuer="小西门自治家园执行委员会",
        issued_on=dt.date(2026, 4, 28),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def render(doc: ProjectProgressDoc) -> bytes:
    out = io.BytesIO()
    render_project_progress(doc, out)
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    return "".join(page_texts(pdf))


def test_the_notice_says_what_the_project_is() -> None:
    text = text_of(render(project_doc()))
    assert title_of(project_doc()) == "弄堂口非机动车棚改造项目进展公示"
    for piece in (
        "弄堂口非机动车棚改造项目进展公示",
        "所在小区：小西门",
        "项目状态：进行中",
        "负责人：王堃",
        "资金来源：自治金",
        "启动日期：2026年3月20日",
        DESCRIPTION,
        "小西门自治家园执行委员会",
        "2026年4月28日",
    ):
        assert piece in text, piece


def test_budget_spent_and_remaining_in_yuan_with_the_overspent_line_marked() -> None:
    text = text_of(render(project_doc()))
    for head in ("预算项目", "预算（元）", "已支出（元）", "结余（元）"):
        assert head in text
    for item, budget, spent in LINES:
        assert item in text
        assert yuan(budget) in text and yuan(spent) in text
        if spent <= budget:
            assert yuan(budget - spent) in text
    assert "超支2,200.50" in text  # the line over budget, in its 结余 cell
    assert "“充电桩及线路”超支2,200.50元" in text  # and said in words under the table
    # Spending booked to no line, and the totals (56,500.00 budgeted, 51,530.50 spent).
    assert "未列入预算项目的支出" in text and yuan(35_000) in text
    assert "合计56,500.00" in text and "51,530.50" in text and "4,969.50" in text
    assert "项目总支出超出" not in text


def test_an_overspent_total_is_marked_and_tinted() -> None:
    doc = project_doc(budget_lines=(("车棚", 1_000_000, 1_150_000),), unassigned_spent_fen=0)
    rows = budget_rows(doc)
    assert rows[-1].total and rows[-1].over and rows[-1].remaining == "超支 1,500.00"
    pdf = render(doc)
    text = text_of(pdf)
    assert text.count("超支1,500.00") == 3  # the line and the total, and the line in words
    assert "项目总支出超出总预算1,500.00元" in text
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        over = [c for c in page.chars if c["text"] == "超" and c["size"] >= 14]
        # Darker than the header shade, so that it still shows on a black-and-white laser.
        tinted = [r for r in page.rects if r["fill"] and _grey(r["non_stroking_color"]) < 0.85]
        inside = [c for c in over if any(_contains(r, c) for r in tinted)]
    assert len(inside) >= 2, "each 超支 sits in a tinted cell"


def _grey(colour: object) -> float:
    values = list(colour) if isinstance(colour, (list, tuple)) else [colour]
    return sum(float(v) for v in values) / len(values) if values else 1.0


def _contains(rect: dict, char: dict) -> bool:
    return (
        rect["x0"] <= char["x0"]
        and char["x1"] <= rect["x1"]
        and rect["top"] <= char["top"]
        and char["bottom"] <= rect["bottom"]
    )


def test_no_overspending_no_over_word() -> None:
    doc = project_doc(budget_lines=(("车棚", 1_000_000, 400_000),), unassigned_spent_fen=0)
    text = text_of(render(doc))
    assert "超支" not in text
    assert "结余6,000.00元" in text or "6,000.00" in text
    assert "占预算的40%" in text


def test_the_progress_chart_shows_every_milestone_and_the_overall_bar() -> None:
    pdf = render(project_doc())
    text = text_of(pdf)
    assert "总体进度55%" in text
    for title, due_on, progress, _done, _overdue in MILESTONES:
        assert title in text
        assert f"{progress}%" in text
        assert f"计划完成：{due_on.year}年{due_on.month}月{due_on.day}日" in text
    assert "逾期" in text and "已完成" in text
    assert "斜线部分：逾期未完成" in text
    # No milestone overdue: no tag, no legend.
    calm = tuple((t, d, p, done, False) for t, d, p, done, _ in MILESTONES)
    text = text_of(render(project_doc(milestones=calm)))
    assert "逾期" not in text


def test_up_to_four_photos_are_printed_and_more_are_refused() -> None:
    pdf = render(project_doc())
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        images = [image for page in document.pages for image in page.images]
    assert len(images) == 4
    for image in images:  # scaled to fit the column
        assert image["x0"] >= 20 * 72 / 25.4 - 1
        assert image["x1"] <= (210 - 20) * 72 / 25.4 + 1
    with pytest.raises(ValueError, match="最多"):
        render(project_doc(photos=(photo(),) * 5))
    with pytest.raises(ValueError, match="图片"):
        render(project_doc(photos=(b"not a picture",)))


def test_the_log_and_the_sizes() -> None:
    pdf = render(project_doc())
    text = text_of(pdf)
    assert "近期工作" in text
    assert "4月25日充电桩已到货6个，等待供电所验收排期。" in text
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            height = page.height
            body = [
                c
                for c in page.chars
                # leave out the running head and the page footer in the margins
                if 20 * 72 / 25.4 < c["top"] < height - 20 * 72 / 25.4 and not c["text"].isspace()
            ]
            assert min(c["size"] for c in body) >= 14 - 0.01  # tables, chart notes, the home's name
        description = [c for c in document.pages[0].chars if c["text"] in "根据决议空地建设"]
        assert min(c["size"] for c in description) >= 16 - 0.01
    pages = page_texts(pdf)
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in page


def test_the_issuer_never_stands_alone_on_a_sheet() -> None:
    for photos in ((), (photo(),), (photo(), photo()), (photo(),) * 4):
        pages = page_texts(render(project_doc(photos=photos)))
        last = pages[-1]
        assert "小西门自治家园执行委员会2026年4月28日" in last.replace("反映。", "")
        assert "以上情况特此公示" in last
        assert len(last) > 80, "the last sheet carries more than the closing words"


def test_an_empty_project_still_prints() -> None:
    doc = project_doc(
        budget_lines=(), unassigned_spent_fen=0, milestones=(), log_entries=(), photos=()
    )
    text = text_of(render(doc))
    assert "本项目暂无预算和支出。" in text
    assert "尚未设定项目节点。" in text
    assert "总体进度55%" in text


def test_fonts_are_embedded_and_a_reprint_is_byte_identical() -> None:
    first = render(project_doc())
    assert render(project_doc()) == first
    assert_fonts_embedded(first)
