"""Line breaking for Chinese text drawn straight onto a canvas.

Chinese breaks between any two characters, except that closing punctuation never starts a line
and opening punctuation never ends one (the usual 避头尾 rules); runs of Latin letters and
digits (1234, 2025-03-01, No.7) stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
