"""The store: one study folder's SQLite database and media files, and the only code that
reads or writes them.

The recorder appends while the web app reads and adds notes, often from two processes at
once: the database runs in WAL mode with a busy timeout, and each thread gets its own
connection so one Store can be shared by a threaded server.

The Store itself opens, migrates and leases connections; what is read and written lives in
one part per family of tables, hung off it (`store.sessions.get(id)`,
`store.events.append(id, rows)`, `store.audit.record(...)`: see sessions/tables/).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import sqlite_utils

from sessions import schema
from sessions.errors import (
    BadRequest,
    MalformedEvent,
    NameTaken,
    StoreError,
    Unavailable,
    UnknownSession,
    UnknownUser,
)
from sessions.invitations import Invitations
from sessions.media.files import MediaFiles
from sessions.participants import Participants
from sessions.storage_faults import BUSY_SECONDS
from sessions.tables.annotations import Markers, Notes
from sessions.tables.answers import Answers
from sessions.tables.audit import Audit
from sessions.tables.base import now_iso
from sessions.tables.capture import Attempts, Events, Frames
from sessions.tables.capture_rates import CaptureRates
from sessions.tables.jobs import Jobs
from sessions.tables.sessions import Sessions
from sessions.tables.users import Users

# the store's refusals and time stamp are imported from here by callers of the store
__all__ = ["DB_FILE", "MalformedEvent", "NameTaken", "Store", "StoreError", "UnknownSession",
           "UnknownUser", "now_iso"]

DB_FILE = "uxlab.db"
# connections kept for reuse when their thread ends; past it they are closed. A crowd of
# greenlets (a hundred observers joining at once) would otherwise leave a connection, and
# its page cache, each for the rest of the server's life
MAX_IDLE = 8


class Store:
    """A study folder's storage. Cheap to create; connections open per thread on first use."""

    def __init__(self, folder: str | Path, *, read_only: bool = False,
                 busy_seconds: float = BUSY_SECONDS) -> None:
        """Open a study. It never closes other processes' sessions on its own
        (`sessions.recovery.open_writer` does, for the recorder, the server and the commands
        that change data).

        `read_only` is for the commands that only look (list, analyse, export, report): their
        connections cannot write, so they neither change the database nor checkpoint another
        process's write-ahead log into it. A folder with no database yet, or with an older
        schema, is still created or migrated first (a one-time change every opener makes), so
        a study written by an older uxlab can be analysed.

        `busy_seconds` is how long a write waits for another writer's lock: long for the
        recorder and the server, whose writes must not fail; a command waits less and says so
        (sessions/storage_faults.py)."""
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise BadRequest(f"{self.folder} is not a folder")
        self.path = self.folder / DB_FILE
        self.read_only = read_only
        self.busy_seconds = busy_seconds
        self.media = MediaFiles(self.folder / "media")
        self.invitations = Invitations(self)
        self._local = threading.local()
        # a deque, not a queue: gevent patches queues, and a lease may end on a native thread
        self._idle: deque[sqlite_utils.Database] = deque()
        self._open_checked()
        # the per-table parts (sessions/tables/): each reads and writes its tables through `db`
        self.audit = Audit(self)
        self.sessions = Sessions(self, self.audit, self.media)
        self.attempts = Attempts(self)
        self.events = Events(self)
        self.frames = Frames(self)
        self.markers = Markers(self)
        self.notes = Notes(self)
        self.answers = Answers(self)
        self.users = Users(self)
        self.jobs = Jobs(self)
        self.capture_rates = CaptureRates(self)
        self.participants = Participants(self, self.audit)

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
            with closing(_connect(self.path, writable=True, busy_seconds=self.busy_seconds)) as conn:
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
            db = sqlite_utils.Database(_connect(self.path, writable=not self.read_only,
                                                busy_seconds=self.busy_seconds))
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

    def settled_fingerprint(self, running: Iterable[str]) -> str:
        """Changes whenever anything a study's analysis reads changes outside the `running`
        sessions: their rows, attempts, markers and answers, and any audited change (a
        black-out, a deletion). A dashboard can then re-analyse only the sessions being
        recorded while this stays the same."""
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
            if len(self.idle) < MAX_IDLE:
                self.idle.append(self.db)
            else:
                self.db.conn.close()
        except sqlite3.ProgrammingError:   # closed meanwhile: nothing to hand back
            pass


def _connect(path: Path, *, writable: bool, busy_seconds: float = BUSY_SECONDS) -> sqlite3.Connection:
    """A connection in WAL mode; a read-only one is opened `mode=ro`, which can read
    another process's uncheckpointed log and can never write or checkpoint."""
    if not writable:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=busy_seconds,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        return conn
    # a lease hands a connection from a thread that ended to another: one user at a time
    conn = sqlite3.connect(path, timeout=busy_seconds, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    return conn
