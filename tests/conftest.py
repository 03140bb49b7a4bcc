"""Shared test set-up: offscreen Qt, and a fresh data folder and store for every test."""

from __future__ import annotations

import os

# Before any Qt import: without a display, Qt would abort the whole run.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red build must be reproducible); local runs explore.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Copies of the real rosters in shared/samples, kept here so the tests stand alone.
SAMPLES = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[object]:
    from xmen_desktop.store.database import Store

    opened = Store.open(data_dir, site_name="测试站")
    try:
        yield opened
    finally:
        opened.close()
