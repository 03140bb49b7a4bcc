"""Single instance: a second copy hands its bundle to the running one, which comes forward."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from xmen_desktop.store import paths
from xmen_desktop.ui.single_instance import (
    Outcome,
    SingleInstance,
    bring_to_front,
    hand_over_to,
    instance_key,
)

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")


class FakeWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.imported: list[str | None] = []

    def import_bundle(self, path: str | None = None) -> None:
        self.imported.append(path)


# A second copy, as its own process (as in real use): it blocks in ``send`` while this
# process's event loop lets the first copy answer.
SECOND_COPY = """
import sys
from PySide6.QtCore import QCoreApplication
from xmen_desktop.ui.single_instance import SingleInstance
app = QCoreApplication([])
bundle = sys.argv[2] or None
print(SingleInstance(sys.argv[1]).send(bundle, int(sys.argv[3])).name)
"""


def run_second_copy(qtbot: QtBot, key: str, bundle: str | None, timeout_ms: int = 3000) -> Outcome:
    process = subprocess.Popen(
        [sys.executable, "-c", SECOND_COPY, key, bundle or "", str(timeout_ms)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=timeout_ms + 30_000)
    finally:
        if process.poll() is None:
            process.kill()
        out, err = process.communicate()
    assert process.returncode == 0, err.decode("utf-8", "replace")
    return Outcome[out.decode().strip()]


@pytest.fixture
def key(tmp_path: Path) -> str:
    # A data folder of its own per test: never meets a real running copy.
    return instance_key(tmp_path / "data")


@pytest.fixture
def first(qapp: object, key: str) -> Iterator[SingleInstance]:
    instance = SingleInstance(key)
    assert instance.claim() is Outcome.FIRST
    yield instance
    instance.close()


def test_key_depends_on_data_folder_and_user(tmp_path: Path) -> None:
    a, b = tmp_path / "甲", tmp_path / "乙"
    assert instance_key(a, "王") == instance_key(tmp_path / "." / "甲", "王")
    assert instance_key(a, "王") != instance_key(b, "王")
    assert instance_key(a, "王") != instance_key(a, "李")
    # Short and plain: it becomes a socket path or a pipe name.
    assert instance_key(a, "王").isascii() and len(instance_key(a, "王")) < 50


def test_second_copy_hands_its_bundle_over(
    qtbot: QtBot, first: SingleInstance, key: str, tmp_path: Path
) -> None:
    window = FakeWindow()
    qtbot.addWidget(window)
    raised: list[QWidget] = []
    hand_over_to(first, window, raise_window=raised.append)
    bundle = str(tmp_path / "小西门 第3批.xmb")
    with qtbot.waitSignal(first.activated, timeout=5000) as signal:
        outcome = run_second_copy(qtbot, key, bundle)
    assert outcome is Outcome.HANDED_OVER
    assert signal.args == [bundle]
    assert raised == [window]
    assert window.imported == [bundle]


def test_second_copy_without_a_file_only_brings_the_window_forward(
    qtbot: QtBot, first: SingleInstance, key: str
) -> None:
    window = FakeWindow()
    qtbot.addWidget(window)
    raised: list[QWidget] = []
    hand_over_to(first, window, raise_window=raised.append)
    # Another claim on the same key: "already running".
    assert run_second_copy(qtbot, key, None) is Outcome.HANDED_OVER
    qtbot.waitUntil(lambda: raised == [window])
    assert window.imported == []


def test_nobody_running_means_first(qapp: object, key: str) -> None:
    assert SingleInstance(key).send("x.xmb", timeout_ms=500) is Outcome.FIRST


def test_other_data_folders_are_other_instances(
    qtbot: QtBot, first: SingleInstance, tmp_path: Path
) -> None:
    other = SingleInstance(instance_key(tmp_path / "另一个文件夹"))
    try:
        assert other.claim() is Outcome.FIRST
        assert other.server is not None and other.server.isListening()
    finally:
        other.close()


RACER = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from xmen_desktop.ui.single_instance import Outcome, SingleInstance
app = QCoreApplication([])
instance = SingleInstance(sys.argv[1])
outcome = instance.claim()
print(outcome.name, flush=True)
if outcome is Outcome.FIRST:
    QTimer.singleShot(3000, app.quit)  # stay and answer the other copy
    app.exec()
"""


