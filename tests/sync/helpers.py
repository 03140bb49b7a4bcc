"""Shared set-up for the sync tests: PCs in temporary folders and bundles carried between them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from xmen_desktop.store import roster, sync, topics, votes
from xmen_desktop.store.database import Store
from xmen_desktop.store.dump import dump_json
from xmen_desktop.store.review import list_reviews

PASSPHRASE = "老西门同步口令2024"
ESTATE = "小西门"
_numbers = itertools.count(1)


def open_pc(folder: Path, name: str) -> Store:
    return Store.open(folder / name, site_name=name)


def export(store: Store, folder: Path, *, full: bool = False) -> Path:
    path = folder / f"bundle-{next(_numbers):04d}.xmb"
    sync.export_bundle(store, path, full=full, passphrase=PASSPHRASE)
    return path


def apply(store: Store, path: Path) -> sync.ImportReport:
    incoming = sync.read_bundle(store, path, PASSPHRASE)
    return sync.apply_bundle(store, incoming, trust_new=True)


def ship(source: Store, target: Store, folder: Path, *, full: bool = False) -> sync.ImportReport:
    return apply(target, export(source, folder, full=full))


def exchange_all(pcs: list[Store], folder: Path, rounds: int = 2) -> None:
    """Every ordered pair, twice over: enough for every PC to hold every change."""
    for _ in range(rounds):
        for source in pcs:
            for target in pcs:
                if source is not target:
                    ship(source, target, folder)


def dump(store: Store) -> str:
    with store.read() as session:
        return dump_json(session)


def reviews(store: Store) -> dict[str, list[Any]]:
    with store.read() as session:
        return {item.key: [c.value for c in item.candidates] for item in list_reviews(session)}


def log_rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.read() as session:
        return [tuple(r) for r in session.execute(text(sql), params)]


def vector(store: Store) -> dict[str, int]:
    return dict(log_rows(store, "SELECT site_id, counter FROM site_counter"))  # type: ignore[arg-type]


def estate_id(store: Store) -> str:
    with store.read() as session:
        return roster.resolve_estate(session, ESTATE).id


def add_household(store: Store, tenant: str, address: str, **values: Any) -> str:
    with store.write() as session:
        estate = roster.resolve_estate(session, ESTATE).id
        return roster.add_household(
            session, estate, {"tenant": tenant, "address": address, **values}
        ).id


@dataclass
class VoteSetup:
    topic: str
    vote: str
    households: list[str] = field(default_factory=list)


def open_vote(store: Store, households: int = 2, title: str = "加装电梯") -> VoteSetup:
    """Households, a topic walked to voting, a vote and its ballots, all on one PC."""
    with store.write() as session:
        estate = roster.resolve_estate(session, ESTATE).id
        ids = [
            roster.add_household(
                session, estate, {"tenant": f"户主{i}", "address": f"{title}路 {i} 号"}
            ).id
            for i in range(1, households + 1)
        ]
        topic = topics.add_topic(session, estate, {"title": title}).id
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic, state)
        vote = votes.create_vote(session, topic, question=f"是否同意{title}", rule="residents").id
        votes.issue_ballots(session, vote)
    return VoteSetup(topic, vote, ids)


def cast(store: Store, vote: str, household: str, **how: Any) -> None:
    with store.write() as session:
        votes.cast(session, vote, household_id=household, **how)


def result(store: Store, vote: str) -> dict[str, Any]:
    with store.read() as session:
        outcome = votes.compute_result(session, vote)
        return {
            "in_review": outcome.in_review.households,
            "counts": {o: a.households for o, a in outcome.counts.items()},
            "blank": outcome.blank.households,
            "spoilt": outcome.spoilt.households,
        }
