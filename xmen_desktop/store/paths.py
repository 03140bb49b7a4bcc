"""Where the data lives: --data-dir, else XMEN_DATA_DIR, else portable mode, else the user folder.

Portable mode: a file ``portable.txt`` beside the frozen executable keeps the data (database,
backups, attachments) and the logs in ``data/`` beside it, so the app runs from a USB stick and
leaves nothing on the PC it runs on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "xmen-desktop"
DATABASE_NAME = "xmen.sqlite3"
ENV_DATA_DIR = "XMEN_DATA_DIR"
PORTABLE_MARKER = "portable.txt"
PORTABLE_DATA = "data"


def executable_dir() -> Path | None:
    """The folder of the frozen executable; None when running from source (no portable mode)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def portable_root(exe_dir: Path | None = None) -> Path | None:
    """The folder holding ``portable.txt`` when portable mode is on, else None.

    ``exe_dir`` defaults to the running executable's folder; tests pass one in.
    """
    folder = exe_dir if exe_dir is not None else executable_dir()
    if folder is not None and (folder / PORTABLE_MARKER).is_file():
        return folder
    return None


def data_dir(
    explicit: str | os.PathLike[str] | None = None, *, exe_dir: Path | None = None
) -> Path:
    # Absolute, so file URIs and the site marker's "where this database lives" are well defined.
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env).expanduser().resolve()
    portable = portable_root(exe_dir)
    if portable is not None:
        return (portable / PORTABLE_DATA).resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).resolve()


def log_dir(*, exe_dir: Path | None = None) -> Path:
    """The log folder: beside the executable in portable mode, else the user log folder.

    In portable mode the logs stay on the stick even with --data-dir: nothing is left behind
    on the PC.
    """
    portable = portable_root(exe_dir)
    if portable is not None:
        return (portable / PORTABLE_DATA / "logs").resolve()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)).resolve()


def database_path(directory: Path) -> Path:
    return directory / DATABASE_NAME


def backups_dir(directory: Path) -> Path:
    return directory / "backups"
