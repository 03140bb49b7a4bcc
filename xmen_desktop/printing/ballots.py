"""Numbered paper ballots (表决票), one per household, each with a QR code of its serial.

Speed: an estate prints up to a few thousand ballots at once, on the office PC. Everything the
ballots of a vote share (headings, question, options, boxes, instructions, rules) is laid out
once, drawn once into a PDF Form XObject and placed on every page by reference; per ballot only
the number, address, tenant, serial and QR code are drawn. That makes the file small too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from xmen_desktop.printing import theme
from xmen_desktop.printing.documents import BallotBatch, BallotSheet
from xmen_desktop.printing.fonts import cjk_font
from xmen_desktop.printing.qr import QUIET_ZONE, draw_qr, encode, footprint
from xmen_desktop.printing.text import fit, wrap

Progress = Callable[[int, int], None]

PROGRESS_EVERY = 50

INSTRUCTION = (
    "填写说明：请在您选择的意见后面的方框内打“√”，只能选一项。"
    "选了多项或无法辨认的，算作废票；一项都没选的，算作空白票。"
)
CUT_HINT = "沿虚线剪开"


class BallotLayoutError(ValueError):
    """The shared text does not fit on one ballot; the message says what to shorten."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Format:
    """One ballot's paper and the sizes on it. Type scales with the paper; the tick boxes and
    the QR code do not shrink below what a pen and a cheap scanner need."""

    name: str
    width: float
    height: float
    margin: float
    scale: float  # type sizes relative to A4
    box: float  # tick box side (≥ 12 mm)
    qr: float  # QR symbol side, without its quiet zone (≥ 25 mm)
    small_min: float  # smallest type for the rule lines


A4_BALLOT = _Format("A4", *A4, margin=17 * mm, scale=1.0, box=15 * mm, qr=28 * mm, small_min=10)
A5_BALLOT = _Format(
    "A5", *A5, margin=9 * mm, scale=0.72, box=12.5 * mm, qr=25.5 * mm, small_min=8.5
)

# Type sizes on an A4 ballot (points).
HOME = 18.0
TITLE = 36.0
NUMBER = 18.0
VOTE_TITLE = 20.0
LABEL = 16.0
QUESTION = 26.0
OPTION = 26.0
OPTION_ROW = 22.0  # an option on a row of its own
INSTRUCTION_SIZE = 16.0
FIELD = 18.0
SERIAL = 22.0
RETURN = 16.0


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: float
    align: str = "left"
    bold: bool = False
    color: Color = theme.INK


@dataclass(frozen=True)
class _Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: Color = theme.LINE
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    width: float
    height: float
    line_width: float


@dataclass
class _Block:
    """A band of the ballot: its height and what it draws, relative to its top edge (0)."""

    height: float
    texts: list[_Text] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    rects: list[_Rect] = field(default_factory=list)
    # Where per-ballot values go (baseline or lower-left), by name.
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)


