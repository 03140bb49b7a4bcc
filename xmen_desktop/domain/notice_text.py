"""The body of a notice as staff type it, read into blocks the printer lays out.

Rules (kept simple so that staff can predict them):

- Every non-blank line is a block of its own; blank lines only separate. Leading and trailing
  spaces of a line are dropped (the printer indents paragraphs itself, so a typed "　　" indent
  does not double up), and so are invisible characters pasted from web pages (zero-width spaces,
  byte-order marks).
- A line that starts with a number label is an **item**: ``1.`` ``1．`` ``1、`` ``(1)`` ``（1）``
  ``一、`` ``（一）`` ``①``, or a bullet ``●`` ``•`` ``·`` ``■`` ``◆`` ``★`` ``-``. The label is
  kept apart from the text (``label="1."``). ``1.5 米`` and ``3、4号楼`` are not items: a number
  label must not be followed by another digit.
- A line of at most ``HEADING_MAX`` characters that ends with a colon (``：`` or ``:``) and is not
  an item is a **heading**: 活动安排： / 注意事项：.
- Any other line is a **paragraph**.
- ``**text**`` (or ``＊＊text＊＊``) inside any line marks emphasis. An unpaired ``**`` is kept as
  typed; emphasis does not run across lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["paragraph", "item", "heading"]
Run = tuple[str, bool]  # text, emphasised

HEADING_MAX = 24

_CN_NUMBER = "一二三四五六七八九十"
_LABEL = re.compile(
    r"""^(
        \d{1,2}[.．](?![0-9０-９])      # 1.  1．  (not 1.5)
      | \d{1,2}、(?![0-9０-９])         # 1、  (not 3、4号楼)
      | [(（]\d{1,2}[)）]               # (1)  （1）
      | ["""
    + _CN_NUMBER
    + r"""]{1,3}、  # 一、  十二、
      | [(（]["""
    + _CN_NUMBER
    + r"""]{1,3}[)）]  # （一）
      | [①-⑳]                        # ①
      | [●•·■◆★]                      # bullets
      | -(?=\s)                         # "- " as a bullet
    )\s*""",
    re.VERBOSE,
)
_EMPHASIS = re.compile(r"(\*\*|＊＊)(.+?)\1")
_COLONS = ("：", ":")


@dataclass(frozen=True)
class NoticeBlock:
    """One block of a notice body: a paragraph, a numbered or bulleted item, or a heading."""

    kind: BlockKind
    runs: tuple[Run, ...]  # the text in pieces, each with its emphasis flag
    label: str = ""  # "1." "（一）" "●" for an item; "" otherwise

    @property
    def text(self) -> str:
        """The block's text without emphasis marks or label."""
        return "".join(text for text, _ in self.runs)


def _visible(line: str) -> str:
    """Drop format characters (zero-width spaces, BOMs, direction marks); tabs become spaces."""
    line = line.replace("\t", " ")
    return "".join(c for c in line if unicodedata.category(c) not in ("Cf", "Cc"))


def parse_runs(text: str) -> tuple[Run, ...]:
    """Split one line at its ``**emphasis**`` marks; adjacent pieces of one kind are joined."""
    runs: list[Run] = []

    def add(piece: str, emphasised: bool) -> None:
        if not piece:
            return
        if runs and runs[-1][1] == emphasised:
            runs[-1] = (runs[-1][0] + piece, emphasised)
        else:
            runs.append((piece, emphasised))

    position = 0
    for match in _EMPHASIS.finditer(text):
        add(text[position : match.start()], False)
        add(match.group(2), True)
        position = match.end()
    add(text[position:], False)
    return tuple(runs)


def parse_line(line: str) -> NoticeBlock | None:
    """One typed line as a block, or None for a blank line."""
    line = _visible(line).strip()
    if not line:
        return None
    match = _LABEL.match(line)
    if match and line[match.end() :].strip():
        label = match.group(1)
        return NoticeBlock("item", parse_runs(line[match.end() :].strip()), label)
    runs = parse_runs(line)
    plain = "".join(text for text, _ in runs)
    if plain.endswith(_COLONS) and len(plain) <= HEADING_MAX:
        return NoticeBlock("heading", runs)
    return NoticeBlock("paragraph", runs)


def parse_notice(body: str) -> tuple[NoticeBlock, ...]:
    """Read a typed notice body into blocks (an empty or blank body gives no blocks)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return tuple(block for line in lines if (block := parse_line(line)) is not None)


def plain_text(blocks: tuple[NoticeBlock, ...]) -> str:
    """The blocks back as text, one line each, labels included and emphasis marks dropped."""
    return "\n".join(f"{block.label}{block.text}" for block in blocks)