def test_two_copies_started_at_once_make_one_instance(key: str) -> None:
    """An icon double-clicked twice: one copy runs, the other hands over to it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, key],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(2)
    ]
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err.decode("utf-8", "replace")
        outcomes.append(out.decode().strip())
    assert sorted(outcomes) == ["FIRST", "HANDED_OVER"]


def test_closing_frees_the_name(qapp: object, key: str) -> None:
    instance = SingleInstance(key)
    assert instance.claim() is Outcome.FIRST
    instance.close()
    again = SingleInstance(key)
    assert again.claim() is Outcome.FIRST
    again.close()


def _socket_path(key: str) -> str:
    return os.path.join(QDir.tempPath(), key)


@unix_only
def test_stale_name_left_by_a_crashed_run_is_taken_over(qapp: object, key: str) -> None:
    # A crashed copy leaves its socket file; nobody listens on it any more.
    path = _socket_path(key)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()
    assert os.path.exists(path)
    instance = SingleInstance(key)
    try:
        assert instance.claim() is Outcome.FIRST
        assert instance.server is not None and instance.server.isListening()
    finally:
        instance.close()


@unix_only
def test_a_copy_that_never_answers_is_reported(qtbot: QtBot, key: str) -> None:
    # Listening but hung: accepts the connection (the OS does) and never replies.
    hung = socket.socket(socket.AF_UNIX)
    hung.bind(_socket_path(key))
    hung.listen(1)
    try:
        assert run_second_copy(qtbot, key, None, timeout_ms=300) is Outcome.NOT_RESPONDING
    finally:
        hung.close()
        os.unlink(_socket_path(key))


def test_a_bad_request_is_ignored(qtbot: QtBot, first: SingleInstance, key: str) -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtNetwork import QLocalSocket

    received: list[object] = []
    first.activated.connect(received.append)
    client = QLocalSocket()
    client.connectToServer(key)
    assert client.waitForConnected(2000)
    client.write(QByteArray(b'{"bundle": 42}\n'))
    client.flush()
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert received == []


# Only the offscreen test platform cannot raise a window; a real screen can.
@pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")
def test_bring_to_front_restores_a_minimised_window(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert window.isVisible()
    assert not window.isMinimized()


def test_the_real_second_copy_exits_0_and_hands_over(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``xmen-desktop --data-dir D bundle.xmb`` while a copy runs on D: exit 0, file handed on."""
    monkeypatch.delenv(paths.ENV_DATA_DIR, raising=False)
    data = tmp_path / "data"
    running = SingleInstance(instance_key(paths.data_dir(data)))
    assert running.claim() is Outcome.FIRST
    received: list[object] = []
    running.activated.connect(received.append)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # Its log goes here, not to the user's log folder.
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "LOCALAPPDATA": str(tmp_path / "state"),
    }
    env.pop(paths.ENV_DATA_DIR, None)
    script = "import sys; from xmen_desktop.app import main; sys.exit(main(sys.argv[1:]))"
    # A relative path, as a file manager may pass it: the running copy gets it absolute.
    process = subprocess.Popen(
        [sys.executable, "-c", script, "--data-dir", str(data), "第3批.xmb"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    finally:
        if process.poll() is None:
            process.kill()
        _out, err = process.communicate()
        running.close()
    assert process.returncode == 0, err.decode("utf-8", "replace")
    assert received == [str(tmp_path / "第3批.xmb")]
    # It handed over before opening anything: no database was created by the second copy.
    assert not (data / paths.DATABASE_NAME).exists()
