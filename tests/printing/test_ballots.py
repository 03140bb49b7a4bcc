from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from reportlab.lib.units import mm

from tests.printing import samples
from xmen_desktop.printing.ballots import BallotLayoutError, render_ballots


def render(batch=None, **kwargs) -> bytes:
    out = io.BytesIO()
    render_ballots(batch or samples.batch(), out, **kwargs)
    return out.getvalue()


def squeeze(text: str) -> str:
    """Page text without the line breaks and spaces that wrapping puts in."""
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


# ------------------------------------------------------------------- content


def test_each_page_is_one_households_ballot() -> None:
    batch = samples.batch(5)
    texts = page_texts(render(batch))
    assert len(texts) == 5
    for text, sheet in zip(texts, batch.ballots, strict=True):
        flat = squeeze(text)
        assert sheet.tenant in flat
        assert sheet.serial in flat
        assert squeeze(sheet.household_address) in flat
        assert f"第{sheet.number}号" in flat
        assert squeeze(batch.question) in flat
        assert batch.vote_title in flat
        assert "小西门自治家园" in flat and "表决票" in flat
        for option in batch.options:
            assert option in flat
        assert "承租人签名" in flat and "交回地点" in flat and "2025年3月15日" in flat
        assert squeeze(batch.rule_lines[0]) in flat


def test_rare_name_characters_survive_the_round_trip() -> None:
    flat = squeeze("".join(page_texts(render(samples.batch(5)))))
    for name in samples.RARE_NAMES:
        assert name in flat
    for char in "喆堃昇赟珺":
        assert char in flat


def test_without_a_deadline_the_ballot_just_says_where() -> None:
    flat = squeeze(page_texts(render(samples.batch(1, return_by=None)))[0])
    assert "交回地点" in flat and "截止日期" not in flat


