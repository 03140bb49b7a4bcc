"""Render the app icon's PNG sizes and the Windows .ico from resources/icons/xmen-desktop.svg.

Run after editing the SVG, then commit the files it writes:
    .venv/bin/python packaging/make_icons.py
Uses Qt's SVG renderer (PySide6 is already installed); the .ico is written here directly (PNG
entries, which Windows reads since Vista), so nothing else is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "xmen-desktop.svg"
# Window icon and Linux hicolor sizes; the .ico holds the ones Windows asks for.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def write_ico(path: Path, images: dict[int, bytes]) -> None:
    """ICONDIR, one ICONDIRENTRY per size, then the PNG data; 0 in a size byte means 256."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = images[size]
        side = size if size < 256 else 0
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    path.write_bytes(header + entries + blobs)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    rendered = {size: png_bytes(render(renderer, size)) for size in set(PNG_SIZES + ICO_SIZES)}
    for size in PNG_SIZES:
        (ICONS / f"xmen-desktop-{size}.png").write_bytes(rendered[size])
    write_ico(ICONS / "xmen-desktop.ico", {size: rendered[size] for size in ICO_SIZES})
    print(f"wrote {len(PNG_SIZES)} PNG files and xmen-desktop.ico to {ICONS}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
