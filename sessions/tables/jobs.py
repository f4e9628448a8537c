"""Background jobs (a highlight reel being cut): their state lives in the study's database,
not in one server process's memory, so a poll that reaches another worker of the same study
is answered, and the bound on how many run at once holds across every worker.

A job belongs to the process that runs it (pid and host): one whose process is gone is
marked failed the next time the bound is counted, so a killed server does not hold a slot
for ever."""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from typing import Any

from sessions.errors import Conflict
from sessions.tables.base import Part
from sessions.tables.where import Where

RUNNING, DONE, FAILED = "running", "done", "failed"
STATES = (RUNNING, DONE, FAILED)
GONE = "The server that was building this stopped before it was done; start it again."


class JobsBusy(Conflict):
    """As many jobs of a kind as the server allows are running already (409): try again."""


class Jobs(Part):
    """The `jobs` table (schema v8)."""

    def start(self, kind: str, owner: str, *, subject: int | None, total: int, folder: str,
              limit: int) -> dict:
        """A new running job, unless `limit` jobs of `kind` run already (`JobsBusy`). The
        count and the insert are one write transaction, so two workers cannot both take
        the last slot."""
        job_id = uuid.uuid4().hex
        now = time.time()
        conn = self.db.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._reap(kind)
            running = conn.execute("SELECT count(*) FROM jobs WHERE kind = ? AND state = ?",
                                   [kind, RUNNING]).fetchone()[0]
            if running >= limit:
                raise JobsBusy(f"{running} {kind}s are being built already (at most {limit} at once): "
                               "try again when one is done")
            conn.execute(
                "INSERT INTO jobs (id, kind, owner, subject, state, done, total, error, result, folder, "
                "started, updated, pid, host) VALUES (?, ?, ?, ?, ?, 0, ?, NULL, NULL, ?, ?, ?, ?, ?)",
                [job_id, kind, owner, subject, RUNNING, int(total), folder, now, now, os.getpid(),
                 socket.gethostname()])
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        job = self.get(job_id)
        assert job is not None
        return job

    def progress(self, job_id: str, done: int, total: int) -> None:
        """How far a running job got (steps done of total)."""
        self._update(job_id, done=int(done), total=int(total))

    def finish(self, job_id: str, result: dict[str, Any]) -> None:
        """A job that ended well, with what it made (JSON)."""
        self._update(job_id, state=DONE, result=json.dumps(result))

    def fail(self, job_id: str, error: str) -> None:
        """A job that ended badly, with the sentence its owner is shown."""
        self._update(job_id, state=FAILED, error=error)

    def get(self, job_id: str) -> dict | None:
        """One job with its result decoded, or None."""
        rows = list(self.db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
        if not rows:
            return None
        row = rows[0]
        row["result"] = json.loads(row["result"]) if row["result"] else None
        return row

    def ended_beyond(self, kind: str, keep: int) -> list[dict]:
        """The ended jobs of `kind` older than the newest `keep` ended ones: what to clear away."""
        where = Where().equal("kind", kind).add("state != ?", RUNNING)
        rows = self.db.query(f"SELECT id, folder FROM jobs{where.sql} ORDER BY started DESC, id "
                             "LIMIT -1 OFFSET ?", [*where.params, max(int(keep), 0)])
        return list(rows)

    def delete(self, job_id: str) -> None:
        """Forget an ended job (its files are its owner's to remove)."""
        with self.db.conn:
            self.db.execute("DELETE FROM jobs WHERE id = ? AND state != ?", [job_id, RUNNING])

    def _update(self, job_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.db.conn:
            self.db.execute(f"UPDATE jobs SET {sets}, updated = ? WHERE id = ?",
                            [*fields.values(), time.time(), job_id])

    def _reap(self, kind: str) -> None:
        """Mark failed the running jobs of this host whose process has ended."""
        host = socket.gethostname()
        for row in self.db.execute("SELECT id, pid FROM jobs WHERE kind = ? AND state = ? AND host = ?",
                                   [kind, RUNNING, host]).fetchall():
            if not _alive(row[1]):
                self.db.execute("UPDATE jobs SET state = ?, error = ?, updated = ? WHERE id = ?",
                                [FAILED, GONE, time.time(), row[0]])


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's process: alive
        return True
    return True
