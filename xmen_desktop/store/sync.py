"""Sync by bundle: export what peers may lack, import by merging per field in one transaction.

Import order (each step refuses with its reason and changes nothing): header, signature and
payload hash (bundle.check_bundle) → schema → signer (a trusted site's name with another key is
refused) → decrypt, in memory → [preview: the merge in a transaction that is rolled back] →
an unknown signer needs the user's trust → backup → apply in one transaction (entries parsed
and checked a batch at a time, anything unknown refusing the whole bundle; new entries logged;
rows merged) → sync history → report.

Both directions are set-based SQL: export has SQLite write each entry's JSON, and import
inserts rows that are new to this PC with one statement per table; only rows with competing
changes go through ``decide`` in Python. Docs: docs/SYNC.md.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from xmen_desktop import __version__
from xmen_desktop.domain import hlc
from xmen_desktop.domain.ids import new_id
from xmen_desktop.domain.merge import Outcome, Version, decide
from xmen_desktop.store import bundle as bundles
from xmen_desktop.store import erasure, migrate, paths
from xmen_desktop.store.audit import RECORD_LABELS
from xmen_desktop.store.backup import backup_database
from xmen_desktop.store.changelog import decode_value, now_ms, sanctioned_writes
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.identity import fingerprint, load_keys
from xmen_desktop.store.models import TABLE_BY_NAME, logged_fields

Progress = Callable[[int, int], None]
ENTRY_COLUMNS = (
    "site_id",
    "counter",
    "hlc",
    "tbl",
    "row_id",
    "field",
    "value",
    "cl",
    "base_site",
    "base_counter",
)
# Child tables after their parents, so new rows can be inserted in one pass.
TABLE_ORDER = list(TABLE_BY_NAME)
# What each table's records are called on screen (sync previews, the audit screen).
TABLE_LABELS = RECORD_LABELS
ENCRYPT_SETTING = "encrypt_bundles"
VERIFIER_SETTING = "passphrase_verifier"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- settings


def _setting(connection: Connection, key: str) -> str | None:
    return connection.execute(
        text("SELECT value FROM local_setting WHERE key = :k"), {"k": key}
    ).scalar()


def _set_setting(connection: Connection, key: str, value: str) -> None:
    connection.execute(
        text(
            "INSERT INTO local_setting (key, value) VALUES (:k, :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"k": key, "v": value},
    )


def encryption_enabled(store: Store) -> bool:
    with store.engine.connect() as connection:
        return _setting(connection, ENCRYPT_SETTING) != "off"


def set_encryption(store: Store, enabled: bool) -> None:
    """Bundles are encrypted unless an office turns it off here, explicitly."""
    with store.engine.begin() as connection:
        _set_setting(connection, ENCRYPT_SETTING, "on" if enabled else "off")


# The scrypt cost of the stored passphrase check, fixed: were it to follow the bundles' cost, a
# version that raised that cost would find every office's stored check value wrong.
VERIFIER_COST = (2**15, 8, 1)


def _verifier(passphrase: str, salt: bytes) -> str:
    import base64

    key = bundles.derive_key("verify:" + passphrase, salt, *VERIFIER_COST)
    return base64.b64encode(salt).decode() + ":" + base64.b64encode(key).decode()


def passphrase_is_set(store: Store) -> bool:
    """Whether this PC already holds a check value for the sync passphrase."""
    with store.read_engine.connect() as connection:
        return _setting(connection, VERIFIER_SETTING) is not None


def set_passphrase(store: Store, passphrase: str) -> None:
    """Remember a check value for the passphrase (never the passphrase itself)."""
    import os

    if len(passphrase) < 8:
        raise StoreError("同步口令至少 8 个字符：街道各站点要用同一个口令")
    with store.engine.begin() as connection:
        _set_setting(connection, VERIFIER_SETTING, _verifier(passphrase, os.urandom(16)))


def check_passphrase(store: Store, passphrase: str) -> None:
    import base64

    with store.engine.connect() as connection:
        stored = _setting(connection, VERIFIER_SETTING)
    if stored is None:
        set_passphrase(store, passphrase)  # the first one used becomes this PC's
        return
    salt = base64.b64decode(stored.split(":")[0])
    if _verifier(passphrase, salt) != stored:
        raise StoreError("口令与本机设置的同步口令不一致：请核对（区分大小写）后重试")


# ---------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportReport:
    path: Path
    bundle_id: str
    entries: int
    size: int
    ranges: dict[str, list[int]]
    encrypted: bool


def version_vector(connection: Connection) -> dict[str, int]:
    return {
        site: counter
        for site, counter in connection.execute(text("SELECT site_id, counter FROM site_counter"))
    }


def export_bundle(
    store: Store,
    path: Path,
    *,
    full: bool = False,
    passphrase: str | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the changes any known peer may lack (or everything with ``full``)."""
    if not store.actor.may_sync:
        from xmen_desktop.domain.access import denied

        raise StoreError(denied("导出同步包"))
    encrypt = encryption_enabled(store)
    if encrypt:
        if not passphrase:
            raise StoreError("请输入同步口令：同步包里有居民的个人信息，必须加密")
        check_passphrase(store, passphrase)
    keys = load_keys(store.engine, store.site_id)
    with store.read_engine.connect() as connection, connection.begin():
        vector = version_vector(connection)
        acked = [json.loads(raw) for (raw,) in connection.execute(text("SELECT acks FROM peer"))]
        # Every author an entry or a base names: all of them are authors in this log.
        sites = [r[0] for r in connection.execute(text(_SITES))]
        ranges: dict[str, list[int]] = {}
        tables: Counter[str] = Counter()
        starts: dict[str, int] = {}
        for origin in sites:
            start = 0 if full or not acked else min(int(a.get(origin, 0)) for a in acked)
            low, high = connection.execute(text(_RANGE), {"s": origin, "c": start}).one()
            if high is not None:
                starts[origin] = start
                ranges[origin] = [low, high]
                for table, count in connection.execute(text(_TABLES), {"s": origin, "c": start}):
                    tables[table] += count
        total = sum(tables.values())
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

        def batches() -> Iterable[list[str]]:
            done = 0
            for origin, start in starts.items():
                cursor.execute(_ENTRIES_JSON, (json.dumps(sites), origin, start))
                while rows := cursor.fetchmany(bundles.BATCH):
                    yield [row[0] for row in rows]
                    done += len(rows)
                    if progress:
                        progress(done, total + 1)

        blobs = _attachments_for(connection, store.directory, starts)
        plain, count = bundles.encode_payload(sites, batches(), blobs)
    bundle_id = new_id()
    manifest = {
        "format": bundles.FORMAT_VERSION,
        "schema": migrate.head_revision(),
        "app_version": __version__,
        "bundle_id": bundle_id,
        "created_at": _now(),
        "site_id": store.site_id,
        "site_name": store.site_name,
        "public_key": _b64(keys.public_key),
        "fingerprint": keys.fingerprint,
        "ranges": ranges,
        "acks": vector,
        "counts": {"entries": count, "tables": dict(sorted(tables.items()))},
    }
    size = bundles.write_bundle(path, manifest, plain, keys.sign, passphrase if encrypt else None)
    with store.engine.begin() as connection:
        _record_history(connection, bundle_id, "out", "", "", path.name, manifest["counts"])
    if progress:
        progress(total + 1, total + 1)
    _audit(store, "export", f"同步包 {path.name}（{count} 条更改）")
    return ExportReport(path, bundle_id, count, size, ranges, encrypt)


