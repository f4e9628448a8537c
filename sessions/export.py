"""Export a study's timeline, one row per event, as JSON Lines or CSV for R and pandas.

Input events, task starts and ends, and moderator markers are merged in time order, so
the file reads like the session did. Rows are streamed: a study of millions of events
never sits in memory.
"""
from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from sessions.csv_cells import CsvWriter
from sessions.events import MarkerStatus
from sessions.store import Store

EXPORT_COLUMNS = ("session", "t", "kind", "x", "y", "button", "pressed", "dx", "dy", "key",
                  "text", "window", "task", "target", "outcome")
FORMATS = ("jsonl", "csv")


def timeline(store: Store, session_id: str) -> Iterator[dict]:
    """A session's events, task starts/ends and markers as export rows, in time order."""
    # a press and its release are one click (or keystroke): the release is left out, so
    # counting rows of a kind counts actions
    events = ({**{k: e.get(k) for k in EXPORT_COLUMNS}, "session": session_id}
              for e in store.events.iterate(session_id) if e.get("pressed") != 0)
    extra = []
    attempts = store.attempts.all(session_id)
    task_of = {a["id"]: a["task"] for a in attempts}
    for a in attempts:
        extra.append({"session": session_id, "t": a["started"], "kind": "task_start", "task": a["task"]})
        if a["ended"] is not None:
            extra.append({"session": session_id, "t": a["ended"], "kind": "task_end",
                          "task": a["task"], "outcome": a["outcome"]})
    for m in store.markers.all(session_id):
        if m["status"] == MarkerStatus.CONFIRMED:  # observers' pending flags are not yet facts
            extra.append({"session": session_id, "t": m["t"], "kind": m["kind"], "text": m["text"],
                          "task": task_of.get(m["attempt_id"])})
    extra.sort(key=lambda r: r["t"])
    return heapq.merge(events, extra, key=lambda r: r["t"])


def study_timeline(store: Store) -> Iterator[dict]:
    for session in store.sessions.all(order="started_at", descending=False):
        yield from timeline(store, session["id"])


def write_rows(rows: Iterator[dict], out: TextIO, fmt: str,
               columns: Sequence[str] = EXPORT_COLUMNS) -> int:
    """Write rows in `fmt`; JSON Lines keeps only the fields that apply to each row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    count = 0
    if fmt == "csv":
        writer = CsvWriter(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _round(c, row.get(c)) for c in columns])
            count += 1
    else:
        for row in rows:
            clean = {c: _round(c, row[c]) for c in columns if row.get(c) is not None}
            out.write(json.dumps(clean, separators=(",", ":")) + "\n")
            count += 1
    return count


def _round(column: str, value: Any) -> Any:
    return round(value, 4) if column == "t" else value
