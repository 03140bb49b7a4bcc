"""QR codes drawn as vector paths, for the serial on every ballot.

The dark modules go into ONE path, filled once: far fewer PDF operators than a rectangle per
module (reportlab's QrCodeWidget makes an object per module), and since the whole symbol is a
single fill, no hairline seams appear between neighbouring modules when a viewer or printer
driver anti-aliases it.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from reportlab.pdfgen.canvas import Canvas

from xmen_desktop.printing.theme import INK

# The standard asks for four modules of light margin around the symbol; scanners need it.
QUIET_ZONE = 4
# Medium error correction: ~15 % of the symbol may be smudged or folded and still read.
ERROR = "m"


@dataclass(frozen=True)
class QrSymbol:
    """A QR symbol as horizontal runs of dark modules (no quiet zone)."""

    payload: str
    modules: int  # modules per side
    # (row counted from the bottom, first column, length): rows bottom-up, as PDF draws them
    runs: tuple[tuple[int, int, int], ...]

    def path_operators(self) -> str:
        """The dark modules as one PDF path of rectangles in module units, then fill."""
        return "".join(f"{x} {y} {n} 1 re " for y, x, n in self.runs) + "f"


def encode(payload: str) -> QrSymbol:
    """Encode an ASCII payload (a ballot serial) at medium error correction."""
    if not payload.isascii():
        # Scanners guess the charset of non-ASCII payloads, and guess wrong.
        raise ValueError("QR payload must be ASCII")
    code = segno.make_qr(payload, error=ERROR, boost_error=False)
    matrix = code.matrix
    size = len(matrix)
    runs: list[tuple[int, int, int]] = []
    for row_index, row in enumerate(matrix):
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


def footprint(size: float, modules: int, quiet_zone: int = QUIET_ZONE) -> float:
    """Side of the square a symbol of ``size`` needs, its quiet zone included."""
    return size + 2 * quiet_zone * size / modules


def draw_qr(
    canvas: Canvas,
    payload: str | QrSymbol,
    x: float,
    y: float,
    size: float,
    *,
    quiet_zone: int = QUIET_ZONE,
    clear: bool = False,
) -> QrSymbol:
    """Draw the symbol so its dark modules fill the ``size`` square with lower-left (x, y).

    The quiet zone lies outside that square (see ``footprint``): keep it free of ink, or pass
    ``clear=True`` to paint it white first. Returns the symbol drawn.
    """
    symbol = payload if isinstance(payload, QrSymbol) else encode(payload)
    module = size / symbol.modules
    canvas.saveState()
    if clear:
        margin = quiet_zone * module
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(x - margin, y - margin, size + 2 * margin, size + 2 * margin, stroke=0, fill=1)
    # Work in module units: the path is then small integers, formatted once per symbol.
    canvas.translate(x, y)
    canvas.scale(module, module)
    canvas.setFillColor(INK)
    # One path of rectangles, filled once (nonzero winding). Emitted as ready-made operators:
    # building it through reportlab's path object formats every number in pure Python, which
    # cost 1.3 s per 2,000 ballots.
    canvas.addLiteral(symbol.path_operators())
    canvas.restoreState()
    return symbol
