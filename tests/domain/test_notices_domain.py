from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain.notices import clean_notice, kind_code, publicity
from xmen_desktop.domain.validation import RecordInvalid

D = datetime.date


def test_kinds_by_code_label_or_everyday_word() -> None:
    assert kind_code("通知") == "notice"
    assert kind_code("publicity") == kind_code("结果公示") == kind_code("公示") == "publicity"
    assert kind_code("传单") is None


@pytest.mark.parametrize(
    ("today", "state", "days"),
    [
        (D(2026, 11, 30), "upcoming", 1),
        (D(2026, 12, 1), "running", 7),
        (D(2026, 12, 4), "running", 4),
        (D(2026, 12, 5), "ending", 3),
        (D(2026, 12, 7), "ending", 1),
        (D(2026, 12, 8), "ended", 0),
    ],
)
def test_publicity_counts_down_whole_days(today: datetime.date, state: str, days: int) -> None:
    status = publicity(D(2026, 12, 1), D(2026, 12, 7), today)
    assert (status.state, status.days_left) == (state, days)


def test_a_notice_taken_down_needs_no_attention() -> None:
    status = publicity(D(2026, 12, 1), D(2026, 12, 7), D(2026, 12, 20), D(2026, 12, 8))
    assert status.state == "taken_down" and not status.needs_attention
    assert publicity(None, None, D(2026, 12, 1)).state == "none"


@given(start=st.dates(), length=st.integers(0, 60), offset=st.integers(-90, 90))
def test_attention_exactly_while_running_or_ended(
    start: datetime.date, length: int, offset: int
) -> None:
    end = start + datetime.timedelta(days=length)
    try:
        today = start + datetime.timedelta(days=offset)
    except OverflowError:
        return
    status = publicity(start, end, today)
    assert status.needs_attention == (today >= start)


def test_bad_notices_are_refused_with_the_field() -> None:
    with pytest.raises(RecordInvalid) as refused:
        clean_notice({"kind": "传单", "title": "", "body": " "})
    assert {e.field for e in refused.value.errors} == {"kind", "title", "body"}
    with pytest.raises(RecordInvalid, match="结束日期不能早于"):
        clean_notice(
            {
                "kind": "通知",
                "title": "t",
                "body": "b",
                "publicity_from": "2026-12-05",
                "publicity_to": "2026-12-01",
            }
        )
    with pytest.raises(RecordInvalid, match="同时"):
        clean_notice({"kind": "通知", "title": "t", "body": "b", "publicity_from": "2026-12-05"})
