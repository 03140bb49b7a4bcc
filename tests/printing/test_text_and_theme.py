from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from xmen_desktop.printing import fonts
from xmen_desktop.printing.text import NO_LINE_END, NO_LINE_START, fit, wrap
from xmen_desktop.printing.theme import area_text, cn_date

FONT = fonts.cjk_font()


def test_closing_punctuation_never_starts_a_line_nor_opening_ends_one() -> None:
    text = "交回地点：小西门居委会（复兴东路 1234 弄 1 号），截止日期前交回。“同意”请打“√”。"
    for width in range(60, 400, 7):
        lines = wrap(text, FONT, 16, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines[1:]:
            assert line[0] not in NO_LINE_START, (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in NO_LINE_END, (width, lines)


def test_numbers_stay_whole() -> None:
    lines = wrap("复兴东路1234弄56号702室", FONT, 16, 16 * 5.5)
    assert any("1234" in line for line in lines)
    assert not any(line.endswith(("1", "12", "123")) for line in lines)


def test_a_number_longer_than_the_line_is_broken_rather_than_overflowing() -> None:
    lines = wrap("1" * 60, FONT, 16, 100)
    assert "".join(lines) == "1" * 60
    assert all(stringWidth(line, FONT, 16) <= 100 for line in lines)


def test_first_line_indent() -> None:
    text = "公示期内如有异议，请向小西门自治家园执行委员会提出。" * 2
    lines = wrap(text, FONT, 16, 300, indent=32)
    assert stringWidth(lines[0], FONT, 16) <= 300 - 32
    assert stringWidth(lines[1], FONT, 16) > 300 - 32


@given(st.text(alphabet="小西门自治家园表决票，。（）“”1234 abc", max_size=80))
def test_wrapping_loses_nothing_and_respects_the_width(text: str) -> None:
    lines = wrap(text, FONT, 16, 120)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        # A line may only overflow when one unbreakable piece is wider than the line.
        assert stringWidth(line, FONT, 16) <= 120 + 3 * 16


def test_fit_shrinks_only_when_needed() -> None:
    short = fit("同意", FONT, size=26, min_size=16, width=200, height=40)
    assert short.size == 26
    long = fit(
        "是否同意设置非机动车集中停放点" * 4, FONT, size=26, min_size=16, width=200, height=150
    )
    assert 16 <= long.size < 26
    assert long.height <= 150


def test_rare_name_characters_are_in_the_font() -> None:
    assert fonts.missing_chars("张喆 王堃 李昇 陈赟 赵珺 欧阳 复兴东路 ㎡ √ “”（）") == []
    assert fonts.missing_chars("😀") == ["😀"]


@pytest.mark.parametrize(
    ("centi", "text"),
    [(4550, "45.5"), (4500, "45"), (4555, "45.55"), (5, "0.05"), (0, "0"), (1234567, "12345.67")],
)
def test_area_is_printed_in_square_metres(centi: int, text: str) -> None:
    assert area_text(centi) == text


def test_dates_are_written_the_chinese_way() -> None:
    assert cn_date(dt.date(2025, 3, 1)) == "2025年3月1日"
    assert cn_date(dt.date(2025, 12, 31)) == "2025年12月31日"


def test_printing_needs_no_qt_and_no_database() -> None:
    code = (
        "import sys\n"
        "import xmen_desktop.printing.ballots, xmen_desktop.printing.result\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'sqlmodel')"
        " or m.startswith('xmen_desktop.store') or m.startswith('xmen_desktop.ui')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_documents_module_is_plain_data() -> None:
    code = (
        "import sys\n"
        "import xmen_desktop.printing.documents\n"
        "print([m for m in sys.modules if m.startswith('reportlab')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
