"""The look every printed document shares: font, type sizes, margins, colours, page furniture.

Sizes follow the noticeboard rule: on A4, body text at least 16 pt and titles at least 28 pt,
so that an older resident can read a notice from a step away. Colours are black and greys only:
most offices print on a black-and-white laser.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from xmen_desktop.printing.fonts import cjk_font, song_font, split_by_font
from xmen_desktop.printing.text import wrap as wrap_text

PAGE = A4
MARGIN = 18 * mm

# Type sizes (points) for A4; an A5 layout scales them down itself.
TITLE = 30.0
HEADING = 20.0
BODY = 16.0
SMALL = 11.0
FOOTER = 10.0
LEADING = 1.35  # line height as a multiple of the type size; Chinese needs air between lines

INK = black
MUTED = Color(0.25, 0.25, 0.25)
LINE = Color(0.35, 0.35, 0.35)
FAINT = Color(0.7, 0.7, 0.7)
SHADE = Color(0.92, 0.92, 0.92)  # table header fill: still visible on a cheap laser

CREATOR = "xmen-desktop"


def bold_stroke(size: float) -> float:
    """Outline width that makes the regular face read as bold (the font has no bold face)."""
    return size * 0.035


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    bold: bool = False,
    font: str | None = None,
    color: Color = INK,
) -> float:
    """Draw one line at baseline ``y`` (``x`` is its left, centre or right); returns its width."""
    font = font or cjk_font()
    width = stringWidth(text, font, size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    text_object = canvas.beginText(x, y)
    text_object.setFont(font, size)
    text_object.setFillColor(color)
    if bold:
        # Fill, then stroke the outline in the same colour: a faithful synthetic bold.
        canvas.setStrokeColor(color)
        canvas.setLineWidth(bold_stroke(size))
        text_object.setTextRenderMode(2)
    text_object.textOut(text)
    if bold:
        text_object.setTextRenderMode(0)
    canvas.drawText(text_object)
    return width


class BoldText(Flowable):
    """A line (or a few explicit lines) of large synthetic-bold text for platypus stories."""

    def __init__(
        self,
        text: str,
        size: float,
        *,
        align: str = "center",
        color: Color = INK,
        space_before: float = 0,
        space_after: float = 0,
    ) -> None:
        super().__init__()
        self.lines = text.split("\n")
        self.size = size
        self.align = align
        self.color = color
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.avail_width = availWidth
        return availWidth, self.size * LEADING * len(self.lines)

    def draw(self) -> None:
        x = {"left": 0.0, "center": self.avail_width / 2, "right": self.avail_width}[self.align]
        for i, line in enumerate(self.lines):
            baseline = self.size * LEADING * (len(self.lines) - i) - self.size * 1.05
            draw_text(
                self.canv,
                x,
                baseline,
                line,
                self.size,
                align=self.align,
                bold=True,
                color=self.color,
            )


class TextBlock(Flowable):
    """A paragraph of Chinese text, broken by ``text.wrap`` (the same 避头尾 rules as the
    canvas-drawn documents; reportlab's own CJK wrapping can start a line with "，").

    ``indent`` shifts the first line (2 em for a body paragraph, negative for a hanging
    bullet); ``left`` shifts every line.
    """

    def __init__(
        self,
        text: str,
        size: float = BODY,
        *,
        leading: float = LEADING,
        indent: float = 0.0,
        left: float = 0.0,
        align: str = "left",
        color: Color = INK,
        space_before: float = 0.0,
        space_after: float = 0.0,
    ) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.leading = size * leading
        self.indent = indent
        self.left = left
        self.align = align
        self.color = color
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.lines: list[str] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.avail_width = availWidth
        self.lines = wrap_text(
            self.text, cjk_font(), self.size, availWidth - self.left, indent=self.indent
        )
        return availWidth, self.leading * len(self.lines)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fits = int(availHeight // self.leading)
        if fits <= 0 or fits >= len(self.lines):
            return []
        first, rest = self.lines[:fits], self.lines[fits:]
        head = TextBlock(
            "\n".join(first),
            self.size,
            leading=self.leading / self.size,
            indent=self.indent,
            left=self.left,
            align=self.align,
            color=self.color,
        )
        tail = TextBlock(
            "\n".join(rest),
            self.size,
            leading=self.leading / self.size,
            left=self.left,
            align=self.align,
            color=self.color,
        )
        return [head, tail]

    def draw(self) -> None:
        for i, line in enumerate(self.lines):
            baseline = self.leading * (len(self.lines) - i) - self.size * 1.1
            left = self.left + (self.indent if i == 0 else 0.0)
            x = {
                "left": left,
                "center": left + (self.avail_width - left) / 2,
                "right": self.avail_width,
            }[self.align]
            draw_text(self.canv, x, baseline, line, self.size, align=self.align, color=self.color)


def new_canvas(
    out: str | BinaryIO,
    *,
    pagesize: tuple[float, float] = PAGE,
    title: str = "",
    author: str = "",
    subject: str = "",
    canvas_class: type[Canvas] = Canvas,
) -> Canvas:
    """A canvas that writes identical bytes for identical input (so a re-print matches)."""
    canvas = canvas_class(
        out,
        pagesize=pagesize,
        invariant=1,
        pageCompression=1,
        # Also the font of the page preamble: else reportlab adds an unused, unembedded Helvetica.
        initialFontName=cjk_font(),
        lang="zh-CN",
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(CREATOR)
    return canvas


def new_document(
    out: str | BinaryIO,
    *,
    pagesize: tuple[float, float] = PAGE,
    margin: float = MARGIN,
    margin_y: float | None = None,
    title: str = "",
    author: str = "",
    subject: str = "",
) -> SimpleDocTemplate:
    """A platypus document with the house margins, byte-identical on re-print.

    Build it with ``doc.build(story, canvasmaker=NumberedCanvas)`` for 第 N 页 footers.
    """
    return SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin if margin_y is None else margin_y,
        bottomMargin=margin if margin_y is None else margin_y,
        title=title,
        author=author,
        subject=subject,
        creator=CREATOR,
        invariant=1,
        pageCompression=1,
        initialFontName=cjk_font(),
        lang="zh-CN",
    )


def draw_page_footer(
    canvas: Canvas,
    page: int,
    total: int,
    *,
    size: float = FOOTER,
    baseline: float = MARGIN / 2,
) -> None:
    """第 1 页 共 N 页, centred at the foot of the page."""
    width, _ = canvas._pagesize
    canvas.saveState()
    draw_text(
        canvas,
        width / 2,
        baseline,
        f"第 {page} 页 共 {total} 页",
        size,
        align="center",
        color=MUTED,
    )
    canvas.restoreState()


def running_head(
    text: str, *, size: float = FOOTER, margin: float = MARGIN
) -> Callable[[Canvas, Any], None]:
    """A platypus page callback that names the document at the top of a continuation page,
    so a second sheet pinned up on its own still says what it belongs to."""

    def draw(canvas: Canvas, _doc: Any) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        draw_text(
            canvas,
            width / 2,
            height - margin / 2 - size / 2,
            text,
            size,
            align="center",
            color=MUTED,
        )
        canvas.restoreState()

    return draw


class NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say how many pages there are.

    Only for short documents (notices): every page's drawing is kept in memory until saved.
    A one-page document gets no footer.
    """

    footer_size: float = FOOTER
    footer_baseline: float = MARGIN / 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            if total > 1:
                draw_page_footer(
                    self,
                    self._pageNumber,
                    total,
                    size=self.footer_size,
                    baseline=self.footer_baseline,
                )
            super().showPage()
        super().save()


def numbered_canvas(*, size: float = FOOTER, baseline: float = MARGIN / 2) -> type[Canvas]:
    """A ``NumberedCanvas`` whose 第 N 页 footer has its own type size and baseline (an A3
    poster wants a larger one, lower in a wider margin)."""
    return type(
        "SizedNumberedCanvas", (NumberedCanvas,), {"footer_size": size, "footer_baseline": baseline}
    )


def draw_runs(
    canvas: Canvas,
    x: float,
    y: float,
    runs: Sequence[tuple[str, str, float, bool]],
    *,
    char_space: float = 0.0,
    color: Color = INK,
) -> None:
    """Draw one line mixing faces, sizes and weights at baseline ``y`` from ``x``.

    ``runs`` are (text, font, size, bold); ``char_space`` is added after every character (to
    justify a line of Chinese). Bold is the same synthetic bold as ``draw_text``.
    """
    if not runs:
        return
    text_object = canvas.beginText(x, y)
    text_object.setFillColor(color)
    if char_space:
        text_object.setCharSpace(char_space)
    bold_sizes = [size for _text, _font, size, bold in runs if bold]
    if bold_sizes:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(bold_stroke(max(bold_sizes)))
    mode = 0
    for text, font, size, bold in runs:
        text_object.setFont(font, size)
        if bold != (mode == 2):
            mode = 2 if bold else 0
            text_object.setTextRenderMode(mode)
        text_object.textOut(text)
    if mode:
        text_object.setTextRenderMode(0)
    canvas.drawText(text_object)


@contextlib.contextmanager
def output_stream(out: Path | str | BinaryIO) -> Iterator[BinaryIO]:
    """Yield a binary stream for ``out``; a path is written to a temporary file and renamed
    into place only when the document is complete, so a failed or cancelled print never
    leaves half a PDF (or destroys the previous one)."""
    if not isinstance(out, (str, os.PathLike)):
        yield out
        return
    target = Path(out)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
        mode="wb", dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            yield handle  # type: ignore[misc]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Write page streams zlib-compressed but not also ASCII85-armoured.

    ASCII85 only makes a PDF 25 % bigger and, without reportlab's optional C accelerator,
    costs ~0.4 ms a page in pure Python; every PDF reader takes binary streams. The setting is
    reportlab's own global, so it is restored afterwards.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def cn_date(day: dt.date) -> str:
    """2025年3月1日: the way dates are written on a Chinese notice."""
    return f"{day.year}年{day.month}月{day.day}日"


def area_text(centi: int) -> str:
    """Hundredths of a square metre as m² with up to two decimals: 4550 → "45.5"."""
    sign = "-" if centi < 0 else ""
    whole, frac = divmod(abs(centi), 100)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


WEEKDAYS = "一二三四五六日"


def cn_weekday(day: dt.date) -> str:
    """星期六: printed after a meeting's date, which older residents go by."""
    return f"星期{WEEKDAYS[day.weekday()]}"


def _faces(font: str | None, fallback: str | None) -> tuple[str, str]:
    font = font or cjk_font()
    if fallback is None:
        fallback = song_font() if font == cjk_font() else cjk_font()
    return font, fallback


def fallback_width(
    text: str, size: float, *, font: str | None = None, fallback: str | None = None
) -> float:
    """The width of ``text`` as ``draw_fallback_text`` draws it."""
    font, fallback = _faces(font, fallback)
    return sum(
        stringWidth(piece, face, size) for piece, face in split_by_font(text, font, fallback)
    )


def draw_fallback_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    bold: bool = False,
    font: str | None = None,
    fallback: str | None = None,
    color: Color = INK,
) -> float:
    """``draw_text``, except that a character ``font`` (Hei by default) lacks is drawn in
    ``fallback`` (the other bundled face) and one neither has as ``fonts.PLACEHOLDER``: for
    names and addresses, where a rare character must never print as an empty box."""
    font, fallback = _faces(font, fallback)
    runs = [(piece, face, size, bold) for piece, face in split_by_font(text, font, fallback)]
    width = sum(stringWidth(piece, face, size) for piece, face, _size, _bold in runs)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    draw_runs(canvas, x, y, runs, color=color)
    return width
