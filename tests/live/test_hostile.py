"""Hostile input on the live channel: every malformed payload gets an error reply while
the server keeps serving everyone else; the default namespace refuses every connection; a
live-token client that is not the session's recorder cannot mark it offline; notes are
limited per user and stamped on the recorder's clock."""
from __future__ import annotations

import time

import pytest
import socketio

from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, InOrderClient, Observer, login, wait_for
from web.live.payloads import MAX_FRAME_BYTES, MAX_NOTE

NAMESPACE = "/live"


@pytest.fixture
def server(package_server):
    return package_server


def _recorder(url: str, session_id: str) -> socketio.Client:
    client = InOrderClient(reconnection=False)
    client.connect(url, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=5,
                   auth={"live_token": LIVE_TOKEN, "session": session_id})
    return client


def _call(client: socketio.Client, event: str, *data):
    return client.call(event, *data, namespace=NAMESPACE, timeout=10)


def _refused(reply) -> bool:
    return isinstance(reply, dict) and reply.get("ok") is False and isinstance(reply.get("error"), str)


def test_malformed_payloads_get_error_replies_and_the_others_are_still_served(server, running):
    _, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    olga = Observer(server.url, login(server.url, "olga")).connect()
    recorder, intruder = _recorder(server.url, session_id), _recorder(server.url, session_id)
    try:
        assert otto.join(session_id)["ok"] and olga.join(session_id)["ok"]
        huge = "x" * (MAX_NOTE * 20)
        observer_cases = [("join",), ("join", None), ("join", 7), ("join", ["a"]), ("join", {"session": 5}),
                          ("join", {"session": huge}), ("note",), ("note", "text"), ("note", {"text": 5}),
                          ("note", {"text": huge}), ("note", {"text": "   "}), ("flag", {"text": huge}),
                          ("flag", [1]), ("resolve_flag", {"id": "1", "status": "confirmed"}),
                          ("resolve_flag", {"id": True, "status": "confirmed"}), ("resolve_flag", None),
                          ("no_such_event", {"x": 1})]
        for case in observer_cases:
            assert _refused(_call(olga.client, *case)), case
        recorder_cases = [("frame",), ("frame", {"jpeg": "not bytes"}), ("frame", {"jpeg": b""}),
                          ("frame", {"jpeg": b"\xff" * (MAX_FRAME_BYTES + 1)}), ("frame", [b"x"]),
                          ("events", {"kind": "click"}), ("events", [{}] * 10_000), ("state", "ended"),
                          ("state",), ("marker", {"kind": "explode"}), ("marker", {"kind": "note", "text": 3}),
                          ("marker", {"kind": "error", "text": huge})]
        for case in recorder_cases:
            assert _refused(_call(intruder, *case)), case[:1]
        # the transport carries a frame as large as the app accepts
        assert _call(recorder, "frame", {"t": 1.0, "seq": 1, "jpeg": b"\xff" * MAX_FRAME_BYTES}) is True
        assert wait_for(lambda: [f for f in otto.of("frame") if f.get("seq") == 1], timeout=10)
        assert _call(recorder, "frame", {"t": 2.0, "seq": 2, "jpeg": b"\xff\xd8small"}) is True
        assert wait_for(lambda: [f for f in otto.of("frame") if f.get("seq") == 2], timeout=10)
        assert otto.call("note", {"text": "still served"})["ok"]
        assert olga.client.connected and intruder.connected
    finally:
        for client in (otto.client, olga.client, recorder, intruder):
            client.disconnect()


def test_the_default_namespace_refuses_every_connection(server):
    client = InOrderClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/"], headers={"Cookie": login(server.url, "rita")},
                       transports=["websocket"], wait_timeout=5)
    client.disconnect()


def test_a_live_token_client_that_is_not_the_recorder_cannot_mark_it_offline(server, running):
    _, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    recorder = _recorder(server.url, session_id)
    try:
        assert otto.join(session_id)["ok"]
        intruder = _recorder(server.url, session_id)
        intruder.disconnect()
        assert _call(recorder, "frame", {"t": 1.0, "seq": 11, "jpeg": b"\xff\xd8after"}) is True
        assert wait_for(lambda: [f for f in otto.of("frame") if f.get("seq") == 11], timeout=10)
        assert not [m for m in otto.of("recorder") if m["online"] is False]
        recorder.disconnect()
        assert wait_for(lambda: [m for m in otto.of("recorder") if m["online"] is False], timeout=10)
    finally:
        otto.close()


def test_notes_are_limited_per_user(server, running):
    _, session_id = running
    rita = Observer(server.url, login(server.url, "rita")).connect()
    try:
        assert rita.join(session_id)["ok"]
        replies = [rita.call("note", {"text": f"note {i}"}) for i in range(31)]
        assert all(r["ok"] for r in replies[:30])
        assert _refused(replies[30]) and "notes a minute" in replies[30]["error"]
    finally:
        rita.close()


def test_notes_are_stamped_on_the_session_time_the_recorder_publishes(server):
    store = Store(server.folder)
    # the recorder's machine clock is 1,000 s ahead of the server's: by the server's own
    # clock the session started long ago, yet it is only 5 s old
    session_id = store.sessions.create("P8", started_at=time.time() + 1000)
    otto = Observer(server.url, login(server.url, "olga")).connect()
    recorder = _recorder(server.url, session_id)
    try:
        assert _call(recorder, "state", {"task": None, "t": 5.0}) is True
        assert otto.join(session_id)["ok"]
        note = otto.call("note", {"text": "when was this?"})
        assert note["ok"] and 5.0 <= note["note"]["t"] < 15.0, note
        assert 5.0 <= store.notes.all(session_id)[0]["t"] < 15.0
    finally:
        otto.close()
        recorder.disconnect()
        store.close()


def test_an_open_connection_can_do_nothing_after_its_user_logs_out(server, running):
    from web.auth.accounts import set_password
    store, session_id = running
    olga = Observer(server.url, login(server.url, "olga")).connect()
    try:
        assert olga.join(session_id)["ok"]
        set_password(store, "olga", "olga-password")   # a reset ends every login of hers
        assert _refused(olga.call("note", {"text": "after the reset"}))
        assert _refused(olga.join(session_id))
    finally:
        olga.close()