_SITES = "SELECT DISTINCT site_id FROM change_log ORDER BY site_id"
_RANGE = "SELECT min(counter), max(counter) FROM change_log WHERE site_id = :s AND counter > :c"
_TABLES = "SELECT tbl, count(*) FROM change_log WHERE site_id = :s AND counter > :c GROUP BY tbl"
# One entry of the payload as JSON text, made by SQLite: no Python work per entry.
_ENTRIES_JSON = """
WITH site(idx, site_id) AS MATERIALIZED (SELECT key, value FROM json_each(?1))
SELECT json_array(author.idx, c.counter, c.hlc, c.tbl, c.row_id, c.field, c.value, c.cl,
                  coalesce(base.idx, -1), coalesce(c.base_counter, 0), c.operator)
FROM change_log c
JOIN site author ON author.site_id = c.site_id
LEFT JOIN site base ON base.site_id = c.base_site
WHERE c.site_id = ?2 AND c.counter > ?3
ORDER BY c.counter
"""


def _attachments_for(
    connection: Connection, data_dir: Path, starts: dict[str, int]
) -> dict[str, str]:
    """The bytes of every attachment whose record travels in this bundle, by SHA-256."""
    import base64

    from xmen_desktop.store.attachments import read_blob

    blobs: dict[str, str] = {}
    for origin, start in starts.items():
        for (raw,) in connection.execute(
            text(
                "SELECT value FROM change_log WHERE site_id = :s AND counter > :c "
                "AND tbl = 'attachment' AND field = 'sha256'"
            ),
            {"s": origin, "c": start},
        ):
            digest = json.loads(raw)
            data = read_blob(data_dir, digest)
            if data is not None:  # a relayed record whose file this PC never received
                blobs[digest] = base64.b64encode(data).decode("ascii")
    return blobs


def _store_attachments(data_dir: Path, blobs: dict[str, str]) -> None:
    import base64
    import hashlib

    from xmen_desktop.store.attachments import write_blob

    for digest, encoded in blobs.items():
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise bundles.BundleRefused(bundles._tampered()) from error
        if hashlib.sha256(data).hexdigest() != digest:
            raise bundles.BundleRefused(bundles._tampered())
        write_blob(data_dir, data)


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------- reading


