"""项目进展公示: where a self-governance project stands, for the lane noticeboard.

In the notices' house style (A4, Song body 16 pt, Hei headings, the seal room under the
issuer), in the order residents ask about a project: what it is and who leads it, the money
(budget, spent, left; an overspent line and an overspent total marked 超支 in bold in a darker
cell, so that they still stand out on a black-and-white laser), how far along it is (a bar for
the whole project and one for each milestone, overdue milestones tagged 逾期 with the unfinished
part hatched), up to four photos, the latest work log, then 特此公示 and the issuer.

The budget table and the chart are set at 16 pt, a long item name or a large amount shrinking
to no less than 14 pt; a milestone's due date is 14 pt grey.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from xmen_desktop.domain.money import yuan
from xmen_desktop.domain.notice_text import parse_notice
from xmen_desktop.printing import theme
from xmen_desktop.printing.documents import ProjectProgressDoc
from xmen_desktop.printing.fonts import hei_font, song_font
from xmen_desktop.printing.meetings import fact_rows
from xmen_desktop.printing.notices import (
    LAYOUTS,
    Layout,
    Spans,
    _balanced,
    _baseline_drop,
    _block_flowables,
    _Closing,
    _draw_spans,
    _measure,
    _picture,
    _Signature,
    _Style,
    _TextBlock,
    _Title,
    _width,
)
from xmen_desktop.printing.text import wrap_spans

LAYOUT = LAYOUTS["a4"]
TABLE_TEXT = 16.0
TABLE_TEXT_MIN = 14.0  # a long item or a large amount shrinks to this, then wraps
CELL_PADDING = 5.0
OVER = "超支"
OVER_TINT = Color(0.78, 0.78, 0.78)  # darker than the header shade: still grey on a laser
BAR_FILL = Color(0.45, 0.45, 0.45)
BAR_DONE = Color(0.2, 0.2, 0.2)
MAX_PHOTOS = 4
# A notice whose last sheet is this little used is laid out again with these squeezes in turn
# (photo height ×, room for the seal ×), and the first that saves a sheet is kept.
SQUEEZE_WHEN = 0.5
SQUEEZES = ((0.8, 1.0), (0.65, 1.0), (0.65, 0.6), (0.55, 0.6))


def title_of(doc: ProjectProgressDoc) -> str:
    """弄堂口非机动车棚改造 → 弄堂口非机动车棚改造项目进展公示."""
    title = doc.project_title.strip()
    if title.endswith("公示"):
        return title
    return f"{title}进展公示" if title.endswith("项目") else f"{title}项目进展公示"


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}".rstrip("0").rstrip(".") + "%"


# --- table cells ----------------------------------------------------------------------------


class _Cell(Flowable):
    """Text in a table cell: at ``size``, shrinking to ``TABLE_TEXT_MIN`` rather than wrap, and
    wrapping only below that; each character in the face that has it."""

    def __init__(
        self,
        text: str,
        *,
        size: float = TABLE_TEXT,
        bold: bool = False,
        align: str = "left",
        font: str | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.bold = bold
        self.align = align
        self.font = font or hei_font()

    def _style(self, size: float) -> _Style:
        return _Style(self.font, size, bold=self.bold)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        size = self.size
        natural = _measure(self.text, self._style(1.0))
        if natural * size > availWidth - 1:
            size = max(TABLE_TEXT_MIN, int(2 * (availWidth - 1) / natural) / 2)
        style = self._style(size)
        self.lines = wrap_spans([(self.text, style)], _measure, availWidth - 1)
        self.used_size = size
        self.leading = size * 1.25
        return availWidth, self.leading * len(self.lines)

    def draw(self) -> None:
        drop = _baseline_drop(self.used_size, self.leading)
        for i, line in enumerate(self.lines):
            width = _width(line)
            x = {"left": 0.0, "center": (self.width - width) / 2, "right": self.width - width}[
                self.align
            ]
            _draw_spans(self.canv, x, self.leading * (len(self.lines) - i) - drop, line)


@dataclass(frozen=True)
class BudgetRow:
    """One row of the budget table as printed: amounts formatted, and whether it is over."""

    item: str
    budget: str  # "12,000.00", or "—" for spending outside the budget lines
    spent: str
    remaining: str  # "3,000.00", or "超支 1,200.00"
    over: bool
    total: bool = False


def budget_rows(doc: ProjectProgressDoc) -> list[BudgetRow]:
    """The lines of the budget, the spending booked to no line, and the total."""
    rows: list[BudgetRow] = []

    def remaining(budget: int, spent: int) -> tuple[str, bool]:
        left = budget - spent
        return (f"{OVER} {yuan(-left)}", True) if left < 0 else (yuan(left), False)

    for item, budget, spent in doc.budget_lines:
        text, over = remaining(budget, spent)
        rows.append(BudgetRow(item.strip(), yuan(budget), yuan(spent), text, over))
    if doc.unassigned_spent_fen:
        rows.append(
            BudgetRow("未列入预算项目的支出", "—", yuan(doc.unassigned_spent_fen), "—", False)
        )
    budget = sum(line[1] for line in doc.budget_lines)
    spent = sum(line[2] for line in doc.budget_lines) + doc.unassigned_spent_fen
    text, over = remaining(budget, spent)
    rows.append(BudgetRow("合计", yuan(budget), yuan(spent), text, over, total=True))
    return rows


def _budget_table(rows: Sequence[BudgetRow], width: float) -> Table:
    head = ("预算项目", "预算（元）", "已支出（元）", "结余（元）")
    font = hei_font()
    unit = _Style(font, TABLE_TEXT, bold=True)
    pad = 2 * CELL_PADDING + 2
    figures = []
    for column in range(1, 4):
        texts = [head[column]] + [
            (row.budget, row.spent, row.remaining)[column - 1] for row in rows
        ]
        figures.append(max(_measure(text, unit) for text in texts) + pad)
    item = max(width * 0.28, width - sum(figures))
    if item + sum(figures) > width:
        scale = (width - item) / sum(figures)
        figures = [figure * scale for figure in figures]
    data: list[list[Flowable]] = [
        [_Cell(text, bold=True, align="center") for text in head],
    ]
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),  # else the table sets an unembedded Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, theme.LINE),
        ("BOX", (0, 0), (-1, -1), 1.2, theme.INK),
        ("BACKGROUND", (0, 0), (-1, 0), theme.SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    for r, row in enumerate(rows, start=1):
        data.append(
            [
                _Cell(row.item, bold=row.total, align="center" if row.total else "left"),
                _Cell(row.budget, bold=row.total, align="right"),
                _Cell(row.spent, bold=row.total or row.over, align="right"),
                _Cell(row.remaining, bold=row.total or row.over, align="right"),
            ]
        )
        if row.total:
            commands.append(("BACKGROUND", (0, r), (-1, r), theme.SHADE))
            commands.append(("LINEABOVE", (0, r), (-1, r), 1.2, theme.INK))
        if row.over:
            commands.append(("BACKGROUND", (3, r), (3, r), OVER_TINT))
            commands.append(("BOX", (3, r), (3, r), 1.8, theme.INK))
    table = Table(data, colWidths=[item, *figures], repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _budget_section(doc: ProjectProgressDoc, layout: Layout, width: float) -> list[Flowable]:
    body = layout.body
    leading = body * layout.leading
    song = _Style(song_font(), body)
    hei = _Style(hei_font(), body, bold=True)
    if not doc.budget_lines and not doc.unassigned_spent_fen:
        return [_TextBlock([("本项目暂无预算和支出。", song)], body, leading, indent=2 * body)]
    rows = budget_rows(doc)
    total = rows[-1]
    budget = sum(line[1] for line in doc.budget_lines)
    spent = sum(line[2] for line in doc.budget_lines) + doc.unassigned_spent_fen
    summary = f"项目总预算{total.budget}元，已支出{total.spent}元"
    if budget > 0:
        summary += f"（占预算的{_percent(spent, budget)}）"
    summary += "，" + (
        f"超出预算{yuan(spent - budget)}元。" if total.over else f"结余{total.remaining}元。"
    )
    story: list[Flowable] = [
        _TextBlock([(summary, song)], body, leading, indent=2 * body, space_after=body * 0.3),
        _budget_table(rows, width),
    ]
    overs = [
        f"“{item.strip()}”超支{yuan(spent_fen - budget_fen)}元"
        for item, budget_fen, spent_fen in doc.budget_lines
        if spent_fen > budget_fen
    ]
    notes: Spans = []
    if overs:
        notes.append(("其中" + "，".join(overs) + "。", song))
    if total.over:
        notes.append((f"项目总支出超出总预算{yuan(spent - budget)}元。", hei))
    if notes:
        story.append(_TextBlock([("注：", hei), *notes], body, leading, space_before=body * 0.4))
    return story


# --- the progress chart -------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    title: str
    note: str  # 计划完成：2026年4月30日
    progress: int
    done: bool
    overdue: bool
    overall: bool = False


class _ProgressChart(Flowable):
    """A horizontal bar for the whole project, then one for each milestone: the title and
    due date at the left, the bar, the percentage and 已完成 / 逾期 at the right. Split
    between pages by rows."""

    LABEL = 0.4  # of the width
    RIGHT = 38 * mm
    GAP = 4 * mm
    PAD = 2.5 * mm

    def __init__(self, bars: Sequence[_Bar]) -> None:
        super().__init__()
        self.bars = list(bars)
        self.spaceBefore = 2
        self.spaceAfter = 4

    def _rows(self, width: float) -> list[tuple[_Bar, list[Spans], list[Spans], float]]:
        label_width = width * self.LABEL
        rows = []
        for bar in self.bars:
            # One line at 16 pt, else one line at 14 pt, else evenly broken lines at 14 pt.
            style = _Style(hei_font(), 18.0 if bar.overall else TABLE_TEXT, bold=True)
            if _measure(bar.title, style) > label_width:
                style = _Style(hei_font(), TABLE_TEXT_MIN, bold=True)
            title = _balanced([(bar.title, style)], label_width)
            note_style = _Style(song_font(), 14, muted=True)
            note = wrap_spans([(bar.note, note_style)], _measure, label_width) if bar.note else []
            height = len(title) * style.size * 1.3 + len(note) * 14 * 1.35 + 2 * self.PAD
            rows.append((bar, title, note, max(height, 15 * mm)))
        return rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.rows = self._rows(availWidth)
        self.height = sum(row[3] for row in self.rows)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        used = 0.0
        fits = 0
        for _bar, _title, _note, height in self.rows:
            if used + height > availHeight:
                break
            used += height
            fits += 1
        if fits < 2 or len(self.rows) - fits < 1:
            return []
        return [_ProgressChart(self.bars[:fits]), _ProgressChart(self.bars[fits:])]

    def draw(self) -> None:
        canvas = self.canv
        bar_left = self.width * self.LABEL + self.GAP
        bar_right = self.width - self.RIGHT
        top = self.height
        for index, (bar, title, note, height) in enumerate(self.rows):
            middle = top - height / 2
            # Title and due date, centred on the bar.
            lines = [(line, line[0][1].size * 1.3) for line in title] + [
                (line, 14 * 1.35) for line in note
            ]
            block = sum(leading for _line, leading in lines)
            y = middle + block / 2
            for line, leading in lines:
                size = line[0][1].size
                _draw_spans(canvas, 0, y - _baseline_drop(size, leading), line)
                y -= leading
            # The bar: an outline, filled to the progress; an overdue milestone's unfinished
            # part hatched.
            bar_height = (9 if bar.overall else 7) * mm
            bottom = middle - bar_height / 2
            length = bar_right - bar_left
            filled = length * max(0, min(100, bar.progress)) / 100
            canvas.saveState()
            canvas.setFillColor(BAR_DONE if bar.done or bar.overall else BAR_FILL)
            if filled > 0:
                canvas.rect(bar_left, bottom, filled, bar_height, stroke=0, fill=1)
            if bar.overdue and filled < length:
                self._hatch(bar_left + filled, bottom, length - filled, bar_height)
            canvas.setStrokeColor(theme.INK)
            canvas.setLineWidth(1.4 if bar.overall else 0.9)
            canvas.rect(bar_left, bottom, length, bar_height, stroke=1, fill=0)
            canvas.restoreState()
            # The percentage, and 已完成 or 逾期.
            size = 20.0 if bar.overall else TABLE_TEXT
            x = bar_right + 2.5 * mm
            used = theme.draw_text(
                canvas, x, middle - size * 0.36, f"{bar.progress}%", size, bold=True
            )
            tag_x = x + used + 2 * mm
            if bar.overdue:
                self._tag(tag_x, middle, "逾期", inverse=True)
            elif bar.done:
                self._tag(tag_x, middle, "已完成", inverse=False)
            top -= height
            if bar.overall and index < len(self.rows) - 1:
                canvas.setStrokeColor(theme.FAINT)
                canvas.setLineWidth(0.6)
                canvas.line(0, top, self.width, top)

    def _hatch(self, x: float, y: float, width: float, height: float) -> None:
        canvas = self.canv
        canvas.saveState()
        path = canvas.beginPath()
        path.rect(x, y, width, height)
        canvas.clipPath(path, stroke=0, fill=0)
        canvas.setStrokeColor(theme.INK)
        canvas.setLineWidth(0.7)
        step = 2.2 * mm
        offset = -height
        while offset < width:
            canvas.line(x + offset, y, x + offset + height, y + height)
            offset += step
        canvas.restoreState()

    def _tag(self, x: float, middle: float, text: str, *, inverse: bool) -> None:
        """逾期 white on black (it must catch the eye in black and white); 已完成 framed."""
        size = 14.0
        canvas = self.canv
        width = theme.fallback_width(text, size) + 6
        height = size * 1.35
        canvas.saveState()
        canvas.setStrokeColor(theme.INK)
        canvas.setFillColor(theme.INK)
        canvas.setLineWidth(0.9)
        canvas.roundRect(
            x, middle - height / 2, width, height, 3, stroke=1, fill=1 if inverse else 0
        )
        canvas.restoreState()
        theme.draw_text(
            canvas,
            x + 3,
            middle - size * 0.36,
            text,
            size,
            bold=True,
            color=white if inverse else theme.INK,
        )


def _short_date(day: dt.date, year: int) -> str:
    return f"{day.month}月{day.day}日" if day.year == year else theme.cn_date(day)


def progress_bars(doc: ProjectProgressDoc) -> list[_Bar]:
    bars = [_Bar("总体进度", "", doc.progress_percent, doc.progress_percent >= 100, False, True)]
    for title, due_on, progress, done, overdue in doc.milestones:
        when = f"计划完成：{theme.cn_date(due_on)}"
        bars.append(_Bar(title.strip(), when, progress, done, overdue and not done))
    return bars


# --- photos -------------------------------------------------------------------------------


class _PhotoRow(Flowable):
    """One or two photos side by side, each scaled to fit its cell and framed."""

    GAP = 6 * mm

    def __init__(self, photos: Sequence[bytes], per_row: int, max_height: float) -> None:
        super().__init__()
        self.photos = list(photos)
        self.per_row = per_row
        self.max_height = max_height
        self.spaceAfter = self.GAP / 2
        self._laid_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._laid_for != availWidth:
            cell = (availWidth - self.GAP * (self.per_row - 1)) / self.per_row
            self.cell = cell
            self.pictures = [_picture(data, cell, self.max_height) for data in self.photos]
            self.height = max(height for _image, _width, height in self.pictures)
            self._laid_for = availWidth
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        count = len(self.pictures)
        used = count * self.cell + (count - 1) * self.GAP
        left = (self.width - used) / 2
        for i, (image, width, height) in enumerate(self.pictures):
            x = left + i * (self.cell + self.GAP) + (self.cell - width) / 2
            y = (self.height - height) / 2
            self.canv.drawImage(image, x, y, width, height)
            self.canv.setStrokeColor(theme.LINE)
            self.canv.setLineWidth(0.5)
            self.canv.rect(x, y, width, height, stroke=1, fill=0)


def _photo_rows(photos: Sequence[bytes], scale: float = 1.0) -> list[Flowable]:
    """One photo across the column; two side by side; three or four two to a row."""
    if len(photos) == 1:
        return [_PhotoRow(photos, 1, 80 * mm * scale)]
    height = (62 * mm if len(photos) == 2 else 52 * mm) * scale
    return [_PhotoRow(photos[i : i + 2], 2, height) for i in range(0, len(photos), 2)]


# --- the notice -----------------------------------------------------------------------------


def _section(text: str, layout: Layout) -> Flowable:
    size = layout.body + 2
    block = _TextBlock(
        [(text, _Style(hei_font(), size, bold=True))],
        size,
        size * 1.5,
        align="left",
        space_before=layout.body * 0.7,
        space_after=layout.body * 0.25,
    )
    block.keepWithNext = True
    return block


def _log_entries(doc: ProjectProgressDoc, layout: Layout) -> list[Flowable]:
    body = layout.body
    leading = body * 1.6
    hei = _Style(hei_font(), body, bold=True)
    song = _Style(song_font(), body)
    entries = [(day, text.strip()) for day, text in doc.log_entries if text.strip()]
    labels = [[(_short_date(day, doc.issued_on.year) + "\u3000", hei)] for day, _ in entries]
    hang = max((_width(label) for label in labels), default=0.0)
    return [
        _TextBlock([(text, song)], body, leading, left=hang, label=label, space_after=2)
        for label, (_day, text) in zip(labels, entries, strict=True)
    ]


def _story(
    doc: ProjectProgressDoc, layout: Layout, width: float, photo_scale: float = 1.0
) -> list[Flowable]:
    body = layout.body
    song = _Style(song_font(), body)
    story: list[Flowable] = [_Title(title_of(doc), layout.title_max, layout.title_min, body * 0.3)]
    if doc.home_name.strip():
        small = _Style(song_font(), layout.small + 2, muted=True)
        story.append(
            _TextBlock(
                [(doc.home_name.strip(), small)],
                small.size,
                small.size * 1.5,
                align="center",
                space_after=body * 0.6,
            )
        )
    story += fact_rows(
        [
            ("所在小区：", doc.estate_name),
            ("项目状态：", doc.status_label),
            ("负 责 人：", doc.lead),
            ("资金来源：", doc.funding_source),
            ("启动日期：", theme.cn_date(doc.started_on)),
            ("总体进度：", f"{doc.progress_percent}%"),
        ],
        layout,
    )
    description = parse_notice(doc.description)
    if description:
        story.append(Spacer(1, body * 0.3))
        story += _block_flowables(description, layout)
    numbers = iter("一二三四五六")
    story.append(_section(f"{next(numbers)}、资金使用情况", layout))
    story += _budget_section(doc, layout, width)
    story.append(_section(f"{next(numbers)}、项目进度", layout))
    story.append(_ProgressChart(progress_bars(doc)))
    if not doc.milestones:
        story.append(_TextBlock([("尚未设定项目节点。", song)], body, body * 1.6, indent=2 * body))
    elif any(overdue and not done for _t, _d, _p, done, overdue in doc.milestones):
        note = _Style(song_font(), 14, muted=True)
        story.append(_TextBlock([("斜线部分：逾期未完成。", note)], 14, 14 * 1.5, align="right"))
    if doc.photos:
        photos = _photo_rows(doc.photos, photo_scale)
        story.append(KeepTogether([_section(f"{next(numbers)}、现场照片", layout), photos[0]]))
        story += photos[1:]
    log = _log_entries(doc, layout)
    if log:
        story.append(_section(f"{next(numbers)}、近期工作", layout))
        story += log
    closing = (
        f"以上情况特此公示。如有疑问或建议，欢迎向{doc.issuer.strip() or doc.home_name.strip()}"
        "反映。"
    )
    # The closing words and the issuer stay on one sheet with the last lines before them: a
    # signature never stands alone on a page.
    tail = story[-1:] if isinstance(story[-1], _TextBlock) else []
    story = story[: len(story) - len(tail)]
    story.append(
        _Closing(
            [
                *tail,
                _TextBlock(
                    [(closing, song)],
                    body,
                    body * layout.leading,
                    indent=2 * body,
                    space_before=body * 0.6,
                ),
                _Signature(
                    doc.issuer.strip(),
                    theme.cn_date(doc.issued_on),
                    layout,
                    body * layout.leading,
                ),
            ]
        )
    )
    return story


def _build(
    doc: ProjectProgressDoc, layout: Layout, photo_scale: float, out: BinaryIO
) -> tuple[int, float]:
    """Lay the notice out into ``out``; returns the number of pages and the fraction of the
    last page's frame it fills."""
    title = title_of(doc)
    pdf = theme.new_document(
        out,
        pagesize=layout.pagesize,
        margin=layout.margin_x,
        title=title,
        author=doc.issuer or doc.home_name,
        subject="项目进展公示",
    )
    pdf.topMargin = layout.margin_top
    pdf.bottomMargin = layout.margin_bottom
    pdf.build(
        _story(doc, layout, pdf.width, photo_scale),
        onLaterPages=theme.running_head(
            f"{title}（续）", size=layout.footer, margin=layout.margin_top
        ),
        canvasmaker=theme.numbered_canvas(
            size=layout.footer, baseline=layout.margin_bottom / 2 - layout.footer / 3
        ),
    )
    frame = pdf.frame
    used = (frame._y2 - frame._y) / max(1.0, frame._y2 - frame._y1)
    return int(pdf.page), used


