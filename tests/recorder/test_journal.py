"""The store journal on a real SQLite file: what was handed to it before `close` is written,
even when another program holds the database longer than the journal waits for its thread."""
from __future__ import annotations

import sqlite3
import threading
import time

from recorder.clock import SessionClock
from recorder.sinks.journal import StoreJournal
from sessions import events


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_close_writes_everything_even_when_the_writer_is_still_busy(store):
    session = store.sessions.create("P1", consent=True)
    journal = StoreJournal(store, session, SessionClock(), close_wait=0.2)
    journal.start()
    blocker = sqlite3.connect(store.path, timeout=1, isolation_level=None,
                              check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        journal.events([events.click(1.0, 10, 10)])
        _wait_for(lambda: not journal._events)  # the writer took it and now waits for the lock
        journal.events([events.click(2.0, 20, 20)])  # handed in while the writer is busy
        release = threading.Timer(1.0, blocker.execute, ("ROLLBACK",))
        release.start()
        journal.close()  # waits 0.2 s for the thread, which is still blocked for ~0.8 s more
        release.join()
    finally:
        blocker.close()
    assert [e["x"] for e in store.events.iterate(session)] == [10, 20]
    assert journal.written_events == 2 and journal.error is None
