"""Where the data lives: --data-dir, else XMEN_DATA_DIR, else the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "xmen-desktop"
DATABASE_NAME = "xmen.sqlite3"
ENV_DATA_DIR = "XMEN_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    # Absolute, so file URIs and the site marker's "where this database lives" are well defined.
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).resolve()


def database_path(directory: Path) -> Path:
    return directory / DATABASE_NAME


def backups_dir(directory: Path) -> Path:
    return directory / "backups"