def render_project_progress(doc: ProjectProgressDoc, out: Path | BinaryIO) -> None:
    """Write the A4 项目进展公示 of a project as a PDF to ``out``. Raises ValueError (in
    plain Chinese) for more than four photos or one that is not a PNG or JPEG.

    When the last sheet holds only a little (under ``SQUEEZE_WHEN`` of it), the photos and
    the room above the seal are made smaller in steps (``SQUEEZES``) and the first layout that
    saves a sheet is kept.
    """
    if len(doc.photos) > MAX_PHOTOS:
        raise ValueError(f"最多印{MAX_PHOTOS}张照片，请少选几张")
    if not doc.project_title.strip():
        raise ValueError("项目名称不能为空")
    with theme.binary_streams():
        buffer = io.BytesIO()
        pages, last_used = _build(doc, LAYOUT, 1.0, buffer)
        if pages > 1 and last_used <= SQUEEZE_WHEN:
            squeezes = SQUEEZES if doc.photos else ((1.0, 0.6),)
            for scale, seal in squeezes:
                layout = replace(LAYOUT, seal_room=LAYOUT.seal_room * seal)
                attempt = io.BytesIO()
                if _build(doc, layout, scale, attempt)[0] < pages:
                    buffer = attempt
                    break
    with theme.output_stream(out) as stream:
        stream.write(buffer.getvalue())
