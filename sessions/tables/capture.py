"""What a recorder writes while a session runs: task attempts, input and screen events, and
the log of stored video frames. These are the study's largest tables (an hour holds ~100k
events), so their reads stream, page by key or return plain tuples."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sessions.errors import MalformedEvent, StoreError
from sessions.events import (
    EVENT_FIELDS,
    EVENT_KINDS,
    OUTCOMES,
    PRESS_SQL,
    EventKind,
    UnknownKind,
    check_event,
)
from sessions.tables.base import Part
from sessions.tables.where import Where

_EVENT_INSERT = (
    f"INSERT INTO events (session_id, {', '.join(EVENT_FIELDS)}) "
    f"VALUES (?, {', '.join('?' for _ in EVENT_FIELDS)})"
)
_EVENT_COLUMNS = "id, t, " + ", ".join(f for f in EVENT_FIELDS if f != "t")


class Attempts(Part):
    """The `attempts` table: one row per task a participant tried."""

    def start(self, session_id: str, task: str, started: float) -> int:
        """A new attempt, numbered after the session's earlier ones."""
        seq = self.db.execute("SELECT count(*) FROM attempts WHERE session_id = ?", [session_id]).fetchone()[0]
        return self._insert("attempts", {"session_id": session_id, "task": task, "seq": seq + 1,
                                          "started": started, "ended": None, "outcome": None,
                                          "paused": 0.0})

    def end(self, attempt_id: int, ended: float, outcome: str, paused: float = 0.0) -> None:
        """Close an attempt with one of the contract's outcomes."""
        if outcome not in OUTCOMES:
            raise StoreError(f"unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
        self.db.table("attempts").update(attempt_id, {"ended": ended, "outcome": outcome, "paused": paused})

    def all(self, session_id: str | None = None, task: str | None = None) -> list[dict]:
        """Attempts of one session or task (or all), by session then start."""
        where = Where().equal("session_id", session_id).equal("task", task)
        return list(self.db.query(f"SELECT * FROM attempts{where.sql} ORDER BY session_id, started",
                                  where.params))


class Events(Part):
    """The `events` table: clicks, keys, scrolls, moves, screen and URL changes."""

    def append(self, session_id: str, events: Iterable[dict]) -> int:
        """Append events in one transaction; thousands per call is the intended use.
        An event the contract does not define (`sessions.events.check_event`) is refused
        and nothing of the batch is stored."""
        events = list(events)
        for event in events:
            try:
                check_event(event)
            except UnknownKind as exc:
                raise MalformedEvent(exc.message) from None
        rows = [(session_id, *(e.get(f) for f in EVENT_FIELDS)) for e in events]
        with self.db.conn:
            self.db.conn.executemany(_EVENT_INSERT, rows)
        return len(rows)

    def iterate(self, session_id: str, *, kinds: Iterable[str] | None = None,
                start: float | None = None, end: float | None = None,
                batch: int = 5000) -> Iterator[dict]:
        """Stream a session's events in time order, a page at a time (keyset pagination)."""
        kinds = tuple(kinds) if kinds is not None else None
        # (t, id) > (start, -1) is t >= start, since ids start at 1
        last_t, last_id = float("-inf") if start is None else start, -1
        while True:
            where = (Where().equal("session_id", session_id)
                     .add("(t > ? OR (t = ? AND id > ?))", last_t, last_t, last_id)
                     .at_most("t", end).one_of("kind", kinds))
            page = list(self.db.query(f"SELECT {_EVENT_COLUMNS} FROM events{where.sql} "
                                      "ORDER BY t, id LIMIT ?", [*where.params, batch]))
            yield from page
            if len(page) < batch:
                return
            last_t, last_id = page[-1]["t"], page[-1]["id"]

    def latest(self, session_id: str, count: int, kinds: Iterable[str], columns: Iterable[str],
               *, presses_only: bool = False) -> list[tuple]:
        """The last `count` rows `rows` would give, in time order, read backwards from the end
        of the (session_id, t) index: a live join shows the recent past without reading an
        hour of events to keep a few hundred."""
        # `+kind` keeps the planner off the (session_id, kind, t) index, whose order would
        # need every matching row sorted before the first could be returned
        sql, params = self._rows_sql(session_id, kinds, columns, presses_only, kind_column="+kind")
        found = self.db.execute(f"{sql} ORDER BY t DESC, id DESC LIMIT ?", [*params, max(int(count), 0)]).fetchall()
        found.reverse()
        return found

    def count(self, session_id: str, kind: str | None = None) -> int:
        """How many events a session holds, of one kind or of all."""
        where = Where().equal("session_id", session_id).equal("kind", kind or None)
        return self.db.execute(f"SELECT count(*) FROM events{where.sql}", where.params).fetchone()[0]

    def delete(self, session_id: str, start: float, end: float, kinds: Iterable[str]) -> int:
        """Delete the given kinds of event inside a stretch (a black-out); returns how many."""
        where = (Where().equal("session_id", session_id).at_least("t", start).at_most("t", end)
                 .one_of("kind", kinds))
        with self.db.conn:
            cursor = self.db.execute(f"DELETE FROM events{where.sql}", where.params)
        return cursor.rowcount

    def quiet_spans(self, session_id: str, min_gap: float, *, min_change: float = 0.001) -> list[tuple[float, float]]:
        """Stretches of at least `min_gap` s with no input event and no screen change, so a
        replay can skip idle time; computed in SQL because an hour holds ~100k move events."""
        # pointer moves are ~90% of an hour's events: find the gaps between the other events
        # and the screen changes first, then split those few gaps at the moves inside them
        import numpy as np
        kinds = Where().equal("session_id", session_id).one_of("kind", [k for k in EVENT_KINDS if k != EventKind.MOVE])
        rows = self.db.execute(f"SELECT t FROM events{kinds.sql}", kinds.params).fetchall()
        rows += self.db.execute("SELECT t FROM frames WHERE session_id = ? AND changed > ?",
                                [session_id, min_change]).fetchall()
        times = np.sort(np.fromiter((r[0] for r in rows), dtype=float, count=len(rows)))
        spans = []
        for i in np.flatnonzero(np.diff(times) >= min_gap):
            a, b = float(times[i]), float(times[i + 1])
            moves = [r[0] for r in self.db.execute(
                "SELECT t FROM events WHERE session_id = ? AND kind = ? AND t > ? AND t < ? ORDER BY t",
                [session_id, EventKind.MOVE.value, a, b])]
            edges = [a, *moves, b]
            spans += [(x, y) for x, y in zip(edges, edges[1:]) if y - x >= min_gap]
        return spans

    def rows(self, session_id: str, kinds: Iterable[str], columns: Iterable[str],
             *, presses_only: bool = False) -> list[tuple]:
        """Plain tuples of some columns of some kinds of event, in time order: ten times
        faster than dicts for a replay that draws an hour of clicks and keys at once.
        `presses_only` keeps `sessions.events.is_press` rows (drops releases); it keeps presses
        on uxlab's prompt window, which a replay shows marked (`is_product_press` drops them)."""
        sql, params = self._rows_sql(session_id, kinds, columns, presses_only)
        return self.db.execute(f"{sql} ORDER BY t, id", params).fetchall()

    def _rows_sql(self, session_id: str, kinds: Iterable[str], columns: Iterable[str],
                  presses_only: bool, *, kind_column: str = "kind") -> tuple[str, list[Any]]:
        columns = tuple(columns)
        unknown = set(columns) - set(EVENT_FIELDS)
        if unknown:
            raise StoreError(f"no event columns {sorted(unknown)}")
        where = Where().equal("session_id", session_id).one_of(kind_column, kinds)
        if presses_only:
            where.add(PRESS_SQL)
        return f"SELECT {', '.join(columns)} FROM events{where.sql}", where.params


class Frames(Part):
    """The `frames` table: the log of stored video frames and their keyframes and crops."""

    def append(self, session_id: str, frames: Iterable[dict]) -> int:
        """Log stored video frames: time, fraction of pixels changed (cursor excluded), and
        the keyframe image and perceptual hash when the change was substantial, or the crop
        of the changed region and where it was when the change was small."""
        rows = [(session_id, float(f["t"]), float(f.get("changed") or 0.0), f.get("keyframe"), f.get("phash"),
                 f.get("crop"), json.dumps([int(v) for v in f["region"]]) if f.get("region") else None)
                for f in frames]
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT INTO frames (session_id, t, changed, keyframe, phash, crop, region) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def all(self, session_id: str, *, start: float | None = None, end: float | None = None,
            keyframes_only: bool = False) -> list[dict]:
        """A session's frame log in time order, optionally within a stretch or keyframes only."""
        where = Where().equal("session_id", session_id).at_least("t", start).at_most("t", end)
        if keyframes_only:
            where.add("keyframe IS NOT NULL")
        rows = list(self.db.query(f"SELECT t, changed, keyframe, phash, crop, region FROM frames{where.sql} "
                                  "ORDER BY t", where.params))
        for row in rows:
            row["region"] = json.loads(row["region"]) if row["region"] else None
        return rows