def text_sizes(pdf: bytes, page: int = 0) -> dict[str, float]:
    """Each printed line (text → the smallest type size on it), lines grouped by baseline."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[page].chars
    lines: dict[float, list[dict]] = {}
    for char in chars:
        lines.setdefault(round(char["bottom"]), []).append(char)
    result = {}
    for row in lines.values():
        row.sort(key=lambda c: c["x0"])
        result[squeeze("".join(c["text"] for c in row))] = min(c["size"] for c in row)
    return result


def size_of(sizes: dict[str, float], fragment: str) -> float:
    return min(size for text, size in sizes.items() if fragment in text)


def test_type_is_large_where_residents_read_it() -> None:
    batch = samples.batch(1)
    sizes = text_sizes(render(batch))
    assert size_of(sizes, "表决票") >= 28
    assert size_of(sizes, "是否同意在小区") >= 20  # the question, large
    assert size_of(sizes, "不同意") >= 24
    assert size_of(sizes, batch.ballots[0].tenant) >= 16
    assert size_of(sizes, "填写说明") >= 16
    assert size_of(sizes, "交回地点") >= 16
    assert size_of(sizes, batch.ballots[0].serial) >= 20
    # Only the rule lines are small print.
    rules = squeeze("表决规则：" + "".join(batch.rule_lines))
    small = [text for text, size in sizes.items() if size < 16]
    assert small and all(text in rules for text in small), small


def test_tick_boxes_are_at_least_12_mm() -> None:
    for two_up, per_page in ((False, 1), (True, 2)):
        with pdfplumber.open(io.BytesIO(render(samples.batch(2), two_up=two_up))) as document:
            page = document.pages[0]
            boxes = [r for r in page.rects if r["width"] >= 12 * mm and r["height"] >= 12 * mm]
        assert len(boxes) == 3 * per_page
        for box in boxes:
            assert box["width"] == pytest.approx(box["height"], abs=0.1)


def test_long_custom_options_go_one_per_row() -> None:
    options = ("方案一：在3号门东侧空地建非机动车停车棚", "方案二：在弄堂口划线停放", "弃权")
    for two_up in (False, True):
        pdf = render(samples.batch(2, options=options), two_up=two_up)
        flat = squeeze(page_texts(pdf)[0])
        for option in options:
            assert squeeze(option) in flat


def test_a_long_question_shrinks_and_still_fits() -> None:
    question = samples.QUESTION * 3
    flat = squeeze(page_texts(render(samples.batch(1, question=question)))[0])
    assert squeeze(question) in flat
    with pdfplumber.open(io.BytesIO(render(samples.batch(1, question=question)))) as document:
        chars = [c for c in document.pages[0].chars if c["text"] == "停"]
    assert min(c["size"] for c in chars) >= 16
    assert all(0 < c["top"] < document.pages[0].height for c in chars)


def test_a_question_that_cannot_fit_is_refused_with_a_reason() -> None:
    with pytest.raises(BallotLayoutError, match="表决事项太长"):
        render(samples.batch(1, question=samples.QUESTION * 12))


def test_no_ballots_is_an_error_not_an_empty_pdf() -> None:
    with pytest.raises(ValueError, match="没有"):
        render(samples.batch(0))


# ------------------------------------------------------------------- layout


def test_one_a4_ballot_per_page() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(samples.batch(3))))
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


def test_two_up_puts_two_ballots_on_each_sheet() -> None:
    batch = samples.batch(5)
    pdf = render(batch, two_up=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    # Landscape A4: two A5 ballots side by side.
    assert float(reader.pages[0].mediabox.width) == pytest.approx(841.89, abs=0.5)
    texts = [squeeze(t) for t in page_texts(pdf)]
    pairs = [batch.ballots[0:2], batch.ballots[2:4], batch.ballots[4:5]]
    for text, pair in zip(texts, pairs, strict=True):
        assert text.count("表决票") == len(pair)
        for sheet in pair:
            assert sheet.serial in text and sheet.tenant in text
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        middle = page.width / 2
        left = squeeze(page.crop((0, 0, middle, page.height)).extract_text())
        right = squeeze(page.crop((middle, 0, page.width, page.height)).extract_text())
        # The cutting hint runs down the middle, one character under the other.
        strip = page.crop((middle - 8, 0, middle + 8, page.height)).chars
        dashed = [e for e in page.edges if abs(e["x0"] - middle) < 1 and e["height"] > 100]
    assert batch.ballots[0].serial in left and batch.ballots[1].serial in right
    assert "".join(c["text"] for c in sorted(strip, key=lambda c: c["top"])) == "沿虚线剪开"
    assert dashed, "no cutting line down the middle"


# ------------------------------------------------------------------- QR codes


def test_the_qr_code_scans_back_to_the_serial() -> None:
    batch = samples.batch(3)
    pdf = render(batch)
    for page, sheet in enumerate(batch.ballots):
        codes = samples.decode_qr_codes(pdf, page)
        assert [c.text for c in codes] == [sheet.serial]


def test_both_qr_codes_of_a_two_up_sheet_scan_and_are_big_enough() -> None:
    batch = samples.batch(2)
    dpi = 200
    codes = samples.decode_qr_codes(render(batch, two_up=True), dpi=dpi)
    assert sorted(c.text for c in codes) == sorted(s.serial for s in batch.ballots)
    for code in codes:
        corners = code.position
        side_px = corners.top_right.x - corners.top_left.x
        assert side_px / dpi * 25.4 >= 25 - 0.5  # mm, within a pixel of rasterising


def test_the_qr_code_is_at_least_25_mm_on_a4() -> None:
    dpi = 200
    (code,) = samples.decode_qr_codes(render(samples.batch(1)), dpi=dpi)
    assert (code.position.top_right.x - code.position.top_left.x) / dpi * 25.4 >= 25


# ------------------------------------------------------------------- fonts and bytes


def _fonts(reader: pypdf.PdfReader) -> list[pypdf.generic.DictionaryObject]:
    """Every font object in the file, wherever it is used (pages or forms)."""
    fonts = []
    for number in range(1, len(reader.xref_objStm) + 10_000):
        try:
            obj = reader.get_object(number)
        except Exception:
            break
        if isinstance(obj, pypdf.generic.DictionaryObject) and obj.get("/Type") == "/Font":
            fonts.append(obj)
    return fonts


def font_report(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) for each font in the file."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    report = []
    for font in _fonts(reader):
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        report.append((str(font["/BaseFont"]), embedded))
    return report


def test_the_cjk_font_is_embedded_and_nothing_else_is_needed() -> None:
    for two_up in (False, True):
        report = font_report(render(samples.batch(2), two_up=two_up))
        assert report, "no fonts found"
        for base_font, embedded in report:
            assert "WenQuanYi" in base_font
            assert embedded, base_font
            assert "STSong" not in base_font


def test_pdffonts_agrees_when_it_is_installed(tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "ballots.pdf"
    render_ballots(samples.batch(2), path)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert "WenQuanYi" in row and " yes yes " in row, row
    assert "STSong" not in listing


def test_a_reprint_is_byte_identical(tmp_path: Path) -> None:
    batch = samples.batch(4)
    first, second = render(batch), render(batch)
    assert first == second
    render_ballots(batch, tmp_path / "a.pdf", two_up=True)
    render_ballots(batch, tmp_path / "b.pdf", two_up=True)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    # A path gets the same bytes as a stream.
    render_ballots(batch, tmp_path / "c.pdf")
    assert (tmp_path / "c.pdf").read_bytes() == first


def test_a_different_batch_gives_different_bytes() -> None:
    assert render(samples.batch(2)) != render(samples.batch(3))


# ------------------------------------------------------------------- progress and files


def test_progress_is_reported_every_fifty_and_at_the_end() -> None:
    calls: list[tuple[int, int]] = []
    render(samples.batch(120), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(50, 120), (100, 120), (120, 120)]
    calls.clear()
    render(samples.batch(7), two_up=True, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(7, 7)]


def test_writing_to_a_path_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "票.pdf"
    render_ballots(samples.batch(2), target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["票.pdf"]


def test_a_cancelled_print_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "ballots.pdf"
    target.write_bytes(b"previous")

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        render_ballots(samples.batch(60), target, progress=cancel)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["ballots.pdf"]
