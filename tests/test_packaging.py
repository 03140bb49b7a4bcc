"""The packaging files agree with the app: icons, file type, installer, what the spec bundles.

The build itself runs in .ci/run (it takes a minute or two); these checks are quick.
"""

from __future__ import annotations

import configparser
import fnmatch
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from xmen_desktop import app
from xmen_desktop.store.bundle import MAGIC

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_icon_size_the_app_loads_exists() -> None:
    for size in app.ICON_SIZES:
        assert _png_size(ICONS / f"xmen-desktop-{size}.png") == (size, size)
    assert (ICONS / "xmen-desktop.svg").is_file()


def test_windows_icon_holds_the_usual_sizes() -> None:
    data = (ICONS / "xmen-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for n in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * n
        )
        assert data[offset : offset + 4] == b"\x89PNG" and offset + length <= len(data)
        sizes.add(width or 256)
    assert {16, 32, 48, 256} <= sizes


def test_bundle_file_type_matches_the_bundle_format() -> None:
    tree = ET.parse(PACKAGING / "linux" / "xmen-desktop-mime.xml")
    mime = tree.getroot().find(f"{MIME_NS}mime-type")
    assert mime is not None
    assert mime.find(f"{MIME_NS}glob").get("pattern") == "*.xmb"  # type: ignore[union-attr]
    match = mime.find(f"{MIME_NS}magic/{MIME_NS}match")
    assert match is not None and match.get("value", "").encode() == MAGIC
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(PACKAGING / "linux" / "xmen-desktop.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert mime.get("type") + ";" == entry["MimeType"]  # type: ignore[operator]
    assert entry["Exec"].endswith(" %f")  # the bundle arrives as the positional argument
    assert entry["Icon"] == "xmen-desktop"


def test_installer_registers_bundles_and_keeps_the_data() -> None:
    text = (PACKAGING / "xmen-desktop.iss").read_text("utf-8")
    script = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(";"))
    assert r"Software\Classes\.xmb" in script
    assert '""{app}\\{#AppExe}"" ""%1""' in script
    assert "{autodesktop}" in script
    assert "[UninstallDelete]" not in script
    assert "localappdata" not in script.lower()


# What the spec copies of the migrations (Alembic reads them as files, not from the archive).
SPEC_MIGRATION_PATTERNS = {
    'MIGRATIONS / "*.py"': "*.py",
    'MIGRATIONS / "*.mako"': "*.mako",
    'MIGRATIONS / "versions" / "*.py"': "versions/*.py",
}


def test_the_spec_bundles_every_migration_file() -> None:
    spec = (PACKAGING / "xmen-desktop.spec").read_text("utf-8")
    for source in SPEC_MIGRATION_PATTERNS:
        assert source in spec
    migrations = ROOT / "xmen_desktop" / "store" / "migrations"
    for path in migrations.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(migrations).as_posix()
        # fnmatch's * also crosses "/": compare the depth too.
        assert any(
            fnmatch.fnmatch(relative, pattern) and pattern.count("/") == relative.count("/")
            for pattern in SPEC_MIGRATION_PATTERNS.values()
        ), f"{relative} would be missing from the build"


def test_gui_takes_a_bundle_as_its_argument() -> None:
    args = app._parse(["--data-dir", "/tmp/d", "第3批.xmb"])
    assert args.bundle == "第3批.xmb"
    assert app._parse([]).bundle is None
