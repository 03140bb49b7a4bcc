"""What the sync page and ``sync status`` show: this site, peers, history, trust, review count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from xmen_desktop.store import bundle as bundles
from xmen_desktop.store.common import now_text as _now
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import NotFound
from xmen_desktop.store.identity import fingerprint, load_keys
from xmen_desktop.store.sync import encryption_enabled


def sync_status(store: Store) -> dict[str, Any]:
    keys = load_keys(store.engine, store.site_id)
    with store.read_engine.connect() as connection:
        peers = [
            {"site_id": s, "name": n, "acks": json.loads(a), "last_in": i, "last_out": o}
            for s, n, a, i, o in connection.execute(
                text("SELECT site_id, name, acks, last_in, last_out FROM peer ORDER BY name")
            )
        ]
        history = [
            {
                "bundle": b,
                "direction": d,
                "peer_name": n,
                "at": at,
                "file_name": f,
                "summary": json.loads(j),
            }
            for b, d, n, at, f, j in connection.execute(
                text(
                    "SELECT bundle_id, direction, peer_name, at, file_name, summary "
                    "FROM sync_history ORDER BY at DESC"
                )
            )
        ]
        review_items = connection.execute(text("SELECT count(*) FROM review_item")).scalar()
        vector = dict(connection.execute(text("SELECT site_id, counter FROM site_counter")).all())
    return {
        "site": {
            "name": store.site_name,
            "site_id": store.site_id,
            "fingerprint": keys.fingerprint,
        },
        "encryption": encryption_enabled(store),
        "version_vector": vector,
        "peers": peers,
        "history": history,
        "review_items": review_items,
    }


def trusted_sites(store: Store) -> list[dict[str, str]]:
    with store.read_engine.connect() as connection:
        return [
            {"site_id": s, "name": n, "fingerprint": fingerprint(k), "trusted_at": at}
            for s, n, k, at in connection.execute(
                text("SELECT site_id, name, public_key, trusted_at FROM trusted_site ORDER BY name")
            )
        ]


def trust_bundle_signer(store: Store, path: Path) -> dict[str, str]:
    """Trust the site that signed a bundle (after its fingerprint was compared by phone)."""
    signed = bundles.check_bundle(path.read_bytes())
    manifest = signed.manifest
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT OR REPLACE INTO trusted_site (site_id, name, public_key, trusted_at) "
                "VALUES (:s, :n, :k, :at)"
            ),
            {
                "s": manifest["site_id"],
                "n": manifest.get("site_name", ""),
                "k": signed.public_key,
                "at": _now(),
            },
        )
    return {"name": manifest.get("site_name", ""), "fingerprint": fingerprint(signed.public_key)}


def untrust(store: Store, site_id: str) -> None:
    with store.engine.begin() as connection:
        gone = connection.execute(
            text("DELETE FROM trusted_site WHERE site_id = :s"), {"s": site_id}
        ).rowcount
    if not gone:
        raise NotFound(f"没有信任过站点 {site_id}")
