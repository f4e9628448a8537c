"""A session whose recorder died is closed by the next process that opens the folder to
write to it; a process that only reads the study changes nothing."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sessions.events import Outcome, SessionStatus
from sessions.recovery import open_writer
from sessions.store import DB_FILE, Store
from tests.cli.in_process import uxlab_in_process

UXLAB = str(Path(sys.executable).parent / "uxlab")
CHILD = """
import sys, os, signal
from sessions import events
from sessions.store import Store
store = Store(sys.argv[1])
sid = store.sessions.create("P01")
a = store.attempts.start(sid, "first", 1.0)
store.events.append(sid, [events.click(4.5, 3, 4)])
store.sessions.heartbeat(sid, 4.0)
print(sid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _orphan(study_dir: Path) -> str:
    """A session left `recording` by a recorder killed with -9 (its log not checkpointed)."""
    child = subprocess.run([sys.executable, "-c", CHILD, str(study_dir)], capture_output=True, text=True)
    assert child.returncode == -9, child.stderr
    return child.stdout.strip()


def _files(study_dir: Path) -> dict:
    """Bytes and modification time of the database and its write-ahead log."""
    marks = {}
    for name in (DB_FILE, DB_FILE + "-wal"):
        path = study_dir / name
        marks[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) \
            if path.exists() and path.stat().st_size else None
    return marks


def test_a_writer_open_closes_a_killed_recorders_session(study_dir):
    sid = _orphan(study_dir)
    store = open_writer(study_dir)
    session = store.sessions.get(sid)
    assert session["status"] == SessionStatus.RECOVERED and session["duration"] == 4.5
    (attempt,) = store.attempts.all(sid)
    assert attempt["outcome"] == Outcome.INTERRUPTED and attempt["ended"] == 4.5
    assert store.events.count(sid) == 1
    assert store.audit.all(sid)[0]["action"] == "recover_session"


def test_a_plain_open_does_not_recover(study_dir):
    sid = _orphan(study_dir)
    assert Store(study_dir).sessions.get(sid)["status"] == SessionStatus.RECORDING
    assert Store(study_dir, read_only=True).sessions.get(sid)["status"] == SessionStatus.RECORDING


def test_a_live_recorder_is_left_alone(store):
    sid = store.sessions.create("P02")  # this process is the "recorder", and alive
    store.sessions.heartbeat(sid, 1.0)
    assert open_writer(store.folder).sessions.get(sid)["status"] == SessionStatus.RECORDING


def test_reading_commands_write_nothing_to_a_study_with_an_orphaned_session(study_dir, tmp_path):
    sid = _orphan(study_dir)
    before = _files(study_dir)
    assert before[DB_FILE + "-wal"] is not None  # the killed recorder's writes are still in the log
    # the verbs run in this process (each console script would spend seconds importing first);
    # a real `uxlab sessions` process reads the study last
    for command in (["sessions", str(study_dir)], ["sessions", str(study_dir), "--json"],
                    ["export", str(study_dir), "--events"], ["analyze", str(study_dir)],
                    ["report", str(study_dir), "-o", str(tmp_path / "report.html")]):
        result = uxlab_in_process(*command)
        assert result.returncode == 0, (command, result.stderr)
        assert _files(study_dir) == before, command
    assert sid in subprocess.run([UXLAB, "sessions", str(study_dir)], capture_output=True, text=True).stdout
    assert _files(study_dir) == before, "uxlab sessions"
    # ... and the next writer still recovers it
    assert open_writer(study_dir).sessions.get(sid)["status"] == SessionStatus.RECOVERED


def test_a_read_only_store_cannot_write(study_dir):
    Store(study_dir).close()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        Store(study_dir, read_only=True).sessions.create("P03")


def test_a_command_that_only_reads_shows_a_crashed_sessions_attempt_as_interrupted(study_dir):
    """The recorder died mid-task (a full disk stopped it, or kill -9) and nothing has written to
    the study since: `uxlab analyze` changes nothing, yet counts the attempt as interrupted."""
    import json

    from sessions.events import click
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    attempt = store.attempts.start(sid, "first", 1.0)
    store.events.append(sid, [click(6.5, 10, 10)])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store.sessions.update(sid, pid=gone.pid)       # the recorder's process is gone
    store.close()
    uxlab = str(Path(sys.executable).parent / "uxlab")
    result = subprocess.run([uxlab, "analyze", str(study_dir), "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (first,) = [t for t in json.loads(result.stdout)["tasks"] if t["id"] == "first"]
    assert first["interrupted"] == 1 and first["attempts"] == 0
    after = Store(study_dir, read_only=True)
    assert after.sessions.get(sid)["status"] == SessionStatus.RECORDING   # nothing was written
    assert after.attempts.all(sid)[0]["outcome"] is None and after.attempts.all(sid)[0]["id"] == attempt
