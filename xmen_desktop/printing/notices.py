"""Notices for the lane noticeboard (通知、公告、征询公告、结果公示、活动通知、温馨提示).

In the order such notices are posted in Shanghai neighbourhoods: the kind (温馨提示) when the
title does not already end with its last word (……的通知), the title in large Hei type, the
document number and the estates in small type, the salutation (各位居民：), the body in Song
type (paragraphs indented two characters, numbered items hanging, headings and **emphasis** in
Hei), a picture with its caption, the publicity period (公示期), and at the foot the issuing
body and the date at the right, with room for the seal stamped over them, and a QR code with
its caption (扫码报名) at the left. A notice
that runs just over one sheet is laid out again a little tighter (less room above the seal,
lines a little closer) when that brings it onto one sheet, and a picture shrinks to as little
as half its height rather than push the end of a notice onto a second sheet.

Three layouts: ``a4`` (body 16 pt, title 36 pt shrinking to no less than 28 pt), ``large``
(large print on A4: body 22 pt) and ``a3`` (a poster: body 26 pt, title 84 pt down to 60 pt).
A title is set on one line at the largest size that fits, else balanced over two lines, and
only a title too long for two lines at the smallest size takes a third: it never runs past the
margins.

Every line follows the Chinese line-breaking rules of ``text.wrap_spans``; lines of the body are
justified to both margins, as Chinese print is. A character the Song face lacks is drawn in the
Hei face and the other way round; a character neither has is drawn as ``fonts.PLACEHOLDER``
and named by ``notice_missing_chars`` (``strict=True`` refuses it). A notice over one sheet
gets 第 N 页 共 M 页 at the foot and its title at the head of the continuation sheets; the last
lines, the publicity period and the issuer always stay together.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import segno
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from xmen_desktop.domain.notice_text import NoticeBlock
from xmen_desktop.printing import theme
from xmen_desktop.printing.documents import NoticeDoc
from xmen_desktop.printing.fonts import (
    PLACEHOLDER,
    hei_font,
    missing_chars,
    song_font,
    split_by_font,
)
from xmen_desktop.printing.qr import QrSymbol, draw_qr, encode, footprint
from xmen_desktop.printing.text import break_positions, wrap_spans

log = logging.getLogger(__name__)

LAYOUT_NAMES = ("a4", "a3", "large")
IMAGE_DPI = 300  # an image with more pixels than this needs at its printed size is resampled
ORIENTATION = 0x0112  # the EXIF tag
MIN_DPI = 100  # a small image is enlarged, but not past this: it would print blurred
# A notice that runs just over one sheet (its second sheet less than this full) is laid out
# again with these squeezes in turn, and the first that fits on one sheet is kept:
# (line height − in body sizes, room for the seal ×). Lines never get tighter than 1.45 × the
# type size, which older readers still read comfortably. (A picture shrinks by itself: see
# ``_Closing``.)
SQUEEZE_WHEN = 0.5
SQUEEZES = ((0.0, 0.6), (0.1, 0.6), (0.15, 0.6))
MIN_PICTURE = 0.5  # a picture may shrink to half its height to end a notice on this sheet


@dataclass(frozen=True)
class Layout:
    """Paper and type sizes (points) of one notice layout."""

    name: str
    pagesize: tuple[float, float]
    margin_x: float
    margin_top: float
    margin_bottom: float
    title_max: float
    title_min: float
    body: float
    leading: float  # line height as a multiple of the body size
    small: float  # document number, estates, captions
    footer: float
    image_height: float  # the tallest a picture may be drawn
    qr: float  # the side of the QR symbol
    qr_max_modules: int  # longer payloads make modules too small to scan at this size
    # Above the issuer: a round seal (~40 mm) is stamped over the name and date.
    seal_room: float = 14 * mm


LAYOUTS: dict[str, Layout] = {
    "a4": Layout(
        "a4", A4, 20 * mm, 20 * mm, 20 * mm, 36, 28, 16, 1.75, 12, 10, 72 * mm, 30 * mm, 57
    ),
    "large": Layout(
        "large", A4, 16 * mm, 16 * mm, 18 * mm, 40, 30, 22, 1.6, 15, 12, 62 * mm, 32 * mm, 57
    ),
    "a3": Layout(
        "a3", A3, 26 * mm, 24 * mm, 24 * mm, 84, 60, 26, 1.7, 18, 14, 110 * mm, 45 * mm, 73
    ),
}


class MissingCharactersError(ValueError):
    """The notice has characters no bundled font can print (raised only with ``strict=True``)."""

    def __init__(self, chars: Sequence[str]) -> None:
        self.chars = tuple(chars)
        super().__init__(
            f"这些字没有字体可以打印：{'、'.join(self.chars)}。"
            f"请改用常用字（不改的话会印成“{PLACEHOLDER}”）"
        )


# --- styled text --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    font: str  # preferred face; characters it lacks come from the other face
    size: float
    bold: bool = False
    muted: bool = False

    @property
    def fallback(self) -> str:
        return hei_font() if self.font == song_font() else song_font()


_widths: dict[tuple[str, _Style], float] = {}


def _measure(text: str, style: _Style) -> float:
    """The width of ``text`` in ``style``, each character in the face that will draw it."""
    total = 0.0
    for char in text:
        key = (char, style)
        width = _widths.get(key)
        if width is None:
            ((drawn, font),) = split_by_font(char, style.font, style.fallback)
            width = _widths[key] = stringWidth(drawn, font, style.size)
        total += width
    return total


Spans = list[tuple[str, _Style]]


def _draw_spans(
    canvas: object, x: float, y: float, spans: Spans, *, char_space: float = 0.0
) -> None:
    runs: list[tuple[str, str, float, bool]] = []
    for text, style in spans:
        for piece, font in split_by_font(text, style.font, style.fallback):
            runs.append((piece, font, style.size, style.bold))
    muted = any(style.muted for _, style in spans)
    theme.draw_runs(
        canvas,  # type: ignore[arg-type]
        x,
        y,
        runs,
        char_space=char_space,
        color=theme.MUTED if muted else theme.INK,
    )


def _width(spans: Spans) -> float:
    return sum(_measure(text, style) for text, style in spans)


def _chars(spans: Spans) -> int:
    return sum(len(text) for text, _ in spans)


def _baseline_drop(size: float, leading: float) -> float:
    """From the top of a line box to the baseline: CJK glyphs sit in the em box from about
    -0.12 to 0.88 em, centred in the line box."""
    return (leading - size) / 2 + size * 0.88


@dataclass(frozen=True)
class _Line:
    x: float  # from the left of the block
    spans: Spans
    justify_to: float | None  # the right edge to justify to, or None (last line of a block)


class _TextBlock(Flowable):
    """A paragraph, heading or item: styled text wrapped to the frame, split between pages
    by lines (never leaving a single line behind or carrying a single line over)."""

    def __init__(
        self,
        spans: Spans,
        size: float,
        leading: float,
        *,
        indent: float = 0.0,
        left: float = 0.0,
        label: Spans | None = None,
        label_x: float = 0.0,
        align: str = "justify",
        space_before: float = 0.0,
        space_after: float = 0.0,
        lines: list[_Line] | None = None,
    ) -> None:
        super().__init__()
        self.spans = spans
        self.size = size
        self.leading = leading
        self.indent = indent
        self.left = left
        self.label = label
        self.label_x = label_x
        self.align = align
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.lines = lines
        self._laid_for: float | None = None if lines is None else -1.0

    def _lay_out(self, width: float) -> None:
        if self._laid_for is not None:
            return
        rows = wrap_spans(
            self.spans, _measure, width - self.left, indent=self.indent, no_lonely_char=True
        )
        lines = []
        for i, row in enumerate(rows):
            x = self.left + (self.indent if i == 0 else 0.0)
            if self.align == "center":
                x += (width - x - _width(row)) / 2
            elif self.align == "right":
                x = width - _width(row)
            last = i == len(rows) - 1
            lines.append(_Line(x, row, None if last or self.align != "justify" else width))
        self.lines = lines
        self._laid_for = width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self._lay_out(availWidth)
        assert self.lines is not None
        return availWidth, self.leading * len(self.lines)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        assert self.lines is not None
        fits = int((availHeight + 0.01) // self.leading)
        fits = min(fits, len(self.lines) - 2)  # no single line carried over
        if fits < 2:
            return []  # nor left behind: a block of three lines or fewer moves whole
        head = self._part(self.lines[:fits], label=self.label, space_before=self.spaceBefore)
        tail = self._part(self.lines[fits:], label=None, space_before=0.0)
        tail.spaceAfter = self.spaceAfter
        return [head, tail]

    def _part(self, lines: list[_Line], *, label: Spans | None, space_before: float) -> _TextBlock:
        return _TextBlock(
            [],
            self.size,
            self.leading,
            label=label,
            label_x=self.label_x,
            space_before=space_before,
            lines=lines,
        )

    def draw(self) -> None:
        assert self.lines is not None
        drop = _baseline_drop(self.size, self.leading)
        top = self.leading * len(self.lines)
        for i, line in enumerate(self.lines):
            baseline = top - i * self.leading - drop
            if i == 0 and self.label:
                _draw_spans(self.canv, self.label_x, baseline, self.label)
            space = 0.0
            count = _chars(line.spans)
            if line.justify_to is not None and count > 1:
                extra = line.justify_to - line.x - _width(line.spans)
                if 0 < extra < 2 * self.size:
                    space = extra / (count - 1)
            _draw_spans(self.canv, line.x, baseline, line.spans, char_space=space)


class _Title(Flowable):
    """The title in Hei: on one line at the largest size from ``max_size`` down to
    ``min_size`` that fits; else on two lines, broken where the type can be largest and the
    break reads naturally; failing that, ``min_size`` on as many lines as it takes. Never
    wider than the frame."""

    def __init__(self, text: str, max_size: float, min_size: float, space_after: float) -> None:
        super().__init__()
        self.text = text
        self.max_size = max_size
        self.min_size = min_size
        self.spaceAfter = space_after
        self.lines: list[Spans] = []
        self.size = max_size

    def _fit(self, width: float) -> tuple[float, list[Spans]]:
        text = self.text
        unit = _Style(hei_font(), 1.0, bold=True)

        def largest(*lines: str) -> float:
            """The largest size, in half points, at which every line fits."""
            widest = max(_measure(line, unit) for line in lines)
            return min(self.max_size, int(2 * width / widest) / 2) if widest else self.max_size

        def spans(size: float, *lines: str) -> list[Spans]:
            style = _Style(hei_font(), size, bold=True)
            return [[(line, style)] for line in lines]

        one = largest(text)
        if one >= self.min_size:
            return one, spans(one, text)
        # Two lines: the break that allows the largest type, a natural break (at punctuation,
        # before the closing 通知/公告...) counting as if it allowed a quarter more; then the
        # more even of two.
        best: tuple[float, float, float, int] | None = None
        for position in break_positions(text):
            first, second = text[:position].rstrip(), text[position:].lstrip()
            if not first or not second:
                continue
            size = largest(first, second)
            if size < self.min_size:
                continue
            natural = _natural_break(text, position)
            evenness = -abs(_measure(first, unit) - _measure(second, unit))
            score = (size * (1.25 if natural else 1.0), evenness, size, position)
            if best is None or score[:2] > best[:2]:
                best = score
        if best is not None:
            _score, _evenness, size, position = best
            return size, spans(size, text[:position].rstrip(), text[position:].lstrip())
        style = _Style(hei_font(), self.min_size, bold=True)
        return self.min_size, _balanced([(text, style)], width)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        if not self.lines:
            # A bold outline reaches a little past the advance width: keep it inside.
            self.size, self.lines = self._fit(availWidth - 2)
        return availWidth, self.size * 1.3 * len(self.lines)

    def draw(self) -> None:
        leading = self.size * 1.3
        drop = _baseline_drop(self.size, leading)
        top = leading * len(self.lines)
        for i, line in enumerate(self.lines):
            x = (self.width - _width(line)) / 2
            _draw_spans(self.canv, x, top - i * leading - drop, line)


# A title reads best broken before its closing words (……运动会 / 报名通知) or at punctuation.
_CLOSING_WORDS = re.compile(r"(的|活动|报名|征询|结果|温馨|情况)?(通知|公告|公示|提示)$")
_BREAK_AFTER = frozenset("”）」』》、，：；")
_BREAK_BEFORE = frozenset("“（「『《")


def _natural_break(text: str, position: int) -> bool:
    rest = text[position:]
    return (
        text[position - 1] in _BREAK_AFTER
        or rest[:1] in _BREAK_BEFORE
        or (_CLOSING_WORDS.fullmatch(rest) is not None and not rest.startswith("的"))
    )


def _balanced(spans: Spans, width: float) -> list[Spans]:
    """Wrap into as few lines as fit ``width``, with the lines as even as the rules allow (a
    two-line title reads better as 7 + 6 characters than as 12 + 1)."""
    lines = wrap_spans(spans, _measure, width)
    if len(lines) < 2:
        return lines
    low, high = _width(spans) / len(lines), width
    best = lines
    for _ in range(14):
        middle = (low + high) / 2
        trial = wrap_spans(spans, _measure, middle)
        if len(trial) <= len(lines):
            best, high = trial, middle
        else:
            low = middle
    return best


# --- picture and QR code ------------------------------------------------------------------


def _qr_symbol(payload: str) -> QrSymbol:
    """The symbol of ``payload``: ASCII as the ballots encode it; other text as UTF-8, which
    phone scanners read (the ballots' USB scanners are not asked to)."""
    if payload.isascii():
        return encode(payload)
    code = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    size = len(code.matrix)
    runs: list[tuple[int, int, int]] = []
    for row_index, row in enumerate(code.matrix):
        y = size - 1 - row_index
        start = -1
        for x, dark in enumerate(row):
            if dark and start < 0:
                start = x
            elif not dark and start >= 0:
                runs.append((y, start, x - start))
                start = -1
        if start >= 0:
            runs.append((y, start, size - start))
    return QrSymbol(payload, size, tuple(runs))


def _fit_picture(
    pixels: tuple[int, int], max_width: float, max_height: float
) -> tuple[float, float, tuple[int, int]]:
    """Printed width and height of a picture fitted to the box, and the pixels 300 dpi needs."""
    pixels_w, pixels_h = pixels
    scale = min(max_width / pixels_w, max_height / pixels_h, 72 / MIN_DPI)
    width, height = pixels_w * scale, pixels_h * scale
    target = (max(1, round(width / 72 * IMAGE_DPI)), max(1, round(height / 72 * IMAGE_DPI)))
    return width, height, target


def _picture(data: bytes, max_width: float, max_height: float) -> tuple[ImageReader, float, float]:
    """The picture scaled to fit the box, as an image reportlab embeds, and its printed width
    and height. More pixels than 300 dpi needs are resampled away, so that a photo straight
    off a phone neither makes a 20 MB notice nor slows the print."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image_format = image.format
        if image_format not in ("PNG", "JPEG"):
            raise ValueError(f"图片格式 {image_format} 不支持，请用 PNG 或 JPEG 图片")
        original_size = image.size
        _w, _h, target = _fit_picture(original_size, max_width, max_height)
        if image_format == "JPEG":
            image.draft("RGB", target)  # decode a huge JPEG at a fraction of its size
        changed = image.size != original_size
        if image.getexif().get(ORIENTATION, 1) != 1:  # a phone photo taken sideways
            image = ImageOps.exif_transpose(image)
            changed = True
        width, height, target = _fit_picture(image.size, max_width, max_height)
        if image.size[0] > target[0] * 1.25:
            image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
            changed = True
        if image.mode not in ("RGB", "L"):
            changed = True
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        if image_format == "JPEG":
            if changed:
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=90)
                data = buffer.getvalue()
            return ImageReader(io.BytesIO(data)), width, height  # embedded as JPEG
        image.load()
        return ImageReader(image), width, height
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise ValueError("图片无法识别，请重新选择 PNG 或 JPEG 图片") from error


class _Figure(Flowable):
    """The picture, centred, with its caption beneath. ``max_height`` starts as the layout's
    and may be lowered (``_Closing`` does, to keep a notice on one sheet)."""

    def __init__(self, layout: Layout, image: bytes, caption: str) -> None:
        super().__init__()
        self.layout = layout
        self.image = image
        self.caption = caption
        self.max_height = layout.image_height
        self.caption_style = _Style(hei_font(), layout.small)
        self.caption_leading = layout.small * 1.4
        self.spaceBefore = layout.body * 0.6
        self.spaceAfter = layout.body * 0.6
        self._laid_for: tuple[float, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._laid_for != (availWidth, self.max_height):
            self.picture, self.picture_w, self.picture_h = _picture(
                self.image, availWidth, self.max_height
            )
            room = max(self.picture_w, availWidth / 2)
            self.lines = (
                wrap_spans([(self.caption, self.caption_style)], _measure, room)
                if self.caption
                else []
            )
            self.height = self.picture_h + self.caption_leading * len(self.lines)
            self._laid_for = (availWidth, self.max_height)
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        centre = self.width / 2
        self.canv.drawImage(
            self.picture,
            centre - self.picture_w / 2,
            self.height - self.picture_h,
            self.picture_w,
            self.picture_h,
        )
        drop = _baseline_drop(self.layout.small, self.caption_leading)
        top = self.height - self.picture_h
        for i, line in enumerate(self.lines):
            x = centre - _width(line) / 2
            _draw_spans(self.canv, x, top - i * self.caption_leading - drop, line)


class _Closing(Flowable):
    """The end of a notice, kept on one sheet: the last lines of the body, the picture, the
    publicity period and the issuer. A signature never stands alone on a sheet.

    When the group does not fit in what is left of a page but would with the picture down to
    ``MIN_PICTURE`` of its height, the picture shrinks rather than the whole group moving to
    the next sheet and leaving a third of this one blank. Otherwise the last block gives up
    its first lines to this page if it is long enough; else the group moves on whole."""

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.figure = next((part for part in parts if isinstance(part, _Figure)), None)
        self.full_height = self.figure.max_height if self.figure else 0.0

    def _measure_parts(self, width: float) -> float:
        total = 0.0
        for i, part in enumerate(self.parts):
            _w, height = part.wrap(width, 1e6)
            total += height + part.getSpaceAfter()
            if i:
                total += part.getSpaceBefore()
        return total

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        if self.figure is not None:
            self.figure.max_height = self.full_height
        self.height = self._measure_parts(availWidth)
        if self.height > availHeight and self.figure is not None:
            over = self.height - availHeight
            lowest = self.full_height * MIN_PICTURE
            if self.figure.picture_h - over >= lowest:
                self.figure.max_height = self.figure.picture_h - over - 0.5
                self.height = self._measure_parts(availWidth)
        return availWidth, self.height

    def getSpaceBefore(self) -> float:
        return self.parts[0].getSpaceBefore() if self.parts else 0.0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        first = self.parts[0]
        if isinstance(first, _TextBlock):
            pieces = first.split(availWidth, availHeight)
            if len(pieces) == 2:
                return [pieces[0], _Closing([pieces[1], *self.parts[1:]])]
        return []

    def draw(self) -> None:
        y = self.height
        for i, part in enumerate(self.parts):
            if i:
                y -= part.getSpaceBefore()
            _w, height = part.wrap(self.width, 1e6)
            y -= height
            part.drawOn(self.canv, 0, y)
            y -= part.getSpaceAfter()


class _Signature(Flowable):
    """The issuing body and the date at the lower right, centred on each other, with room
    above and below for the round seal stamped over them (盖章处); the QR code, if any, at the
    lower left of the same band with its caption beneath (扫码报名), where it takes no room of
    its own."""

    def __init__(
        self,
        issuer: str,
        date_text: str,
        layout: Layout,
        leading: float,
        qr: QrSymbol | None = None,
        qr_caption: str = "",
    ) -> None:
        super().__init__()
        size = layout.body
        self.style = _Style(song_font(), size)
        self.lines = [[(text, self.style)] for text in (issuer, date_text) if text]
        self.layout = layout
        self.size = size
        self.leading = leading
        self.room_above = layout.seal_room
        self.room_below = 6 * mm
        self.qr = qr
        self.qr_caption = qr_caption
        self.spaceBefore = size * 0.5 if qr else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.room_above + self.leading * len(self.lines) + self.room_below
        if self.qr:
            layout = self.layout
            self.qr_side = layout.qr
            self.qr_box = footprint(layout.qr, self.qr.modules)
            self.qr_column = max(self.qr_box, layout.small * 8)
            caption_style = _Style(hei_font(), layout.small)
            self.caption_leading = layout.small * 1.4
            self.caption_lines = (
                wrap_spans([(self.qr_caption, caption_style)], _measure, self.qr_column)
                if self.qr_caption
                else []
            )
            qr_height = self.qr_box + self.caption_leading * len(self.caption_lines)
            self.height = max(self.height, qr_height)
        return availWidth, self.height

    def draw(self) -> None:
        widest = max(_width(line) for line in self.lines)
        # Right-aligned block, two characters in from the margin, as Chinese notices sign off.
        centre = self.width - 2 * self.size - widest / 2
        drop = _baseline_drop(self.size, self.leading)
        top = self.height - self.room_above
        for i, line in enumerate(self.lines):
            _draw_spans(self.canv, centre - _width(line) / 2, top - i * self.leading - drop, line)
        if self.qr:
            quiet = (self.qr_box - self.qr_side) / 2
            column_x = 2 * self.size  # under the paragraphs' first characters
            left = column_x + (self.qr_column - self.qr_box) / 2 + quiet
            draw_qr(self.canv, self.qr, left, self.height - quiet - self.qr_side, self.qr_side)
            drop = _baseline_drop(self.layout.small, self.caption_leading)
            caption_top = self.height - self.qr_box
            for i, line in enumerate(self.caption_lines):
                x = column_x + (self.qr_column - _width(line)) / 2
                _draw_spans(self.canv, x, caption_top - i * self.caption_leading - drop, line)


# --- the notice ---------------------------------------------------------------------------


def _all_text(doc: NoticeDoc) -> str:
    parts = [
        doc.kind_label,
        doc.title,
        doc.salutation,
        doc.issuer,
        doc.image_caption,
        doc.qr_caption,
        doc.reference,
        *doc.estates,
    ]
    parts += [block.label + block.text for block in doc.blocks]
    return "".join(parts)


def notice_missing_chars(doc: NoticeDoc) -> list[str]:
    """Characters of the notice that no bundled font has: they print as ``PLACEHOLDER``."""
    return missing_chars(_all_text(doc))


def _check(doc: NoticeDoc, layout: str) -> Layout:
    if layout not in LAYOUTS:
        raise ValueError(f"没有“{layout}”这种版式，请选 a4、a3 或 large")
    if not doc.title.strip():
        raise ValueError("标题不能为空")
    if not any(block.text.strip() for block in doc.blocks):
        raise ValueError("正文不能为空")
    if (doc.publicity_from is None) != (doc.publicity_to is None):
        raise ValueError("公示期要同时填开始和结束日期")
    if doc.publicity_from and doc.publicity_to and doc.publicity_to < doc.publicity_from:
        raise ValueError("公示期的结束日期不能早于开始日期")
    return LAYOUTS[layout]


def _header(doc: NoticeDoc, layout: Layout) -> list[Flowable]:
    body = layout.body
    story: list[Flowable] = []
    title = doc.title.strip()
    kind = doc.kind_label.strip()
    if kind and not title.endswith(kind[-2:]):
        size = max(layout.title_min * 0.62, body * 1.3)
        style = _Style(hei_font(), size, bold=True)
        spaced: Spans = [("\u2002".join(kind), style)]
        story.append(_TextBlock(spaced, size, size * 1.5, align="center", space_after=body * 0.1))
    story.append(_Title(title, layout.title_max, layout.title_min, body * 0.5))
    meta = []
    if doc.reference.strip():
        meta.append(doc.reference.strip())
    estates = [name.strip() for name in doc.estates if name.strip()]
    if estates:
        meta.append("张贴小区：" + "、".join(estates))
    if meta:
        style = _Style(song_font(), layout.small, muted=True)
        story.append(
            _TextBlock(
                [("\u3000\u3000".join(meta), style)],
                layout.small,
                layout.small * 1.5,
                align="center",
                space_after=body * 0.4,
            )
        )
    story.append(Spacer(1, body * 0.6))
    return story


def _block_flowables(blocks: Sequence[NoticeBlock], layout: Layout) -> list[Flowable]:
    body = layout.body
    leading = body * layout.leading
    song = _Style(song_font(), body)
    hei = _Style(hei_font(), body, bold=True)
    story: list[Flowable] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        spans: Spans = [(text, hei if emphasised else song) for text, emphasised in block.runs]
        if block.kind == "heading":
            flowable = _TextBlock(
                [(text, hei) for text, _ in block.runs],
                body,
                leading,
                indent=2 * body,
                space_before=body * 0.35,
            )
            flowable.keepWithNext = True
            story.append(flowable)
            i += 1
        elif block.kind == "item":
            # A run of items hangs from one common label width, so their text lines up.
            j = i
            while j < len(blocks) and blocks[j].kind == "item":
                j += 1
            group = blocks[i:j]
            labels = [_label(item.label, song) for item in group]
            hang = max(_width(label) for label in labels)
            for item, label in zip(group, labels, strict=True):
                item_spans: Spans = [
                    (text, hei if emphasised else song) for text, emphasised in item.runs
                ]
                story.append(
                    _TextBlock(
                        item_spans,
                        body,
                        leading,
                        left=2 * body + hang,
                        label=label,
                        label_x=2 * body,
                    )
                )
            i = j
        else:
            story.append(_TextBlock(spans, body, leading, indent=2 * body))
            i += 1
    return story


SALUTATION_STARTS = ("各位", "尊敬的", "亲爱的", "全体")


def _is_salutation(block: NoticeBlock, default: str) -> bool:
    """A typed first line that addresses the readers: the default salutation itself, or a
    heading (a short line ending in a colon) that starts like one (各位业主、公房承租人：)."""
    text = block.text.strip()
    if default and text == default:
        return True
    return block.kind == "heading" and text.startswith(SALUTATION_STARTS)


def _label(label: str, style: _Style) -> Spans:
    """The label of an item, followed by half a character of space when it ends in ASCII
    (1. (1) -) so the text does not touch it; full-width labels (1、 一、 （一）) carry theirs."""
    if (label and label[-1].isascii()) or label in ("●", "•", "·", "■", "◆", "★"):
        label += "\u2002"
    return [(label, style)]


def _story(doc: NoticeDoc, layout: Layout, qr: QrSymbol | None) -> list[Flowable]:
    body = layout.body
    leading = body * layout.leading
    song = _Style(song_font(), body)
    hei = _Style(hei_font(), body, bold=True)
    story = _header(doc, layout)
    blocks = list(doc.blocks)
    salutation = doc.salutation.strip()
    # Staff often type a salutation as the first line (各位居民： / 各位议事代表：): print
    # theirs, in place of the default.
    if blocks and _is_salutation(blocks[0], salutation):
        salutation = blocks[0].text.strip()
        blocks = blocks[1:]
    if salutation:
        story.append(_TextBlock([(salutation, song)], body, leading, align="left"))
    content = _block_flowables(blocks, layout)
    closing: list[Flowable] = []
    if doc.image is not None:
        closing.append(_Figure(layout, doc.image, doc.image_caption.strip()))
    qr_caption = doc.qr_caption.strip()
    if qr is not None and not qr_caption and len(doc.qr_text or "") <= 20:
        qr_caption = doc.qr_text or ""
    if doc.publicity_from is not None and doc.publicity_to is not None:
        period = f"{theme.cn_date(doc.publicity_from)}至{theme.cn_date(doc.publicity_to)}"
        closing.append(
            _TextBlock(
                [("公示期：", hei), (period, song)],
                body,
                leading,
                indent=2 * body,
                space_before=body * 0.3,
            )
        )
    closing.append(
        _Signature(
            doc.issuer.strip(), theme.cn_date(doc.issued_on), layout, leading, qr, qr_caption
        )
    )
    # The last lines of the body, the picture, the publicity period and the issuer stay on one
    # sheet: a signature never stands alone on a page.
    tail = content[-1:]
    story += content[:-1]
    story.append(_Closing([*tail, *closing]))
    return story


def render_notice(
    doc: NoticeDoc,
    out: Path | BinaryIO,
    *,
    layout: str = "a4",
    strict: bool = False,
) -> None:
    """Write ``doc`` as a PDF notice to ``out`` (a path is written whole or not at all).

    ``layout``: ``a4``, ``a3`` (poster) or ``large`` (large print on A4). Raises ValueError
    with a plain Chinese message for an empty title or body, an unreadable picture or a QR
    text too long to scan; a character no font has prints as ``PLACEHOLDER``, or raises
    ``MissingCharactersError`` when ``strict``.
    """
    sizes = _check(doc, layout)
    missing = notice_missing_chars(doc)
    if missing:
        if strict:
            raise MissingCharactersError(missing)
        log.warning("notice %r: no font has %s", doc.title, "".join(missing))
    qr = None
    if doc.qr_text and doc.qr_text.strip():
        qr = _qr_symbol(doc.qr_text.strip())
        if qr.modules > sizes.qr_max_modules:
            raise ValueError("二维码的内容太长，扫不出来：请缩短（电话号码或短网址）")
    with theme.binary_streams():
        buffer = io.BytesIO()
        pages, last_page_used = _build(doc, sizes, qr, buffer)
        if pages == 2 and last_page_used <= SQUEEZE_WHEN:
            # Just over one sheet: try the squeezes in turn; keep the first that fits on one.
            for leading, seal in SQUEEZES:
                squeezed = replace(
                    sizes, leading=sizes.leading - leading, seal_room=sizes.seal_room * seal
                )
                attempt = io.BytesIO()
                if _build(doc, squeezed, qr, attempt)[0] == 1:
                    buffer = attempt
                    break
    with theme.output_stream(out) as stream:
        stream.write(buffer.getvalue())


def _build(doc: NoticeDoc, sizes: Layout, qr: QrSymbol | None, out: BinaryIO) -> tuple[int, float]:
    """Lay the notice out into ``out``; returns the number of pages and the fraction of the
    last page's frame the notice fills."""
    pdf = theme.new_document(
        out,
        pagesize=sizes.pagesize,
        margin=sizes.margin_x,
        title=doc.title,
        author=doc.issuer,
        subject=doc.kind_label,
    )
    pdf.topMargin = sizes.margin_top
    pdf.bottomMargin = sizes.margin_bottom
    pdf.build(
        _story(doc, sizes, qr),
        onLaterPages=theme.running_head(
            f"{doc.title}（续）", size=sizes.footer, margin=sizes.margin_top
        ),
        canvasmaker=theme.numbered_canvas(
            size=sizes.footer, baseline=sizes.margin_bottom / 2 - sizes.footer / 3
        ),
    )
    frame = pdf.frame
    used = (frame._y2 - frame._y) / max(1.0, frame._y2 - frame._y1)
    return int(pdf.page), used
