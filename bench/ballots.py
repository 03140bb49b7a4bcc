"""How long 2,000 ballots take: ``render_ballots`` against a bare reportlab canvas.

The bare canvas draws exactly the same content, page by page, with plain canvas calls:
every text line of the ballot (the same strings, fonts, sizes and positions, taken from the
renderer's own layout so that nothing differs), every line and tick box, and the QR code —
once through the same segno path as ``render_ballots`` and once through reportlab's own
``reportlab.graphics.barcode.qr.QrCode`` drawn with ``drawOn``. What it lacks is what the
renderer adds: the shared part of the page drawn once as a Form XObject and placed by
reference. Both write with the same stream settings (zlib, no ASCII85).

    .venv/bin/python bench/ballots.py [--count 2000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
import uuid
from collections.abc import Callable

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from xmen_desktop.domain.serials import make_serial
from xmen_desktop.domain.votes import RULES
from xmen_desktop.printing import theme
from xmen_desktop.printing.ballots import A4_BALLOT, A5_BALLOT, _draw_cut_line, _Layout
from xmen_desktop.printing.documents import BallotBatch, BallotSheet
from xmen_desktop.printing.fonts import cjk_font
from xmen_desktop.printing.qr import draw_qr, encode
from xmen_desktop.printing.text import fit

NAMES = ("张喆", "王堃", "李昇", "陈赟", "赵珺", "欧阳建国", "孙秀英", "周美华")


def sample_batch(count: int) -> BallotBatch:
    vote = str(uuid.UUID(int=20250301))
    sheets = tuple(
        BallotSheet(
            make_serial(vote, n),
            n,
            f"复兴东路{1200 + n % 40}弄{n % 12 + 1}号{(n % 6 + 1) * 100 + n % 4 + 1}室",
            NAMES[n % len(NAMES)],
        )
        for n in range(1, count + 1)
    )
    return BallotBatch(
        estate_name="小西门",
        home_name="小西门自治家园",
        vote_title="关于非机动车集中停放点设置的表决",
        question="是否同意在小区3号门东侧空地设置非机动车集中停放点（含充电桩6个），"
        "建成后小区内不再允许在楼道和弄堂停放、充电电动自行车？",
        options=("同意", "不同意", "弃权"),
        rule_lines=tuple(RULES["art278"].explain()),
        return_place="小西门居委会（复兴东路 1234 弄 1 号）",
        return_by=dt.date(2025, 3, 15),
        ballots=sheets,
    )


# ----------------------------------------------------------------- the bare canvas


def _bare_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    align: str,
    bold: bool,
    font: str,
) -> None:
    canvas.setFont(font, size)
    if not bold:
        {"center": canvas.drawCentredString, "right": canvas.drawRightString}.get(
            align, canvas.drawString
        )(x, y, text)
        return
    # The same synthetic bold as the renderer: fill, then stroke the outline.
    width = canvas.stringWidth(text, font, size)
    x -= {"center": width / 2, "right": width}.get(align, 0.0)
    canvas.setLineWidth(theme.bold_stroke(size))
    obj = canvas.beginText(x, y)
    obj.setFont(font, size)
    obj.setTextRenderMode(2)
    obj.textOut(text)
    obj.setTextRenderMode(0)
    canvas.drawText(obj)


QrDrawer = Callable[[Canvas, str, float, float, float], None]


def segno_qr(canvas: Canvas, serial: str, x: float, y: float, size: float) -> None:
    draw_qr(canvas, encode(serial), x, y, size)


def reportlab_qr(canvas: Canvas, serial: str, x: float, y: float, size: float) -> None:
    # QrCode's own border is the quiet zone: ask for the whole footprint.
    modules = 21 + 2 * 4
    outer = size * modules / 21
    margin = (outer - size) / 2
    QrCode(serial, width=outer, height=outer, qrLevel="M", qrBorder=4).drawOn(
        canvas, x - margin, y - margin
    )


def _bare_ballot(canvas: Canvas, layout: _Layout, sheet: BallotSheet, qr: QrDrawer) -> None:
    font = cjk_font()
    for line in layout.lines:
        canvas.setLineWidth(line.width)
        canvas.setStrokeColor(line.color)
        canvas.setDash(list(line.dash) if line.dash else [])
        canvas.line(line.x1, line.y1, line.x2, line.y2)
    canvas.setDash([])
    canvas.setStrokeColor(theme.INK)
    for rect in layout.rects:
        canvas.setLineWidth(rect.line_width)
        canvas.rect(rect.x, rect.y, rect.width, rect.height, stroke=1, fill=0)
    for t in layout.texts:
        canvas.setFillColor(t.color)
        _bare_text(canvas, t.x, t.y, t.text, t.size, t.align, t.bold, font)
    # The per-ballot fields, with the same measuring as the renderer.
    s = layout.fmt.scale
    canvas.setFillColor(theme.INK)
    x, y = layout.anchors["number"]
    _bare_text(canvas, x, y, f"第 {sheet.number} 号", 18 * s, "right", False, font)
    x, y = layout.anchors["address"]
    size = layout.field_size
    address = fit(
        sheet.household_address,
        font,
        size=size,
        min_size=size * 0.7,
        width=layout.value_width,
        height=size * 1.45 * 2,
    )
    for i, text in enumerate(address.lines[:2]):
        _bare_text(canvas, x, y - size * 1.45 * i, text, address.size, "left", False, font)
    x, y = layout.anchors["tenant"]
    _bare_text(canvas, x, y, sheet.tenant, size, "left", True, font)
    x, y = layout.anchors["serial"]
    _bare_text(canvas, x, y, sheet.serial, 22 * s, "left", True, font)
    x, y = layout.anchors["qr"]
    qr(canvas, sheet.serial, x, y, layout.fmt.qr)


def bare_canvas(batch: BallotBatch, out: io.BytesIO, *, two_up: bool, qr: QrDrawer) -> None:
    fmt = A5_BALLOT if two_up else A4_BALLOT
    layout = _Layout(batch, fmt)  # measuring once is not what is being compared
    pagesize = landscape(A4) if two_up else A4
    canvas = Canvas(out, pagesize=pagesize, invariant=1, initialFontName=cjk_font())
    per_page = 2 if two_up else 1
    for start in range(0, len(batch.ballots), per_page):
        if two_up:
            _draw_cut_line(canvas, pagesize[0] / 2, pagesize[1], cjk_font())
        for slot, sheet in enumerate(batch.ballots[start : start + per_page]):
            canvas.saveState()
            canvas.translate(fmt.width * slot, 0)
            _bare_ballot(canvas, layout, sheet, qr)
            canvas.restoreState()
        canvas.showPage()
    canvas.save()


# ----------------------------------------------------------------- timing


def timed(run: Callable[[io.BytesIO], None], repeat: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(repeat):
        out = io.BytesIO()
        start = time.perf_counter()
        run(out)
        best = min(best, time.perf_counter() - start)
        size = out.tell()
    return best, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="report the best of N runs")
    args = parser.parse_args(argv)
    from xmen_desktop.printing.ballots import render_ballots

    batch = sample_batch(args.count)
    cjk_font()  # loading the font (~0.1 s, once per process) is not part of any run
    print(f"{args.count} ballots, best of {args.repeat}; times in seconds, sizes in MB")
    print(
        f"{'layout':<8}{'render_ballots':>16}{'bare+segno':>14}{'ratio':>8}"
        f"{'bare+rl QrCode':>17}{'ratio':>8}"
    )
    for two_up in (False, True):
        ours, ours_size = timed(
            lambda out, t=two_up: render_ballots(batch, out, two_up=t), args.repeat
        )
        with theme.binary_streams():
            bare, bare_size = timed(
                lambda out, t=two_up: bare_canvas(batch, out, two_up=t, qr=segno_qr), args.repeat
            )
            rl, rl_size = timed(
                lambda out, t=two_up: bare_canvas(batch, out, two_up=t, qr=reportlab_qr),
                args.repeat,
            )
        name = "A5×2" if two_up else "A4"
        print(
            f"{name:<8}{ours:>9.2f} ({ours_size / 1e6:.1f}){bare:>8.2f} ({bare_size / 1e6:.1f})"
            f"{ours / bare:>7.2f}×{rl:>10.2f} ({rl_size / 1e6:.1f}){ours / rl:>7.2f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
