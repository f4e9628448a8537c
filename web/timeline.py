"""Everything the replay page draws beside the video, as one compact JSON-able dict.

Rows become short arrays rather than dicts and pointer moves are left out (the video shows
the pointer): an hour-long session stays a few hundred kilobytes.
"""
from __future__ import annotations

from operator import itemgetter

from sessions.events import (
    REPLAY_COLUMNS,
    VIDEO_FILE,
    AuditAction,
    EventKind,
    MarkerStatus,
    is_on_product,
)
from sessions.media.files import MediaPathError
from sessions.store import Store
from sessions.study import Study

IDLE_SECONDS = 3.0
# the kinds of event a replay draws (pointer moves are in the video) and the columns it reads
_KINDS = (EventKind.CLICK, EventKind.KEY, EventKind.SCROLL, EventKind.WINDOW)
_COLUMNS = ("t", "kind", "x", "y", "button", "dx", "dy", "key", "text", "target")


def replay_data(store: Store, study: Study, session_id: str) -> dict:
    """The session, its attempts, input events, markers, notes and idle stretches."""
    session = store.sessions.get(session_id)
    device = session["device"] or {}
    data = {
        "session": {"id": session["id"], "participant": session["participant"],
                    "status": session["status"], "duration": session["duration"] or 0.0,
                    "keystrokes": session["keystrokes"], "started": session["started_wall"],
                    "width": device.get("width"), "height": device.get("height")},
        "video": _video(store, session_id, device),
        "attempts": _attempts(store, study, session_id),
        "markers": [{"id": m["id"], "t": m["t"], "kind": m["kind"], "text": m["text"],
                     "status": m["status"], "author": m["author"]}
                    for m in store.markers.all(session_id) if m["status"] != MarkerStatus.DISMISSED],
        "notes": [{"id": n["id"], "t": n["t"], "text": n["text"], "author": n["author"],
                   "tags": n["tags"]} for n in store.notes.all(session_id)],
        "idle": [[a, b] for a, b in store.events.quiet_spans(session_id, IDLE_SECONDS)],
        "redacted": _redactions(store, session_id),
    }
    data.update(_events(store, session_id))
    data.update(_page_events(store, session_id))
    data.update(_transcript(store, session_id))
    return data


def _redactions(store: Store, session_id: str) -> list[list]:
    """Blacked-out stretches [start, end, reason], from the audit log that records each one."""
    import json
    spans = []
    for entry in store.audit.all(session_id):
        if entry["action"] == AuditAction.REDACT:
            detail = json.loads(entry["detail"] or "{}")
            spans.append([detail.get("start"), detail.get("end"), detail.get("reason") or ""])
    return [s for s in spans if isinstance(s[0], (int, float)) and isinstance(s[1], (int, float))]


def _transcript(store: Store, session_id: str) -> dict:
    """segments and words as REPLAY_COLUMNS lists them; a word names its segment's index."""
    from sessions.events import REPLAY_COLUMNS
    from sessions.transcripts import Transcripts
    transcripts = Transcripts(store)
    rows = transcripts.segments(session_id)
    index = {r["id"]: i for i, r in enumerate(rows)}
    segments = [[r["t"], r["end"], r["speaker"], r["text"], r["confidence"], r["machine_text"]] for r in rows]
    words = [[w["t"], w["end"], w["text"], index[w["segment_id"]]]
             for w in transcripts.words(session_id) if w["segment_id"] in index]
    return {"segments": segments, "words": words,
            "columns": {name: list(REPLAY_COLUMNS[name]) for name in ("segments", "words")}}


def _video(store: Store, session_id: str, device: dict) -> str | None:
    name = device.get("video") or VIDEO_FILE
    try:
        return name if store.media.path(session_id, name).is_file() else None
    except MediaPathError:  # a device record naming no valid file: the page shows no video
        return None


def _attempts(store: Store, study: Study, session_id: str) -> list[dict]:
    seq = {a["attempt_id"]: a["value"] for a in store.answers.all(session_id, "seq")
           if a["attempt_id"] is not None}
    rows = []
    for a in store.attempts.all(session_id):
        task = study.task(a["task"])
        rows.append({"id": a["id"], "task": a["task"], "prompt": task.prompt if task else "",
                     "seq": a["seq"], "started": a["started"], "ended": a["ended"],
                     "outcome": a["outcome"], "paused": a["paused"] or 0.0,
                     "seq_rating": seq.get(a["id"])})
    return rows


def _events(store: Store, session_id: str) -> dict:
    """Rows as positional arrays whose columns are `sessions.events.REPLAY_COLUMNS` (the page
    reads them from the served constants); only presses of buttons and keys, as the measures
    count them. A click on uxlab's prompt window is kept and marked `on_prompt`."""
    tables: dict[str, list[list]] = {table: [] for table in _TABLES.values()}
    for row in store.events.rows(session_id, _KINDS, _COLUMNS, presses_only=True):
        table = _TABLES[row[1]]
        cells = (round(row[0], 3), *row[1:], int(not is_on_product(row[-1])))
        tables[table].append(list(_PICK[table](cells)))
    return tables


def _page_events(store: Store, session_id: str) -> dict:
    """A web product's named clicks and URL changes (capture.js), as REPLAY_COLUMNS lists them."""
    kinds = (EventKind.PAGE_CLICK, EventKind.URL)
    tables: dict[str, list[list]] = {"page_clicks": [], "urls": []}
    for t, kind, text, url, how in store.events.rows(session_id, kinds, ("t", "kind", "text", "window", "key")):
        if kind == EventKind.PAGE_CLICK:
            tables["page_clicks"].append([round(t, 3), text, url])
        else:
            tables["urls"].append([round(t, 3), url, text, how])
    return tables


_TABLES = {EventKind.CLICK: "clicks", EventKind.KEY: "keys", EventKind.SCROLL: "scrolls",
           EventKind.WINDOW: "windows"}
# where each replay column comes from in (*_COLUMNS, on_prompt); a window's title is its text,
# and so is a click's label (the widget the recorder named through AT-SPI)
_SOURCE = {**{c: i for i, c in enumerate(_COLUMNS)}, "title": _COLUMNS.index("text"),
           "label": _COLUMNS.index("text"), "on_prompt": len(_COLUMNS)}
_PICK = {table: itemgetter(*(_SOURCE[c] for c in REPLAY_COLUMNS[table])) for table in _TABLES.values()}
