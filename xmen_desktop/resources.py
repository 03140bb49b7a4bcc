"""Find bundled resources (fonts, icons) from a source checkout or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

CJK_FONT_FILE = "wqy-microhei.ttc"
# The Hei face's family name, as Qt and reportlab see it.
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def cjk_font_path() -> Path:
    return resource("fonts", CJK_FONT_FILE)
