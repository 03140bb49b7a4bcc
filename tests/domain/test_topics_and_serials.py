from __future__ import annotations

import itertools
import uuid
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain import serials, topics
from xmen_desktop.domain.topics import STATES, SupportThreshold, TransitionRefused, check_transition


def test_the_happy_path_is_allowed() -> None:
    path = ["proposed", "accepted", "consulting", "deliberating", "voting", "passed", "closed"]
    for current, target in itertools.pairwise(path):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("proposed", "voting"),
        ("proposed", "passed"),
        ("closed", "proposed"),
        ("passed", "failed"),
        ("declined", "accepted"),
        ("withdrawn", "proposed"),
        ("accepted", "voting"),
    ],
)
def test_skipping_or_going_back_is_refused_with_the_next_steps(current: str, target: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target, "理由")
    assert STATES[current] in refused.value.message


def test_declining_and_withdrawing_need_a_reason() -> None:
    with pytest.raises(TransitionRefused, match="理由"):
        check_transition("proposed", "declined", "  ")
    check_transition("proposed", "declined", "不属于小区公共事务")


@given(state=st.sampled_from(sorted(topics.OPEN_STATES)))
def test_withdrawn_from_any_open_state(state: str) -> None:
    check_transition(state, "withdrawn", "提出人撤回")


@given(state=st.sampled_from(["passed", "failed", "closed", "declined", "withdrawn"]))
def test_no_withdrawal_once_decided(state: str) -> None:
    with pytest.raises(TransitionRefused):
        check_transition(state, "withdrawn", "理由")


def test_unknown_state_lists_the_codes() -> None:
    with pytest.raises(TransitionRefused, match="consulting"):
        check_transition("proposed", "finished")


def test_support_threshold_by_count_or_share() -> None:
    assert SupportThreshold(households=5).required(300) == 5
    assert SupportThreshold(share=Fraction(1, 20)).required(101) == 6  # rounds up
    assert SupportThreshold(share=Fraction(1, 20)).met(5, 100)
    assert "5%" in SupportThreshold(share=Fraction(1, 20)).describe(100)


# ---------------------------------------------------------------- serials

vote_ids = st.uuids().map(str)
numbers = st.integers(1, serials.MAX_BALLOTS)


@given(vote_id=vote_ids, number=numbers)
def test_serials_round_trip(vote_id: str, number: int) -> None:
    text = serials.make_serial(vote_id, number)
    parsed = serials.parse_serial(text)
    assert parsed.number == number and parsed.vote_code == serials.vote_code(vote_id)
    assert parsed.text == text
    assert serials.parse_serial(text.replace("-", " ")) == parsed


@given(vote_id=vote_ids, number=numbers, position=st.integers(0, 10), delta=st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(
    vote_id: str, number: int, position: int, delta: int
) -> None:
    digits = serials.make_serial(vote_id, number).replace("-", "")
    wrong = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    with pytest.raises(serials.SerialError):
        serials.parse_serial(wrong)


@given(vote_id=vote_ids, number=numbers, position=st.integers(0, 9))
def test_any_swap_of_neighbouring_digits_is_caught(
    vote_id: str, number: int, position: int
) -> None:
    digits = serials.make_serial(vote_id, number).replace("-", "")
    if digits[position] == digits[position + 1]:
        return
    swapped = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]
    with pytest.raises(serials.SerialError):
        serials.parse_serial(swapped)


@pytest.mark.parametrize("raw", ["", "abc", "12345", "123456-0000-0", "１２３"])
def test_junk_is_not_a_serial(raw: str) -> None:
    with pytest.raises(serials.SerialError):
        serials.parse_serial(raw)


def test_full_width_digits_from_an_ime_are_accepted() -> None:
    text = serials.make_serial(str(uuid.uuid4()), 7)
    wide = text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert serials.parse_serial(wide).number == 7
