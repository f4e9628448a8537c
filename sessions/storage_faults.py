"""The storage faults a user can meet, each as one sentence: a read-only or locked database, a
full disk, a folder without permission. SQLite and the operating system raise these as
sqlite3.OperationalError or OSError, the same types a bug raises; only the faults listed here
are the user's to act on, so every other error keeps its traceback (cli/errors.py, web/errors.py).
"""
from __future__ import annotations

import errno
import sqlite3

from sessions.errors import Unavailable

# how long a write waits for another writer's lock before it gives up (sessions/store.py): the
# recorder and the server wait long, a command briefly, and says how long it waited
BUSY_SECONDS = 30
COMMAND_BUSY_SECONDS = 2
# what SQLite's messages say, and the sentence each becomes
SQLITE_FAULTS = (
    ("readonly database", "the study's database is read-only here: nothing was changed"),
    ("database is locked", "another program kept the study's database locked for {busy} s: nothing "
                           "was changed; try again when it is done"),
    ("database or disk is full", "the disk is full: nothing more could be written; free some space "
                                 "and try again"),
    ("disk i/o error", "the disk failed to write (it may be full): nothing more could be written"),
    ("unable to open database file", "the study's database cannot be opened (missing, or its folder "
                                     "is not readable)"),
)
OS_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
}


def storage_fault(exc: BaseException, busy_seconds: float = BUSY_SECONDS) -> Unavailable | None:
    """The user's sentence for a storage fault, or None when `exc` is not one (a bug)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        for words, sentence in SQLITE_FAULTS:
            if words in text:
                return Unavailable(sentence.format(busy=f"{busy_seconds:g}"))
        return None
    if isinstance(exc, OSError) and exc.errno in OS_FAULTS:
        where = f": {exc.filename}" if exc.filename else ""
        return Unavailable(f"{OS_FAULTS[exc.errno]}{where}")
    return None
