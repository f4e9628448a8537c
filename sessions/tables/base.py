"""What every table part shares: the connection it reads through, the time stamp rows
carry, and inserting a row for its key. Kept apart so the parts need nothing from the
Store's module, which imports them."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import sqlite_utils


class Connected(Protocol):
    """Anything that hands out this thread's connection: the Store, in practice."""

    @property
    def db(self) -> sqlite_utils.Database: ...


def now_iso() -> str:
    """Wall-clock time to the second, as stored in `created` and audit `at` columns."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Part:
    """One family of tables of a study's store."""

    def __init__(self, owner: Connected) -> None:
        self._owner = owner

    @property
    def db(self) -> sqlite_utils.Database:
        """The calling thread's connection (connections are per thread: see `Store.db`)."""
        return self._owner.db

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row; returns its integer primary key."""
        last: Any = self.db.table(table).insert(row).last_pk
        return int(last)
