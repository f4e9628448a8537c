"""Scale-out: two `uxlab serve` processes share rooms through a real redis-server, so a
frame published to one reaches an observer connected to the other."""
from __future__ import annotations

import re

import numpy as np

from recorder.live import LivePublisher
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, InOrderClient, Observer, login, wait_for

# the two servers and their redis-server are the package's (tests/live/conftest.py: redis_servers)


def test_a_frame_published_to_one_server_reaches_an_observer_of_the_other(redis_servers):
    first, second = redis_servers
    store = Store(first.folder)
    session_id = store.sessions.create("P3")
    publisher = LivePublisher(first.url, LIVE_TOKEN, session_id).start()
    otto = Observer(second.url, login(second.url, "otto")).connect()
    try:
        assert wait_for(lambda: publisher.connected, timeout=5)
        publisher.offer(1.0, np.full((90, 160, 4), 40, np.uint8))
        assert wait_for(lambda: publisher.stats.frames_sent == 1, timeout=5)
        # joining on the other process: the current screen is asked of the recorder via Redis
        assert otto.join(session_id)["ok"]
        frames = wait_for(lambda: otto.of("frame"), timeout=5)
        assert frames and frames[0]["t"] == 1.0 and frames[0]["session"] == session_id
        publisher.offer(2.0, np.full((90, 160, 4), 220, np.uint8))
        assert wait_for(lambda: [f for f in otto.of("frame") if f["t"] == 2.0], timeout=5)
        note = otto.call("note", {"text": "seen through the second server"})
        assert note["ok"] and store.notes.all(session_id)[0]["text"] == "seen through the second server"
    finally:
        otto.close()
        publisher.stop()
        store.close()


def _failed_logins(url: str, count: int) -> list[int]:
    import urllib.error
    import urllib.parse
    import urllib.request
    codes = []
    for _ in range(count):
        with urllib.request.urlopen(f"{url}/login") as page:
            cookie = page.headers["Set-Cookie"].split(";")[0]
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "name": "rita", "password": "not-the-password"})
        request = urllib.request.Request(f"{url}/login", data=form.encode(), headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request) as answer:
                codes.append(answer.status)
        except urllib.error.HTTPError as refused:
            refused.close()
            codes.append(refused.code)
    return codes


def test_two_servers_share_the_login_limiter_and_the_consoles_recorder_state(redis_servers):
    first, second = redis_servers
    store = Store(first.folder)
    session_id = store.sessions.create("P4")
    token = store.sessions.get(session_id)["token"]
    recorder = InOrderClient(reconnection=False)
    moderator = InOrderClient(reconnection=False)
    try:
        # five failures on one server lock the name out on the other as well
        assert _failed_logins(first.url, 5) == [401] * 5
        assert _failed_logins(second.url, 1) == [429]
        # the recorder's state reaches the first server; a console opened on the second sees it
        recorder.connect(first.url, namespaces=["/console"], transports=["websocket"], wait_timeout=5,
                         auth={"token": token, "live_token": LIVE_TOKEN})
        state = {"task": "first", "attempt": 1, "paused": False, "status": "recording", "t": 3.5}
        assert recorder.call("state", state, namespace="/console", timeout=5)["ok"]
        moderator.connect(second.url, namespaces=["/console"], transports=["websocket"], wait_timeout=5,
                          headers={"Cookie": login(second.url, "otto")})
        joined = moderator.call("join", {"session": session_id}, namespace="/console", timeout=5)
        assert joined["ok"] and joined["state"] == state
    finally:
        recorder.disconnect()
        moderator.disconnect()
        store.close()
