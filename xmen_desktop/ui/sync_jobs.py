"""Worker-side functions of the sync screens, and the plain texts they show.

Exporting, reading and applying bundles need the ``Store`` itself (not just a session), so the
screens run them with :func:`run_on_store`. The store is imported inside each function, never at
module level: the main window imports this module, and SQLAlchemy must not delay the first window.
No widgets here.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.database import Store
    from xmen_desktop.store.review import ReviewEntry
    from xmen_desktop.store.sync import ExportReport, ImportReport, IncomingBundle, MergeStats
    from xmen_desktop.ui.context import AppContext
    from xmen_desktop.ui.worker import Job

# Names carried by ``AppContext.changed`` besides real table names: the sync page's own data
# (history, peers, trust, encryption) and the review queue, which no logged write touches.
SYNC_STATUS = "sync_status"
REVIEW_QUEUE = "review_item"
SYNC_TABLES = frozenset({SYNC_STATUS, REVIEW_QUEUE, "review_resolution", "site"})

BUNDLE_SUFFIX = ".xmb"
MIN_PASSPHRASE = 8


# Record kinds the store has no label for yet, so no English table name reaches the screen.
def run_on_store(
    context: AppContext,
    fn: Callable[[Store, Job], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> Job:
    """Run ``fn(store, job)`` on the serial worker; answers come back on the UI thread."""

    def work(job: Job) -> Any:
        store = context.store
        assert store is not None, "sync work before the store is open"
        return fn(store, job)

    return context.worker.submit(work, on_done, on_error, on_progress)


def cancellable(
    job: Job, stop: threading.Event, on_step: Callable[[int, int], None] | None = None
) -> Callable[[int, int], None]:
    """A store progress callback that reports progress and stops the work when 取消 was pressed.

    ``stop`` is set by the UI thread (the job object may not exist yet when the worker runs
    inline). The last step (done == total) comes after the work is finished, so it never stops.
    """

    def step(done: int, total: int) -> None:
        if done < total:
            if stop.is_set():
                job.cancel()
            job.check()  # raises Cancelled: nothing is written
        job.progress(done, total)
        if on_step is not None:
            on_step(done, total)

    return step


# ---------------------------------------------------------------------------- texts


def table_label(table: str) -> str:
    from xmen_desktop.store.sync import TABLE_LABELS

    return TABLE_LABELS.get(table) or "其他记录"


def local_time(stamp: str | None) -> str:
    """'2026-11-27T01:23:54+00:00' (UTC, as the store keeps it) as this PC's local time."""
    if not stamp:
        return "—"
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def time_of_ms(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def fingerprint_groups(fingerprint: str) -> list[str]:
    return fingerprint.split()


def default_bundle_name(site_name: str, today: datetime.date | None = None) -> str:
    """'小西门居委会-2026-11-27.xmb': who made it and when, minus characters file names forbid."""
    day = (today or datetime.date.today()).isoformat()
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", site_name) or "同步包"
    return f"{safe}-{day}{BUNDLE_SUFFIX}"


def with_bundle_suffix(path: Path) -> Path:
    return (
        path if path.suffix.lower() == BUNDLE_SUFFIX else path.with_name(path.name + BUNDLE_SUFFIX)
    )


def counts_text(counts: Mapping[str, int]) -> str:
    """{'household': 3, 'resident': 6} → '住户 3、居民 6' (the biggest first)."""
    items = sorted(counts.items(), key=lambda item: (-item[1], table_label(item[0])))
    return "、".join(f"{table_label(table)} {number:,}" for table, number in items if number)


# ---------------------------------------------------------------------------- the sync page


@dataclass(frozen=True)
class PeerRow:
    id: str
    name: str
    last_in: str
    last_out: str
    has: int  # changes the peer said it holds, all sites together
    lacks: int  # changes this PC holds that the peer had not acknowledged


@dataclass(frozen=True)
class HistoryRow:
    id: str
    at: str
    direction: str  # "in" | "out"
    peer: str
    file_name: str
    details: dict[str, Any]  # what the store recorded about the bundle


@dataclass(frozen=True)
class TrustedRow:
    id: str  # the site id
    name: str
    fingerprint: str
    trusted_at: str


@dataclass(frozen=True)
class SyncOverview:
    site_name: str
    site_id: str
    fingerprint: str
    encryption: bool
    passphrase_set: bool
    changes: int  # changes this PC holds, all sites together
    peers: list[PeerRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    trusted: list[TrustedRow] = field(default_factory=list)
    reviews: list[ReviewEntry] = field(default_factory=list)


def passphrase_is_set(store: Store) -> bool:
    from xmen_desktop.store.sync import passphrase_is_set as is_set

    return is_set(store)


def load_overview(store: Store, job: Job | None = None) -> SyncOverview:
    from xmen_desktop.store import review, status

    data = status.sync_status(store)
    vector: dict[str, int] = {k: int(v) for k, v in data["version_vector"].items()}
    peers = []
    for peer in data["peers"]:
        acks = {k: int(v) for k, v in (peer["acks"] or {}).items()}
        lacks = sum(max(0, counter - acks.get(site, 0)) for site, counter in vector.items())
        peers.append(
            PeerRow(
                peer["site_id"],
                peer["name"],
                local_time(peer["last_in"]),
                local_time(peer["last_out"]),
                sum(acks.values()),
                lacks,
            )
        )
    history = [
        HistoryRow(
            f"{item['bundle']}/{item['direction']}",
            local_time(item["at"]),
            item["direction"],
            item["peer_name"] or "—",
            item["file_name"],
            dict(item["summary"] or {}),
        )
        for item in data["history"]
    ]
    trusted = [
        TrustedRow(s["site_id"], s["name"], s["fingerprint"], local_time(s["trusted_at"]))
        for s in status.trusted_sites(store)
    ]
    with store.read() as session:
        reviews = review.list_reviews(session)
    site = data["site"]
    return SyncOverview(
        site["name"],
        site["site_id"],
        site["fingerprint"],
        bool(data["encryption"]),
        passphrase_is_set(store),
        sum(vector.values()),
        peers,
        history,
        trusted,
        reviews,
    )


def set_encryption(enabled: bool) -> Callable[[Store, Job], None]:
    def run(store: Store, job: Job) -> None:
        from xmen_desktop.store import sync

        sync.set_encryption(store, enabled)

    return run


def set_passphrase(passphrase: str) -> Callable[[Store, Job], None]:
    def run(store: Store, job: Job) -> None:
        from xmen_desktop.store import sync

        sync.set_passphrase(store, passphrase)

    return run


def untrust(site_id: str) -> Callable[[Store, Job], None]:
    def run(store: Store, job: Job) -> None:
        from xmen_desktop.store import status

        status.untrust(store, site_id)

    return run


# ---------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportSetup:
    """What the export dialog needs to know before it asks anything."""

    site_name: str
    encryption: bool
    passphrase_set: bool


def export_setup(store: Store, job: Job | None = None) -> ExportSetup:
    from xmen_desktop.store import sync

    return ExportSetup(store.site_name, sync.encryption_enabled(store), passphrase_is_set(store))


def export_to(
    path: Path, *, full: bool, passphrase: str | None, stop: threading.Event
) -> Callable[[Store, Job], ExportReport]:
    def run(store: Store, job: Job) -> ExportReport:
        from xmen_desktop.store import sync

        job.progress(0, 1)
        return sync.export_bundle(
            store, path, full=full, passphrase=passphrase, progress=cancellable(job, stop)
        )

    return run


# ---------------------------------------------------------------------------- import


@dataclass(frozen=True)
class BundleHeader:
    """What a bundle's signed header says, before its passphrase is known."""

    path: Path
    site_name: str
    created_at: str
    entries: int
    encrypted: bool


def inspect_bundle(path: Path) -> Callable[[Store, Job], BundleHeader]:
    """Check the file's header, signature and hash; nothing is decrypted or written."""

    def run(store: Store, job: Job) -> BundleHeader:
        from xmen_desktop.store import bundle
        from xmen_desktop.store.errors import StoreError

        try:
            data = path.read_bytes()
        except OSError as error:
            raise StoreError(
                f"无法读取这个文件：{error.strerror or error}。请检查 U 盘是否插好"
            ) from error
        manifest = bundle.check_bundle(data).manifest
        counts = manifest.get("counts") or {}
        return BundleHeader(
            path,
            str(manifest.get("site_name", "")),
            local_time(manifest.get("created_at")),
            int(counts.get("entries", 0)),
            bool(manifest.get("encryption")),
        )

    return run


@dataclass
class Reading:
    """A bundle read and checked; ``stats`` is the preview once the signer is trusted."""

    incoming: IncomingBundle
    stats: MergeStats | None
    reviews_before: int


def _review_count(store: Store) -> int:
    from xmen_desktop.store.review import review_counts

    with store.read() as session:
        return review_counts(session)[0]


def read_bundle(path: Path, passphrase: str | None) -> Callable[[Store, Job], Reading]:
    """Read and check; preview at once when the signer is already trusted."""

    def run(store: Store, job: Job) -> Reading:
        from xmen_desktop.store import sync

        incoming = sync.read_bundle(store, path, passphrase or None)
        stats = None
        if incoming.trusted and not incoming.already_applied_at:
            stats = sync.preview(store, incoming)
        return Reading(incoming, stats, _review_count(store))

    return run


def preview(reading: Reading) -> Callable[[Store, Job], Reading]:
    def run(store: Store, job: Job) -> Reading:
        from xmen_desktop.store import sync

        reading.stats = sync.preview(store, reading.incoming)
        return reading

    return run


@dataclass(frozen=True)
class Imported:
    report: ImportReport
    # Records waiting for review now; the store counts fields, and one ballot may have several.
    review_records: int


def review_records(store: Store) -> int:
    from xmen_desktop.store.review import review_counts

    with store.read() as session:
        return review_counts(session)[1]


def apply(
    incoming: IncomingBundle, *, trust_new: bool, stop: threading.Event
) -> Callable[[Store, Job], Imported]:
    def run(store: Store, job: Job) -> Imported:
        from xmen_desktop.store import sync

        job.progress(0, 4)
        report = sync.apply_bundle(
            store, incoming, trust_new=trust_new, progress=cancellable(job, stop)
        )
        return Imported(report, review_records(store))

    return run


def tables_touched(stats: MergeStats) -> frozenset[str]:
    """What an import changed, for ``AppContext.changed``."""
    tables = set(stats.new) | set(stats.updated) | set(stats.deleted)
    return frozenset(tables | {SYNC_STATUS, REVIEW_QUEUE})


# ---------------------------------------------------------------------------- review


@dataclass(frozen=True)
class ReviewQueue:
    items: list[ReviewEntry]
    # row id -> where the record belongs, e.g. "小西门 · 表决：是否同意加装电梯"
    where: dict[str, str]


def load_reviews(session: Session) -> ReviewQueue:
    from xmen_desktop.store import review
    from xmen_desktop.store.models import Ballot, Estate, Vote

    items = review.list_reviews(session)
    where: dict[str, str] = {}
    for item in items:
        if item.tbl != "ballot" or item.row_id in where:
            continue
        ballot = session.get(Ballot, item.row_id)
        vote = session.get(Vote, ballot.vote_id) if ballot is not None else None
        if vote is None:
            continue
        estate = session.get(Estate, vote.estate_id)
        name = f"{estate.name} · " if estate is not None else ""
        where[item.row_id] = f"{name}表决：{vote.question}"
    return ReviewQueue(items, where)


def resolve(key: str, *, choose: int | None = None, value: Any = None) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import review

        review.resolve_review(session, key, choose=choose, value=value)

    return run


def resolve_group(decisions: list[tuple[str, int]]) -> Callable[[Session], None]:
    """Several items of one record decided together (a ballot's choice and its blank mark)."""

    def run(session: Session) -> None:
        from xmen_desktop.store import review

        for key, choose in decisions:
            review.resolve_review(session, key, choose=choose)

    return run
