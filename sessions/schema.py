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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1_core, _v2_tags_and_audit]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    pass


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