class _Layout:
    """Where everything goes on one ballot of ``batch`` in format ``fmt`` (origin lower-left)."""

    def __init__(self, batch: BallotBatch, fmt: _Format) -> None:
        self.font = cjk_font()
        self.fmt = fmt
        s = fmt.scale
        self.left = left = fmt.margin
        self.right = right = fmt.width - fmt.margin
        self.width = right - left
        self.texts: list[_Text] = []
        self.lines: list[_Line] = []
        self.rects: list[_Rect] = []
        self.anchors: dict[str, tuple[float, float]] = {}
        self.option_row_size = 0.0  # set when the options go one per row

        # --- the bottom half, anchored to the bottom margin, laid out first: fixed heights.
        rules = self._rules_block(batch.rule_lines)
        returning = self._return_block(batch)
        signature = self._signature_block()
        household = self._household_block()
        bottom = [household, signature, returning, rules]
        bottom_gaps = [10 * s, 8 * s, 10 * s]

        # --- the top half, flowing down from the top margin.
        header = self._header_block(batch.home_name)
        vote_title = self._vote_title_block(batch.vote_title)
        options = self._options_block(batch.options)
        instruction = self._paragraph_block(INSTRUCTION, INSTRUCTION_SIZE * s, theme.MUTED)
        min_gap = 10 * s
        fixed = (
            sum(b.height for b in bottom)
            + sum(bottom_gaps)
            + header.height
            + vote_title.height
            + options.height
            + instruction.height
            + 5 * min_gap  # four gaps in the top half, one (at least) between the halves
            + 14 * s  # the separator band above the household block
        )
        room = fmt.height - 2 * fmt.margin - fixed
        question = self._question_block(batch.question, room)
        if self.option_row_size and self.question_size < self.option_row_size:
            # Never set the options larger than the question they answer.
            narrower = max(self.question_size, INSTRUCTION_SIZE * s)
            options = self._options_block(batch.options, row_size=narrower)
        top = [header, vote_title, question, options, instruction]

        # Spare height loosens the top half a little; the rest stays above the household block.
        spare = room - question.height
        extra = min(max(spare, 0) / 6, 14 * s)
        y = fmt.height - fmt.margin
        for index, block in enumerate(top):
            self._place(block, y)
            y -= block.height + (min_gap + extra if index < len(top) - 1 else 0)
        y = fmt.margin
        for block, gap in zip(reversed(bottom), [0.0, *reversed(bottom_gaps)], strict=True):
            y += gap + block.height
            self._place(block, y)
        # A thin line over the household block: below it, everything is about this household.
        # It stops short of the QR code's quiet zone.
        separator_y = y + 7 * s
        self.lines.append(
            _Line(left, separator_y, self.qr_clear_left - 6 * s, separator_y, 0.6, theme.FAINT)
        )

    # ------------------------------------------------------------------ blocks

    def _place(self, block: _Block, top: float) -> None:
        self.texts.extend(
            _Text(t.x, top + t.y, t.text, t.size, t.align, t.bold, t.color) for t in block.texts
        )
        self.lines.extend(
            _Line(ln.x1, top + ln.y1, ln.x2, top + ln.y2, ln.width, ln.color, ln.dash)
            for ln in block.lines
        )
        self.rects.extend(
            _Rect(r.x, top + r.y, r.width, r.height, r.line_width) for r in block.rects
        )
        for name, (x, y) in block.anchors.items():
            self.anchors[name] = (x, top + y)

    def _header_block(self, home_name: str) -> _Block:
        s = self.fmt.scale
        block = _Block(0)
        home = fit(
            home_name,
            self.font,
            size=HOME * s,
            min_size=HOME * s * 0.7,
            width=self.width * 0.6,
            height=HOME * s * 1.4,
        )
        y = -home.size * 1.05
        block.texts.append(_Text(self.left + self.width / 2, y, home.lines[0], home.size, "center"))
        y -= TITLE * s * 1.15
        block.texts.append(
            _Text(self.left + self.width / 2, y, "表 决 票", TITLE * s, "center", bold=True)
        )
        # The ballot number sits at the right of the title line; drawn per ballot.
        block.anchors["number"] = (self.right, y)
        y -= TITLE * s * 0.4
        block.lines.append(_Line(self.left, y, self.right, y, 1.2 * s, theme.INK))
        block.height = -y
        return block

    def _vote_title_block(self, vote_title: str) -> _Block:
        s = self.fmt.scale
        fitted = fit(
            vote_title,
            self.font,
            size=VOTE_TITLE * s,
            min_size=LABEL * s,
            width=self.width,
            height=VOTE_TITLE * s * 1.35 * 2,
        )
        block = _Block(fitted.height)
        for i, line in enumerate(fitted.lines):
            y = -fitted.leading * i - fitted.size * 1.05
            block.texts.append(
                _Text(self.left + self.width / 2, y, line, fitted.size, "center", bold=True)
            )
        return block

    def _question_block(self, question: str, room: float) -> _Block:
        s = self.fmt.scale
        label_height = LABEL * s * 1.6
        fitted = fit(
            question,
            self.font,
            size=QUESTION * s,
            min_size=LABEL * s,
            width=self.width - LABEL * s,
            height=room - label_height,
        )
        if fitted.height > room - label_height + 0.01:
            raise BallotLayoutError(
                "表决事项太长或选项太多，一张表决票印不下：请把表决事项写得简短些，详细说明另附公告"
            )
        self.question_size = fitted.size
        block = _Block(label_height + fitted.height)
        block.texts.append(
            _Text(self.left, -LABEL * s * 1.05, "表决事项：", LABEL * s, color=theme.MUTED)
        )
        for i, line in enumerate(fitted.lines):
            y = -label_height - fitted.leading * i - fitted.size * 1.0
            block.texts.append(_Text(self.left + LABEL * s, y, line, fitted.size))
        return block

    def _options_block(self, options: tuple[str, ...], row_size: float | None = None) -> _Block:
        s = self.fmt.scale
        box = self.fmt.box
        size = OPTION * s
        gap = size * 0.4
        label_widths = [stringWidth(o, self.font, size) for o in options]
        # One row, like the usual paper ballot, when every option fits its share of the line.
        cell = self.width / max(len(options), 1)
        if len(options) <= 4 and all(w + gap + box <= cell - size for w in label_widths):
            block = _Block(box + 4 * s)
            for i, (option, label_width) in enumerate(zip(options, label_widths, strict=True)):
                group = label_width + gap + box
                x = self.left + cell * i + (cell - group) / 2
                box_y = -box - 2 * s
                block.texts.append(_Text(x, box_y + box / 2 - size * 0.36, option, size))
                block.rects.append(_Rect(x + label_width + gap, box_y, box, box, 1.6 * s))
            return block
        # Otherwise one option per row, the box at the right end, a dotted leader between.
        # Such options are phrases (方案一：……): a size smaller keeps them on one line.
        size = row_size or OPTION_ROW * s
        gap = size * 0.4
        self.option_row_size = size
        block = _Block(0)
        y = 0.0
        label_width = self.width - box - 2 * gap
        for option in options:
            lines = wrap(option, self.font, size, label_width)
            text_height = len(lines) * size * 1.3
            row = max(box, text_height)
            box_y = y - (row + box) / 2
            text_top = y - (row - text_height) / 2
            for j, line in enumerate(lines):
                block.texts.append(
                    _Text(self.left, text_top - size * 1.3 * j - size * 1.05, line, size)
                )
            last_width = stringWidth(lines[-1], self.font, size)
            leader_y = text_top - size * 1.3 * (len(lines) - 1) - size * 1.05
            block.lines.append(
                _Line(
                    self.left + last_width + gap / 2,
                    leader_y,
                    self.right - box - gap / 2,
                    leader_y,
                    0.8 * s,
                    theme.FAINT,
                    (1, 3),
                )
            )
            block.rects.append(_Rect(self.right - box, box_y, box, box, 1.6 * s))
            y -= row + 9 * s  # a clear gap between boxes, so no tick lands between two
        block.height = -y - 9 * s
        return block

    def _paragraph_block(self, text: str, size: float, color: Color) -> _Block:
        lines = wrap(text, self.font, size, self.width)
        leading = size * 1.4
        block = _Block(leading * len(lines))
        for i, line in enumerate(lines):
            block.texts.append(
                _Text(self.left, -leading * i - size * 1.05, line, size, color=color)
            )
        return block

    def _household_block(self) -> _Block:
        """Labels only; the values (address, tenant, serial, QR) are drawn per ballot."""
        s = self.fmt.scale
        size = FIELD * s
        # A serial always fits a version 1 symbol (21 modules) at level M.
        quiet = (footprint(self.fmt.qr, 21) - self.fmt.qr) / 2
        labels = ("承租人：", "户　址：", "票　号：")
        label_width = max(stringWidth(label, self.font, size) for label in labels)
        leading = size * 1.45
        # The address gets two lines (the second usually empty), so it comes after the name.
        y_tenant = -size * 1.05
        y_address = y_tenant - leading
        y_serial = y_address - 2 * leading - SERIAL * s * 0.3
        text_height = -y_serial + SERIAL * s * 0.4
        # The QR code's top quiet zone reaches up into the blank band above the block.
        block = _Block(max(self.fmt.qr + quiet, text_height))
        for label, y in zip(labels, (y_tenant, y_address, y_serial), strict=True):
            block.texts.append(_Text(self.left, y, label, size, color=theme.MUTED))
        value_x = self.left + label_width
        # The QR code at the right margin (its quiet zone may use the blank margin); nothing
        # is drawn in its quiet zone, so a cheap scanner finds the symbol's edge.
        qr_x = self.right - self.fmt.qr
        self.qr_clear_left = qr_x - quiet
        self.value_width = qr_x - quiet - value_x - 4 * s
        self.field_size = size
        block.anchors.update(
            address=(value_x, y_address),
            tenant=(value_x, y_tenant),
            serial=(value_x, y_serial),
            qr=(qr_x, -self.fmt.qr),
        )
        return block

    def _signature_block(self) -> _Block:
        s = self.fmt.scale
        size = FIELD * s
        room_to_write = size * 1.6  # a signature is taller than print
        block = _Block(room_to_write + size * 0.5)
        y = -room_to_write
        x = self.left
        label = "承租人签名："
        block.texts.append(_Text(x, y, label, size))
        x += stringWidth(label, self.font, size)
        sign_end = self.left + self.width * 0.52
        block.lines.append(_Line(x, y - 3 * s, sign_end, y - 3 * s, 0.8 * s, theme.INK))
        x = sign_end + size
        label = "日期："
        block.texts.append(_Text(x, y, label, size))
        x += stringWidth(label, self.font, size)
        # ____年__月__日, each blank wide enough for handwriting.
        rest = self.right - x
        unit = stringWidth("年", self.font, size)
        blank = (rest - 3 * unit) / 5
        for word, widths in (("年", 2), ("月", 1.5), ("日", 1.5)):
            end = x + blank * widths
            block.lines.append(_Line(x, y - 3 * s, end, y - 3 * s, 0.8 * s, theme.INK))
            block.texts.append(_Text(end, y, word, size))
            x = end + unit
        return block

    def _return_block(self, batch: BallotBatch) -> _Block:
        s = self.fmt.scale
        size = RETURN * s
        leading = size * 1.4
        label = "交回地点："
        indent = stringWidth(label, self.font, size)
        place = wrap(batch.return_place, self.font, size, self.width - indent)
        block = _Block(0)
        y = -size * 1.05
        block.texts.append(_Text(self.left, y, label, size, bold=True))
        for i, line in enumerate(place):
            block.texts.append(_Text(self.left + indent, y - leading * i, line, size))
        y -= leading * len(place)
        if batch.return_by is not None:
            block.texts.append(_Text(self.left, y, "截止日期：", size, bold=True))
            block.texts.append(
                _Text(
                    self.left + indent,
                    y,
                    f"请于{theme.cn_date(batch.return_by)}前交回",
                    size,
                    bold=True,
                )
            )
            y -= leading
        block.height = -y - leading + size * 0.3
        return block

    def _rules_block(self, rule_lines: tuple[str, ...]) -> _Block:
        s = self.fmt.scale
        size = max(theme.SMALL * s, self.fmt.small_min)
        leading = size * 1.35
        # The heading sits beside the rules, not above them: every line counts on A5.
        heading = "表决规则："
        indent = stringWidth(heading, self.font, size)
        lines: list[str] = []
        for rule in rule_lines:
            lines.extend(wrap(rule, self.font, size, self.width - indent))
        block = _Block(6 * s + leading * max(len(lines), 1))
        block.lines.append(_Line(self.left, 0, self.right, 0, 0.5, theme.FAINT))
        block.texts.append(_Text(self.left, -6 * s - size * 1.05, heading, size, color=theme.MUTED))
        for i, line in enumerate(lines):
            y = -6 * s - leading * i - size * 1.05
            block.texts.append(_Text(self.left + indent, y, line, size, color=theme.MUTED))
        return block

    # ------------------------------------------------------------------ drawing

    def draw_constant(self, canvas: Canvas) -> None:
        for line in self.lines:
            canvas.setLineWidth(line.width)
            canvas.setStrokeColor(line.color)
            canvas.setDash(list(line.dash) if line.dash else [])
            canvas.line(line.x1, line.y1, line.x2, line.y2)
        canvas.setDash()
        canvas.setStrokeColor(theme.INK)
        for rect in self.rects:
            canvas.setLineWidth(rect.line_width)
            canvas.rect(rect.x, rect.y, rect.width, rect.height, stroke=1, fill=0)
        for t in self.texts:
            theme.draw_text(
                canvas,
                t.x,
                t.y,
                t.text,
                t.size,
                align=t.align,
                bold=t.bold,
                font=self.font,
                color=t.color,
            )

    def draw_variable(self, canvas: Canvas, sheet: BallotSheet) -> None:
        s = self.fmt.scale
        font = self.font
        x, y = self.anchors["number"]
        theme.draw_text(canvas, x, y, f"第 {sheet.number} 号", NUMBER * s, align="right", font=font)
        # Two lines for the address; shrink only if a long one needs it.
        x, y = self.anchors["address"]
        size = self.field_size
        address = fit(
            sheet.household_address,
            font,
            size=size,
            min_size=size * 0.7,
            width=self.value_width,
            height=size * 1.45 * 2,
        )
        for i, line in enumerate(address.lines[:2]):
            theme.draw_text(canvas, x, y - size * 1.45 * i, line, address.size, font=font)
        x, y = self.anchors["tenant"]
        tenant = fit(
            sheet.tenant,
            font,
            size=size,
            min_size=size * 0.6,
            width=self.value_width,
            height=size * 1.45,
        )
        theme.draw_text(canvas, x, y, tenant.lines[0], tenant.size, bold=True, font=font)
        x, y = self.anchors["serial"]
        theme.draw_text(canvas, x, y, sheet.serial, SERIAL * s, bold=True, font=font)
        x, y = self.anchors["qr"]
        draw_qr(canvas, encode(sheet.serial), x, y, self.fmt.qr, quiet_zone=QUIET_ZONE)


