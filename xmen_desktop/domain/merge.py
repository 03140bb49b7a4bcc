"""Which value of a field wins, given every logged change to it — the same answer on every PC.

Each change names the change it overwrote (its *base*). A change that saw another, directly or
through a chain, wins over it whatever the clocks say. Among the changes nobody saw (the
*maximal* ones), the winner is the greatest (causal length, clock, site id, counter): a change
made in a later generation of the row (after a delete and re-creation) beats older ones, then
the later clock, then the site id breaks exact ties. The answer depends only on the set of
changes, never on the order they arrived in, so every PC that has seen the same changes agrees.

Two PCs may create the same row under a natural id (the ballot of one household in one vote).
A change made on top of one PC's creation counts as having seen an identical creation made on
another PC: otherwise a stale twin would stand beside the edit as if it were a concurrent one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EntryId = tuple[str, int]


@dataclass(frozen=True)
class Version:
    site: str
    counter: int
    hlc: int
    cl: int
    value: str | None
    base: EntryId | None = None

    @property
    def id(self) -> EntryId:
        return (self.site, self.counter)

    @property
    def order(self) -> tuple[int, int, str, int]:
        return (self.cl, self.hlc, self.site, self.counter)


@dataclass(frozen=True)
class Outcome:
    winner: Version
    maximal: tuple[Version, ...]
    """Changes nobody saw. More than one with different values: a concurrent edit."""

    @property
    def losers(self) -> tuple[Version, ...]:
        return tuple(
            v for v in self.maximal if v.id != self.winner.id and v.value != self.winner.value
        )

    @property
    def contested(self) -> bool:
        return bool(self.losers)


def decide(versions: Sequence[Version], superseded: Iterable[EntryId] = ()) -> Outcome:
    """The winning change of one field. ``superseded``: entries a person's review decision
    replaced, which count as seen."""
    if not versions:
        raise ValueError("no versions to decide between")
    by_id = {v.id: v for v in versions}
    seen: set[EntryId] = {s for s in superseded if s in by_id}
    for version in versions:
        base = version.base
        while base is not None and base not in seen:
            seen.add(base)
            earlier = by_id.get(base)
            base = earlier.base if earlier is not None else None
    # Two PCs may create the same natural-id row (a household's ballot): a change made on top
    # of one PC's creation has seen the other's too where the created values are equal.
    twins = {
        (created.cl, created.value)
        for created in (by_id.get(s) for s in seen)
        if created is not None and created.base is None
    }
    seen.update(v.id for v in versions if v.base is None and (v.cl, v.value) in twins)
    maximal = tuple(sorted((v for v in versions if v.id not in seen), key=lambda v: v.order))
    if not maximal:  # only possible with a cycle of bases, which no honest log holds
        maximal = tuple(sorted(versions, key=lambda v: v.order))
    return Outcome(maximal[-1], maximal)
