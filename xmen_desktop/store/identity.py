"""This install as a sync site: its id, its Ed25519 key, and the marker that keeps the id honest.

A site id names one stream of gap-free counters. If a database file is copied to another folder
or PC, or a backup is restored, the copy must not go on writing counters under the same id (two
different changes would then share one id, and peers would drop one as already seen). So the key
row records where it was made (the database's path and the machine), and a marker file beside
the database records the highest counter ever written; when either disagrees at start, the site
takes a fresh id and key. Its old entries keep their author.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine

from xmen_desktop.domain.ids import new_id
from xmen_desktop.store.changelog import LoggedSession
from xmen_desktop.store.models import Site

log = logging.getLogger(__name__)

MARKER_NAME = "site-marker.json"


def machine_id() -> str:
    """A stable id of this computer (not secret; only compared for equality)."""
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            value = Path(candidate).read_text("ascii").strip()
        except OSError:
            continue
        if value:
            return value
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            import winreg

            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\\Microsoft\\Cryptography"
            ) as key:
                return str(winreg.QueryValueEx(key, "MachineGuid")[0])
        except OSError:
            pass
    return f"node-{uuid.getnode():012x}"


def fingerprint(public_key: bytes) -> str:
    """Six groups of five digits, easy to read aloud over the phone and compare."""
    digest = hashlib.sha256(public_key).digest()
    groups = (int.from_bytes(digest[i * 5 : i * 5 + 5], "big") % 100_000 for i in range(6))
    return " ".join(f"{g:05d}" for g in groups)


@dataclass(frozen=True)
class SiteKeys:
    site_id: str
    private_key: Ed25519PrivateKey
    public_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _marker_path(database: Path) -> Path:
    return database.with_name(MARKER_NAME)


def write_marker(database: Path, site_id: str, counter: int) -> None:
    """Record the highest counter written (after each commit); best effort, atomic."""
    marker = _marker_path(database)
    partial = marker.with_suffix(".tmp")
    try:
        partial.write_text(json.dumps({"site_id": site_id, "counter": counter}), "utf-8")
        os.replace(partial, marker)
    except OSError as error:  # a read-only folder must not stop the work being saved
        log.warning("could not write %s: %s", marker, error)


def _read_marker(database: Path) -> dict[str, object]:
    try:
        data = json.loads(_marker_path(database).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ensure_site(engine: Engine, database: Path, site_name: str | None = None) -> str:
    """Make sure this database has a key bound to this place; rotate the site id if not.

    Returns the site id to use.
    """
    place = str(database.resolve())
    machine = machine_id()
    with engine.begin() as connection:
        site_id, name = connection.execute(
            text("SELECT site_id, site_name FROM local_identity")
        ).one()
        key = connection.execute(
            text("SELECT bound_path, machine_id FROM site_key WHERE site_id = :s"), {"s": site_id}
        ).first()
        counter = connection.execute(
            text("SELECT counter FROM site_counter WHERE site_id = :s"), {"s": site_id}
        ).scalar_one()
        marker = _read_marker(database)
        moved = key is not None and (key[0] != place or key[1] != machine)
        rolled_back = marker.get("site_id") == site_id and int(marker.get("counter", 0)) > counter
        if key is not None and not moved and not rolled_back:
            return str(site_id)
        if key is not None:
            log.warning(
                "database %s: site %s was made %s; taking a new site id",
                place,
                site_id,
                "elsewhere" if moved else "later than this copy (restored from a backup)",
            )
            site_id = new_id()
            connection.execute(text("UPDATE local_identity SET site_id = :s"), {"s": site_id})
            connection.execute(
                text("INSERT INTO site_counter (site_id, counter) VALUES (:s, 0)"), {"s": site_id}
            )
        private = Ed25519PrivateKey.generate()
        connection.execute(
            text(
                "INSERT INTO site_key (site_id, private_key, public_key, bound_path, machine_id, "
                "created_at) VALUES (:s, :priv, :pub, :path, :machine, :at)"
            ),
            {
                "s": site_id,
                "priv": private.private_bytes(
                    serialization.Encoding.Raw,
                    serialization.PrivateFormat.Raw,
                    serialization.NoEncryption(),
                ),
                "pub": private.public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                ),
                "path": place,
                "machine": machine,
                "at": _now(),
            },
        )
    if key is not None:
        # The new site announces itself like any site: a logged row others learn its name from.
        session = LoggedSession(engine, info={"site_id": site_id})
        with session, session.begin():
            session.add(Site(id=site_id, name=site_name or name))
    write_marker(database, str(site_id), 0 if key is not None else counter)
    return str(site_id)


def load_keys(engine: Engine, site_id: str) -> SiteKeys:
    with engine.connect() as connection:
        private, public = connection.execute(
            text("SELECT private_key, public_key FROM site_key WHERE site_id = :s"), {"s": site_id}
        ).one()
    return SiteKeys(site_id, Ed25519PrivateKey.from_private_bytes(private), public)
