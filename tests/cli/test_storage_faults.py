"""Writer commands on a study whose database is read-only, or locked by another writer: one
sentence, exit status 2, well within 5 s, and nothing changed. Other OS errors are bugs and
keep their traceback. The read-only database is a read-only bind mount of the file in a mount
namespace of the test's own (root may write through file permissions)."""
from __future__ import annotations

import errno
import hashlib
import shlex
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessions.storage_faults import COMMAND_BUSY_SECONDS
from sessions.store import Store
from tests.cli.test_errors import _group
from tests.web.recordings import record_session

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")


def writer_commands(folder: Path, session_id: str) -> list[list[str]]:
    f = str(folder)
    return [["user", "add", f, "ghost", "--role", "observer"],
            ["session", f, session_id, "--pilot"],
            ["session", f, session_id, "--delete", "--yes"],
            ["problem-add", f, "A title", "--task", "first"],
            ["candidate-dismiss", f, "first|rage_clicks|none"],
            ["serve", f, "--port", "1"]]


@pytest.fixture
def recorded(study_dir):
    store = Store(study_dir)
    session_id = record_session(store)
    store.close()
    return study_dir, session_id


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith("uxlab.db-")}


def in_read_only_namespace(database: Path, args: list[str]) -> subprocess.CompletedProcess:
    script = (f"mount --bind {shlex.quote(str(database))} {shlex.quote(str(database))} && "
              f"mount -o remount,bind,ro {shlex.quote(str(database))} && "
              f"exec {shlex.quote(UXLAB)} {shlex.join(args)}")
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def assert_one_sentence(result: subprocess.CompletedProcess, words: str, seconds: float) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and words in last, result.stderr
    # a bounded wait, not a hang: the interpreter's start (a second or two on a busy machine)
    # plus at most the stated wait for a lock
    assert seconds < COMMAND_BUSY_SECONDS + 8, seconds


def test_writer_commands_on_a_read_only_database(recorded):
    folder, session_id = recorded
    before = fingerprint(folder)
    for args in writer_commands(folder, session_id):
        started = time.monotonic()
        result = in_read_only_namespace(folder / "uxlab.db", args)
        assert_one_sentence(result, "read-only", time.monotonic() - started)
    assert fingerprint(folder) == before
    assert [s["id"] for s in Store(folder, read_only=True).sessions.all()] == [session_id]


def timed_run(args: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """`uxlab ARGS` as a subprocess, with the seconds from its start to its exit."""
    started = time.monotonic()
    result = subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    return result, time.monotonic() - started


@pytest.mark.slow
def test_writer_commands_on_a_locked_database(recorded):
    folder, session_id = recorded
    before = fingerprint(folder)
    holder = sqlite3.connect(folder / "uxlab.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")   # another writer holds the lock for the whole test
    waits: list[float] = []
    try:
        # two commands at a time, one per core: each one's wait for the lock is idle, so two
        # wait side by side, and each is timed from its own start to its own exit
        with ThreadPoolExecutor(2) as pool:
            finished = list(pool.map(timed_run, writer_commands(folder, session_id)))
        for result, seconds in finished:
            assert_one_sentence(result, "locked", seconds)
            assert f"for {COMMAND_BUSY_SECONDS} s" in result.stderr   # the wait is stated
            assert seconds >= COMMAND_BUSY_SECONDS   # and was waited
            waits.append(round(seconds, 2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert fingerprint(folder) == before, waits


def test_a_full_disk_is_a_sentence_and_another_os_error_a_bug():
    full = CliRunner().invoke(_group(OSError(errno.ENOSPC, "No space left on device", "/x/y")), ["boom"])
    assert full.exit_code == 2 and full.stderr == "error: the disk is full: /x/y\n"
    bug = CliRunner().invoke(_group(OSError(errno.EBADF, "Bad file descriptor")), ["boom"])
    assert bug.exit_code == 1 and isinstance(bug.exception, OSError)
    other = CliRunner().invoke(_group(sqlite3.OperationalError("no such column: x")), ["boom"])
    assert other.exit_code == 1 and isinstance(other.exception, sqlite3.OperationalError)
