"""Crash recovery: a session left `recording` by a recorder that died is closed properly.

The recorder flushes events and video fragments every fraction of a second and beats a
heartbeat; when it is killed, the next process that opens the study to write to it (the
recorder, the server, a command that changes data: `open_writer`) finds the session, ends
its open attempt as interrupted (the lab's failure, not the participant's: counted in
neither completion nor abandonment) and marks the session `recovered`. Reading a study
(listing, analysing, exporting) never does: a read changes nothing.

This module depends on the store, never the other way round.
"""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from sessions.events import AuditAction, Outcome, SessionStatus
from sessions.storage_faults import BUSY_SECONDS
from sessions.store import Store

# a recorder on another host is presumed dead when its heartbeat is this old
STALE_AFTER = 60.0


def recorder_alive(session: dict) -> bool:
    """Whether the recorder that owns `session` still runs (same host: its pid; else its heartbeat)."""
    if session.get("host") == socket.gethostname() and session.get("pid"):
        try:
            os.kill(int(session["pid"]), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return _same_process(session)
    return time.time() - (session.get("heartbeat") or 0) < STALE_AFTER


def _same_process(session: dict) -> bool:
    """A killed recorder not yet reaped is a zombie; a reused pid has a stale heartbeat."""
    try:
        state = Path(f"/proc/{int(session['pid'])}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            return False
    except (OSError, IndexError):
        pass
    return time.time() - (session.get("heartbeat") or 0) < STALE_AFTER


def open_writer(folder: str | Path, *, busy_seconds: float = BUSY_SECONDS) -> Store:
    """Open a study to write to it: first close the sessions whose recorder died."""
    store = Store(folder, busy_seconds=busy_seconds)
    recover_orphans(store)
    return store


def recover_orphans(store: Store) -> list[str]:
    """Close every session whose recorder is gone; returns their ids."""
    recovered = []
    for session in store.sessions.all(status=SessionStatus.RECORDING.value):
        if recorder_alive(session):
            continue
        recover_session(store, session["id"])
        recovered.append(session["id"])
    return recovered


def settled_attempts(store: Store, session: dict) -> list[dict]:
    """A session's attempts as recovery will leave them: when its recorder is gone, a running
    attempt is interrupted at the last moment recorded. This is what a command that only reads
    shows (it may not recover the session itself), so a crashed session's task is never
    missing from an analysis made before the next writer runs."""
    attempts = store.attempts.all(session["id"])
    if session.get("status") != SessionStatus.RECORDING or recorder_alive(session):
        return attempts
    open_ = [a for a in attempts if a["outcome"] is None]
    if not open_:
        return attempts
    duration = _recovered_duration(store, session["id"])
    return [{**a, "ended": max(a["started"], duration), "outcome": Outcome.INTERRUPTED.value}
            if a["outcome"] is None else a for a in attempts]


def _recovered_duration(store: Store, session_id: str) -> float:
    """The last moment a session recorded anything: where recovery ends it."""
    last = store.db.execute(
        "SELECT max(t) FROM (SELECT max(t) AS t FROM events WHERE session_id = :s "
        "UNION ALL SELECT max(t) FROM markers WHERE session_id = :s "
        "UNION ALL SELECT max(coalesce(ended, started)) FROM attempts WHERE session_id = :s)",
        {"s": session_id}).fetchone()[0] or 0.0
    beat = store.db.execute("SELECT duration FROM sessions WHERE id = ?", [session_id]).fetchone()[0] or 0.0
    return max(float(last), float(beat))


def recover_session(store: Store, session_id: str) -> None:
    duration = _recovered_duration(store, session_id)
    with store.db.conn:
        store.db.execute(
            "UPDATE attempts SET ended = max(started, ?), outcome = ? "
            "WHERE session_id = ? AND outcome IS NULL", [duration, Outcome.INTERRUPTED.value, session_id])
        store.db.execute("UPDATE sessions SET status = ?, duration = ? WHERE id = ?",
                         [SessionStatus.RECOVERED.value, duration, session_id])
    store.audit.record("uxlab", AuditAction.RECOVER_SESSION, session_id, {"duration": duration})