@dataclass
class IncomingBundle:
    path: Path
    manifest: dict[str, Any]
    payload: bundles.Payload
    public_key: bytes
    trusted: bool
    already_applied_at: str | None

    @property
    def site_id(self) -> str:
        return str(self.manifest["site_id"])

    @property
    def site_name(self) -> str:
        return str(self.manifest.get("site_name", ""))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def read_bundle(store: Store, path: Path, passphrase: str | None) -> IncomingBundle:
    """Everything that can refuse a bundle before a preview (but its entries, which the merge
    checks as it parses them); the database is not touched."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise StoreError(f"无法读取 {path}：{error.strerror or error}") from error
    signed = bundles.check_bundle(data)
    manifest = signed.manifest
    if not migrate.is_known_revision(str(manifest.get("schema"))):
        raise bundles.BundleRefused(
            f"这个同步包来自更新版本的软件，请把本软件升级到 {manifest.get('app_version', '最新')} "
            "版或更高后再导入（没有做任何改动）"
        )
    with store.read_engine.connect() as connection:
        trusted_key = connection.execute(
            text("SELECT public_key FROM trusted_site WHERE site_id = :s"),
            {"s": manifest.get("site_id")},
        ).scalar()
        key_owner = connection.execute(
            text("SELECT site_id FROM trusted_site WHERE public_key = :k"), {"k": signed.public_key}
        ).scalar()
        own_key = connection.execute(
            text("SELECT site_id FROM site_key WHERE public_key = :k"), {"k": signed.public_key}
        ).scalar()
        applied = connection.execute(
            text("SELECT at FROM sync_history WHERE bundle_id = :b AND direction = 'in'"),
            {"b": manifest.get("bundle_id")},
        ).scalar()
    signer = key_owner or own_key
    if (trusted_key is not None and trusted_key != signed.public_key) or (
        signer is not None and signer != manifest.get("site_id")
    ):
        raise bundles.BundleRefused(
            f"同步包声称来自站点“{manifest.get('site_name', '')}”，但签名用的不是该站点的密钥。"
            "可能是伪造的，没有做任何改动。请联系街道核实"
        )
    payload = bundles.open_payload(signed, passphrase)
    return IncomingBundle(
        Path(path),
        manifest,
        payload,
        signed.public_key,
        trusted=trusted_key is not None or own_key is not None,
        already_applied_at=applied,
    )


def _unknown_content() -> bundles.BundleRefused:
    return bundles.BundleRefused(
        "同步包里有本软件不认识的内容，没有做任何改动。请确认两边软件版本一致"
    )


# ---------------------------------------------------------------------------- merge


@dataclass
class MergeStats:
    received: int = 0
    applied: int = 0
    skipped: int = 0
    new: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    review: int = 0
    pending: int = 0
    clock_warning: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "applied": self.applied,
            "skipped": self.skipped,
            "new": dict(self.new),
            "updated": dict(self.updated),
            "deleted": dict(self.deleted),
            "conflicts": self.conflicts,
            "review_items": self.review,
            "pending": self.pending,
            "clock_warning": self.clock_warning,
        }


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge_entries(
    connection: Connection,
    payload: bundles.Payload,
    progress: Progress | None = None,
    ranges: dict[str, Any] | None = None,
) -> MergeStats:
    """Apply a bundle's entries in the caller's transaction: bulk SQL, one pass per table.

    ``ranges`` (the manifest's): when our version vector already covers every range, the
    bundle holds nothing new and its entries are not even parsed.
    """
    stats = MergeStats(received=payload.count)
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    if ranges is not None and _covered(cursor, ranges):
        stats.skipped = stats.received
        stats.review = cursor.execute("SELECT count(*) FROM review_item").fetchone()[0]
        stats.pending = cursor.execute("SELECT count(*) FROM pending_row").fetchone()[0]
        return stats
    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KB}")
    try:
        return _merge(cursor, payload, progress, stats)
    finally:
        cursor.execute(f"PRAGMA cache_size = {cache}")


def _merge(
    cursor: Any, payload: bundles.Payload, progress: Progress | None, stats: MergeStats
) -> MergeStats:
    cursor.execute("PRAGMA defer_foreign_keys = ON")
    for statement in _TEMP_TABLES:
        cursor.execute(statement)
    # Entries new to this PC are the change-log rows after this mark.
    mark = cursor.execute("SELECT coalesce(max(rowid), 0) FROM change_log").fetchone()[0]
    _take_in(cursor, payload, progress)
    stats.received = cursor.execute("SELECT count(*) FROM incoming").fetchone()[0]
    erasure.scrub_incoming(cursor)
    cursor.execute(_LOG_NEW_ENTRIES)
    stats.applied = cursor.execute(
        "SELECT count(*) FROM change_log WHERE rowid > ?", (mark,)
    ).fetchone()[0]
    stats.skipped = stats.received - stats.applied
    if progress:
        progress(1, 4)
    if stats.applied:
        cursor.execute(
            "INSERT OR IGNORE INTO affected SELECT DISTINCT tbl, row_id FROM change_log "
            "WHERE rowid > ?",
            (mark,),
        )
        _advance_clock(cursor, stats, mark)
    # Rows waiting for their parent or missing fields are tried again every time.
    cursor.execute("INSERT OR IGNORE INTO affected SELECT tbl, row_id FROM pending_row")
    cursor.execute("DELETE FROM pending_row")
    # Review decisions first: they say which entries of other fields count as seen.
    _resolve(cursor, ["review_resolution"], stats)
    cursor.execute(
        "INSERT OR IGNORE INTO affected SELECT r.tbl, r.row_id FROM review_resolution r "
        "JOIN affected a ON a.tbl = 'review_resolution' AND a.row_id = r.id"
    )
    if progress:
        progress(2, 4)
    _resolve(cursor, [t for t in TABLE_ORDER if t != "review_resolution"], stats)
    if progress:
        progress(3, 4)
    _advance_vectors(cursor, mark)
    _note_estates(cursor, mark)
    stats.review = cursor.execute("SELECT count(*) FROM review_item").fetchone()[0]
    stats.pending = cursor.execute("SELECT count(*) FROM pending_row").fetchone()[0]
    return stats


def _note_estates(cursor: Any, mark: int) -> None:
    """Which estate each newly logged entry's row belongs to (the audit screen filters by it)."""
    from xmen_desktop.store.access import estate_sql

    tables = [
        t for (t,) in cursor.execute("SELECT DISTINCT tbl FROM change_log WHERE rowid > ?", (mark,))
    ]
    for table in tables:
        query = estate_sql(table, "change_log.row_id")
        if query is not None:
            cursor.execute(
                f"UPDATE change_log SET estate_id = {query} WHERE rowid > ? AND tbl = ?",
                (mark, table),
            )


# Pages of the database cached during an import (the default 2 MB makes the big insert spill
# the same pages to the write-ahead log again and again).
IMPORT_CACHE_KB = 64 * 1024

_TEMP_TABLES = (
    # The entries as the bundle has them: sites as indexes into the payload's site list.
    "CREATE TEMP TABLE IF NOT EXISTS incoming (author, counter, hlc, tbl, row_id, field, value, "
    "cl, base, base_counter, operator)",
    "CREATE TEMP TABLE IF NOT EXISTS bundle_site (idx INTEGER PRIMARY KEY, site_id TEXT)",
    "CREATE TEMP TABLE IF NOT EXISTS affected (tbl TEXT, row_id TEXT, PRIMARY KEY (tbl, row_id))",
    "CREATE TEMP TABLE IF NOT EXISTS simple_row (row_id TEXT PRIMARY KEY, fields INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS known_field (tbl TEXT, field TEXT, PRIMARY KEY (tbl, field))",
    "DELETE FROM incoming",
    "DELETE FROM bundle_site",
    "DELETE FROM affected",
)
# Entries this PC lacks go into its log (those it has are skipped by their (site, counter)).
_LOG_NEW_ENTRIES = f"""
INSERT INTO change_log ({", ".join(ENTRY_COLUMNS)}, operator)
SELECT author.site_id, i.counter, i.hlc, i.tbl, i.row_id, i.field, i.value, i.cl,
       base.site_id, CASE WHEN i.base = -1 THEN NULL ELSE i.base_counter END, i.operator
FROM incoming i
JOIN bundle_site author ON author.idx = i.author
LEFT JOIN bundle_site base ON base.idx = i.base
WHERE true
ON CONFLICT (site_id, counter) DO NOTHING
"""


def _covered(cursor: Any, ranges: dict[str, Any]) -> bool:
    """Every counter the bundle carries is at or below what we hold without a gap."""
    held = dict(cursor.execute("SELECT site_id, counter FROM site_counter").fetchall())
    try:
        return all(int(span[1]) <= held.get(site, 0) for site, span in ranges.items())
    except (TypeError, ValueError, IndexError):
        return False


def _take_in(cursor: Any, payload: bundles.Payload, progress: Progress | None) -> None:
    """Parse the entries a batch at a time into the temporary ``incoming`` table, then check
    them all with one query: a bundle with anything unknown is refused whole."""
    cursor.executemany("INSERT INTO bundle_site VALUES (?, ?)", enumerate(payload.sites))
    for batch in payload.batches():
        # Bundles before operators existed carry 10 values an entry; now the 11th says who.
        rows = [entry if len(entry) != 10 else [*entry, None] for entry in batch]
        try:
            cursor.executemany(
                "INSERT INTO incoming VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        except (TypeError, ValueError, sqlite3.Error) as error:  # not 11 plain values
            raise _unknown_content() from error
        if progress:
            progress(0, 4)
    cursor.execute("DELETE FROM known_field")
    cursor.executemany(
        "INSERT INTO known_field VALUES (?, ?)",
        [(name, f) for name, model in TABLE_BY_NAME.items() for f in logged_fields(model)],
    )
    bad = cursor.execute(
        "SELECT 1 FROM incoming i WHERE typeof(i.author) != 'integer' "
        "OR typeof(i.base) != 'integer' OR typeof(i.counter) != 'integer' OR i.counter < 1 "
        "OR typeof(i.hlc) != 'integer' OR typeof(i.cl) != 'integer' OR i.cl < 1 "
        "OR typeof(i.row_id) != 'text' "
        "OR (i.value IS NOT NULL AND (typeof(i.value) != 'text' OR NOT json_valid(i.value))) "
        "OR (i.operator IS NOT NULL AND typeof(i.operator) != 'text') "
        "OR NOT EXISTS (SELECT 1 FROM bundle_site s WHERE s.idx = i.author) "
        "OR (i.base != -1 AND (typeof(i.base_counter) != 'integer' "
        "OR NOT EXISTS (SELECT 1 FROM bundle_site s WHERE s.idx = i.base))) "
        "OR NOT EXISTS (SELECT 1 FROM known_field k WHERE k.tbl = i.tbl AND k.field = i.field) "
        "LIMIT 1"
    ).fetchone()
    if bad:
        raise _unknown_content()


def _advance_clock(cursor: Any, stats: MergeStats, mark: int) -> None:
    query = "SELECT max(hlc) FROM change_log WHERE rowid > ?"
    newest = cursor.execute(query, (mark,)).fetchone()[0]
    last = cursor.execute("SELECT last_hlc FROM local_identity").fetchone()[0]
    received = hlc.receive(last, newest, now_ms())
    if received.too_far_ahead:
        ahead = (hlc.wall_ms(newest) - now_ms()) / 3_600_000
        stats.clock_warning = (
            f"同步包里有的修改时间比本机时钟快了约 {ahead:.0f} 小时：对方电脑的时钟可能不准，"
            "请提醒对方校准时间。本机时钟没有跟着改"
        )
    cursor.execute("UPDATE local_identity SET last_hlc = ?", (received.stamp,))


def _advance_vectors(cursor: Any, mark: int) -> None:
    """Raise each origin's gap-free counter as far as the log now runs without a gap."""
    origins = [
        r[0]
        for r in cursor.execute("SELECT DISTINCT site_id FROM change_log WHERE rowid > ?", (mark,))
    ]
    for origin in origins:
        row = cursor.execute(
            "SELECT counter FROM site_counter WHERE site_id = ?", (origin,)
        ).fetchone()
        current = row[0] if row else 0
        # The end of the run that starts right after what we hold; a gap is never claimed.
        end = cursor.execute(
            "SELECT min(c.counter) FROM change_log c WHERE c.site_id = ?1 AND c.counter > ?2 "
            "AND NOT EXISTS (SELECT 1 FROM change_log d "
            "WHERE d.site_id = ?1 AND d.counter = c.counter + 1) "
            "AND EXISTS (SELECT 1 FROM change_log e WHERE e.site_id = ?1 AND e.counter = ?2 + 1)",
            (origin, current),
        ).fetchone()[0]
        current = end if end is not None else current
        cursor.execute(
            "INSERT INTO site_counter (site_id, counter) VALUES (?, ?) "
            "ON CONFLICT (site_id) DO UPDATE SET counter = max(counter, excluded.counter)",
            (origin, current),
        )


def _resolve(cursor: Any, tables: list[str], stats: MergeStats) -> None:
    for table in tables:
        if not cursor.execute("SELECT 1 FROM affected WHERE tbl = ? LIMIT 1", (table,)).fetchone():
            continue
        inserted = _insert_new_rows(cursor, table, stats)
        row_ids = [
            r[0]
            for r in cursor.execute(
                "SELECT row_id FROM affected a WHERE tbl = ? "
                "AND NOT EXISTS (SELECT 1 FROM simple_row s WHERE s.row_id = a.row_id)",
                (table,),
            ).fetchall()
        ]
        wrote, current = _resolve_table(cursor, table, row_ids, stats) if row_ids else (False, {})
        if inserted or wrote:
            _park_orphans(cursor, table, current, logged_fields(TABLE_BY_NAME[table]))


def _insert_new_rows(cursor: Any, table: str, stats: MergeStats) -> bool:
    """The bulk case in set-based SQL: rows new to this PC whose every field has one entry.

    One entry per field means nothing to decide: each field takes its only value, which is
    what ``decide`` would answer. Such rows with a field still missing wait in pending_row.
    Every other affected row (already here, or a field with several entries) goes through
    ``_resolve_table``.
    """
    fields = logged_fields(TABLE_BY_NAME[table])
    cursor.execute("DELETE FROM simple_row")
    cursor.execute(
        "INSERT INTO simple_row (row_id, fields) SELECT a.row_id, count(*) FROM affected a "
        "JOIN change_log c ON c.tbl = a.tbl AND c.row_id = a.row_id "
        f"WHERE a.tbl = ?1 AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = a.row_id) "
        "GROUP BY a.row_id HAVING count(*) = count(DISTINCT c.field)",
        (table,),
    )
    cursor.execute(
        "INSERT INTO field_version (tbl, row_id, field, site_id, counter, hlc, cl) "
        "SELECT c.tbl, c.row_id, c.field, c.site_id, c.counter, c.hlc, c.cl FROM simple_row s "
        "JOIN change_log c ON c.tbl = ?1 AND c.row_id = s.row_id WHERE true "
        "ON CONFLICT (tbl, row_id, field) DO UPDATE SET site_id = excluded.site_id, "
        "counter = excluded.counter, hlc = excluded.hlc, cl = excluded.cl",
        (table,),
    )
    cursor.execute(
        "INSERT OR IGNORE INTO pending_row SELECT ?1, row_id FROM simple_row WHERE fields < ?2",
        (table, len(fields)),
    )
    # A JSON value read as SQL (->> '$'): text, integer, real, 1/0 for true/false, NULL for
    # null; the same as decoding it in Python and writing it back.
    columns = ", ".join(f"max(CASE c.field WHEN '{f}' THEN c.value ->> '$' END)" for f in fields)
    inserted = cursor.execute(
        f"INSERT INTO {table} (id, {', '.join(fields)}) SELECT s.row_id, {columns} "
        "FROM simple_row s JOIN change_log c ON c.tbl = ?1 AND c.row_id = s.row_id "
        "WHERE s.fields = ?2 GROUP BY s.row_id",
        (table, len(fields)),
    ).rowcount
    if inserted > 0:
        stats.new[table] += cursor.execute(
            f"SELECT count(*) FROM simple_row s JOIN {table} t ON t.id = s.row_id "
            "WHERE t.cl % 2 = 1"
        ).fetchone()[0]
    return inserted > 0


def _superseded(
    cursor: Any, table: str, row_ids: list[str]
) -> dict[tuple[str, str], set[tuple[str, int]]]:
    found: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    if table == "review_resolution":
        return found
    for chunk in _chunks(row_ids):
        marks = ",".join("?" * len(chunk))
        for row_id, name, superseded in cursor.execute(
            f"SELECT row_id, field, superseded FROM review_resolution WHERE cl % 2 = 1 "
            f"AND tbl = ? AND row_id IN ({marks})",
            (table, *chunk),
        ):
            for item in json.loads(superseded):
                site, counter = item.rsplit(":", 1)
                found[(row_id, name)].add((site, int(counter)))
    return found


def _resolve_table(
    cursor: Any, table: str, row_ids: list[str], stats: MergeStats
) -> tuple[bool, dict[str, tuple[Any, ...]]]:
    """Decide every field of these rows in Python (``decide``). Returns whether a row was
    inserted or updated, and the rows as they were before."""
    model = TABLE_BY_NAME[table]
    fields = logged_fields(model)
    versions: dict[str, dict[str, list[Version]]] = defaultdict(lambda: defaultdict(list))
    for chunk in _chunks(row_ids):
        marks = ",".join("?" * len(chunk))
        for (
            row_id,
            name,
            site,
            counter,
            stamp,
            cl,
            value,
            base_site,
            base_counter,
        ) in cursor.execute(
            "SELECT row_id, field, site_id, counter, hlc, cl, value, base_site, base_counter "
            f"FROM change_log WHERE tbl = ? AND row_id IN ({marks})",
            (table, *chunk),
        ):
            base = (base_site, base_counter) if base_site is not None else None
            versions[row_id][name].append(Version(site, counter, stamp, cl, value, base))
    superseded = _superseded(cursor, table, row_ids)
    current: dict[str, tuple[Any, ...]] = {}
    for chunk in _chunks(row_ids):
        marks = ",".join("?" * len(chunk))
        for row in cursor.execute(
            f"SELECT id, {', '.join(fields)} FROM {table} WHERE id IN ({marks})", chunk
        ):
            current[row[0]] = row[1:]
    inserts: list[tuple[Any, ...]] = []
    updates: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    version_rows: list[tuple[Any, ...]] = []
    conflict_rows: list[tuple[Any, ...]] = []
    settled: list[tuple[str, str, str]] = []
    reviews: list[tuple[Any, ...]] = []
    protected = model.__protected_fields__
    for row_id, by_field in versions.items():
        winners: dict[str, Version] = {}
        outcomes = {
            name: decide(field_versions, superseded.get((row_id, name), ()))
            for name, field_versions in by_field.items()
        }
        split = _split_record(protected, outcomes, by_field, superseded, row_id)
        for name, outcome in outcomes.items():
            winners[name] = outcome.winner
            version_rows.append(
                (
                    table,
                    row_id,
                    name,
                    outcome.winner.site,
                    outcome.winner.counter,
                    outcome.winner.hlc,
                    outcome.winner.cl,
                )
            )
            if outcome.contested:
                for loser in outcome.losers:
                    conflict_rows.append(
                        (
                            table,
                            row_id,
                            name,
                            f"{loser.site}:{loser.counter}",
                            f"{outcome.winner.site}:{outcome.winner.counter}",
                            loser.value,
                        )
                    )
                if name in protected:
                    candidates = split.get(name, outcome.maximal)
                    reviews.append(_review_row(table, row_id, name, "conflict", candidates))
                else:
                    settled.append((table, row_id, name))  # not a review matter
            elif name in split:
                reviews.append(_review_row(table, row_id, name, "conflict", split[name]))
            else:
                settled.append((table, row_id, name))
        decided = superseded.get((row_id, "cl"), set())
        if model.__review_deletes__ and "cl" in winners and winners["cl"].id not in decided:
            against = _edit_against_delete(winners["cl"], by_field)
            if against:
                reviews.append(_review_row(table, row_id, "cl", "edit_vs_delete", against))
        values = {name: decode_value(table, name, w.value) for name, w in winners.items()}
        if row_id in current:
            before = dict(zip(fields, current[row_id], strict=True))
            changed = [n for n, v in values.items() if before.get(n) != _db_value(v)]
            for name in changed:
                updates[name].append((_db_value(values[name]), row_id))
            if "cl" in changed:
                (stats.deleted if values["cl"] % 2 == 0 else stats.new)[table] += 1
            elif changed and int(before["cl"]) % 2 == 1:
                stats.updated[table] += 1
        elif all(name in values for name in fields):
            inserts.append((row_id, *(_db_value(values[n]) for n in fields)))
            if values["cl"] % 2 == 1:
                stats.new[table] += 1
        else:
            cursor.execute("INSERT OR IGNORE INTO pending_row VALUES (?, ?)", (table, row_id))
    if inserts:
        cursor.executemany(
            f"INSERT INTO {table} (id, {', '.join(fields)}) "
            f"VALUES ({', '.join('?' * (len(fields) + 1))})",
            inserts,
        )
    for name, pairs in updates.items():
        cursor.executemany(f"UPDATE {table} SET {name} = ? WHERE id = ?", pairs)
    cursor.executemany(
        "INSERT INTO field_version (tbl, row_id, field, site_id, counter, hlc, cl) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, row_id, field) DO UPDATE SET "
        "site_id = excluded.site_id, counter = excluded.counter, hlc = excluded.hlc, "
        "cl = excluded.cl",
        version_rows,
    )
    stats.conflicts += len(conflict_rows)
    cursor.executemany(
        "INSERT OR REPLACE INTO conflict (tbl, row_id, field, loser, winner, loser_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        conflict_rows,
    )
    cursor.executemany(
        "DELETE FROM review_item WHERE tbl = ? AND row_id = ? AND field = ?", settled
    )
    cursor.executemany(
        "INSERT OR REPLACE INTO review_item (tbl, row_id, field, kind, candidates, found_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        reviews,
    )
    return bool(inserts or updates), current


def _split_record(
    protected: frozenset[str],
    outcomes: dict[str, Outcome],
    by_field: dict[str, list[Version]],
    superseded: dict[tuple[str, str], set[tuple[str, int]]],
    row_id: str,
) -> dict[str, list[Version]]:
    """Protected fields that two unseen writes of one record left as neither wrote them.

    Two PCs recording one ballot may write different fields (one the choice, the other
    "blank"); field by field nothing clashes, yet the merged ballot would be both. The entries
    of one write share (site, clock). Writes that stand side by side in a protected field are
    concurrent; a protected field that some of them wrote and others left alone is contested
    between the written value and the value it replaced.
    """
    if len(protected) < 2:
        return {}
    concurrent: set[tuple[str, int]] = set()
    for name in protected & outcomes.keys():
        writes = {(v.site, v.hlc) for v in outcomes[name].maximal}
        if len(writes) > 1:
            concurrent |= writes
    split: dict[str, list[Version]] = {}
    if not concurrent:
        return split
    for name in protected & outcomes.keys():
        maximal = outcomes[name].maximal
        writes = {(v.site, v.hlc) for v in maximal}
        if not writes & concurrent or concurrent <= writes:
            continue  # none of them wrote it, or all did (then the field rule decides)
        by_id = {v.id: v for v in by_field[name]}
        decided = superseded.get((row_id, name), set())
        replaced = {
            v.base: by_id[v.base]
            for v in maximal
            if v.base is not None and v.base in by_id and v.base not in decided
        }
        candidates = [*maximal, *(r for r in replaced.values() if r not in maximal)]
        if len({c.value for c in candidates}) > 1:
            split[name] = candidates
    return split


def _db_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _review_row(
    table: str, row_id: str, name: str, kind: str, candidates: Iterable[Version]
) -> tuple[Any, ...]:
    described = [
        {"entry": f"{v.site}:{v.counter}", "value": v.value, "hlc": v.hlc, "site": v.site}
        for v in sorted(candidates, key=lambda v: v.order)
    ]
    return (table, row_id, name, kind, json.dumps(described, ensure_ascii=False), _now())


def _edit_against_delete(
    cl_winner: Version, by_field: dict[str, list[Version]]
) -> list[Version] | None:
    """A delete (even causal length) that another PC's edit of the same generation followed."""
    if int(json.loads(cl_winner.value or "1")) % 2 == 1:
        return None
    generation = cl_winner.cl - 1
    later_edits = [
        v
        for name, versions in by_field.items()
        if name != "cl"
        for v in versions
        if v.cl == generation and v.site != cl_winner.site and v.hlc > cl_winner.hlc
    ]
    if not later_edits:
        return None
    return [cl_winner, max(later_edits, key=lambda v: v.order)]


def _park_orphans(
    cursor: Any, table: str, before: dict[str, tuple[Any, ...]], fields: list[str]
) -> None:
    """Rows whose parent has not arrived wait in pending_row instead of failing the import.

    A new row waits whole. A row we already had keeps the reference it had (its other changes
    stand) until a later import brings the parent; the log still holds the new reference.
    """
    columns = {fk[0]: fk[3] for fk in cursor.execute(f"PRAGMA foreign_key_list({table})")}
    for _, rowid, _, fkid in cursor.execute(f"PRAGMA foreign_key_check({table})").fetchall():
        row_id = cursor.execute(f"SELECT id FROM {table} WHERE rowid = ?", (rowid,)).fetchone()[0]
        if row_id in before:
            column = columns[fkid]
            old = before[row_id][fields.index(column)]
            cursor.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (old, rowid))
            cursor.execute("INSERT OR IGNORE INTO pending_row VALUES (?, ?)", (table, row_id))
    while True:
        orphans = cursor.execute(f"PRAGMA foreign_key_check({table})").fetchall()
        if not orphans:
            return
        rowids = sorted({o[1] for o in orphans})
        for chunk in _chunks(rowids):
            marks = ",".join("?" * len(chunk))
            ids = [
                r[0]
                for r in cursor.execute(f"SELECT id FROM {table} WHERE rowid IN ({marks})", chunk)
            ]
            cursor.executemany(
                "INSERT OR IGNORE INTO pending_row VALUES (?, ?)", [(table, i) for i in ids]
            )
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)


