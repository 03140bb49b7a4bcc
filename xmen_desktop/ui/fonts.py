"""Load the bundled CJK font so Chinese renders on a PC that has no Chinese fonts at all."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from xmen_desktop.resources import CJK_FONT_FAMILY, cjk_font_path

log = logging.getLogger(__name__)

# Older users: a generous default size (points) for every widget.
DEFAULT_POINT_SIZE = 13


def install_app_font(app: QApplication, point_size: int = DEFAULT_POINT_SIZE) -> str:
    """Register the bundled font and make it the application font; returns the family used."""
    family = CJK_FONT_FAMILY
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    if font_id < 0:
        log.warning("bundled font %s could not be loaded", cjk_font_path())
    else:
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families:
            family = families[0]
    font = QFont(family, point_size)
    app.setFont(font)
    return family
