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


def _v1_core(db: sqlite_utils.Database) -> None:
    db["sessions"].create({
        "id": str, "participant": str, "group_name": str, "status": str,
        "started_at": float, "started_wall": str, "duration": float, "consent": int,
        "keystrokes": str, "device": str, "pid": int, "host": str, "heartbeat": float,
        "token": str, "stats": str,
    }, pk="id", not_null={"participant", "status"}, defaults={"status": "recording", "consent": 0})
    db["attempts"].create({
        "id": int, "session_id": str, "task": str, "seq": int, "started": float, "ended": float,
        "outcome": str, "paused": float,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")], defaults={"paused": 0.0})
    db["events"].create({
        "id": int, "session_id": str, "t": float, "kind": str, "x": int, "y": int, "button": str,
        "pressed": int, "dx": int, "dy": int, "key": str, "text": str, "window": str,
        "task": str, "target": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db["markers"].create({
        "id": int, "session_id": str, "t": float, "kind": str, "text": str, "author": str,
        "attempt_id": int, "status": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")], defaults={"status": "confirmed"})
    db["notes"].create({
        "id": int, "session_id": str, "t": float, "text": str, "author": str, "created": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db["answers"].create({
        "id": int, "session_id": str, "attempt_id": int, "questionnaire": str, "item": str,
        "value": float, "text": str, "created": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db["frames"].create({
        "session_id": str, "t": float, "changed": float, "keyframe": str, "phash": str,
    }, foreign_keys=[("session_id", "sessions", "id")])
    db["users"].create({"name": str, "role": str, "password_hash": str, "created": str}, pk="name")
    db["sessions"].create_index(["started_at"])
    db["sessions"].create_index(["participant"])
    db["sessions"].create_index(["status"])
    db["sessions"].create_index(["token"], unique=True)
    db["attempts"].create_index(["session_id", "started"])
    db["attempts"].create_index(["task"])
    db["events"].create_index(["session_id", "t"])
    db["events"].create_index(["session_id", "kind", "t"])
    db["frames"].create_index(["session_id", "t"])
    db["markers"].create_index(["session_id", "t"])
    db["notes"].create_index(["session_id", "t"])
    db["answers"].create_index(["session_id"])


def _v2_tags_and_audit(db: sqlite_utils.Database) -> None:
    """Notes gain tags (defined after the fact); redactions and deletions leave an audit trail."""
    db["notes"].add_column("tags", str)
    db["notes"].add_column("source", str)
    db.execute("UPDATE notes SET tags = '[]', source = 'live'")
    db["audit"].create({
        "id": int, "at": str, "actor": str, "action": str, "session_id": str, "detail": str,
    }, pk="id")
    db["audit"].create_index(["session_id"])
    db["sessions"].create_index(["group_name"])


def _v3_voice_findings_and_accounts(db: sqlite_utils.Database) -> None:
    """Think-aloud transcripts (searchable), problems with evidence and severity ratings,
    decisions on candidate problems, pilot/excluded sessions, and logins that can be ended."""
    db["sessions"].add_column("inclusion", str, not_null_default="included")
    db["sessions"].add_column("inclusion_reason", str)
    db["sessions"].create_index(["inclusion"])
    db["users"].add_column("generation", int, not_null_default=0)
    db["users"].add_column("must_change", int, not_null_default=0)
    db["segments"].create({
        "id": int, "session_id": str, "t": float, "end": float, "speaker": str, "text": str,
        "confidence": float, "engine": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db["segments"].create_index(["session_id", "t"])
    db["words"].create({
        "id": int, "segment_id": int, "session_id": str, "t": float, "end": float, "text": str,
        "confidence": float,
    }, pk="id", foreign_keys=[("segment_id", "segments", "id"), ("session_id", "sessions", "id")])
    db["words"].create_index(["session_id", "t"])
    db["words"].create_index(["segment_id"])
    db["segments"].enable_fts(["text"], create_triggers=True, tokenize="porter")
    db["notes"].enable_fts(["text"], create_triggers=True, tokenize="porter")
    db["problems"].create({
        "id": int, "title": str, "description": str, "task": str, "tags": str, "author": str,
        "created": str, "updated": str,
    }, pk="id", not_null={"title"}, defaults={"tags": "[]", "description": ""})
    db["evidence"].create({
        "id": int, "problem_id": int, "session_id": str, "t": float, "end": float, "kind": str,
        "ref_id": int, "text": str, "author": str, "created": str,
    }, pk="id", foreign_keys=[("problem_id", "problems", "id"), ("session_id", "sessions", "id")])
    db["evidence"].create_index(["problem_id"])
    db["evidence"].create_index(["session_id", "t"])
    db["ratings"].create({
        "id": int, "problem_id": int, "rater": str, "severity": int, "comment": str, "created": str,
    }, pk="id", foreign_keys=[("problem_id", "problems", "id")])
    db["ratings"].create_index(["problem_id", "rater"], unique=True)
    db["candidate_decisions"].create({
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
    db["frames"].add_column("crop", str)
    db["frames"].add_column("region", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core, _v2_tags_and_audit, _v3_voice_findings_and_accounts, _v4_analyzer]
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
