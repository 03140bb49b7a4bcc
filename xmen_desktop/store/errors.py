"""Errors the store raises; each message is plain Chinese meant for the person at the PC."""

from __future__ import annotations

from collections.abc import Sequence

from xmen_desktop.domain.validation import FieldError


class StoreError(Exception):
    """An expected failure a user can act on (not a bug)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    pass


class ValidationFailed(StoreError):
    """One or more fields refused; nothing was saved."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("；".join(str(e) for e in self.errors))


class AccessDenied(StoreError):
    """A read or write outside the signed-in person's role."""


class SignInRequired(StoreError):
    """Nobody is signed in, and operators exist."""


class DatabaseNotOurs(StoreError):
    pass


class DatabaseTooNew(StoreError):
    pass


class DatabaseDamaged(StoreError):
    """The database file fails SQLite's check (or is unreadable with our backups beside it):
    not opened, not changed; the way out is a restore from a backup (store.backup)."""


class ChangeLogBypass(RuntimeError):
    """A write to a synced table that did not go through the logging session: a bug."""
