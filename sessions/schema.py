"""The database schema as an ordered list of migrations, tracked with PRAGMA user_version.

A study folder outlives the uxlab version that created it, so every change to the tables
is a new migration and old folders are brought forward when they are opened.
"""
from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from sessions.errors import Unavailable
from sessions.events import Inclusion, MarkerStatus, SessionStatus


def _v1_core(db: sqlite_utils.Database) -> None:
    db.table("sessions").create({
        "id": str, "participant": str, "group_name": str, "status": str,
        "started_at": float, "started_wall": str, "duration": float, "consent": int,
        "keystrokes": str, "device": str, "pid": int, "host": str, "heartbeat": float,
        "token": str, "stats": str,
    }, pk="id", not_null={"participant", "status"}, defaults={"status": SessionStatus.RECORDING.value, "consent": 0})
    db.table("attempts").create({
        "id": int, "session_id": str, "task": str, "seq": int, "started": float, "ended": float,
        "outcome": str, "paused": float,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")], defaults={"paused": 0.0})
    db.table("events").create({
        "id": int, "session_id": str, "t": float, "kind": str, "x": int, "y": int, "button": str,
        "pressed": int, "dx": int, "dy": int, "key": str, "text": str, "window": str,
        "task": str, "target": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("markers").create({
        "id": int, "session_id": str, "t": float, "kind": str, "text": str, "author": str,
        "attempt_id": int, "status": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")], defaults={"status": MarkerStatus.CONFIRMED.value})
    db.table("notes").create({
        "id": int, "session_id": str, "t": float, "text": str, "author": str, "created": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("answers").create({
        "id": int, "session_id": str, "attempt_id": int, "questionnaire": str, "item": str,
        "value": float, "text": str, "created": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("frames").create({
        "session_id": str, "t": float, "changed": float, "keyframe": str, "phash": str,
    }, foreign_keys=[("session_id", "sessions", "id")])
    db.table("users").create({"name": str, "role": str, "password_hash": str, "created": str}, pk="name")
    db.table("sessions").create_index(["started_at"])
    db.table("sessions").create_index(["participant"])
    db.table("sessions").create_index(["status"])
    db.table("sessions").create_index(["token"], unique=True)
    db.table("attempts").create_index(["session_id", "started"])
    db.table("attempts").create_index(["task"])
    db.table("events").create_index(["session_id", "t"])
    db.table("events").create_index(["session_id", "kind", "t"])
    db.table("frames").create_index(["session_id", "t"])
    db.table("markers").create_index(["session_id", "t"])
    db.table("notes").create_index(["session_id", "t"])
    db.table("answers").create_index(["session_id"])


def _v2_tags_and_audit(db: sqlite_utils.Database) -> None:
    """Notes gain tags (defined after the fact); redactions and deletions leave an audit trail."""
    db.table("notes").add_column("tags", str)
    db.table("notes").add_column("source", str)
    db.execute("UPDATE notes SET tags = '[]', source = 'live'")
    db.table("audit").create({
        "id": int, "at": str, "actor": str, "action": str, "session_id": str, "detail": str,
    }, pk="id")
    db.table("audit").create_index(["session_id"])
    db.table("sessions").create_index(["group_name"])


def _v3_voice_findings_and_accounts(db: sqlite_utils.Database) -> None:
    """Think-aloud transcripts (searchable), problems with evidence and severity ratings,
    decisions on candidate problems, pilot/excluded sessions, and logins that can be ended."""
    db.table("sessions").add_column("inclusion", str, not_null_default=Inclusion.INCLUDED.value)
    db.table("sessions").add_column("inclusion_reason", str)
    db.table("sessions").create_index(["inclusion"])
    db.table("users").add_column("generation", int, not_null_default=0)
    db.table("users").add_column("must_change", int, not_null_default=0)
    db.table("segments").create({
        "id": int, "session_id": str, "t": float, "end": float, "speaker": str, "text": str,
        "confidence": float, "engine": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("segments").create_index(["session_id", "t"])
    db.table("words").create({
        "id": int, "segment_id": int, "session_id": str, "t": float, "end": float, "text": str,
        "confidence": float,
    }, pk="id", foreign_keys=[("segment_id", "segments", "id"), ("session_id", "sessions", "id")])
    db.table("words").create_index(["session_id", "t"])
    db.table("words").create_index(["segment_id"])
    db.table("segments").enable_fts(["text"], create_triggers=True, tokenize="porter")
    db.table("notes").enable_fts(["text"], create_triggers=True, tokenize="porter")
    db.table("problems").create({
        "id": int, "title": str, "description": str, "task": str, "tags": str, "author": str,
        "created": str, "updated": str,
    }, pk="id", not_null={"title"}, defaults={"tags": "[]", "description": ""})
    db.table("evidence").create({
        "id": int, "problem_id": int, "session_id": str, "t": float, "end": float, "kind": str,
        "ref_id": int, "text": str, "author": str, "created": str,
    }, pk="id", foreign_keys=[("problem_id", "problems", "id"), ("session_id", "sessions", "id")])
    db.table("evidence").create_index(["problem_id"])
    db.table("evidence").create_index(["session_id", "t"])
    db.table("ratings").create({
        "id": int, "problem_id": int, "rater": str, "severity": int, "comment": str, "created": str,
    }, pk="id", foreign_keys=[("problem_id", "problems", "id")])
    db.table("ratings").create_index(["problem_id", "rater"], unique=True)
    db.table("candidate_decisions").create({
        "key": str, "decision": str, "problem_id": int, "actor": str, "at": str,
    }, pk="key")
    # one answer per item and questionnaire: a repeated submit can never count twice
    db.execute("DELETE FROM answers WHERE id NOT IN (SELECT min(id) FROM answers GROUP BY "
               "session_id, coalesce(attempt_id, -1), questionnaire, item)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS answers_once ON answers "
               "(session_id, coalesce(attempt_id, -1), questionnaire, item)")


def _v4_analyzer(db: sqlite_utils.Database) -> None:
    """A stored frame whose change was too small for a keyframe keeps a crop of the changed
    region (`crop`, an image under the session's media) and where it was (`region`, JSON
    [x, y, w, h] in screen pixels), so an inline message is still examined."""
    db.table("frames").add_column("crop", str)
    db.table("frames").add_column("region", str)


def _v5_remote(db: sqlite_utils.Database) -> None:
    """Remote participants: a session says what recorded it (`source`: the native recorder
    or the participant's browser), and invitations hold the hash of each join link's token
    (never the token), who it is for, until when, and the session it opened."""
    db.table("sessions").add_column("source", str, not_null_default="native")
    db.table("invitations").create({
        "id": int, "token_hash": str, "participant": str, "group_name": str, "mode": str,
        "created": float, "created_by": str, "expires": float, "revoked": float,
        "session_id": str,
    }, pk="id", not_null={"token_hash", "participant", "mode"})   # no foreign key: deleting
    # a session keeps the invitation (and its audit trail), which then opens nothing
    db.table("invitations").create_index(["token_hash"], unique=True)
    db.table("invitations").create_index(["participant"])


def _v6_participants(db: sqlite_utils.Database) -> None:
    """Participants as people: one row per participant and attribute (age band, experience,
    role, any the study defines), keyed by the participant id sessions carry."""
    db.table("participant_attributes").create({
        "participant": str, "key": str, "value": str, "updated": str,
    }, pk=("participant", "key"), not_null={"value"})


def _v7_corrections(db: sqlite_utils.Database) -> None:
    """A researcher's corrections of a transcript, beside the machine's text: a corrected
    segment keeps what the engine said (`machine_text`) and who corrected it; each correction
    keeps its span, the machine's and the researcher's timed words (JSON), and when it was
    reverted, so a new transcription puts it back and a revert restores the machine's words."""
    db.table("segments").add_column("machine_text", str)
    db.table("segments").add_column("corrected_by", str)
    db.table("corrections").create({
        "id": int, "session_id": str, "segment_id": int, "speaker": str, "t": float, "end": float,
        "machine_text": str, "machine_words": str, "text": str, "words": str, "author": str,
        "created": str, "reverted": str, "reverted_by": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")], not_null={"text", "words"})
    db.table("corrections").create_index(["session_id", "t"])


def _v8_jobs(db: sqlite_utils.Database) -> None:
    """Background jobs (highlight reels) kept where every worker of the study sees them:
    their owner, state, progress, result (JSON), the folder of their files and the process
    that runs them, so a poll reaching another worker is answered and a bound on how many
    run at once holds across workers."""
    db.table("jobs").create({
        "id": str, "kind": str, "owner": str, "subject": int, "state": str, "done": int,
        "total": int, "error": str, "result": str, "folder": str, "started": float,
        "updated": float, "pid": int, "host": str,
    }, pk="id", not_null={"kind", "owner", "state"})
    db.table("jobs").create_index(["kind", "state"])


def _v9_capture_rates(db: sqlite_utils.Database) -> None:
    """The capture endpoint's rate bound per session (a token bucket: level, when) and its
    counts of refused events, where every server process of the study sees them."""
    db.table("capture_rates").create({
        "session_id": str, "level": float, "at": float, "malformed": int, "flood": int,
    }, pk="session_id", defaults={"malformed": 0, "flood": 0})


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core, _v2_tags_and_audit, _v3_voice_findings_and_accounts, _v4_analyzer, _v5_remote,
    _v6_participants, _v7_corrections, _v8_jobs, _v9_capture_rates]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Unavailable):
    """A study written by a newer uxlab: this one cannot read it safely (503)."""


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, lock_path: Path, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to `target`; safe when two processes open a new folder at once.

    sqlite-utils commits after each DDL statement, so an SQLite transaction cannot span a
    migration; a file lock beside the database serialises the migrating processes instead.
    """
    version = schema_version(db.conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"this study was written by a newer uxlab (schema {version}, ours is {SCHEMA_VERSION})")
    if version >= target:
        return version
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for number in range(schema_version(db.conn), target):
            MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")
            db.conn.commit()
    return target
