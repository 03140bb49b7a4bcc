"""The idle lock: after some minutes with no key or mouse press anywhere, the app locks itself.

An application-wide event filter restarts a single-shot timer on every key press, mouse press
and wheel turn; when the timer runs out, ``idle`` fires and the window locks. The guard runs
only while a person is signed in (a PC with no operators yet has no one to lock out).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from xmen_desktop.domain.access import IDLE_LOCK_MINUTES_DEFAULT
from xmen_desktop.ui.signals import emit

# What counts as someone using the PC. Mouse moves do not: a nudged desk must not keep a
# screen full of residents' data open.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class SessionGuard(QObject):
    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, interval_ms: int | None = None) -> None:
        """``interval_ms`` fixes the idle time (tests); otherwise it follows the setting."""
        super().__init__(parent)
        self._fixed_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self._watching = False
        self.set_minutes(IDLE_LOCK_MINUTES_DEFAULT)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def running(self) -> bool:
        return self._watching

    def set_minutes(self, minutes: int) -> None:
        self._timer.setInterval(self._fixed_ms or max(1, minutes) * 60_000)
        if self._watching:
            self._timer.start()

    def start(self) -> None:
        app = QCoreApplication.instance()
        if not self._watching and app is not None:
            app.installEventFilter(self)
            self._watching = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if self._watching and app is not None:
            app.removeEventFilter(self)
        self._watching = False

    def poke(self) -> None:
        """Someone is at the PC: the idle time starts again."""
        if self._watching:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Runs for every event of the application: keep it to one set lookup.
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def _timed_out(self) -> None:
        if self._watching:
            emit(self.idle)
