"""A study folder written by an older uxlab is brought forward when it is opened."""
from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from sessions import schema
from sessions.store import Store


def _version_one_folder(folder):
    db = sqlite_utils.Database(folder / "uxlab.db")
    schema.migrate(db, folder / ".uxlab.lock", target=1)
    db["sessions"].insert({"id": "s1", "participant": "P01", "status": "complete", "started_at": 1.0,
                           "token": "tok", "device": "{}", "stats": "{}"})
    db["notes"].insert({"session_id": "s1", "t": 2.5, "text": "old note", "author": "ann", "created": "x"})
    db.conn.close()


def test_version_one_is_migrated_and_keeps_its_data(study_dir):
    _version_one_folder(study_dir)
    conn = sqlite3.connect(study_dir / "uxlab.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "tags" not in {r[1] for r in conn.execute("PRAGMA table_info(notes)")}
    conn.close()

    store = Store(study_dir)
    assert schema.schema_version(store.db.conn) == schema.SCHEMA_VERSION
    (note,) = store.notes.all("s1")
    assert note["text"] == "old note" and note["tags"] == [] and note["source"] == "live"
    store.audit.record("ann", "redact", "s1", {"from": 1, "to": 2})
    assert store.audit.all("s1")[0]["action"] == "redact"
    assert store.sessions.get("s1")["participant"] == "P01"


def test_migration_is_idempotent(study_dir):
    Store(study_dir)
    Store(study_dir)
    conn = sqlite3.connect(study_dir / "uxlab.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_a_newer_schema_is_refused(study_dir):
    Store(study_dir).close()
    conn = sqlite3.connect(study_dir / "uxlab.db")
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(schema.SchemaTooNew, match="newer uxlab"):
        Store(study_dir)
