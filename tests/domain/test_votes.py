from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain import votes
from xmen_desktop.domain.votes import RULES, Ballot, Voter, tally


def electorate(n: int, area: int = 5000) -> list[Voter]:
    return [Voter(f"h{i}", area) for i in range(n)]


def ballots(choices: list[str | None], *, start: int = 0) -> list[Ballot]:
    return [Ballot(f"h{start + i}", choice=c, blank=c is None) for i, c in enumerate(choices)]


# ---------------------------------------------------------------- exact boundaries


def test_residents_rule_needs_more_than_half_taking_part() -> None:
    # 10 households: 5 taking part is exactly half, not more than half.
    half = tally(RULES["residents"], votes.DEFAULT_OPTIONS, electorate(10), ballots(["同意"] * 5))
    assert not half.participation_met and not half.passed
    more = tally(RULES["residents"], votes.DEFAULT_OPTIONS, electorate(10), ballots(["同意"] * 6))
    assert more.participation_met and more.passed


def test_residents_rule_exactly_half_agreeing_fails() -> None:
    result = tally(
        RULES["residents"],
        votes.DEFAULT_OPTIONS,
        electorate(10),
        ballots(["同意"] * 3 + ["不同意"] * 3),
    )
    assert result.participation_met and not result.passed


def test_art278_exactly_two_thirds_taking_part_is_enough() -> None:
    result = tally(RULES["art278"], votes.DEFAULT_OPTIONS, electorate(9), ballots(["同意"] * 6))
    assert result.participation_met and result.passed
    short = tally(RULES["art278"], votes.DEFAULT_OPTIONS, electorate(9), ballots(["同意"] * 5))
    assert not short.participation_met and not short.passed


def test_art278_needs_area_too() -> None:
    # 6 of 9 households take part, but they are the small flats: area below two thirds.
    voters = [Voter(f"h{i}", 1000 if i < 6 else 9000) for i in range(9)]
    result = tally(RULES["art278"], votes.DEFAULT_OPTIONS, voters, ballots(["同意"] * 6))
    by_basis = {c.basis: c.met for c in result.participation_checks}
    assert by_basis == {"headcount": True, "area": False}
    assert not result.passed


def test_art278_major_exactly_three_quarters_agreeing_passes() -> None:
    result = tally(
        RULES["art278-major"],
        votes.DEFAULT_OPTIONS,
        electorate(8),
        ballots(["同意"] * 6 + ["不同意"] * 2),
    )
    assert result.passed
    less = tally(
        RULES["art278-major"],
        votes.DEFAULT_OPTIONS,
        electorate(8),
        ballots(["同意"] * 5 + ["不同意"] * 3),
    )
    assert less.participation_met and not less.passed


def test_abstentions_blank_and_spoilt_take_part_but_never_agree() -> None:
    spoilt = [Ballot("h7", spoilt=True)]
    result = tally(
        RULES["residents"],
        votes.DEFAULT_OPTIONS,
        electorate(10),
        ballots(["同意"] * 3 + ["弃权"] * 2 + [None] * 2) + spoilt,
    )
    assert result.participated.households == 8
    assert (result.blank.households, result.spoilt.households) == (2, 1)
    assert result.not_returned.households == 2
    assert not result.passed  # 3 of 8 agreeing is not more than half


def test_ballots_in_review_are_set_aside() -> None:
    review = [Ballot("h5", choice="同意", in_review=True)]
    result = tally(
        RULES["residents"], votes.DEFAULT_OPTIONS, electorate(10), ballots(["同意"] * 5) + review
    )
    assert result.in_review.households == 1
    assert result.participated.households == 5
    assert result.not_returned.households == 4
    assert not result.participation_met


def test_ballots_outside_the_electorate_or_twice_are_ignored() -> None:
    extra = [Ballot("stranger", choice="同意"), Ballot("h0", choice="不同意")]
    result = tally(
        RULES["residents"], votes.DEFAULT_OPTIONS, electorate(3), ballots(["同意"]) + extra
    )
    assert result.participated.households == 1
    assert result.counts["同意"].households == 1


def test_custom_options_name_the_winner() -> None:
    rule = votes.rule_for("custom", "1/2", "1/2", "headcount")
    options = ("方案一", "方案二", "弃权")
    result = tally(rule, options, electorate(10), ballots(["方案二"] * 6 + ["方案一"] * 2))
    assert result.passed and result.winner == "方案二"


