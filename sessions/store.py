"""The store: one study folder's SQLite database and media files, and the only code that
reads or writes them.

The recorder appends while the web app reads and adds notes, often from two processes at
once: the database runs in WAL mode with a busy timeout, and each thread gets its own
connection so one Store can be shared by a threaded server.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

import sqlite_utils

from sessions import schema
from sessions.errors import BadRequest, Conflict, NotFound, Unavailable, UxlabError
from sessions.events import (
    EVENT_FIELDS,
    EVENT_KINDS,
    MARKER_KINDS,
    MARKER_STATUSES,
    OUTCOMES,
    ROLES,
    EventKind,
    MarkerStatus,
    Outcome,
    SessionStatus,
    INCLUSIONS,
    Inclusion,
    PRESS_SQL,
    UnknownKind,
    check_event,
)
from sessions.media.files import MediaFiles

DB_FILE = "uxlab.db"
_EVENT_INSERT = (
    f"INSERT INTO events (session_id, {', '.join(EVENT_FIELDS)}) "
    f"VALUES (?, {', '.join('?' for _ in EVENT_FIELDS)})"
)


class StoreError(UxlabError):
    """A request the store refuses: a bad value (400) unless a subclass says otherwise."""


class MalformedEvent(StoreError):
    """An event of a kind the contract does not define, or without a valid time (400)."""


class UnknownSession(StoreError, NotFound):
    """A session id that names nothing in this study (404)."""


class UnknownUser(StoreError, NotFound):
    """A user name that names nothing in this study (404)."""


class NameTaken(StoreError, Conflict):
    """A user name already in use (409)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A study folder's storage. Cheap to create; connections open per thread on first use."""

    def __init__(self, folder: str | Path, *, read_only: bool = False) -> None:
        """Open a study. It never closes other processes' sessions on its own
        (`sessions.recovery.open_writer` does, for the recorder, the server and the commands
        that change data).

        `read_only` is for the commands that only look (list, analyse, export, report): their
        connections cannot write, so they neither change the database nor checkpoint another
        process's write-ahead log into it. A folder with no database yet, or with an older
        schema, is still created or migrated first (a one-time change every opener makes), so
        a study written by an older uxlab can be analysed."""
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise BadRequest(f"{self.folder} is not a folder")
        self.path = self.folder / DB_FILE
        self.read_only = read_only
        self.media = MediaFiles(self.folder / "media")
        self._local = threading.local()
        # a deque, not a queue: gevent patches queues, and a lease may end on a native thread
        self._idle: deque[sqlite_utils.Database] = deque()
        self._open_checked()

    def _open_checked(self) -> None:
        """Open and migrate the database, or say in one sentence why this study cannot be used."""
        if self.path.is_dir():
            raise Unavailable(f"{self.path} is a folder, not a study database")
        if not os.access(self.folder, os.W_OK):
            raise Unavailable(f"the study folder {self.folder} is read-only: uxlab writes its "
                              "database and journal there")
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            if isinstance(exc, sqlite3.OperationalError) and "unable to open" not in str(exc):
                raise
            raise Unavailable(f"{self.path} is not a readable study database ({exc}): "
                              "restore it from a backup") from None

    def _migrate(self) -> None:
        lock = self.folder / ".uxlab.lock"
        if not self.read_only:
            schema.migrate(self.db, lock)
        elif not self.path.is_file() or schema.schema_version(self.db.conn) < schema.SCHEMA_VERSION:
            self.close()
            with closing(_connect(self.path, writable=True)) as conn:
                schema.migrate(sqlite_utils.Database(conn), lock)
        else:
            schema.migrate(self.db, lock)  # at the current version: only refuses a newer schema

    # -- connections ---------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection (a greenlet's, under a gevent server). A connection is
        leased: when its thread ends it goes back to the store's idle ones, so a server that
        runs each request on a fresh greenlet does not open a database per request."""
        lease = getattr(self._local, "lease", None)
        if lease is not None and lease.db is not None:
            return lease.db
        try:
            db = self._idle.popleft()
        except IndexError:
            db = sqlite_utils.Database(_connect(self.path, writable=not self.read_only))
        self._local.lease = _Lease(db, self._idle)
        return db

    def fingerprint(self) -> tuple:
        """Changes whenever any process commits to the study's database; cheap to read.

        Every commit in WAL mode appends to the -wal file and a checkpoint rewrites the
        database file, so their sizes and modification times together tell whether an
        analysis computed earlier is still current.
        """
        marks: list[tuple[int, int] | None] = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                stat = path.stat()
                marks.append((stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                marks.append(None)
        return tuple(marks)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row; returns its integer primary key."""
        last: Any = self.db.table(table).insert(row).last_pk
        return int(last)

    def settled_fingerprint(self, running: Iterable[str]) -> str:
        """Changes whenever anything a study's analysis reads changes outside the `running`
        sessions: their rows, attempts, markers and answers, and any audited change (a
        black-out, a deletion). A dashboard can then re-analyse only the sessions being
        recorded while this stays the same."""
        import hashlib
        running = sorted(set(running)) or [""]   # NOT IN (NULL) would match no row at all
        holes = ", ".join("?" for _ in running)
        digest = hashlib.blake2b(digest_size=16)
        queries = (
            f"SELECT * FROM sessions WHERE id NOT IN ({holes}) ORDER BY id",
            f"SELECT id, ended, outcome, paused FROM attempts WHERE session_id NOT IN ({holes}) ORDER BY id",
            f"SELECT id, kind, status, t FROM markers WHERE session_id NOT IN ({holes}) ORDER BY id",
            f"SELECT count(*), max(id) FROM answers WHERE session_id NOT IN ({holes})",
            "SELECT max(id) FROM audit",
        )
        for sql in queries:
            params = running if "?" in sql else []
            for row in self.db.execute(sql, params):
                digest.update(repr(row).encode())
        return digest.hexdigest()

    def close(self) -> None:
        """Close this thread's connection and the idle ones (other threads keep theirs)."""
        lease = getattr(self._local, "lease", None)
        if lease is not None and lease.db is not None:
            lease.db.conn.close()
            lease.db = None
        while self._idle:
            self._idle.popleft().conn.close()

    # -- sessions ------------------------------------------------------------------
    def create_session(self, participant: str, *, group: str | None = None, consent: bool = False,
                       keystrokes: str = "redacted", device: dict | None = None,
                       started_at: float | None = None) -> str:
        """Start a session row; its id names the media folder, so it is filesystem-safe."""
        if not participant or not participant.strip():
            raise StoreError("a session needs a participant id")
        started_at = time.time() if started_at is None else started_at
        stamp = datetime.fromtimestamp(started_at, UTC)
        session_id = f"{stamp:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        self.db.table("sessions").insert({
            "id": session_id, "participant": participant.strip(), "group_name": group,
            "status": SessionStatus.RECORDING.value, "started_at": started_at,
            "started_wall": stamp.isoformat(timespec="seconds"), "duration": 0.0,
            "consent": int(consent), "keystrokes": keystrokes, "device": json.dumps(device or {}),
            "pid": os.getpid(), "host": socket.gethostname(), "heartbeat": time.time(),
            "token": secrets.token_urlsafe(16), "stats": "{}",
        })
        return session_id

    def session(self, session_id: str) -> dict:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        if not rows:
            raise UnknownSession(f"no session {session_id!r} in this study")
        return _decode_session(rows[0])

    def session_by_token(self, token: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM sessions WHERE token = ?", [token]))
        return _decode_session(rows[0]) if rows else None

    def sessions(self, *, status: str | None = None, group: str | None = None,
                 participant: str | None = None, order: str = "started_at", descending: bool = True,
                 limit: int | None = None, offset: int = 0, inclusion: str | None = None) -> list[dict]:
        """Sessions with per-session task counts; filtered, sorted and paged in SQL."""
        where, params = _session_filter(status, group, participant, inclusion)
        columns = {"started_at", "participant", "duration", "status", "group_name", "completed"}
        if order not in columns:
            raise StoreError(f"cannot sort sessions by {order!r}")
        direction = 'DESC' if descending else 'ASC'
        completed = (f"(SELECT count(*) FROM attempts a WHERE a.session_id = s.id "
                     f"AND a.outcome = '{Outcome.SUCCESS.value}')")
        counts = (f"SELECT s.*, {completed} AS completed, (SELECT count(*) FROM attempts a "
                  "WHERE a.session_id = s.id) AS attempted FROM sessions s")
        if limit is None:
            sql = f"{counts}{where} ORDER BY {order} {direction}, s.id"
        else:
            # pick the page's ids first, so the per-session counts are computed for one page
            # rather than for every row the OFFSET skips (10k sessions: ~40 ms -> ~3 ms)
            key = f"s.{order}" if order != "completed" else completed
            page = f"SELECT s.id FROM sessions s{where} ORDER BY {key} {direction}, s.id LIMIT ? OFFSET ?"
            sql = f"{counts} WHERE s.id IN ({page}) ORDER BY {order} {direction}, s.id"
            params += [int(limit), int(offset)]
        return [_decode_session(r) for r in self.db.query(sql, params)]

    def counted_sessions(self) -> list[dict]:
        """The sessions every measure, heatmap, problem and report counts, oldest first:
        pilot and excluded sessions are kept and shown, but counted nowhere."""
        rows = self.db.query("SELECT * FROM sessions WHERE inclusion = ? ORDER BY started_at, id",
                             [Inclusion.INCLUDED.value])
        return [_decode_session(r) for r in rows]

    def count_sessions(self, *, status: str | None = None, group: str | None = None,
                       participant: str | None = None, inclusion: str | None = None) -> int:
        where, params = _session_filter(status, group, participant, inclusion)
        return self.db.execute(f"SELECT count(*) FROM sessions s{where}", params).fetchone()[0]

    def update_session(self, session_id: str, **fields: Any) -> None:
        allowed = {"status", "duration", "consent", "device", "heartbeat", "stats", "group_name", "pid"}
        unknown = set(fields) - allowed
        if unknown:
            raise StoreError(f"cannot update session fields {sorted(unknown)}")
        for key in ("device", "stats"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        self.session(session_id)
        self.db.table("sessions").update(session_id, fields)

    def heartbeat(self, session_id: str, duration: float) -> None:
        """Record that the recorder is alive and how far it got (used by crash recovery)."""
        self.db.execute("UPDATE sessions SET heartbeat = ?, duration = ? WHERE id = ?",
                        [time.time(), duration, session_id])
        self.db.conn.commit()

    def delete_session(self, session_id: str, actor: str) -> None:
        """Delete a session's rows and media for good; the audit log keeps who, when and
        which participant."""
        before = self._existing(session_id)
        with self.db.conn:
            for table in ("words", "segments", "evidence", "events", "frames", "markers", "notes",
                          "answers", "attempts"):
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
        self.media.remove_session(session_id)
        self.audit(actor, "delete_session", session_id,
                   {"participant": before["participant"], "group": before["group_name"]})

    def set_inclusion(self, session_id: str, inclusion: str, actor: str, reason: str | None = None) -> None:
        """Mark a session included, pilot or excluded: it stays stored and shown, and the
        analysis counts only included sessions. An exclusion must say why."""
        if inclusion not in INCLUSIONS:
            raise BadRequest(f"unknown inclusion {inclusion!r} (one of {', '.join(INCLUSIONS)})")
        reason = (reason or "").strip() or None
        if inclusion == Inclusion.EXCLUDED and not reason:
            raise BadRequest("say why the session is excluded (a reason is required)")
        if reason and len(reason) > 500:
            raise BadRequest("a reason is at most 500 characters")
        before = self._existing(session_id)
        self.db.table("sessions").update(session_id, {"inclusion": inclusion, "inclusion_reason": reason})
        self.audit(actor, f"mark_{inclusion}", session_id,
                   {"from": before.get("inclusion") or Inclusion.INCLUDED.value, "to": inclusion,
                    "reason": reason})

    def rename_session(self, session_id: str, actor: str, *, participant: str | None = None,
                       group: str | None = None) -> None:
        """Correct a session's participant id or group (an empty group clears it)."""
        before = self._existing(session_id)
        changes: dict[str, Any] = {}
        if participant is not None:
            participant = participant.strip()
            if not participant or len(participant) > 64:
                raise BadRequest("a participant id must be 1 to 64 characters")
            changes["participant"] = participant
        if group is not None:
            group = group.strip()
            if len(group) > 64:
                raise BadRequest("a group name is at most 64 characters")
            changes["group_name"] = group or None
        if not changes:
            raise BadRequest("nothing to change: give a participant id or a group")
        self.db.table("sessions").update(session_id, changes)
        self.audit(actor, "rename_session", session_id,
                   {key: {"from": before.get(key), "to": value} for key, value in changes.items()})

    def participant_sessions(self, participant: str) -> list[dict]:
        """The sessions already recorded for a participant id, oldest first."""
        return [_decode_session(r) for r in self.db.query(
            "SELECT * FROM sessions WHERE participant = ? ORDER BY started_at", [participant.strip()])]

    def _existing(self, session_id: str) -> dict:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        if not rows:
            raise NotFound(f"no session {session_id!r} in this study")
        return rows[0]

    # -- attempts ------------------------------------------------------------------
    def start_attempt(self, session_id: str, task: str, started: float) -> int:
        seq = self.db.execute("SELECT count(*) FROM attempts WHERE session_id = ?", [session_id]).fetchone()[0]
        return self._insert("attempts", {"session_id": session_id, "task": task, "seq": seq + 1,
                                          "started": started, "ended": None, "outcome": None,
                                          "paused": 0.0})

    def end_attempt(self, attempt_id: int, ended: float, outcome: str, paused: float = 0.0) -> None:
        if outcome not in OUTCOMES:
            raise StoreError(f"unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
        self.db.table("attempts").update(attempt_id, {"ended": ended, "outcome": outcome, "paused": paused})

    def attempts(self, session_id: str | None = None, task: str | None = None) -> list[dict]:
        clauses, params = [], []
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(session_id)
        if task is not None:
            clauses.append("task = ?")
            params.append(task)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return list(self.db.query(f"SELECT * FROM attempts{where} ORDER BY session_id, started", params))

    # -- events --------------------------------------------------------------------
    def append_events(self, session_id: str, events: Iterable[dict]) -> int:
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

    def iter_events(self, session_id: str, *, kinds: Iterable[str] | None = None,
                    start: float | None = None, end: float | None = None,
                    batch: int = 5000) -> Iterator[dict]:
        """Stream a session's events in time order, a page at a time (keyset pagination)."""
        kinds = tuple(kinds) if kinds is not None else None
        # (t, id) > (start, -1) is t >= start, since ids start at 1
        last_t, last_id = float("-inf") if start is None else start, -1
        columns = "id, t, " + ", ".join(f for f in EVENT_FIELDS if f != "t")
        while True:
            sql = (f"SELECT {columns} FROM events WHERE session_id = ? "
                   "AND (t > ? OR (t = ? AND id > ?))")
            params: list[Any] = [session_id, last_t, last_t, last_id]
            if end is not None:
                sql += " AND t <= ?"
                params.append(end)
            if kinds is not None:
                sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
                params.extend(kinds)
            sql += " ORDER BY t, id LIMIT ?"
            params.append(batch)
            page = list(self.db.query(sql, params))
            yield from page
            if len(page) < batch:
                return
            last_t, last_id = page[-1]["t"], page[-1]["id"]

    def count_events(self, session_id: str, kind: str | None = None) -> int:
        sql, params = "SELECT count(*) FROM events WHERE session_id = ?", [session_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        return self.db.execute(sql, params).fetchone()[0]

    def delete_events(self, session_id: str, start: float, end: float, kinds: Iterable[str]) -> int:
        kinds = tuple(kinds)
        with self.db.conn:
            cursor = self.db.execute(
                f"DELETE FROM events WHERE session_id = ? AND t >= ? AND t <= ? "
                f"AND kind IN ({', '.join('?' for _ in kinds)})", [session_id, start, end, *kinds])
        return cursor.rowcount

    def quiet_spans(self, session_id: str, min_gap: float, *, min_change: float = 0.001) -> list[tuple[float, float]]:
        """Stretches of at least `min_gap` s with no input event and no screen change, so a
        replay can skip idle time; computed in SQL because an hour holds ~100k move events."""
        # pointer moves are ~90% of an hour's events: find the gaps between the other events
        # and the screen changes first, then split those few gaps at the moves inside them
        import numpy as np
        kinds = [k for k in EVENT_KINDS if k != EventKind.MOVE]
        rows = self.db.execute(
            f"SELECT t FROM events WHERE session_id = ? AND kind IN ({', '.join('?' for _ in kinds)})",
            [session_id, *kinds]).fetchall()
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

    def event_rows(self, session_id: str, kinds: Iterable[str], columns: Iterable[str],
                   *, presses_only: bool = False) -> list[tuple]:
        """Plain tuples of some columns of some kinds of event, in time order: ten times
        faster than dicts for a replay that draws an hour of clicks and keys at once.
        `presses_only` keeps `sessions.events.is_press` rows (drops releases); it keeps presses
        on uxlab's prompt window, which a replay shows marked (`is_product_press` drops them)."""
        kinds, columns = tuple(kinds), tuple(columns)
        unknown = set(columns) - set(EVENT_FIELDS)
        if unknown:
            raise StoreError(f"no event columns {sorted(unknown)}")
        sql = (f"SELECT {', '.join(columns)} FROM events WHERE session_id = ? "
               f"AND kind IN ({', '.join('?' for _ in kinds)})")
        if presses_only:
            sql += f" AND {PRESS_SQL}"
        return self.db.execute(sql + " ORDER BY t, id", [session_id, *kinds]).fetchall()

    # -- frames ----------------------------------------------------------------------
    def append_frames(self, session_id: str, frames: Iterable[dict]) -> int:
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

    def frames(self, session_id: str, *, start: float | None = None, end: float | None = None,
               keyframes_only: bool = False) -> list[dict]:
        sql = "SELECT t, changed, keyframe, phash, crop, region FROM frames WHERE session_id = ?"
        params: list[Any] = [session_id]
        if start is not None:
            sql += " AND t >= ?"
            params.append(start)
        if end is not None:
            sql += " AND t <= ?"
            params.append(end)
        if keyframes_only:
            sql += " AND keyframe IS NOT NULL"
        rows = list(self.db.query(sql + " ORDER BY t", params))
        for row in rows:
            row["region"] = json.loads(row["region"]) if row["region"] else None
        return rows

    # -- markers, notes, answers ---------------------------------------------------
    def add_marker(self, session_id: str, t: float, kind: str, *, text: str | None = None,
                   author: str | None = None, attempt_id: int | None = None,
                   status: str = MarkerStatus.CONFIRMED.value) -> int:
        if kind not in MARKER_KINDS:
            raise StoreError(f"unknown marker kind {kind!r}")
        if status not in MARKER_STATUSES:
            raise StoreError(f"unknown marker status {status!r}")
        return self._insert("markers", {"session_id": session_id, "t": float(t), "kind": kind,
                                        "text": text, "author": author,
                                        "attempt_id": attempt_id, "status": status})

    def set_marker_status(self, marker_id: int, status: str) -> None:
        if status not in MARKER_STATUSES:
            raise StoreError(f"unknown marker status {status!r}")
        self.db.table("markers").update(marker_id, {"status": status})

    def markers(self, session_id: str, kind: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM markers WHERE session_id = ?", [session_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        return list(self.db.query(sql + " ORDER BY t, id", params))

    def add_note(self, session_id: str, t: float, text: str, author: str, *,
                 tags: Iterable[str] = (), source: str = "live") -> int:
        if not text or not text.strip():
            raise StoreError("a note needs some text")
        return self._insert("notes", {
            "session_id": session_id, "t": float(t), "text": text.strip(), "author": author,
            "created": now_iso(), "tags": json.dumps(sorted(set(tags))), "source": source,
        })

    def set_note_tags(self, note_id: int, tags: Iterable[str]) -> None:
        self.db.table("notes").update(note_id, {"tags": json.dumps(sorted(set(tags)))})

    def notes(self, session_id: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM notes", []
        if session_id is not None:
            sql += " WHERE session_id = ?"
            params.append(session_id)
        rows = list(self.db.query(sql + " ORDER BY session_id, t, id", params))
        for row in rows:
            row["tags"] = json.loads(row.get("tags") or "[]")
        return rows

    def add_answers(self, session_id: str, questionnaire: str, values: dict[str, Any], *,
                    attempt_id: int | None = None) -> None:
        """Store one filled-in questionnaire; numbers go to `value`, free text to `text`."""
        created = now_iso()
        rows = [{"session_id": session_id, "attempt_id": attempt_id, "questionnaire": questionnaire,
                 "item": str(item),
                 "value": float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None,
                 "text": v if isinstance(v, str) else None, "created": created}
                for item, v in values.items()]
        # answers_once (schema v3) makes a repeated or parallel submit of the same page a no-op
        with self.db.conn:
            self.db.table("answers").insert_all(rows, ignore=True)

    def answers(self, session_id: str | None = None, questionnaire: str | None = None) -> list[dict]:
        clauses, params = [], []
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(session_id)
        if questionnaire is not None:
            clauses.append("questionnaire = ?")
            params.append(questionnaire)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return list(self.db.query(f"SELECT * FROM answers{where} ORDER BY session_id, id", params))

    # -- users and audit -------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, *, must_change: bool = False) -> None:
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        if not name or not name.strip() or len(name) > 64 or not name.isprintable():
            raise StoreError("a user name must be 1 to 64 printable characters")
        if self.user(name):
            raise NameTaken(f"user {name!r} already exists")
        self.db.table("users").insert({"name": name, "role": role, "password_hash": password_hash,
                                 "created": now_iso(), "must_change": int(must_change)})

    def set_password_hash(self, name: str, password_hash: str, *, must_change: bool = False) -> None:
        """A new password ends every login the user has open (their generation moves on)."""
        if not self.user(name):
            raise UnknownUser(f"no user {name!r} in this study")
        with self.db.conn:
            self.db.execute("UPDATE users SET password_hash = ?, must_change = ?, "
                            "generation = generation + 1 WHERE name = ?",
                            [password_hash, int(must_change), name])

    def end_logins(self, name: str) -> None:
        """End every open login of a user: a login carries the generation it began in."""
        with self.db.conn:
            self.db.execute("UPDATE users SET generation = generation + 1 WHERE name = ?", [name])

    def remove_user(self, name: str) -> None:
        if not self.user(name):
            raise UnknownUser(f"no user {name!r} in this study")
        with self.db.conn:
            self.db.execute("DELETE FROM users WHERE name = ?", [name])

    def user(self, name: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM users WHERE name = ?", [name]))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        return list(self.db.query("SELECT name, role, created, must_change FROM users ORDER BY name"))

    def audit(self, actor: str, action: str, session_id: str | None, detail: dict) -> None:
        self.db.table("audit").insert({"at": now_iso(), "actor": actor, "action": action,
                                 "session_id": session_id, "detail": json.dumps(detail)})

    def audit_log(self, session_id: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM audit", []
        if session_id is not None:
            sql += " WHERE session_id = ?"
            params.append(session_id)
        return list(self.db.query(sql + " ORDER BY id", params))


class _Lease:
    """A thread's hold on one connection; the connection is handed back when the thread
    (and so its thread-local lease) ends, with any transaction it left open rolled back."""

    def __init__(self, db: sqlite_utils.Database, idle: deque) -> None:
        self.db: sqlite_utils.Database | None = db
        self.idle = idle

    def __del__(self) -> None:
        if self.db is None:
            return
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            self.idle.append(self.db)
        except sqlite3.ProgrammingError:   # closed meanwhile: nothing to hand back
            pass


def _connect(path: Path, *, writable: bool) -> sqlite3.Connection:
    """A connection in WAL mode; a read-only one is opened `mode=ro`, which can read
    another process's uncheckpointed log and can never write or checkpoint."""
    if not writable:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn
    # a lease hands a connection from a thread that ended to another: one user at a time
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _session_filter(status: str | None, group: str | None, participant: str | None,
                    inclusion: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    for column, value in (("s.status", status), ("s.group_name", group), ("s.inclusion", inclusion)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if participant:
        clauses.append("s.participant LIKE ?")
        params.append(f"%{participant}%")
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _decode_session(row: dict) -> dict:
    row = dict(row)
    for key in ("device", "stats"):
        row[key] = json.loads(row.get(key) or "{}")
    return row
