"""A late observer's join reads the latest input only: its cost does not grow with the
length of the session (it read every event of the session to keep the last 200 before).

The cost is counted in SQLite virtual-machine steps on the connection the join uses (the
join runs in this thread through Flask-SocketIO's test client), so the signal is exact and
does not depend on the machine's speed."""
from __future__ import annotations

from sessions.events import EventKind
from tests.web.conftest import login

SHORT, LONG = 400, 4000   # presses in the short and the long session


def _session(store, presses: int) -> str:
    """A recording session of `presses` clicks, each with its release and nine moves."""
    session_id = store.sessions.create("P1")
    rows = []
    for i in range(presses):
        t = i * 0.5
        rows.append({"t": t, "kind": EventKind.CLICK, "x": i % 300, "y": 5, "button": "left", "pressed": 1})
        rows.append({"t": t + 0.1, "kind": EventKind.CLICK, "x": i % 300, "y": 5, "button": "left", "pressed": 0})
        rows += [{"t": t + 0.2 + j * 0.02, "kind": EventKind.MOVE, "x": j, "y": j} for j in range(9)]
    store.events.append(session_id, rows)
    return session_id


def _join_cost(app, store, session_id: str) -> tuple[int, dict]:
    """SQLite steps spent answering one observer's join, and the answer."""
    flask_client = app.test_client()
    login(flask_client, "observer")
    client = app.extensions["uxlab"]["socketio"].test_client(app, namespace="/live",
                                                              flask_test_client=flask_client)
    assert client.is_connected("/live")
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0   # go on

    store.db.conn.set_progress_handler(count, 1)
    try:
        answer = client.emit("join", {"session": session_id}, namespace="/live", callback=True)
    finally:
        store.db.conn.set_progress_handler(None, 1)
        client.disconnect(namespace="/live")
    return steps[0], answer


def test_a_join_reads_the_latest_events_whatever_the_length_of_the_session(app, web_store):
    short, long = _session(web_store, SHORT), _session(web_store, LONG)
    short_steps, short_answer = _join_cost(app, web_store, short)
    long_steps, long_answer = _join_cost(app, web_store, long)
    for answer, presses in ((short_answer, SHORT), (long_answer, LONG)):
        assert answer["ok"], answer
        times = [e["t"] for e in answer["events"]]
        # the last 200 presses, oldest first, releases and moves left out
        assert times == [i * 0.5 for i in range(presses - 200, presses)]
    # ten times the session, the same work: the old read-all-then-slice took ~10x the steps
    assert long_steps < 1.5 * short_steps, (short_steps, long_steps)
