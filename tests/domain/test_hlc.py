from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain import hlc

walls = st.integers(min_value=0, max_value=2**40)


def test_pack_round_trips() -> None:
    stamp = hlc.pack(1_700_000_000_000, 7)
    assert (hlc.wall_ms(stamp), hlc.logical(stamp)) == (1_700_000_000_000, 7)
    assert hlc.to_text(stamp) == "1700000000000.7"


@given(last_wall=walls, last_logical=st.integers(0, hlc.LOGICAL_MASK), now=walls)
def test_tick_is_strictly_after_the_last_stamp(last_wall: int, last_logical: int, now: int) -> None:
    last = hlc.pack(last_wall, last_logical)
    assert hlc.tick(last, now) > last


@given(now=walls)
def test_tick_follows_the_wall_clock_when_it_moves_on(now: int) -> None:
    assert hlc.tick(hlc.pack(now, 3), now + 1) == hlc.pack(now + 1, 0)


def test_tick_counts_within_one_millisecond_and_after_a_clock_step_back() -> None:
    last = hlc.pack(1000, 0)
    assert hlc.tick(last, 1000) == hlc.pack(1000, 1)
    assert hlc.tick(last, 900) == hlc.pack(1000, 1)  # the wall clock went back: keep order


def test_logical_overflow_borrows_the_next_millisecond() -> None:
    assert hlc.tick(hlc.pack(1000, hlc.LOGICAL_MASK), 1000) == hlc.pack(1001, 0)


@given(last=walls, remote=walls, now=walls)
def test_receive_is_after_both_unless_the_remote_is_far_ahead(
    last: int, remote: int, now: int
) -> None:
    ours, theirs = hlc.pack(last, 0), hlc.pack(remote, 0)
    received = hlc.receive(ours, theirs, now)
    assert received.stamp > ours
    if remote - now > hlc.MAX_DRIFT_MS:
        assert received.too_far_ahead
        assert hlc.wall_ms(received.stamp) <= max(last, now) + 1
    else:
        assert not received.too_far_ahead
        assert received.stamp > theirs


def test_a_clock_a_day_ahead_is_not_adopted() -> None:
    now = 1_700_000_000_000
    remote = hlc.pack(now + hlc.MAX_DRIFT_MS + 1, 0)
    received = hlc.receive(hlc.pack(now, 0), remote, now)
    assert received.too_far_ahead
    assert hlc.wall_ms(received.stamp) == now