def test_custom_rule_thresholds_are_at_least() -> None:
    rule = votes.rule_for("custom", "60%", "0.5", "area")
    assert rule.participation.words() == "不少于60%"
    result = tally(
        rule, votes.DEFAULT_OPTIONS, electorate(10), ballots(["同意"] * 3 + ["不同意"] * 3)
    )
    assert result.participation_met and result.passed  # 3 of 6 is at least half


@pytest.mark.parametrize("bad", ["abc", "0", "1.5", "-1/2", "3/0"])
def test_bad_shares_are_refused(bad: str) -> None:
    with pytest.raises(votes.RuleError):
        votes.parse_share(bad)


def test_every_rule_is_explained() -> None:
    for rule in RULES.values():
        lines = rule.explain()
        assert any("参与" in line for line in lines) and any("通过" in line for line in lines)
    assert "三分之二" in RULES["art278"].explain()[0]
    assert "四分之三" in RULES["art278-major"].explain()[1]


# ---------------------------------------------------------------- properties

shares = st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(3, 5)])


@given(share=shares, strict=st.booleans(), whole=st.integers(1, 5000))
def test_smallest_meeting_is_the_exact_boundary(share: Fraction, strict: bool, whole: int) -> None:
    threshold = votes.Threshold(share, strict)
    needed = votes.smallest_meeting(threshold, whole)
    assert threshold.met(needed, whole)
    assert not threshold.met(needed - 1, whole)


@given(share=shares, whole=st.integers(1, 3000))
def test_exactly_on_the_share_meets_at_least_but_not_more_than(share: Fraction, whole: int) -> None:
    part = share * whole
    if part.denominator == 1:
        assert votes.Threshold(share, strict=False).met(int(part), whole)
        assert not votes.Threshold(share, strict=True).met(int(part), whole)


@given(
    n=st.integers(1, 60),
    data=st.data(),
    rule_code=st.sampled_from(sorted(RULES)),
)
def test_tally_accounts_for_every_household_once(
    n: int, data: st.DataObject, rule_code: str
) -> None:
    voters = [Voter(f"h{i}", data.draw(st.integers(0, 9000))) for i in range(n)]
    kinds = data.draw(
        st.lists(
            st.sampled_from(["同意", "不同意", "弃权", "blank", "spoilt", "review", "none"]),
            min_size=n,
            max_size=n,
        )
    )
    cast = []
    for i, kind in enumerate(kinds):
        if kind == "none":
            continue
        cast.append(
            Ballot(
                f"h{i}",
                choice=kind
                if kind in votes.DEFAULT_OPTIONS
                else ("同意" if kind == "review" else None),
                blank=kind == "blank",
                spoilt=kind == "spoilt",
                in_review=kind == "review",
            )
        )
    result = tally(RULES[rule_code], votes.DEFAULT_OPTIONS, voters, cast)
    counted = sum(a.households for a in result.counts.values())
    assert (
        counted + result.blank.households + result.spoilt.households
        == result.participated.households
    )
    assert (
        result.participated.households
        + result.not_returned.households
        + result.in_review.households
        == n
    )
    total_area = sum(v.area_centi for v in voters)
    assert (
        result.participated.area_centi
        + result.not_returned.area_centi
        + result.in_review.area_centi
        == total_area
    )
    # agreement never comes from anything but 同意 ballots
    if result.passed:
        assert result.counts["同意"].households > 0


@given(agree=st.integers(0, 40), against=st.integers(0, 40), abstain=st.integers(0, 40))
def test_more_abstentions_never_help_a_vote_pass(agree: int, against: int, abstain: int) -> None:
    size = agree + against + abstain + 1
    before = tally(
        RULES["residents"],
        votes.DEFAULT_OPTIONS,
        electorate(size),
        ballots(["同意"] * agree + ["不同意"] * against),
    )
    after = tally(
        RULES["residents"],
        votes.DEFAULT_OPTIONS,
        electorate(size),
        ballots(["同意"] * agree + ["不同意"] * against + ["弃权"] * abstain),
    )
    if before.participation_met:
        assert after.passed <= before.passed
