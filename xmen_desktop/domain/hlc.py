"""Hybrid logical clock (Kulkarni et al.), packed into one sortable integer.

A stamp is ``wall_ms << 16 | logical``: it sorts by wall time, then by the logical
counter, fits SQLite's 64-bit integers, and compares fast in bulk SQL. The clock
only breaks ties between concurrent edits; causality comes from site counters.
"""

from __future__ import annotations

from dataclasses import dataclass

LOGICAL_BITS = 16
LOGICAL_MASK = (1 << LOGICAL_BITS) - 1
# A remote clock further ahead than this is not adopted (one PC with a wrong clock
# must not drag every other PC into the future).
MAX_DRIFT_MS = 24 * 60 * 60 * 1000


class ClockError(ValueError):
    """A stamp cannot be produced or accepted."""


def pack(wall_ms: int, logical: int) -> int:
    if wall_ms < 0 or not 0 <= logical <= LOGICAL_MASK:
        raise ClockError(f"stamp out of range: {wall_ms}, {logical}")
    return (wall_ms << LOGICAL_BITS) | logical


def wall_ms(stamp: int) -> int:
    return stamp >> LOGICAL_BITS


def logical(stamp: int) -> int:
    return stamp & LOGICAL_MASK


def tick(last: int, now_ms: int) -> int:
    """The stamp for a local event, strictly after ``last``."""
    last_wall = wall_ms(last)
    if now_ms > last_wall:
        return pack(now_ms, 0)
    if logical(last) == LOGICAL_MASK:
        # 65,536 events in one millisecond: borrow the next millisecond.
        return pack(last_wall + 1, 0)
    return last + 1


@dataclass(frozen=True)
class Received:
    stamp: int
    """Our clock after seeing the remote stamp."""
    too_far_ahead: bool
    """The remote stamp was more than MAX_DRIFT_MS ahead of our wall clock; not adopted."""


def receive(last: int, remote: int, now_ms: int) -> Received:
    """Merge a remote stamp into our clock, refusing to jump far into the future."""
    if wall_ms(remote) - now_ms > MAX_DRIFT_MS:
        return Received(tick(last, now_ms), too_far_ahead=True)
    return Received(tick(max(last, remote), now_ms), too_far_ahead=False)


def to_text(stamp: int) -> str:
    """Readable form for logs and dumps: ``<wall ms>.<logical>``."""
    return f"{wall_ms(stamp)}.{logical(stamp)}"
