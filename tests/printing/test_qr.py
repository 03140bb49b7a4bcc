from __future__ import annotations

import io
import re

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tests.printing import samples
from xmen_desktop.printing.qr import QUIET_ZONE, draw_qr, encode, footprint


def test_a_serial_is_a_version_1_symbol_at_medium_correction() -> None:
    symbol = encode("250301-0042-7")
    assert symbol.modules == 21
    # Dark runs stay inside the symbol and never overlap.
    cells = set()
    for row, column, length in symbol.runs:
        assert 0 <= row < 21 and column >= 0 and column + length <= 21
        for x in range(column, column + length):
            assert (row, x) not in cells
            cells.add((row, x))


def test_non_ascii_payloads_are_refused() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        encode("小西门-0001")


def test_the_quiet_zone_is_four_modules() -> None:
    assert footprint(21.0, 21) == pytest.approx(21.0 + 2 * QUIET_ZONE)


def _one_page(draw) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1, pageCompression=0)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_the_symbol_is_one_path_filled_once_and_scans() -> None:
    serial = "250301-0042-7"
    pdf = _one_page(lambda c: draw_qr(c, serial, 60 * mm, 200 * mm, 30 * mm))
    content = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode()
    rectangles = re.findall(r"\bre\b", content)
    fills = re.findall(r"(?:^|\s)(?:f\*?|F|B\*?|b\*?)(?=\s|$)", content)
    assert len(rectangles) == len(encode(serial).runs) > 20
    assert len(fills) == 1
    codes = samples.decode_qr_codes(pdf, dpi=150)
    assert [c.text for c in codes] == [serial]


def test_a_white_quiet_zone_can_be_painted_over_a_background() -> None:
    serial = "250301-0001-4"

    def draw(canvas: Canvas) -> None:
        canvas.setFillGray(0.55)
        canvas.rect(0, 0, 600, 850, stroke=0, fill=1)
        draw_qr(canvas, serial, 60 * mm, 200 * mm, 28 * mm, clear=True)

    assert [c.text for c in samples.decode_qr_codes(_one_page(draw), dpi=150)] == [serial]
