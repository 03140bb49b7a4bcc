"""The bundled CJK fonts, registered with reportlab once.

- The Hei (sans) face, WenQuanYi Micro Hei (``cjk_font()``, also ``hei_font()``): every ballot
  and result notice, and the titles and emphasis of notices.
- The Song/Ming face, AR PL UMing CN (``song_font()``): the body text of notices. The bundled
  file is a subset of Debian's ``uming.ttc`` keeping every GBK character it has (see
  ``resources/fonts/README-uming.txt``).

Both are TrueType (glyf) faces, so reportlab embeds each as a subset of the glyphs a document
uses. reportlab's own ``STSong-Light`` CID font is never used: it is not embedded, and prints as
boxes on a PC without Chinese fonts.

Neither face has every character: ``split_by_font`` draws a character the preferred face lacks
in the other one, and ``missing_chars`` names those that neither has (they would print as boxes;
notices print ``PLACEHOLDER`` instead and say which).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from xmen_desktop.resources import cjk_font_path, resource

# The names documents ask for; reportlab writes the faces' own names into the PDF.
CJK_FONT = "XmenCJK"
SONG_FONT = "XmenSong"
SONG_FONT_FILE = "uming-cn.ttf"

# Drawn in place of a character no bundled face has: the "geta mark" Chinese typesetters use for
# a missing character, visible and unmistakable, unlike the empty box a viewer would show.
PLACEHOLDER = "〓"

_lock = threading.Lock()
_faces: dict[str, TTFont] = {}


def _register(name: str, path: str) -> str:
    with _lock:
        if name not in _faces:
            font = TTFont(name, path, subfontIndex=0)
            pdfmetrics.registerFont(font)
            # No bold face ships with either font: <b> in a Paragraph maps to the same face, and
            # text that must look bold is drawn with theme.draw_text(bold=True).
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=name, italic=name, boldItalic=name
            )
            _faces[name] = font
    return name


def cjk_font() -> str:
    """Register the bundled Hei face (first call only, ~0.1 s) and return its reportlab name."""
    return _register(CJK_FONT, str(cjk_font_path()))


hei_font = cjk_font


def song_font() -> str:
    """Register the bundled Song face (first call only, ~0.05 s) and return its reportlab name."""
    return _register(SONG_FONT, str(resource("fonts", SONG_FONT_FILE)))


def _cmap(font: str) -> dict[int, int]:
    if font not in _faces:
        {CJK_FONT: cjk_font, SONG_FONT: song_font}[font]()
    return _faces[font].face.charToGlyph


def has_char(font: str, char: str) -> bool:
    """Whether the bundled face ``font`` (CJK_FONT or SONG_FONT) can draw ``char``."""
    return ord(char) in _cmap(font)


def bundled_fonts() -> tuple[str, ...]:
    """Every bundled face, registered."""
    return (cjk_font(), song_font())


def missing_chars(text: str, fonts: Sequence[str] | None = None) -> list[str]:
    """Characters of ``text`` that none of ``fonts`` can draw, once each, in order.

    By default the fonts are both bundled faces (what a notice can draw with its fallback);
    ballots and result notices use the Hei face only: ask with ``fonts=(cjk_font(),)``.
    """
    maps = [_cmap(font) for font in (fonts or bundled_fonts())]
    seen: list[str] = []
    for char in text:
        if not char.isspace() and char not in seen and not any(ord(char) in cmap for cmap in maps):
            seen.append(char)
    return seen


def split_by_font(text: str, preferred: str, fallback: str) -> list[tuple[str, str]]:
    """``text`` as runs of (text, font): each character in ``preferred`` if it has it, else in
    ``fallback``; a character neither has becomes ``PLACEHOLDER`` in ``preferred`` (a space
    neither has, a plain space)."""
    first, second = _cmap(preferred), _cmap(fallback)
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        if code in first:
            font = preferred
        elif code in second:
            font = fallback
        else:
            char, font = (" " if char.isspace() else PLACEHOLDER), preferred
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs
