"""个人信息查询结果 as a PDF: everything in it, readable back, fonts embedded, long cells split."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from tests.store.test_personal_data import ADDRESS, GRANDSON, SPOUSE, TENANT, fill_household
from xmen_desktop.printing.fonts import hei_font
from xmen_desktop.printing.notices import _measure, _Style
from xmen_desktop.printing.subject import CELL_PADDING, column_widths, subject_pdf, table_size
from xmen_desktop.store import subject
from xmen_desktop.store.database import Store
from xmen_desktop.store.subject import Section, SubjectReport


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render(report: SubjectReport) -> bytes:
    out = io.BytesIO()
    subject_pdf(report, out)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


@pytest.fixture
def report(store: Store) -> SubjectReport:
    with store.write() as session:
        ids = fill_household(session)
    with store.write() as session:
        return subject.household_report(session, ids.household)


def small_report(*sections: Section) -> SubjectReport:
    return SubjectReport(
        kind="household",
        subject_id="0" * 36,
        name="张桂英",
        address="尚文路 133 弄 1 号 101 室",
        estate_name="小西门",
        produced_at="2026-03-01 10:20",
        produced_by="王丽",
        site_name="小西门居委会",
        sections=sections,
    )


def test_the_pdf_holds_the_person_the_address_and_every_section(report: SubjectReport) -> None:
    pdf = render(report)
    texts = page_texts(pdf)
    flat = squeeze("".join(texts))
    assert "个人信息查询结果" in squeeze(texts[0])
    assert TENANT in squeeze(texts[0]) and squeeze(ADDRESS) in squeeze(texts[0])
    for number, section in enumerate(report.sections, start=1):
        assert f"{'一二三四五六七八九十'[number - 1]}、{section.title}" in flat
        assert squeeze("".join(section.headers)) in flat or all(h in flat for h in section.headers)
    # The data itself, a rare character of a name included (drawn from the other face).
    for held in (SPOUSE, GRANDSON, "13987651234", "电梯太慢了", "委托到会", "楼道整治"):
        assert held in flat, held
    assert "可以要求删除" in flat
    # Later sheets say what they continue, and every sheet is numbered.
    assert len(texts) > 1
    assert "个人信息查询结果（续）" in squeeze(texts[1])
    assert f"第1页共{len(texts)}页" in squeeze(texts[0])


def font_report(pdf: bytes) -> list[tuple[str, bool]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, bool]] = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_only_the_bundled_fonts_are_used_and_they_are_embedded(report: SubjectReport) -> None:
    fonts = font_report(render(report))
    assert fonts
    for name, embedded in fonts:
        assert ("WenQuanYi" in name or "UMing" in name) and embedded, name
        assert "Helvetica" not in name and "STSong" not in name


def test_pdffonts_agrees_when_it_is_installed(report: SubjectReport, tmp_path: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "个人信息.pdf"
    subject_pdf(report, path)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert ("WenQuanYi" in row or "UMing" in row) and " yes yes " in row, row


def test_a_reprint_is_identical_and_a_path_is_written_whole(
    report: SubjectReport, tmp_path: Path
) -> None:
    first = render(report)
    assert render(report) == first
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "a.pdf"
    path.write_bytes(b"an older export")
    subject_pdf(report, path)
    assert path.read_bytes() == first
    assert [p.name for p in folder.iterdir()] == ["a.pdf"]


def test_an_empty_section_says_so() -> None:
    pdf = render(small_report(Section("家庭成员", ("姓名", "电话"), ())))
    flat = squeeze("".join(page_texts(pdf)))
    assert "一、家庭成员" in flat and "没有记录。" in flat


def test_a_very_long_cell_continues_on_the_next_sheet() -> None:
    said = "楼道里的灯坏了很久，晚上上下楼很不方便，希望尽快修好。" * 120
    long = Section("征询记录", ("议题", "所说的话"), (("楼道灯", said),))
    pdf = render(small_report(long))
    texts = page_texts(pdf)
    assert len(texts) >= 3
    # Without what every sheet repeats (running head, table header, page number), the text
    # runs on from sheet to sheet with nothing lost.
    kept = [
        line
        for text in texts
        for line in text.splitlines()
        if not line.startswith("个人信息查询结果（续）")
        and squeeze(line) != "议题所说的话"
        and not re.fullmatch(r"第 \d+ 页 共 \d+ 页", line.strip())
    ]
    assert squeeze("".join(kept)).count("希望尽快修好") == 120


def test_wide_tables_fit_the_sheet_and_narrow_columns_keep_their_width() -> None:
    width = 170 * 2.8346  # the frame of an A4 sheet in points, about
    wide = Section(
        "修改记录",
        ("时间", "操作员", "电脑", "记录", "操作", "改动的内容"),
        (("2026-03-01 10:20", "王丽", "小西门居委会", "家庭成员 李守拙", "修改", "电话、" * 30),),
    )
    size = table_size(len(wide.headers))
    assert size >= 13
    widths = column_widths(wide, width, size)
    assert sum(widths) == pytest.approx(width)
    assert widths[4] < widths[5]  # 操作 keeps its narrow width; the long text takes the rest
    # The time keeps its date on one line.
    date = _measure("2026-03-01", _Style(hei_font(), size, bold=True))
    assert widths[0] >= date + 2 * CELL_PADDING
    few = Section("基本信息", ("项目", "内容"), (("承租人", "张桂英"),))
    assert table_size(2) == 16
    assert sum(column_widths(few, width, 16)) == pytest.approx(width)


def test_a_report_with_a_missing_character_prints_a_mark_not_a_box() -> None:
    rare = replace(small_report(Section("家庭成员", ("姓名",), (("王\U00030000",),))), name="王𰀀")
    flat = squeeze("".join(page_texts(render(rare))))
    assert "〓" in flat
