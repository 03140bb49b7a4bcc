"""One running copy per data folder and user: a second copy hands its file to the first and ends.

Double-clicking a bundle while the app runs must not open a second window on the same
database; it brings the running window forward and opens the bundle's import dialog there.
The first copy listens on a local socket (a named pipe on Windows) whose name is derived from
the data folder and the OS user, so two different ``--data-dir`` are two separate instances.

A second copy only ever blocks before it has a window (at most ``timeout_ms``); the first copy
answers from its event loop and never blocks.
"""

from __future__ import annotations

import enum
import getpass
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QByteArray, QDir, QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from xmen_desktop.ui.signals import emit

log = logging.getLogger(__name__)

# A request is one JSON line; anything longer than this is not from us.
MAX_REQUEST = 64 * 1024
REPLY = b"ok\n"


class Outcome(enum.Enum):
    FIRST = "first"  # no copy was running: this one now listens
    HANDED_OVER = "handed over"  # a running copy took the request: this one should exit
    NOT_RESPONDING = "not responding"  # a copy runs but did not answer


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        # No user name in the environment or the password database: the uid still separates users.
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def instance_key(data_dir: Path | str, user: str | None = None) -> str:
    """The server name for this user and data folder.

    Hashed: user names and folders may hold Chinese or spaces, and a Unix socket path is short.
    """
    folder = os.path.normcase(str(Path(data_dir).expanduser().resolve()))
    who = user if user is not None else _user()
    digest = hashlib.sha256(f"{who}\0{folder}".encode()).hexdigest()[:24]
    return f"xmen-desktop-{digest}"


def _allow_foreground() -> None:
    """Windows lets only the foreground process give focus away: let the running copy take it."""
    if sys.platform == "win32":
        import ctypes

        ASFW_ANY = -1
        ctypes.windll.user32.AllowSetForegroundWindow(ASFW_ANY)  # type: ignore[attr-defined]


class SingleInstance(QObject):
    """Either the running copy's server (after :meth:`claim` returned FIRST) or a messenger."""

    # The bundle path a second copy asked to open (str), or None for "just come forward".
    activated = Signal(object)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    # ------------------------------------------------------------------ second copy

    def send(self, bundle: str | None, timeout_ms: int = 3000) -> Outcome:
        """Hand ``bundle`` (or nothing) to a running copy; FIRST means none is listening."""
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(timeout_ms):
            return Outcome.FIRST
        _allow_foreground()
        socket.write(QByteArray(json.dumps({"bundle": bundle}).encode() + b"\n"))
        socket.flush()
        reply = b""
        while not reply.endswith(b"\n"):
            ready = socket.waitForReadyRead(timeout_ms)
            # Read even when not "ready": the answer may have come with the hang-up.
            reply += bytes(socket.readAll().data())
            if not ready:
                break
        socket.abort()
        if reply == REPLY:
            return Outcome.HANDED_OVER
        log.warning("the running copy did not answer (got %r)", reply)
        return Outcome.NOT_RESPONDING

    # ------------------------------------------------------------------ first copy

    def listen(self) -> bool:
        server = QLocalServer(self)
        # Only this OS user may talk to us (a file mode on Unix, the pipe's ACL on Windows).
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            log.info("cannot listen on %s: %s", self.key, server.errorString())
            server.deleteLater()
            return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def claim(self, bundle: str | None = None, timeout_ms: int = 3000) -> Outcome:
        """Become the running copy, or hand ``bundle`` to the one already running."""
        # One claim at a time: an icon double-clicked twice starts two copies at once, and both
        # would find nobody listening. The lock file is freed if its holder dies.
        lock = QLockFile(os.path.join(QDir.tempPath(), f"{self.key}.lock"))
        locked = lock.tryLock(timeout_ms + 2000)
        try:
            return self._claim(bundle, timeout_ms)
        finally:
            if locked:
                lock.unlock()

    def _claim(self, bundle: str | None, timeout_ms: int) -> Outcome:
        outcome = self.send(bundle, timeout_ms)
        if outcome is not Outcome.FIRST or self.listen():
            return outcome
        # Listening failed: the name is taken, most likely by the socket file of a run that
        # crashed. Ask again; if nobody answers, the name is stale: take it over.
        outcome = self.send(bundle, timeout_ms)
        if outcome is not Outcome.FIRST:
            return outcome
        log.info("removing the stale instance server %s", self.key)
        QLocalServer.removeServer(self.key)
        if self.listen():
            return Outcome.FIRST
        # Not fatal: the app works, only hand-over from a second copy will not.
        log.warning("single-instance server unavailable; running without it")
        return Outcome.FIRST

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            # Bytes may already be waiting.
            if socket.bytesAvailable():
                self._read(socket)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST:
                self._buffers.pop(socket, None)
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        del self._buffers[socket]
        line = data.split(b"\n", 1)[0]
        try:
            request = json.loads(line.decode("utf-8"))
            bundle = request.get("bundle")
            if bundle is not None and not isinstance(bundle, str):
                raise ValueError("bundle is not a path")
        except (UnicodeDecodeError, ValueError, AttributeError) as error:
            log.warning("ignored a bad request from a second copy: %s", error)
            socket.abort()
            return
        socket.write(QByteArray(REPLY))
        socket.flush()
        if socket.state() == QAbstractSocket.SocketState.ConnectedState:
            socket.disconnectFromServer()
        log.info("a second copy asked to come forward%s", f" with {bundle}" if bundle else "")
        emit(self.activated, bundle)


class _ImportsBundles(Protocol):
    def import_bundle(self, path: str | None = None) -> None: ...


def bring_to_front(window: QWidget) -> None:
    """Show the window on top, restored if it was minimised."""
    if window.isMinimized():
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        window.setWindowState(state | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()


def hand_over_to(
    instance: SingleInstance,
    window: QWidget,
    raise_window: Callable[[QWidget], None] = bring_to_front,
) -> None:
    """What the running copy does on a request: come forward, then open the bundle, if any."""

    def activated(bundle: str | None) -> None:
        raise_window(window)
        if bundle:
            importer: _ImportsBundles = window  # type: ignore[assignment]
            importer.import_bundle(bundle)

    instance.activated.connect(activated)
