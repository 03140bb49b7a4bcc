"""Copies of the database file, taken with SQLite's online backup API (safe while in use)."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path


def backup_database(source: Path, target_dir: Path, reason: str) -> Path:
    """Copy ``source`` into ``target_dir`` without writing to it; returns the copy's path."""
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = target_dir / f"xmen-{stamp}-{reason}.sqlite3"
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    return target
