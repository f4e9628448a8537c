"""Who may watch and publish: anonymous and reviewer clients are refused at connect, a
recorder needs the live token and a running session, rooms are joined only after checks."""
from __future__ import annotations

import numpy as np
import pytest
import socketio

from recorder.live import LivePublisher
from tests.live.clients import LIVE_TOKEN, Observer, login, wait_for
from web.live.namespace import tags_of


@pytest.fixture
def server(package_server):
    return package_server


def test_anonymous_and_reviewer_clients_are_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Observer(server.url, None).connect()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Observer(server.url, login(server.url, "vera")).connect()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Observer(server.url, "uxlab_session=forged.cookie.value").connect()


def test_the_live_page_needs_an_observer_or_researcher(server, running):
    import urllib.error
    import urllib.request
    _, session_id = running
    for cookie, expected in ((None, 401), (login(server.url, "vera"), 403)):
        request = urllib.request.Request(f"{server.url}/live/{session_id}", headers={"Cookie": cookie or "",
                                                                                   "Accept": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        refused.value.close()
        assert refused.value.code == expected
    request = urllib.request.Request(f"{server.url}/live/{session_id}", headers={"Cookie": login(server.url, "otto")})
    with urllib.request.urlopen(request) as page:
        assert b'id="screen"' in page.read()


def test_rooms_are_joined_only_for_running_sessions(server, running):
    store, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    try:
        assert otto.join("no-such-session") == {"ok": False, "error": "no such running session"}
        assert otto.call("note", {"text": "before joining"})["ok"] is False
        # an observer cannot publish into the room it watches
        assert otto.join(session_id)["ok"]
        assert otto.client.call("frame", {"jpeg": b"\xff\xd8fake"}, namespace="/live", timeout=5)["ok"] is False
        assert otto.call("note", {"text": "  "})["ok"] is False
        store.sessions.update(session_id, status="complete")
        assert otto.call("note", {"text": "too late"})["ok"] is False
        assert otto.join(session_id)["ok"] is False
    finally:
        otto.close()
    assert store.notes.all(session_id) == []


def test_a_recorder_needs_the_live_token(server, running):
    _, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    otto.join(session_id)
    wrong = LivePublisher(server.url, "not-the-token", session_id).start()
    right = LivePublisher(server.url, LIVE_TOKEN, session_id).start()
    try:
        assert wait_for(lambda: right.connected, timeout=5)
        wrong.offer(0.1, np.zeros((80, 120, 4), np.uint8))
        assert wait_for(lambda: wrong.live.last_error, timeout=5) == "wrong live token"
        assert not wrong.connected
        right.offer(0.2, np.full((80, 120, 4), 200, np.uint8))
        frames = wait_for(lambda: otto.of("frame"), timeout=5)
        assert [f["t"] for f in frames] == [0.2] and frames[0]["session"] == session_id
    finally:
        wrong.stop()
        right.stop()
        otto.close()


def test_a_recorder_cannot_publish_into_another_or_finished_session(server, running):
    store, session_id = running
    store.sessions.update(session_id, status="complete")
    publisher = LivePublisher(server.url, LIVE_TOKEN, session_id).start()
    try:
        assert wait_for(lambda: publisher.live.last_error, timeout=5) == "no such running session in this study"
        assert not publisher.connected
    finally:
        publisher.stop()


def test_tags_are_words_after_a_hash():
    assert tags_of("#Quote she said #error-prone, not a#tag nor ##x #1") == ["error-prone", "quote"]
