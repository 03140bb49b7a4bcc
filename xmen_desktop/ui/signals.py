"""Emit Qt signals from Python safely under a PySide6 reference-count bug.

In PySide6 6.12.0 on Python 3.11, every ``SignalInstance.emit()`` called from Python hands back
``True`` without owning a reference to it, so each call takes one reference away from ``True``.
After a few hundred emits the interpreter aborts ("bool_dealloc: deallocating True or False").
Python 3.12 made ``True`` immortal, and older PySide6 releases do not have the bug.

Whether the running PySide6 has it is measured once at import; when it does, :func:`emit`
gives the reference back. Signals Qt emits from C++ are not affected.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 16

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_drops_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    # Give back what the probe itself took.
    for _ in range(max(lost, 0)):
        _incref(True)
    return lost >= _PROBES


EMIT_DROPS_TRUE = _emit_drops_true()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, without the reference-count damage described above."""
    signal.emit(*args)
    if EMIT_DROPS_TRUE:
        _incref(True)
