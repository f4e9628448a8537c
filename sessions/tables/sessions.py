"""The `sessions` table: one row per recorded session, its status, inclusion and the
participant it belongs to. Deleting a session reaches every other table and its media, so
that sweep lives here too, with the audit entry that is all it leaves behind."""
from __future__ import annotations

import json
import os
import secrets
import socket
import time
from datetime import UTC, datetime
from typing import Any

from sessions.errors import BadRequest, NotFound, StoreError, UnknownSession
from sessions.events import (
    INCLUSIONS,
    AuditAction,
    Inclusion,
    KeystrokeMode,
    Outcome,
    SessionStatus,
    inclusion_action,
)
from sessions.media.files import MediaFiles
from sessions.tables.audit import Audit
from sessions.tables.base import Connected, Part
from sessions.tables.where import Where

_ORDERS = {"started_at", "participant", "duration", "status", "group_name", "completed"}
_UPDATABLE = {"status", "duration", "consent", "device", "heartbeat", "stats", "group_name", "pid"}
# every table with a session_id column, children before parents
_SESSION_TABLES = ("corrections", "words", "segments", "evidence", "events", "frames", "markers", "notes",
                   "answers", "attempts", "capture_rates")


class Sessions(Part):
    """The `sessions` table."""

    def __init__(self, owner: Connected, audit: Audit, media: MediaFiles) -> None:
        super().__init__(owner)
        self._audit, self._media = audit, media

    def create(self, participant: str, *, group: str | None = None, consent: bool = False,
               keystrokes: str = KeystrokeMode.REDACTED.value, device: dict | None = None,
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

    def get(self, session_id: str) -> dict:
        """One session, or `UnknownSession` (a 404) for an id that names none."""
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        if not rows:
            raise UnknownSession(f"no session {session_id!r} in this study")
        return _decode(rows[0])

    def by_token(self, token: str) -> dict | None:
        """The session a participant's link names, if any."""
        rows = list(self.db.query("SELECT * FROM sessions WHERE token = ?", [token]))
        return _decode(rows[0]) if rows else None

    def all(self, *, status: str | None = None, group: str | None = None,
            participant: str | None = None, order: str = "started_at", descending: bool = True,
            limit: int | None = None, offset: int = 0, inclusion: str | None = None) -> list[dict]:
        """Sessions with per-session task counts; filtered, sorted and paged in SQL."""
        where = _filter(status, group, participant, inclusion)
        if order not in _ORDERS:
            raise StoreError(f"cannot sort sessions by {order!r}")
        direction = 'DESC' if descending else 'ASC'
        completed = (f"(SELECT count(*) FROM attempts a WHERE a.session_id = s.id "
                     f"AND a.outcome = '{Outcome.SUCCESS.value}')")
        counts = (f"SELECT s.*, {completed} AS completed, (SELECT count(*) FROM attempts a "
                  "WHERE a.session_id = s.id) AS attempted FROM sessions s")
        params = list(where.params)
        if limit is None:
            sql = f"{counts}{where.sql} ORDER BY {order} {direction}, s.id"
        else:
            # pick the page's ids first, so the per-session counts are computed for one page
            # rather than for every row the OFFSET skips (10k sessions: ~40 ms -> ~3 ms)
            key = f"s.{order}" if order != "completed" else completed
            page = f"SELECT s.id FROM sessions s{where.sql} ORDER BY {key} {direction}, s.id LIMIT ? OFFSET ?"
            sql = f"{counts} WHERE s.id IN ({page}) ORDER BY {order} {direction}, s.id"
            params += [int(limit), int(offset)]
        return [_decode(r) for r in self.db.query(sql, params)]

    def counted(self) -> list[dict]:
        """The sessions every measure, heatmap, problem and report counts, oldest first:
        pilot and excluded sessions are kept and shown, but counted nowhere."""
        rows = self.db.query("SELECT * FROM sessions WHERE inclusion = ? ORDER BY started_at, id",
                             [Inclusion.INCLUDED.value])
        return [_decode(r) for r in rows]

    def count(self, *, status: str | None = None, group: str | None = None,
              participant: str | None = None, inclusion: str | None = None) -> int:
        """How many sessions `all` would list with the same filters and no page."""
        where = _filter(status, group, participant, inclusion)
        return self.db.execute(f"SELECT count(*) FROM sessions s{where.sql}", where.params).fetchone()[0]

    def of_participant(self, participant: str) -> list[dict]:
        """The sessions already recorded for a participant id, oldest first."""
        return [_decode(r) for r in self.db.query(
            "SELECT * FROM sessions WHERE participant = ? ORDER BY started_at", [participant.strip()])]

    def update(self, session_id: str, **fields: Any) -> None:
        """Change the fields a recorder or recovery keeps current; others are refused."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise StoreError(f"cannot update session fields {sorted(unknown)}")
        for key in ("device", "stats"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        self.get(session_id)
        self.db.table("sessions").update(session_id, fields)

    def heartbeat(self, session_id: str, duration: float) -> None:
        """Record that the recorder is alive and how far it got (used by crash recovery)."""
        self.db.execute("UPDATE sessions SET heartbeat = ?, duration = ? WHERE id = ?",
                        [time.time(), duration, session_id])
        self.db.conn.commit()

    def delete(self, session_id: str, actor: str) -> None:
        """Delete a session's rows and media for good; the audit log keeps who, when and
        which participant."""
        before = self._existing(session_id)
        with self.db.conn:
            for table in _SESSION_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
        self._media.remove_session(session_id)
        self._audit.record(actor, AuditAction.DELETE_SESSION, session_id,
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
        self._audit.record(actor, inclusion_action(inclusion), session_id,
                           {"from": before.get("inclusion") or Inclusion.INCLUDED.value, "to": inclusion,
                            "reason": reason})

    def rename(self, session_id: str, actor: str, *, participant: str | None = None,
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
        self._audit.record(actor, AuditAction.RENAME_SESSION, session_id,
                           {key: {"from": before.get(key), "to": value} for key, value in changes.items()})

    def _existing(self, session_id: str) -> dict:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        if not rows:
            raise NotFound(f"no session {session_id!r} in this study")
        return rows[0]


def _filter(status: str | None, group: str | None, participant: str | None,
            inclusion: str | None) -> Where:
    """The list filters of the sessions page; an empty value (a blank form field) is no filter."""
    return (Where().equal("s.status", status or None).equal("s.group_name", group or None)
            .equal("s.inclusion", inclusion or None).contains("s.participant", participant))


def _decode(row: dict) -> dict:
    row = dict(row)
    for key in ("device", "stats"):
        row[key] = json.loads(row.get(key) or "{}")
    return row
