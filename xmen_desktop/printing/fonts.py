"""The one CJK font every printed document uses, registered with reportlab once.

The bundled WenQuanYi Micro Hei is a TrueType (glyf) face, so reportlab embeds it as a subset
of the glyphs a document uses. reportlab's own ``STSong-Light`` CID font is never used: it is
not embedded, and prints as boxes on a PC without Chinese fonts.
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from xmen_desktop.resources import cjk_font_path

# The name documents ask for; reportlab writes the face's own name into the PDF.
CJK_FONT = "XmenCJK"

_lock = threading.Lock()
_font: TTFont | None = None


def cjk_font() -> str:
    """Register the bundled CJK font (first call only, ~0.1 s) and return its reportlab name."""
    global _font
    with _lock:
        if _font is None:
            font = TTFont(CJK_FONT, str(cjk_font_path()), subfontIndex=0)
            pdfmetrics.registerFont(font)
            # No bold face ships with the font: <b> in a Paragraph maps to the same face, and
            # headings that must look bold are drawn with theme.draw_bold().
            pdfmetrics.registerFontFamily(
                CJK_FONT, normal=CJK_FONT, bold=CJK_FONT, italic=CJK_FONT, boldItalic=CJK_FONT
            )
            _font = font
    return CJK_FONT


def missing_chars(text: str) -> list[str]:
    """Characters of ``text`` the font cannot draw (they would print as boxes), in order."""
    cjk_font()
    assert _font is not None
    have = _font.face.charToGlyph
    seen: list[str] = []
    for char in text:
        if not char.isspace() and ord(char) not in have and char not in seen:
            seen.append(char)
    return seen