def _draw_cut_line(canvas: Canvas, x: float, height: float, font: str) -> None:
    """A dashed cutting line from edge to edge down the middle of the sheet, broken near the
    top for a pair of scissors and 沿虚线剪开 (one character under the other)."""
    size = 9.0
    pivot = height - 16 * mm  # where the blades cross
    loops_top = pivot + 6 + 2.6
    hint_top = pivot - 12
    hint_bottom = hint_top - len(CUT_HINT) * size * 1.15 - 3
    canvas.saveState()
    canvas.setStrokeColor(theme.LINE)
    canvas.setLineWidth(0.7)
    canvas.setDash(4, 3)
    canvas.line(x, height - 3 * mm, x, loops_top + 3)
    canvas.line(x, hint_bottom, x, 3 * mm)
    canvas.setDash([])
    # Scissors pointing down the line: two finger loops and two crossed blades.
    canvas.setLineWidth(1.0)
    canvas.circle(x - 3.2, pivot + 6, 2.6, stroke=1, fill=0)
    canvas.circle(x + 3.2, pivot + 6, 2.6, stroke=1, fill=0)
    canvas.setLineWidth(1.3)
    canvas.line(x - 2, pivot + 3.5, x + 2.4, pivot - 9)
    canvas.line(x + 2, pivot + 3.5, x - 2.4, pivot - 9)
    for i, char in enumerate(CUT_HINT):
        baseline = hint_top - size * 1.15 * (i + 1) + 2
        theme.draw_text(
            canvas, x, baseline, char, size, align="center", font=font, color=theme.MUTED
        )
    canvas.restoreState()


def render_ballots(
    batch: BallotBatch,
    out: Path | BinaryIO,
    *,
    two_up: bool = False,
    progress: Progress | None = None,
) -> None:
    """Write one ballot per household of ``batch`` as a PDF to ``out``.

    A4, one ballot per page; or ``two_up``: two A5 ballots side by side on each landscape A4
    sheet, with a dashed cutting line between them. ``progress(done, total)`` is called every
    ~50 ballots and at the end; it may raise to cancel, and a path is then left untouched.
    Raises BallotLayoutError when the question and options cannot fit on one ballot.
    """
    if not batch.ballots:
        raise ValueError("没有要打印的表决票")
    font = cjk_font()
    fmt = A5_BALLOT if two_up else A4_BALLOT
    layout = _Layout(batch, fmt)
    pagesize = landscape(A4) if two_up else A4
    total = len(batch.ballots)
    with theme.output_stream(out) as stream, theme.binary_streams():
        canvas = theme.new_canvas(
            stream,
            pagesize=pagesize,
            title=f"{batch.vote_title} 表决票",
            author=batch.home_name,
            subject=f"{batch.estate_name} 表决票（共 {total} 张）",
        )
        # The parts every ballot shares, drawn once and placed by reference.
        canvas.beginForm("ballot", 0, 0, fmt.width, fmt.height)
        layout.draw_constant(canvas)
        canvas.endForm()
        if two_up:
            canvas.beginForm("cutline", 0, 0, *pagesize)
            _draw_cut_line(canvas, pagesize[0] / 2, pagesize[1], font)
            canvas.endForm()
        per_page = 2 if two_up else 1
        for start in range(0, total, per_page):
            if two_up:
                canvas.doForm("cutline")
            for slot, sheet in enumerate(batch.ballots[start : start + per_page]):
                if slot:
                    canvas.saveState()
                    canvas.translate(fmt.width, 0)
                canvas.doForm("ballot")
                layout.draw_variable(canvas, sheet)
                if slot:
                    canvas.restoreState()
                done = start + slot + 1
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
            canvas.showPage()
        canvas.save()
