"""Meeting papers: the notice calling a meeting (会议通知), the sign-in sheet (签到表) and the
minutes (会议纪要).

- ``render_meeting_notice`` *is* a notice: ``meeting_notice`` turns the meeting into a
  ``NoticeDoc`` (time, place, invitees, convener and the numbered agenda as the body) and
  ``notices.render_notice`` lays it out, A4 or A3, with the seal room under the issuer.
- ``render_sign_in`` draws the sign-in sheet straight on the canvas: one doorway (门牌) per
  sheet, so each can be hung at its own entrance, rows 14 mm tall with 16 pt names for older
  hands and eyes, the doorway's total to fill in by hand at its end, and a summary sheet with
  the grand total (应到 / 实到) last when there is more than one doorway.
- ``render_minutes`` sets the minutes in the notices' house style (Song body, Hei headings, the
  same line breaking and font fallback), with the resolutions numbered and their linked topic
  and vote, and the signature lines of the host, the recorder and representatives at the end.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer

from xmen_desktop.domain.notice_text import NoticeBlock, parse_line, parse_notice, parse_runs
from xmen_desktop.printing import theme
from xmen_desktop.printing.documents import (
    MeetingNoticeDoc,
    MinutesDoc,
    NoticeDoc,
    SignInSheetDoc,
)
from xmen_desktop.printing.fonts import hei_font, song_font
from xmen_desktop.printing.notices import (
    LAYOUTS,
    Layout,
    Spans,
    _baseline_drop,
    _block_flowables,
    _Style,
    _TextBlock,
    _Title,
    _width,
    render_notice,
)
from xmen_desktop.printing.text import fit, wrap

ASSEMBLY = "议事大会"


def when_text(day: dt.date, starts_at: str = "") -> str:
    """2026年3月14日（星期六）14:00: the date, the weekday older residents go by, the time."""
    text = f"{theme.cn_date(day)}（{theme.cn_weekday(day)}）"
    return f"{text}{starts_at.strip()}" if starts_at.strip() else text


def _agenda_runs(item: str) -> tuple[tuple[str, bool], ...]:
    """An agenda item's text without a number typed in front of it (the printer numbers)."""
    block = parse_line(item)
    if block is None:
        return ()
    return block.runs if block.kind == "item" else parse_runs(item.strip())


# --- 会议通知 ------------------------------------------------------------------------------


def _salutation(invitees: str) -> str:
    """全体住户 → 全体住户：; 执行委员会成员 → 各位执行委员会成员：; 5号楼各户 → 5号楼各户：."""
    who = invitees.strip().rstrip("：:")
    if not who:
        return "各位居民："
    if "各" in who or "全体" in who or who.startswith(("尊敬的", "亲爱的")):
        return f"{who}："
    return f"各位{who}："


def meeting_notice(doc: MeetingNoticeDoc) -> NoticeDoc:
    """The meeting as a notice: the opening sentence, time, place, invitees and convener, the
    numbered agenda, what to bring or do, 特此通知; issued and dated at the foot."""
    if not doc.place.strip():
        raise ValueError("请填写会议地点")
    when = when_text(doc.held_on, doc.starts_at)
    form = doc.form_label.strip() or "会议"
    # The time and place follow on lines of their own, in bold: the opening does not repeat
    # them (so that an A3 poster still holds the notice on one sheet).
    opening = (
        f"{doc.home_name.strip()}定于{theme.cn_date(doc.held_on)}召开{form}，现将有关事项通知如下："
    )
    blocks: list[NoticeBlock] = [NoticeBlock("paragraph", ((opening, False),))]

    def fact(label: str, value: str) -> None:
        if value.strip():
            blocks.append(NoticeBlock("paragraph", ((label, True), (value.strip(), False))))

    fact("会议时间：", when)
    fact("会议地点：", doc.place)
    fact("参会人员：", doc.invitees)
    fact("召集人：", doc.convener)
    agenda = [runs for item in doc.agenda if (runs := _agenda_runs(item))]
    if agenda:
        blocks.append(NoticeBlock("heading", (("会议议程：", True),)))
        blocks += [
            NoticeBlock("item", runs, label=f"{number}.")
            for number, runs in enumerate(agenda, start=1)
        ]
    closing = "请准时参加。"
    if form == ASSEMBLY:
        closing += "本人因故不能到会的，可书面委托家庭成员或他人代为参加。"
    blocks.append(NoticeBlock("paragraph", ((closing, False),)))
    blocks += parse_notice(doc.notes)
    blocks.append(NoticeBlock("paragraph", (("特此通知。", False),)))
    return NoticeDoc(
        kind_label="会议通知",
        title=doc.title.strip() or f"关于召开{form}的通知",
        salutation=_salutation(doc.invitees),
        blocks=tuple(blocks),
        issuer=doc.issuer,
        issued_on=doc.issued_on,
    )


