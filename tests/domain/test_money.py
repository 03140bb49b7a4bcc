from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain.money import parse_fen, yuan
from xmen_desktop.domain.validation import FieldError


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("12.5", 1250),
        ("¥1,234.50", 123450),
        ("1234元", 123400),
        (12, 1200),
        (0.1, 10),
        ("０.０１", 1),
    ],
)
def test_amounts_in_fen(raw: object, fen: int) -> None:
    assert parse_fen(raw) == fen


@pytest.mark.parametrize("raw", ["十元", "12.345", "-5", "0", "", None, True, "1e20"])
def test_bad_amounts_say_what_to_type(raw: object) -> None:
    with pytest.raises(FieldError):
        parse_fen(raw)


@given(st.integers(min_value=1, max_value=10**10))
def test_yuan_text_round_trips(fen: int) -> None:
    assert parse_fen(yuan(fen)) == fen


@given(st.lists(st.integers(min_value=1, max_value=10**8), max_size=50))
def test_sums_of_fen_never_drift(amounts: list[int]) -> None:
    texts = [yuan(a) for a in amounts]
    assert sum(parse_fen(t) for t in texts) == sum(amounts)
