"""Database connections are leased per thread and handed on when the thread ends: a server
that runs every request on a fresh thread or greenlet opens a few connections, not one per
request, and a request that failed mid-write leaves no transaction holding the database."""
from __future__ import annotations

import sqlite3
import threading
import time


def _in_a_thread(work, store):
    """work() in a thread of its own, once the thread has ended and handed its lease back."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join(30)
    deadline = time.monotonic() + 10        # a thread's locals go a moment after join returns
    while not store._idle:
        assert time.monotonic() < deadline, "the connection was not handed back"
        time.sleep(0.01)
    return out[0]


def test_one_thread_after_another_reuses_one_connection(store):
    connections = {id(_in_a_thread(lambda: store.db.conn, store)) for _ in range(20)}
    assert len(connections) == 1


def test_threads_at_once_each_have_their_own(store):
    seen, both_in = [], threading.Barrier(2, timeout=30)

    def hold():
        seen.append(id(store.db.conn))
        both_in.wait()
    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(seen)) == 2


def test_a_transaction_left_open_by_an_ended_thread_is_rolled_back(store, study_dir):
    def fail_mid_write():
        store.db.conn.execute("BEGIN IMMEDIATE")
        store.db.conn.execute("INSERT INTO audit (at, actor, action) VALUES (1, 'x', 'half-done')")
        return store.db.conn.in_transaction
    assert _in_a_thread(fail_mid_write, store)
    other = sqlite3.connect(study_dir / "uxlab.db", timeout=10)
    try:
        other.execute("BEGIN IMMEDIATE")       # the write lock is free again
        other.rollback()
        assert other.execute("SELECT count(*) FROM audit WHERE action = 'half-done'").fetchone()[0] == 0
    finally:
        other.close()


def test_a_crowd_of_threads_leaves_at_most_max_idle_connections_open(store):
    from sessions.store import MAX_IDLE
    crowd = 3 * MAX_IDLE
    opened, all_in = [], threading.Barrier(crowd, timeout=30)

    def hold():
        opened.append(store.db.conn)
        all_in.wait()
    threads = [threading.Thread(target=hold) for _ in range(crowd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    deadline = time.monotonic() + 10
    while len(store._idle) < MAX_IDLE or sum(_closed(c) for c in opened) < crowd - MAX_IDLE:
        assert time.monotonic() < deadline, f"{len(store._idle)} idle, {sum(map(_closed, opened))} closed"
        time.sleep(0.01)
    assert len(store._idle) == MAX_IDLE and len(set(map(id, opened))) == crowd


def _closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False