def render_meeting_notice(
    doc: MeetingNoticeDoc, out: Path | BinaryIO, *, layout: str = "a4"
) -> None:
    """Write the 会议通知 as a PDF notice to ``out``: ``a4``, ``a3`` (poster) or ``large``."""
    render_notice(meeting_notice(doc), out, layout=layout)


# --- 签到表 --------------------------------------------------------------------------------

SIGN_IN_MARGIN_X = 15 * mm
SIGN_IN_TOP = 13 * mm
SIGN_IN_BOTTOM = 16 * mm
ROW_HEIGHT = 14 * mm  # a signature by an unsteady hand needs more than the usual 8 mm
HEAD_ROW_HEIGHT = 12 * mm
ROW_TEXT = 16.0  # names and rooms; a long one shrinks to ROW_TEXT_MIN, then wraps
ROW_TEXT_MIN = 14.0
CELL_PAD = 2 * mm
EXTRA_ROWS = 2  # blank rows after a doorway's households, when they fit on its last sheet
SIGN_IN_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 14 * mm),
    ("地址（室号）", 40 * mm),
    ("承租人", 32 * mm),
    ("签名", 57 * mm),
    ("备注/委托人", 37 * mm),
)
SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("门牌", 66 * mm),
    ("应到（户）", 34 * mm),
    ("实到（户）", 40 * mm),
    ("其中委托（户）", 40 * mm),
)
BLANK = "＿＿＿＿"


@dataclass(frozen=True)
class _Sheet:
    """One page of the sign-in sheet: some rows of one doorway, or of the summary."""

    doorway: str  # "" for the summary
    rows: tuple[tuple[str, str, str], ...]
    first_number: int
    sheet: int  # of this doorway
    sheets: int
    households: int  # of this doorway (or all, for the summary)
    blank_rows: int = 0
    last: bool = False  # the doorway's last sheet: its total to fill in


