"""Row identities: random where a row is created, deterministic for natural identities."""

from __future__ import annotations

import uuid

# Fixed forever: changing it would change every deterministic id on every PC.
NAMESPACE = uuid.UUID("6f1d7c2e-3a4b-5c6d-8e9f-0a1b2c3d4e5f")


def new_id() -> str:
    """A fresh id for a row created on this PC."""
    return str(uuid.uuid4())


def natural_id(kind: str, *parts: str) -> str:
    """The same id on every PC for the same natural identity, e.g. ("estate", "小西门")."""
    if not kind or any(not p for p in parts):
        raise ValueError("natural ids need a kind and non-empty parts")
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))


def is_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
