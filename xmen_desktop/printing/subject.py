"""个人信息查询结果: everything held about one person, as a PDF to hand them.

A4, in the house style of the other documents (Hei titles and tables, Song for running text,
the bundled fonts embedded, a character one face lacks drawn in the other): the title, who it
is about, when and by whom it was produced, a short note on the person's rights, then each
section of ``store.subject.SubjectReport`` as a numbered heading and a ruled table whose header
row repeats on every sheet. Tables with few columns are set at 16 pt like the notices; wide
ones smaller (14, then 13 pt) so that seven columns still fit the width of an A4 sheet; a long
cell wraps, and a very long one continues on the next sheet.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from xmen_desktop.printing import theme
from xmen_desktop.printing.fonts import hei_font, song_font
from xmen_desktop.printing.meetings import fact_rows
from xmen_desktop.printing.notices import (
    LAYOUTS,
    _baseline_drop,
    _draw_spans,
    _measure,
    _Style,
    _TextBlock,
    _Title,
)
from xmen_desktop.printing.text import wrap_spans
from xmen_desktop.store.subject import Section, SubjectReport

LAYOUT = LAYOUTS["a4"]
CELL_PADDING = 4.0
ROW_LINES = 8  # a taller row is cut into rows of this many lines (a sheet holds about 40)
NUMERALS = "一二三四五六七八九十"
RIGHTS = (
    "以上是本系统保存的与您有关的全部信息。如发现有不准确的地方，可以向居委会提出更正；"
    "也可以要求删除您的个人信息（删除后不能恢复）。"
)


def table_size(columns: int) -> float:
    """Type size of a table's cells: the notices' 16 pt where it fits the sheet."""
    if columns <= 3:
        return 16.0
    if columns <= 5:
        return 14.0
    return 13.0


Lines = list[list[tuple[str, _Style]]]


def cell_lines(text: str, size: float, width: float, *, bold: bool = False) -> Lines:
    """``text`` broken into lines no wider than ``width`` (the notices' line-breaking rules;
    an explicit newline always breaks)."""
    style = _Style(hei_font(), size, bold=bold)
    lines: Lines = []
    for paragraph in text.split("\n"):
        lines += wrap_spans([(paragraph, style)], _measure, width - 1)
    return lines


class _Cell(Flowable):
    """Lines of text in a table cell, broken beforehand to the column's width."""

    def __init__(self, lines: Lines, size: float) -> None:
        super().__init__()
        self.lines = lines
        self.size = size
        self.leading = size * 1.3

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, self.leading * max(1, len(self.lines))

    def draw(self) -> None:
        drop = _baseline_drop(self.size, self.leading)
        top = self.leading * len(self.lines)
        for i, line in enumerate(self.lines):
            _draw_spans(self.canv, 0.0, top - i * self.leading - drop, line)


_WORD = re.compile(r"[A-Za-z0-9@.:/+_\-]+|\S")


def column_widths(section: Section, width: float, size: float) -> list[float]:
    """Widths that fill ``width``, the way a browser lays out a table: each column wants its
    widest cell on one line and needs at least its longest word (or four characters); when
    not every column can have what it wants, each gets what it needs and the rest of the
    width goes to the columns in proportion to how much more they want."""
    style = _Style(hei_font(), size, bold=True)
    pad = 2 * CELL_PADDING + 2
    wants, needs = [], []
    for index, header in enumerate(section.headers):
        texts = [header, *(row[index] for row in section.rows if index < len(row))]
        lines = [line for text in texts for line in (text.split("\n") or [""])]
        want = max(max(_measure(line, style) for line in lines), 2 * size)
        word = max((_measure(w, style) for line in lines for w in _WORD.findall(line)), default=0)
        wants.append(want + pad)
        needs.append(min(want, max(word, 4 * size)) + pad)
    if sum(wants) <= width:
        spare = width - sum(wants)
        return [w + spare * w / sum(wants) for w in wants]
    if sum(needs) >= width:
        return [n * width / sum(needs) for n in needs]
    extra = [w - n for w, n in zip(wants, needs, strict=True)]
    spare = width - sum(needs)
    return [n + spare * e / sum(extra) for n, e in zip(needs, extra, strict=True)]


