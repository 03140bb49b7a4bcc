"""Line breaking for Chinese text drawn straight onto a canvas.

Chinese breaks between any two characters, except that closing punctuation never starts a line
and opening punctuation never ends one (the usual 避头尾 rules); runs of Latin letters and
digits (1234, 2025-03-01, No.7) stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from reportlab.pdfbase.pdfmetrics import stringWidth

# Must not begin a line: they belong to the character before them.
NO_LINE_START = frozenset("，。、；：？！）」』】》〉〕］｝”’…—·％,.;:?!)]}%")
# Must not end a line: they belong to the character after them.
NO_LINE_END = frozenset("（「『【《〈〔［｛“‘([{")

# Latin words and numbers, kept together; anything else is one character per token.
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./:@_#+]*| +|.", re.S)


def _atoms(text: str) -> list[str]:
    """Split ``text`` into unbreakable pieces, with punctuation glued to its neighbour."""
    atoms: list[str] = []
    pending = ""  # opening punctuation waiting for the next piece
    for token in _TOKENS.findall(text):
        if token in NO_LINE_END:
            pending += token
        elif token in NO_LINE_START and atoms and not pending:
            atoms[-1] += token
        else:
            atoms.append(pending + token)
            pending = ""
    if pending:
        if atoms:
            atoms[-1] += pending
        else:
            atoms.append(pending)
    return atoms


def wrap(text: str, font: str, size: float, width: float, *, indent: float = 0.0) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (an explicit newline always breaks).

    ``indent`` narrows (or, if negative, widens) the first line of each paragraph.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, font, size, width, indent))
    return lines


def _wrap_paragraph(text: str, font: str, size: float, width: float, indent: float) -> list[str]:
    lines: list[str] = []
    line = ""
    line_width = 0.0
    full_width = width
    width = full_width - indent
    for atom in _atoms(text):
        atom_width = stringWidth(atom, font, size)
        if line and line_width + atom_width > width:
            lines.append(line.rstrip())
            line, line_width, width = "", 0.0, full_width
        if not line and atom.isspace():
            continue  # no line starts with a space
        if atom_width > width:
            # A piece wider than the whole line (a very long number): break it anywhere.
            for char in atom:
                char_width = stringWidth(char, font, size)
                if line and line_width + char_width > width:
                    lines.append(line)
                    line, line_width, width = "", 0.0, full_width
                line += char
                line_width += char_width
            continue
        line += atom
        line_width += atom_width
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class Fitted:
    size: float
    leading: float
    lines: tuple[str, ...]

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def fit(
    text: str,
    font: str,
    *,
    size: float,
    min_size: float,
    width: float,
    height: float,
    leading: float = 1.35,
) -> Fitted:
    """Wrap at ``size``; only if that is taller than ``height``, shrink in half points.

    Returns the largest size that fits, or ``min_size`` (possibly too tall) if none does: the
    caller decides whether to clip or move on.
    """
    current = size
    while True:
        lines = tuple(wrap(text, font, current, width))
        if len(lines) * current * leading <= height or current <= min_size:
            return Fitted(current, current * leading, lines)
        current = max(min_size, current - 0.5)


# Styled text: the same rules over runs of text that each carry a style (a font, a size, an
# emphasis flag...), for paragraphs that mix faces. A glued piece may span two styles: in
# "请**准时**参加。" the "。" stays on the line of "加" and "**准时**" breaks like plain text.

S = TypeVar("S")
Span = tuple[str, S]


# A unit after a number stays on its line: 12月20 / 日 reads badly.
NUMBER_UNITS = frozenset("年月日号时点分秒元角户人位个辆天周岁栋幢楼层室米克斤度条项次℃%％")


def _glued(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join ``pieces`` (character ranges of ``text``, in order) into unbreakable atoms:
    closing punctuation joins what precedes it (across a space, so that "字 ，" stays whole),
    opening punctuation joins what follows it, and a unit joins the number before it."""
    atoms: list[list[int]] = []
    pending: int | None = None  # start of opening punctuation waiting for the next piece
    for start, end in pieces:
        piece = text[start:end]
        if pending is not None and piece.isspace():
            continue  # "（ 1" : the space stays with the bracket it follows
        if (
            piece in NUMBER_UNITS
            and atoms
            and pending is None
            and text[atoms[-1][1] - 1 : atoms[-1][1]].isdigit()
        ):
            atoms[-1][1] = end  # 20日, 30天, 8人: a number keeps its unit
            continue
        if piece in NO_LINE_END:
            if pending is None:
                pending = start
        elif piece in NO_LINE_START and atoms and pending is None:
            if text[atoms[-1][0] : atoms[-1][1]].isspace() and len(atoms) > 1:
                atoms.pop()
            atoms[-1][1] = end
        else:
            atoms.append([start if pending is None else pending, end])
            pending = None
    if pending is not None:
        if atoms:
            atoms[-1][1] = len(text)
        else:
            atoms.append([pending, len(text)])
    return [(start, end) for start, end in atoms]


