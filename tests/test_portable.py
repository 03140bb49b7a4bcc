"""Portable mode: a portable.txt beside the executable keeps data and logs beside it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import platformdirs
import pytest

from xmen_desktop import logs
from xmen_desktop.store import paths


@pytest.fixture(autouse=True)
def no_env_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_DATA_DIR, raising=False)


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    """An app folder as copied to a USB stick, with the marker file."""
    folder = tmp_path / "U盘" / "xmen-desktop"
    folder.mkdir(parents=True)
    (folder / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    return folder


def test_marker_beside_the_executable_puts_data_and_logs_there(stick: Path) -> None:
    assert paths.portable_root(stick) == stick
    data = paths.data_dir(exe_dir=stick)
    assert data == (stick / "data").resolve()
    assert paths.backups_dir(data) == (stick / "data" / "backups").resolve()
    assert paths.log_dir(exe_dir=stick) == (stick / "data" / "logs").resolve()


def test_without_the_marker_the_user_folders_are_used(tmp_path: Path) -> None:
    assert paths.portable_root(tmp_path) is None
    expected = Path(platformdirs.user_data_dir(paths.APP_NAME, appauthor=False)).resolve()
    assert paths.data_dir(exe_dir=tmp_path) == expected
    logs_expected = Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False)).resolve()
    assert paths.log_dir(exe_dir=tmp_path) == logs_expected


def test_a_folder_named_portable_txt_is_not_the_marker(tmp_path: Path) -> None:
    (tmp_path / paths.PORTABLE_MARKER).mkdir()
    assert paths.portable_root(tmp_path) is None


def test_data_dir_option_and_environment_win_over_portable_mode(
    stick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "chosen"
    assert paths.data_dir(chosen, exe_dir=stick) == chosen.resolve()
    from_env = tmp_path / "from-env"
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(from_env))
    assert paths.data_dir(exe_dir=stick) == from_env.resolve()
    assert paths.data_dir(chosen, exe_dir=stick) == chosen.resolve()


def test_frozen_executable_folder_is_looked_at(
    stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "xmen-desktop.exe"))
    assert paths.executable_dir() == stick.resolve()
    assert paths.data_dir() == (stick / "data").resolve()
    assert paths.log_dir() == (stick / "data" / "logs").resolve()


def test_running_from_source_is_never_portable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The venv's python folder must not switch portable mode on by accident.
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert paths.executable_dir() is None
    assert paths.portable_root() is None


def test_the_store_opens_in_the_portable_folder(
    stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xmen_desktop.store.database import Store

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "xmen-desktop.exe"))
    store = Store.open(None, site_name="U盘")
    try:
        assert Path(store.path) == (stick / "data" / paths.DATABASE_NAME).resolve()
    finally:
        store.close()
    assert (stick / "data" / paths.DATABASE_NAME).is_file()


def test_logging_writes_to_the_portable_log_folder(
    stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "xmen-desktop.exe"))
    root = logging.getLogger()
    level = root.level
    try:
        log_file = logs.setup_logging()
        logging.getLogger("xmen_desktop.test").info("写在 U 盘上")
    finally:
        logs.remove_logging()
        root.setLevel(level)
    assert log_file == (stick / "data" / "logs" / logs.LOG_FILE_NAME).resolve()
    assert "写在 U 盘上" in log_file.read_text("utf-8")
