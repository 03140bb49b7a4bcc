from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain.merge import Version, decide


def v(
    site: str, counter: int, hlc: int, value: str, base: tuple[str, int] | None = None, cl: int = 1
) -> Version:
    return Version(site, counter, hlc, cl, value, base)


def test_a_change_that_saw_another_wins_even_with_an_older_clock() -> None:
    future = v("a", 1, 9_000, '"旧"')  # a PC whose clock ran a day ahead
    reply = v("b", 1, 1_000, '"新"', base=("a", 1))
    outcome = decide([future, reply])
    assert outcome.winner == reply and not outcome.contested


def test_concurrent_changes_go_to_the_later_clock_then_the_site_id() -> None:
    base = v("a", 1, 100, '"x"')
    left = v("b", 1, 200, '"左"', base=("a", 1))
    right = v("c", 1, 200, '"右"', base=("a", 1))
    outcome = decide([base, left, right])
    assert outcome.winner == right  # same clock: "c" > "b"
    assert outcome.losers == (left,)


def test_a_later_generation_beats_older_edits() -> None:
    edit = v("a", 5, 900, '"改"', cl=1)
    recreated = v("b", 2, 100, '"重建"', cl=3)
    assert decide([edit, recreated]).winner == recreated


def test_a_reviewed_decision_supersedes_both_sides() -> None:
    left = v("b", 1, 200, '"左"')
    right = v("c", 1, 300, '"右"')
    decision = v("d", 1, 400, '"定"', base=("c", 1))
    outcome = decide([left, right, decision], superseded=[("b", 1), ("c", 1)])
    assert outcome.winner == decision and not outcome.contested


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.integers(0, 50),
            st.sampled_from(["1", "2", "3"]),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=8,
    ),
    st.randoms(),
)
def test_the_outcome_never_depends_on_arrival_order(
    raw: list[tuple[str, int, str, int]], rng: object
) -> None:
    versions = []
    for counter, (site, clock, value, cl) in enumerate(raw, start=1):
        base = (
            versions[rng.randrange(len(versions))].id if versions and rng.random() < 0.5 else None
        )  # type: ignore[attr-defined]
        versions.append(Version(site, counter, clock, cl, value, base))
    answers = {
        decide(list(p)).winner for p in itertools.islice(itertools.permutations(versions), 30)
    }
    assert len(answers) == 1
