"""Two processes on one study folder: a recorder appending, the web reading and adding notes."""
from __future__ import annotations

import multiprocessing as mp
import time

from sessions import events
from sessions.store import Store

BATCHES, PER_BATCH = 40, 500


def _writer(folder: str, session_id: str, started: "mp.Event") -> None:
    store = Store(folder)
    started.set()
    for b in range(BATCHES):
        store.events.append(session_id, (events.move(b + i / PER_BATCH, i, b)
                                         for i in range(PER_BATCH)))
        store.sessions.heartbeat(session_id, float(b))


def _reader(folder: str, session_id: str, out: "mp.Queue") -> None:
    """Reads while the writer writes; every read must see whole batches, in order."""
    store = Store(folder)
    seen, notes = [], 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        count = sum(1 for _ in store.events.iterate(session_id, batch=2000))
        seen.append(count)
        store.notes.add(session_id, count / PER_BATCH, f"seen {count}", "observer")
        notes += 1
        if count == BATCHES * PER_BATCH:
            break
    out.put((seen, notes))


def test_a_writer_and_a_reader_process_at_once(store):
    sid = store.sessions.create("P01")
    ctx = mp.get_context("spawn")
    started, out = ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=_writer, args=(str(store.folder), sid, started))
    reader = ctx.Process(target=_reader, args=(str(store.folder), sid, out))
    writer.start()
    started.wait(30)
    reader.start()
    seen, notes = out.get(timeout=90)
    writer.join(30)
    reader.join(30)
    assert writer.exitcode == 0 and reader.exitcode == 0
    assert all(count % PER_BATCH == 0 for count in seen), "a reader never sees half a batch"
    assert seen == sorted(seen) and seen[-1] == BATCHES * PER_BATCH
    assert store.events.count(sid) == BATCHES * PER_BATCH
    assert len(store.notes.all(sid)) == notes >= 1