# ---------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    bundle_id: str
    site_name: str
    already_applied_at: str | None
    stats: MergeStats
    backup: Path | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle_id,
            "from": self.site_name,
            "already_applied": self.already_applied_at is not None,
            "applied": self.stats.applied,
            "skipped": self.stats.skipped,
            "conflicts": self.stats.conflicts,
            "review_items": self.stats.review,
            "new": dict(self.stats.new),
            "updated": dict(self.stats.updated),
            "deleted": dict(self.stats.deleted),
            "pending": self.stats.pending,
            "clock_warning": self.stats.clock_warning,
        }


def preview(store: Store, incoming: IncomingBundle) -> MergeStats:
    """What applying would change: the real merge, in a transaction that is rolled back."""
    if incoming.already_applied_at:
        return MergeStats(received=incoming.payload.count, skipped=incoming.payload.count)
    connection = store.engine.connect()
    try:
        transaction = connection.begin()
        try:
            with sanctioned_writes():
                return merge_entries(
                    connection, incoming.payload, ranges=incoming.manifest.get("ranges")
                )
        finally:
            transaction.rollback()
    finally:
        connection.close()


def apply_bundle(
    store: Store,
    incoming: IncomingBundle,
    *,
    trust_new: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Back up, then apply everything in one transaction, or nothing."""
    if not store.actor.may_sync:
        from xmen_desktop.domain.access import denied

        raise StoreError(denied("导入同步包"))
    report = ImportReport(
        str(incoming.manifest["bundle_id"]),
        incoming.site_name,
        incoming.already_applied_at,
        MergeStats(received=incoming.payload.count),
    )
    if incoming.already_applied_at:
        report.stats.skipped = report.stats.received
        return report
    if not incoming.trusted and not trust_new:
        raise bundles.BundleRefused(
            f"这个同步包来自尚未信任的站点“{incoming.site_name}”（指纹 {incoming.fingerprint}）。"
            "请打电话与对方核对指纹，一致后再确认信任（命令行加 --trust-new），没有做任何改动"
        )
    ranges = incoming.manifest.get("ranges")
    with store.read_engine.connect() as connection:
        raw = connection.connection.driver_connection
        nothing_new = ranges is not None and _covered(raw.cursor(), ranges)  # type: ignore[union-attr]
    if not nothing_new:  # a copy of the whole file per import: only when something may change
        report.backup = backup_database(
            store.path, paths.backups_dir(store.directory), "before-import"
        )
    # Photos and scans first: content-addressed files are harmless if the import then fails.
    _store_attachments(store.directory, incoming.payload.attachments)
    with store.engine.begin() as connection, sanctioned_writes():
        report.stats = merge_entries(
            connection, incoming.payload, progress, incoming.manifest.get("ranges")
        )
        if not incoming.trusted:
            connection.execute(
                text(
                    "INSERT OR REPLACE INTO trusted_site (site_id, name, public_key, trusted_at) "
                    "VALUES (:s, :n, :k, :at)"
                ),
                {
                    "s": incoming.site_id,
                    "n": incoming.site_name,
                    "k": incoming.public_key,
                    "at": _now(),
                },
            )
        if incoming.site_id != store.site_id:
            connection.execute(
                text(
                    "INSERT INTO peer (site_id, name, acks, last_in) VALUES (:s, :n, :a, :at) "
                    "ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, "
                    "acks = excluded.acks, last_in = excluded.last_in"
                ),
                {
                    "s": incoming.site_id,
                    "n": incoming.site_name,
                    "a": json.dumps(incoming.manifest.get("acks", {})),
                    "at": _now(),
                },
            )
        _record_history(
            connection,
            report.bundle_id,
            "in",
            incoming.site_id,
            incoming.site_name,
            incoming.path.name,
            report.as_json(),
        )
    store.refresh_marker()
    _audit(store, "import", f"同步包 {incoming.path.name}（来自 {incoming.site_name}）")
    return report


def _audit(store: Store, kind: str, detail: str) -> None:
    from xmen_desktop.store import audit

    with store.write() as session:
        audit.record(session, kind, detail)


def _record_history(
    connection: Connection,
    bundle_id: str,
    direction: str,
    site_id: str,
    site_name: str,
    file_name: str,
    summary: dict[str, Any],
) -> None:
    connection.execute(
        text(
            "INSERT OR REPLACE INTO sync_history (bundle_id, direction, peer_site, peer_name, at, "
            "file_name, summary) VALUES (:b, :d, :s, :n, :at, :f, :j)"
        ),
        {
            "b": bundle_id,
            "d": direction,
            "s": site_id,
            "n": site_name,
            "at": _now(),
            "f": file_name,
            "j": json.dumps(summary, ensure_ascii=False),
        },
    )
