"""The one WHERE builder every table part uses: optional filters become clauses only when
given, so no part writes its own `clauses.append(...)` loop and every value travels as a
bound parameter, never inside the SQL text."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Where:
    """A conjunction of SQL conditions and their parameters, built a filter at a time.

    >>> w = Where().equal("session_id", "s1").equal("task", None).at_most("t", 9.5)
    >>> w.sql, w.params
    (' WHERE session_id = ? AND t <= ?', ['s1', 9.5])
    """

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> Where:
        """A condition that always applies, with its parameters in order."""
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def equal(self, column: str, value: Any) -> Where:
        """`column = value`, unless `value` is None (no filter)."""
        return self if value is None else self.add(f"{column} = ?", value)

    def contains(self, column: str, text: str | None) -> Where:
        """`column` holds `text` anywhere (SQL LIKE), unless `text` is empty or None."""
        return self.add(f"{column} LIKE ?", f"%{text}%") if text else self

    def at_least(self, column: str, value: float | None) -> Where:
        return self if value is None else self.add(f"{column} >= ?", value)

    def at_most(self, column: str, value: float | None) -> Where:
        return self if value is None else self.add(f"{column} <= ?", value)

    def one_of(self, column: str, values: Iterable[Any] | None) -> Where:
        """`column IN (...)`, unless `values` is None; an empty list matches no row."""
        if values is None:
            return self
        values = tuple(values)
        return self.add(f"{column} IN ({', '.join('?' for _ in values)})", *values)

    @property
    def sql(self) -> str:
        """` WHERE a AND b`, or nothing when no condition applies."""
        return f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""
