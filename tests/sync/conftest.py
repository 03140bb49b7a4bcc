"""Three PCs in temporary folders, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.helpers import open_pc
from xmen_desktop.store import bundle as bundles
from xmen_desktop.store import sync
from xmen_desktop.store.database import Store


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundles stay encrypted with the passphrase, but scrypt costs 1 ms instead of 0.1 s."""
    monkeypatch.setattr(bundles, "SCRYPT_N", 2**10)
    monkeypatch.setattr(sync, "VERIFIER_COST", (2**10, 8, 1))


@pytest.fixture
def sticks(tmp_path: Path) -> Path:
    """Where bundles are written: the USB stick."""
    folder = tmp_path / "stick"
    folder.mkdir()
    return folder


@pytest.fixture
def pcs(tmp_path: Path) -> Iterator[list[Store]]:
    opened = [open_pc(tmp_path, name) for name in ("小西门站", "龙门村站", "街道办")]
    try:
        yield opened
    finally:
        for store in opened:
            store.close()