def wrap_spans(
    spans: Sequence[tuple[str, S]],
    measure: Callable[[str, S], float],
    width: float,
    *,
    indent: float = 0.0,
    no_lonely_char: bool = False,
) -> list[list[tuple[str, S]]]:
    """Break one paragraph of styled text into lines no wider than ``width``.

    ``measure(text, style)`` gives the width of ``text`` set in ``style``; ``indent`` narrows
    (or, if negative, widens) the first line. The rules are those of ``wrap``: no line starts
    with closing punctuation or ends with opening punctuation, Latin words and numbers stay
    whole, and a piece wider than a whole line is broken between characters, still keeping
    punctuation with its neighbour. Spaces at the start or end of a line are dropped. Each line
    is a list of (text, style) with neighbouring pieces of one style joined.

    ``no_lonely_char``: a paragraph does not end with a line of one character (and its
    punctuation), "道！" under a full line; the last piece of the line above joins it.
    """
    text = "".join(piece for piece, _ in spans)
    styles: list[S] = []
    for piece, style in spans:
        styles.extend([style] * len(piece))

    def atom_width(start: int, end: int) -> float:
        total = 0.0
        i = start
        while i < end:
            j = i + 1
            while j < end and (styles[j] is styles[i] or styles[j] == styles[i]):
                j += 1
            total += measure(text[i:j], styles[i])
            i = j
        return total

    pieces = [match.span() for match in _TOKENS.finditer(text)]
    lines: list[tuple[int, int, int]] = []  # start, end, start of the last piece
    line_start: int | None = None
    line_end = 0
    line_last = 0
    line_width = 0.0
    room = width - indent

    def place(atoms: list[tuple[int, int]], *, split: bool) -> None:
        nonlocal line_start, line_end, line_last, line_width, room
        for start, end in atoms:
            w = atom_width(start, end)
            if line_start is not None and line_width + w > room:
                lines.append((line_start, line_end, line_last))
                line_start, line_width, room = None, 0.0, width
            if line_start is None and text[start:end].isspace():
                continue  # no line starts with a space
            if w > room and split and end - start > 1:
                # Wider than a whole line: break it between characters where the rules allow.
                place(_glued(text, [(i, i + 1) for i in range(start, end)]), split=False)
                continue
            if line_start is None:
                line_start = start
            if not text[start:end].isspace():
                line_last = start
            line_end = end
            line_width += w

    place(_glued(text, pieces), split=True)
    if line_start is not None:
        lines.append((line_start, line_end, line_last))
    if no_lonely_char and len(lines) >= 2:
        start, end, last = lines[-1]
        above_start, _above_end, above_last = lines[-2]
        visible = [c for c in text[start:end] if not c.isspace() and c not in NO_LINE_START]
        if len(visible) <= 1 and above_last > above_start:
            lines[-2:] = [(above_start, above_last, above_start), (above_last, end, last)]

    result: list[list[tuple[str, S]]] = []
    for start, end, _last in lines:
        while end > start and text[end - 1].isspace():
            end -= 1
        line: list[tuple[str, S]] = []
        i = start
        while i < end:
            j = i + 1
            while j < end and (styles[j] is styles[i] or styles[j] == styles[i]):
                j += 1
            line.append((text[i:j], styles[i]))
            i = j
        result.append(line)
    return result or [[]]


def break_positions(text: str) -> list[int]:
    """Where ``text`` may break between lines under the rules of ``wrap_spans`` (indices
    into ``text``, neither 0 nor ``len(text)``)."""
    pieces = [match.span() for match in _TOKENS.finditer(text)]
    return [start for start, _end in _glued(text, pieces)[1:]]