def _doorways(rows: Sequence[tuple[str, str, str]]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Rows grouped by doorway, in the order they come (already sorted by address); a doorway
    that turns up again later (an address sorted out of place) joins its group."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        groups.setdefault(row[0].strip(), []).append(row)
    return list(groups.items())


def room_text(doorway: str, address: str) -> str:
    """What the 地址（室号） column prints: the rest of the address after its doorway (201室),
    which the sheet names at its head; the whole address when it does not start with it."""
    address, doorway = address.strip(), doorway.strip()
    if doorway and address.startswith(doorway) and address[len(doorway) :].strip():
        return address[len(doorway) :].strip()
    return address


class _SignInLayout:
    """Where everything goes on a sign-in page; the head block is the same on every page."""

    def __init__(self, doc: SignInSheetDoc) -> None:
        self.width, self.height = theme.PAGE
        self.left = SIGN_IN_MARGIN_X
        self.inner = self.width - 2 * SIGN_IN_MARGIN_X
        font = hei_font()
        self.info_size = 16.0
        self.info_leading = self.info_size * 1.4
        meeting = f"会议：{doc.meeting_title.strip()}"
        self.meeting_lines = wrap(meeting, font, self.info_size, self.inner, indent=0)
        when = f"日期：{when_text(doc.held_on)}"
        if doc.starts_at.strip():
            when += f"\u3000时间：{doc.starts_at.strip()}"
        self.info_lines = [
            *self.meeting_lines,
            *wrap(when, font, self.info_size, self.inner),
            *wrap(f"地点：{doc.place.strip()}", font, self.info_size, self.inner),
        ]
        top = self.height - SIGN_IN_TOP
        self.home_baseline = top - theme.SMALL
        self.title_size = 26.0
        self.title_baseline = self.home_baseline - 8 - self.title_size
        self.info_top = self.title_baseline - self.title_size * 0.5
        info_bottom = self.info_top - self.info_leading * len(self.info_lines)
        self.band_height = 13 * mm
        self.band_top = info_bottom - 3 * mm
        self.table_top = self.band_top - self.band_height - 3 * mm
        self.rows_top = self.table_top - HEAD_ROW_HEIGHT
        # Room kept under the rows of every page for the doorway's total on its last one.
        self.total_room = 13 * mm
        bottom = SIGN_IN_BOTTOM + self.total_room
        self.capacity = max(1, int((self.rows_top - bottom) // ROW_HEIGHT))
        self.summary_capacity = max(1, int((self.rows_top - bottom - 14 * mm) // (12 * mm)))


def _sheets(doc: SignInSheetDoc, layout: _SignInLayout) -> list[_Sheet]:
    sheets: list[_Sheet] = []
    doorways = _doorways(doc.rows)
    for doorway, rows in doorways:
        count = math.ceil(len(rows) / layout.capacity)
        room_left = count * layout.capacity - len(rows)
        for i in range(count):
            part = rows[i * layout.capacity : (i + 1) * layout.capacity]
            last = i == count - 1
            sheets.append(
                _Sheet(
                    doorway,
                    tuple(part),
                    i * layout.capacity + 1,
                    i + 1,
                    count,
                    len(rows),
                    blank_rows=min(EXTRA_ROWS, room_left) if last else 0,
                    last=last,
                )
            )
    if len(doorways) > 1:
        summary = [(doorway, "", str(len(rows))) for doorway, rows in doorways]
        count = math.ceil(len(summary) / layout.summary_capacity)
        for i in range(count):
            part = summary[i * layout.summary_capacity : (i + 1) * layout.summary_capacity]
            sheets.append(
                _Sheet(
                    "",
                    tuple(part),
                    i * layout.summary_capacity + 1,
                    i + 1,
                    count,
                    len(doc.rows),
                    last=i == count - 1,
                )
            )
    return sheets


def _cell_text(
    canvas: Canvas,
    text: str,
    x: float,
    width: float,
    middle: float,
    *,
    align: str = "left",
    size: float = ROW_TEXT,
    min_size: float = ROW_TEXT_MIN,
    height: float = ROW_HEIGHT - 2 * mm,
    bold: bool = False,
) -> None:
    """``text`` in a cell, vertically centred: shrunk to ``min_size`` if it is too wide, then
    wrapped; each character in the face that has it."""
    room = width - 2 * CELL_PAD
    fitted = fit(text, hei_font(), size=size, min_size=min_size, width=room, height=height)
    leading = fitted.size * 1.2
    top = middle + leading * len(fitted.lines) / 2
    drop = _baseline_drop(fitted.size, leading)
    for i, line in enumerate(fitted.lines):
        baseline = top - i * leading - drop
        anchor = {"left": x + CELL_PAD, "center": x + width / 2, "right": x + width - CELL_PAD}
        theme.draw_fallback_text(
            canvas, anchor[align], baseline, line, fitted.size, align=align, bold=bold
        )


def _table_head(
    canvas: Canvas, layout: _SignInLayout, columns: Sequence[tuple[str, float]]
) -> None:
    top = layout.table_top
    canvas.setFillColor(theme.SHADE)
    canvas.rect(layout.left, top - HEAD_ROW_HEIGHT, layout.inner, HEAD_ROW_HEIGHT, stroke=0, fill=1)
    x = layout.left
    for label, width in columns:
        _cell_text(
            canvas, label, x, width, top - HEAD_ROW_HEIGHT / 2, align="center", size=14, bold=True
        )
        x += width


def _grid(
    canvas: Canvas,
    layout: _SignInLayout,
    columns: Sequence[tuple[str, float]],
    row_heights: Sequence[float],
) -> None:
    """The rules of the table: each row a rectangle, the columns, a heavier frame."""
    canvas.setStrokeColor(theme.LINE)
    canvas.setLineWidth(0.7)
    y = layout.table_top - HEAD_ROW_HEIGHT
    canvas.rect(layout.left, y, layout.inner, HEAD_ROW_HEIGHT, stroke=1, fill=0)
    for height in row_heights:
        y -= height
        canvas.rect(layout.left, y, layout.inner, height, stroke=1, fill=0)
    x = layout.left
    for _label, width in columns[:-1]:
        x += width
        canvas.line(x, layout.table_top, x, y)
    canvas.setStrokeColor(theme.INK)
    canvas.setLineWidth(1.3)
    canvas.rect(layout.left, y, layout.inner, layout.table_top - y, stroke=1, fill=0)


def _draw_head(canvas: Canvas, doc: SignInSheetDoc, layout: _SignInLayout, sheet: _Sheet) -> None:
    centre = layout.width / 2
    theme.draw_fallback_text(
        canvas,
        centre,
        layout.home_baseline,
        doc.home_name.strip(),
        theme.SMALL + 1,
        align="center",
        color=theme.MUTED,
    )
    title = "会议签到表" if sheet.doorway else "会议签到汇总"
    theme.draw_text(
        canvas, centre, layout.title_baseline, title, layout.title_size, align="center", bold=True
    )
    drop = _baseline_drop(layout.info_size, layout.info_leading)
    for i, line in enumerate(layout.info_lines):
        baseline = layout.info_top - i * layout.info_leading - drop
        theme.draw_fallback_text(canvas, layout.left, baseline, line, layout.info_size)
    # The band naming the doorway: what a resident looks for on the sheet at the entrance.
    band_bottom = layout.band_top - layout.band_height
    canvas.setFillColor(theme.SHADE)
    canvas.setStrokeColor(theme.INK)
    canvas.setLineWidth(1.3)
    canvas.rect(layout.left, band_bottom, layout.inner, layout.band_height, stroke=1, fill=1)
    middle = band_bottom + layout.band_height / 2
    size = 22.0
    if sheet.doorway:
        name = f"门牌：{sheet.doorway}" + ("（续）" if sheet.sheet > 1 else "")
        count = f"本门牌 {sheet.households} 户"
    else:
        name = "各门牌签到汇总" + ("（续）" if sheet.sheet > 1 else "")
        count = f"共 {sheet.households} 户"
    if sheet.sheets > 1:
        count += f"\u3000第 {sheet.sheet} 张 共 {sheet.sheets} 张"
    count_width = theme.fallback_width(count, 14)
    room = layout.inner - count_width - 10 * mm
    name_size = fit(name, hei_font(), size=size, min_size=14, width=room, height=1e6).size
    if theme.fallback_width(name, name_size) > room:
        name_size = max(12.0, name_size * room / theme.fallback_width(name, name_size))
    theme.draw_fallback_text(
        canvas, layout.left + 4 * mm, middle - name_size * 0.36, name, name_size, bold=True
    )
    theme.draw_fallback_text(
        canvas, layout.left + layout.inner - 4 * mm, middle - 14 * 0.36, count, 14, align="right"
    )


def _draw_doorway_rows(canvas: Canvas, layout: _SignInLayout, sheet: _Sheet) -> float:
    """The households of one sheet and its blank rows; returns the bottom of the table."""
    heights = [ROW_HEIGHT] * (len(sheet.rows) + sheet.blank_rows)
    _table_head(canvas, layout, SIGN_IN_COLUMNS)
    widths = [width for _label, width in SIGN_IN_COLUMNS]
    y = layout.rows_top
    for number, (doorway, address, tenant) in enumerate(sheet.rows, start=sheet.first_number):
        middle = y - ROW_HEIGHT / 2
        x = layout.left
        _cell_text(canvas, str(number), x, widths[0], middle, align="center")
        x += widths[0]
        _cell_text(canvas, room_text(doorway, address), x, widths[1], middle)
        x += widths[1]
        _cell_text(canvas, tenant.strip(), x, widths[2], middle)
        y -= ROW_HEIGHT
    y -= ROW_HEIGHT * sheet.blank_rows
    _grid(canvas, layout, SIGN_IN_COLUMNS, heights)
    return y


def _draw_summary_rows(canvas: Canvas, layout: _SignInLayout, sheet: _Sheet) -> float:
    row = 12 * mm
    heights = [row] * len(sheet.rows) + ([row] if sheet.last else [])
    _table_head(canvas, layout, SUMMARY_COLUMNS)
    widths = [width for _label, width in SUMMARY_COLUMNS]
    y = layout.rows_top
    for doorway, _blank, households in sheet.rows:
        middle = y - row / 2
        _cell_text(canvas, doorway, layout.left, widths[0], middle, height=row - 2 * mm)
        _cell_text(canvas, households, layout.left + widths[0], widths[1], middle, align="center")
        y -= row
    if sheet.last:
        canvas.setFillColor(theme.SHADE)
        canvas.rect(layout.left, y - row, layout.inner, row, stroke=0, fill=1)
        middle = y - row / 2
        _cell_text(canvas, "合计", layout.left, widths[0], middle, align="center", bold=True)
        _cell_text(
            canvas,
            str(sheet.households),
            layout.left + widths[0],
            widths[1],
            middle,
            align="center",
            bold=True,
        )
        y -= row
    _grid(canvas, layout, SUMMARY_COLUMNS, heights)
    return y


def _draw_total(canvas: Canvas, layout: _SignInLayout, sheet: _Sheet, y: float) -> None:
    """应到 N 户，实到＿＿户: filled in by hand when the sheet comes back."""
    baseline = y - 9 * mm
    if sheet.doorway:
        text = f"本门牌应到 {sheet.households} 户，实到{BLANK}户（其中委托{BLANK}户）"
    else:
        text = f"合计应到 {sheet.households} 户，实到{BLANK}户（其中委托{BLANK}户）"
    theme.draw_text(canvas, layout.left, baseline, text, ROW_TEXT, bold=not sheet.doorway)
    if not sheet.doorway:
        theme.draw_text(
            canvas,
            layout.left,
            baseline - 12 * mm,
            f"统计人：{BLANK}{BLANK}\u3000\u3000核对人：{BLANK}{BLANK}",
            ROW_TEXT,
        )


def render_sign_in(doc: SignInSheetDoc, out: Path | BinaryIO) -> None:
    """Write the A4 sign-in sheet (签到表) of a meeting as a PDF to ``out``.

    Each doorway starts a sheet of its own, named in a band across the top; a doorway with
    more households than one sheet holds continues on the next with the band and the table
    head repeated (（续）, 第 2 张 共 2 张). The last sheet of a doorway says how many should
    come (应到) and leaves the number who came (实到) to fill in; with several doorways a
    summary sheet lists them all with the grand total.
    """
    if not doc.rows:
        raise ValueError("没有要签到的住户：请先添加参会住户")
    layout = _SignInLayout(doc)
    sheets = _sheets(doc, layout)
    with theme.output_stream(out) as stream, theme.binary_streams():
        canvas = theme.new_canvas(
            stream,
            title=f"{doc.meeting_title} 签到表",
            author=doc.home_name,
            subject="会议签到表",
        )
        for page, sheet in enumerate(sheets, start=1):
            _draw_head(canvas, doc, layout, sheet)
            if sheet.doorway:
                bottom = _draw_doorway_rows(canvas, layout, sheet)
            else:
                bottom = _draw_summary_rows(canvas, layout, sheet)
            if sheet.last:
                _draw_total(canvas, layout, sheet, bottom)
            theme.draw_page_footer(canvas, page, len(sheets), size=12, baseline=SIGN_IN_BOTTOM / 2)
            canvas.showPage()
        canvas.save()


# --- 会议纪要 ------------------------------------------------------------------------------

MINUTES_LAYOUT = LAYOUTS["a4"]
SIGN_ROW = 14 * mm  # a signature line every 14 mm
SIGN_COLUMNS = 3
MIN_SIGNATURES = 6
MAX_SIGNATURES = 24


def _unit(doc: MinutesDoc) -> str:
    if doc.attendance_unit.strip():
        return doc.attendance_unit.strip()
    return "户" if doc.form_label.strip() == ASSEMBLY or doc.quorum_line.strip() else "人"


def attendance_text(doc: MinutesDoc) -> str:
    """应到80户，本人到会40户，委托到会5户，缺席30户（未登记5户）。"""
    unit = _unit(doc)
    text = (
        f"应到{doc.invited}{unit}，本人到会{doc.present}{unit}，"
        f"委托到会{doc.proxy}{unit}，缺席{doc.absent}{unit}"
    )
    unrecorded = doc.invited - doc.present - doc.proxy - doc.absent
    if unrecorded > 0:
        text += f"（未登记{unrecorded}{unit}）"
    return text + "。"


# A space between a Chinese character and a number: "45 户" reads well in a table, but in a
# justified line of Song it opens a gap.
_NUMBER_SPACE = re.compile(r"(?<=[^\x00-\x7f])[ \u3000]+(?=\d)|(?<=\d)[ \u3000]+(?=[^\x00-\x7f])")


def tight_numbers(text: str) -> str:
    """到会（含委托）45 户 → 到会（含委托）45户, for running text."""
    return _NUMBER_SPACE.sub("", text)


def _minutes_title(doc: MinutesDoc) -> str:
    title = doc.meeting_title.strip() or doc.form_label.strip() or "会议"
    if title.endswith("纪要"):
        return title
    return f"{title}纪要" if title.endswith(("会", "会议")) else f"{title}会议纪要"


def fact_rows(
    facts: Sequence[tuple[str, str]], layout: Layout, *, leading: float = 1.5
) -> list[Flowable]:
    """Label: value lines (会议时间：…), the values lined up after the longest label and
    wrapping under themselves. Empty values are left out."""
    body = layout.body
    hei = _Style(hei_font(), body, bold=True)
    song = _Style(song_font(), body)
    shown = [(label, value.strip()) for label, value in facts if value.strip()]
    if not shown:
        return []
    hang = max(_width([(label, hei)]) for label, _ in shown)
    return [
        _TextBlock(
            [(value, song)],
            body,
            body * leading,
            left=hang,
            label=[(label, hei)],
            label_x=0.0,
        )
        for label, value in shown
    ]


def _section(text: str, layout: Layout) -> Flowable:
    size = layout.body + 2
    block = _TextBlock(
        [(text, _Style(hei_font(), size, bold=True))],
        size,
        size * 1.5,
        align="left",
        space_before=layout.body * 0.8,
        space_after=layout.body * 0.2,
    )
    block.keepWithNext = True
    return block


def _numbered(
    entries: Sequence[tuple[tuple[tuple[str, bool], ...], Sequence[Spans]]], layout: Layout
) -> list[Flowable]:
    """Numbered items (1. 2. …) hanging from one label width, each followed by its notes in
    smaller grey type lined up under its text."""
    body = layout.body
    leading = body * layout.leading
    song = _Style(song_font(), body)
    hei = _Style(hei_font(), body, bold=True)
    labels = [[(f"{number}.\u2002", song)] for number in range(1, len(entries) + 1)]
    hang = max((_width(label) for label in labels), default=0.0)
    left = 2 * body + hang
    story: list[Flowable] = []
    for label, (runs, notes) in zip(labels, entries, strict=True):
        spans: Spans = [(text, hei if emphasised else song) for text, emphasised in runs]
        story.append(_TextBlock(spans, body, leading, left=left, label=label, label_x=2 * body))
        for note in notes:
            size = note[0][1].size
            story.append(_TextBlock(note, size, size * 1.45, left=left, space_after=2))
    return story


class _HostSignatures(Flowable):
    """主持人（签字）and 记录人（签字）side by side, each with a line to sign on."""

    def __init__(self, layout: Layout) -> None:
        super().__init__()
        self.size = layout.body
        self.spaceBefore = layout.body * 0.8

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, SIGN_ROW

    def draw(self) -> None:
        half = self.width / 2
        baseline = 3 * mm
        self.canv.setStrokeColor(theme.INK)
        self.canv.setLineWidth(0.8)
        for i, label in enumerate(("主持人（签字）：", "记录人（签字）：")):
            x = i * half
            used = theme.draw_text(self.canv, x, baseline, label, self.size, bold=True)
            self.canv.line(x + used + 2, baseline - 3, x + half - 4 * mm, baseline - 3)


class _SignatureGrid(Flowable):
    """Rows of blank lines for representatives to sign on, ``SIGN_COLUMNS`` to a row; split
    between pages by rows (never one row alone)."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.rows * SIGN_ROW

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fits = min(int((availHeight + 0.01) // SIGN_ROW), self.rows - 2)
        if fits < 2:
            return []
        return [_SignatureGrid(fits), _SignatureGrid(self.rows - fits)]

    def draw(self) -> None:
        column = self.width / SIGN_COLUMNS
        self.canv.setStrokeColor(theme.INK)
        self.canv.setLineWidth(0.6)
        for row in range(self.rows):
            y = (self.rows - row - 1) * SIGN_ROW + 2 * mm
            for c in range(SIGN_COLUMNS):
                x = c * column
                self.canv.line(x + 2 * mm, y, x + column - 6 * mm, y)


def signature_lines(doc: MinutesDoc) -> int:
    """How many lines for representatives: one for each present (in person or by proxy),
    at least ``MIN_SIGNATURES``, at most ``MAX_SIGNATURES`` (the sign-in sheet holds the
    rest), rounded up to a full row."""
    wanted = max(MIN_SIGNATURES, min(MAX_SIGNATURES, doc.present + doc.proxy))
    return math.ceil(wanted / SIGN_COLUMNS) * SIGN_COLUMNS


def _minutes_story(doc: MinutesDoc, layout: Layout) -> list[Flowable]:
    body = layout.body
    story: list[Flowable] = [_Title(_minutes_title(doc), 30, 22, body * 0.3)]
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
    attendance = attendance_text(doc)
    if doc.quorum_line.strip():
        attendance += tight_numbers(doc.quorum_line.strip()).rstrip("。") + "。"
    story += fact_rows(
        [
            ("会议形式：", doc.form_label),
            ("会议时间：", when_text(doc.held_on, doc.starts_at)),
            ("会议地点：", doc.place),
            ("主 持 人：", doc.convener),
            ("记 录 人：", doc.recorder),
            ("出席情况：", attendance),
        ],
        layout,
    )
    numbers = iter("一二三四五六七八九")
    agenda = [runs for item in doc.agenda if (runs := _agenda_runs(item))]
    if agenda:
        story.append(_section(f"{next(numbers)}、会议议程", layout))
        story += _numbered([(runs, ()) for runs in agenda], layout)
    blocks = parse_notice(doc.minutes)
    if blocks:
        story.append(_section(f"{next(numbers)}、会议情况", layout))
        story += _block_flowables(blocks, layout)
    story.append(_section(f"{next(numbers)}、会议决议", layout))
    resolutions = [r for r in doc.resolutions if r[0].strip()]
    if resolutions:
        note_size = 14.0
        label = _Style(hei_font(), note_size, bold=True, muted=True)
        value = _Style(song_font(), note_size, muted=True)
        entries = []
        for text, topic, vote in resolutions:
            notes: list[Spans] = []
            if topic.strip():
                notes.append([("关联议题：", label), (topic.strip(), value)])
            if vote.strip():
                notes.append([("表决结果：", label), (vote.strip(), value)])
            entries.append((parse_runs(text.strip()), notes))
        story += _numbered(entries, layout)
    else:
        song = _Style(song_font(), body)
        story.append(
            _TextBlock(
                [("本次会议未形成决议。", song)], body, body * layout.leading, indent=2 * body
            )
        )
    # The signatures: the host and the recorder, then representatives of those present.
    label = _TextBlock(
        [("参会代表签字：", _Style(hei_font(), body, bold=True))],
        body,
        body * 1.6,
        align="left",
        space_before=body * 0.6,
    )
    rows = signature_lines(doc) // SIGN_COLUMNS
    story.append(Spacer(1, body * 0.8))
    story.append(KeepTogether([_HostSignatures(layout), label, _SignatureGrid(rows)]))
    return story


def render_minutes(doc: MinutesDoc, out: Path | BinaryIO) -> None:
    """Write the A4 会议纪要 of a meeting as a PDF to ``out``."""
    layout = MINUTES_LAYOUT
    title = _minutes_title(doc)
    with theme.output_stream(out) as stream, theme.binary_streams():
        pdf = theme.new_document(
            stream,
            pagesize=layout.pagesize,
            margin=layout.margin_x,
            title=title,
            author=doc.home_name,
            subject="会议纪要",
        )
        pdf.topMargin = layout.margin_top
        pdf.bottomMargin = layout.margin_bottom
        pdf.build(
            _minutes_story(doc, layout),
            onLaterPages=theme.running_head(
                f"{title}（续）", size=layout.footer, margin=layout.margin_top
            ),
            canvasmaker=theme.numbered_canvas(
                size=layout.footer, baseline=layout.margin_bottom / 2 - layout.footer / 3
            ),
        )