def section_table(section: Section, width: float) -> Table:
    """The section as a ruled table whose header row repeats on every sheet. A row taller
    than ``ROW_LINES`` lines is cut into rows of that many, so a very long cell (what someone
    said when consulted) continues on the next sheet instead of overflowing this one."""
    size = table_size(len(section.headers))
    widths = column_widths(section, width, size)
    inner = [w - 2 * CELL_PADDING for w in widths]
    head = [cell_lines(h, size, w, bold=True) for h, w in zip(section.headers, inner, strict=True)]
    data: list[list[Flowable]] = [[_Cell(lines, size) for lines in head]]
    # Lines: between columns, under the header, and under each record (not inside one that
    # continues over several rows).
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), hei_font()),  # else the table sets an unembedded Helvetica
        ("BOX", (0, 0), (-1, -1), 1.0, theme.INK),
        ("LINEAFTER", (0, 0), (-2, -1), 0.6, theme.LINE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, theme.LINE),
        ("BACKGROUND", (0, 0), (-1, 0), theme.SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    for row in section.rows:
        cells = [cell_lines(text, size, w) for text, w in zip(row, inner, strict=False)]
        tallest = max((len(lines) for lines in cells), default=1)
        for start in range(0, max(tallest, 1), ROW_LINES):
            data.append([_Cell(lines[start : start + ROW_LINES], size) for lines in cells])
            if start + ROW_LINES < tallest:  # continued: no padding at the cut
                commands.append(("BOTTOMPADDING", (0, len(data) - 1), (-1, len(data) - 1), 0))
                commands.append(("TOPPADDING", (0, len(data)), (-1, len(data)), 0))
        commands.append(("LINEBELOW", (0, len(data) - 1), (-1, len(data) - 1), 0.6, theme.LINE))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _heading(number: int, title: str) -> Flowable:
    size = LAYOUT.body + 2
    label = f"{NUMERALS[number - 1] if number <= len(NUMERALS) else number}、{title}"
    return _TextBlock(
        [(label, _Style(hei_font(), size, bold=True))],
        size,
        size * 1.5,
        align="left",
        space_before=size * 0.6,
        space_after=size * 0.3,
    )


def _paragraph(text: str, *, size: float = LAYOUT.body, muted: bool = False) -> Flowable:
    return _TextBlock(
        [(text, _Style(song_font(), size, muted=muted))],
        size,
        size * LAYOUT.leading,
        indent=2 * size,
        space_after=size * 0.3,
    )


def _story(report: SubjectReport, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        _Title(report.title, LAYOUT.title_max, LAYOUT.title_min, space_after=LAYOUT.body * 0.8),
        *fact_rows(
            (
                ("查询对象：", report.who),
                ("导出时间：", report.produced_at),
                ("经办人：", report.produced_by),
                ("导出电脑：", report.site_name),
            ),
            LAYOUT,
        ),
        Spacer(1, LAYOUT.body * 0.4),
        _paragraph(RIGHTS),
    ]
    for number, section in enumerate(report.sections, start=1):
        heading = _heading(number, section.title)
        if not section.rows:
            story.append(KeepTogether([heading, _paragraph(section.empty, muted=True)]))
            continue
        # A heading never stays alone at the foot of a sheet: start a new one unless the
        # heading and the first rows fit.
        story.append(CondPageBreak(LAYOUT.body * 9))
        story += [heading, section_table(section, width)]
    return story


def subject_pdf(report: SubjectReport, out: Path | str | BinaryIO) -> None:
    """Write the report as an A4 PDF to ``out`` (a path is written whole or not at all)."""
    with theme.binary_streams():
        buffer = io.BytesIO()
        pdf = theme.new_document(
            buffer,
            margin=LAYOUT.margin_x,
            margin_y=18 * mm,
            title=report.title,
            author=report.produced_by,
            subject=report.who,
        )
        pdf.build(
            _story(report, pdf.width),
            onLaterPages=theme.running_head(f"{report.title}（续）— {report.who}"),
            canvasmaker=theme.numbered_canvas(),
        )
    with theme.output_stream(out) as stream:  # type: ignore[arg-type]
        stream.write(buffer.getvalue())
