"""Emitting from Python must not eat references to True (a PySide6 6.12.0 bug on Python 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from xmen_desktop.ui.signals import emit


class Sender(QObject):
    plain = Signal()
    carrying = Signal(object)


def test_many_emits_leave_true_alone(qapp: object) -> None:
    sender = Sender()
    received: list[object] = []
    sender.carrying.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(2000):
        emit(sender.plain)
        emit(sender.carrying, n)
    # Unaffected versions add nothing; affected ones would have lost 4,000 here and crashed.
    assert sys.getrefcount(True) >= before
    assert len(received) == 2000


def test_no_module_emits_a_signal_directly() -> None:
    """Every Python-side emit goes through ui.signals.emit; a direct one would crash later."""
    import re
    from pathlib import Path

    import xmen_desktop

    root = Path(xmen_desktop.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if path.name != "signals.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if re.search(r"\.emit\(", line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
