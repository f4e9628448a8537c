"""An observer that stops reading (a stalled link) does not get an ever growing queue of
frames: the server skips it while its backlog is full, and the others get every frame."""
from __future__ import annotations

import json

import numpy as np
import websocket

from recorder.live import LivePublisher
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, Observer, login, wait_for

FRAMES = 40


def raw_observer(url: str, cookie: str, session_id: str) -> websocket.WebSocket:
    """A Socket.IO client by hand, so that it can stop reading at will."""
    ws = websocket.create_connection(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                     cookie=cookie, timeout=5)
    assert ws.recv().startswith("0")                 # engine.io open
    ws.send("40/live,")
    assert ws.recv().startswith("40/live,")          # namespace connected
    ws.send('42/live,1["join",' + json.dumps({"session": session_id}) + "]")
    while not (reply := ws.recv()).startswith("43/live,1"):
        pass
    assert json.loads(reply[len("43/live,1"):])[0]["ok"]
    return ws


def test_a_stalled_observer_is_skipped_not_queued(package_server):
    server = package_server
    store = Store(server.folder)
    session_id = store.sessions.create("P8")
    stalled = raw_observer(server.url, login(server.url, "olga"), session_id)
    otto = Observer(server.url, login(server.url, "otto")).connect()
    publisher = LivePublisher(server.url, LIVE_TOKEN, session_id).start()
    try:
        assert otto.join(session_id)["ok"] and wait_for(lambda: publisher.connected)
        noise = np.random.default_rng(1).integers(0, 255, (800, 1280, 4), np.uint8)  # ~0.7 MB as JPEG
        for i in range(FRAMES):   # 28 MB in all: far more than the socket buffers hold
            publisher.offer(float(i), noise)
            assert wait_for(lambda sent=i: publisher.stats.frames_sent > sent, timeout=5)
        assert wait_for(lambda: len([f for f in otto.of("frame") if f["t"] >= 0]) >= FRAMES, timeout=10)

        stalled.settimeout(1.0)   # now read what was queued for the stalled observer, until a second of quiet
        got = 0
        try:
            while True:
                message = stalled.recv()
                got += isinstance(message, str) and message.startswith('451-/live,["frame"')
        except websocket.WebSocketTimeoutException:
            pass
        assert 0 < got < FRAMES // 2, f"the stalled observer was sent {got} of {FRAMES} frames"
    finally:
        stalled.close()
        otto.close()
        publisher.stop()
        store.close()
