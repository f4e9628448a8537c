"""A remote participant's camera reaches live observers as a native recorder's does: in a
real Chromium with its fake camera ([capture] camera = true), the join page sends small
camera pictures through the live contract (volatile, at most 5 a second, at most 320 wide)
while the screen is shared and not during a privacy pause; a Socket.IO observer receives
them as decodable JPEGs and the live page shows them in its picture-in-picture. A join
socket puts pictures into its own session only, and only where the study records the
camera."""
from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
import requests
import socketio

from sessions.events import LIVE_NAMESPACE, LiveEvent
from tests.conftest import write_study
from tests.live.clients import InOrderClient, Observer, login, wait_for
from tests.web.browser import log_in
from tests.web.remote import CAMERA_STUDY, join_attribute, participant_browser

pytestmark = pytest.mark.timeout(120)

NO_CAMERA_STUDY = CAMERA_STUDY.replace("camera = true\n", "")


@pytest.fixture
def study_dir(tmp_path, request):
    return write_study(tmp_path / "study", getattr(request, "param", CAMERA_STUDY))


def decoded(picture: dict) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(picture["jpeg"], np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a decodable JPEG"
    return image


def begun(base: str, token: str) -> str:
    """A remote session begun over the join page's own endpoint (consent given); its id."""
    reply = requests.post(f"{base}/join/{token}/begin", json={"microphone": True, "browser": "test"}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["session"]


def join_socket(base: str, token: str) -> socketio.Client:
    """A client on /live with a join token, as the join page connects."""
    client = InOrderClient(reconnection=False)
    client.connect(base, namespaces=[LIVE_NAMESPACE], auth={"join": token}, transports=["websocket"],
                   wait_timeout=5)
    return client


def picture(seq: int, shade: int) -> dict:
    ok, jpeg = cv2.imencode(".jpg", np.full((240, 320, 3), shade, np.uint8))
    assert ok
    return {"t": 1.0 + seq, "seq": seq, "w": 320, "h": 240, "jpeg": jpeg.tobytes()}


def test_an_observer_sees_the_remote_camera_live_but_not_during_a_pause(chromium, live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    browser = participant_browser(chromium)
    observer = watcher = None
    try:
        page = browser.new_context(bypass_csp=False).new_page()
        page.goto(f"{live_server}/join/{token}")
        page.check("#consent")
        page.click("#agree")
        join_attribute(page, "camera-preview", "1")
        page.wait_for_selector("#share:not([disabled])")
        page.click("#share")
        join_attribute(page, "stage", "ready")
        (session,) = web_store.sessions.all()
        observer = Observer(live_server, login(live_server, "otto")).connect()
        assert observer.join(session["id"])["ok"]
        joined = time.time() - session["started_at"]
        assert wait_for(lambda: len(observer.of("camera")) >= 6, timeout=20), "no camera pictures arrived"

        pictures = observer.of("camera")
        for p in pictures:
            image = decoded(p)
            assert p["session"] == session["id"] and image.shape[:2] == (p["h"], p["w"]) and p["w"] <= 320
            assert image.std() > 0   # the fake camera's moving pattern, not an empty canvas
        seqs, times = [p["seq"] for p in pictures], [p["t"] for p in pictures]
        assert seqs == sorted(seqs) and times == sorted(times)
        assert (len(times) - 1) / (times[-1] - times[0]) <= 5.5   # the native recorder's rate bound, with jitter
        # on the session clock: made after the observer joined (less the way here), never ahead of now
        assert joined - 3.0 < times[0] and times[-1] < time.time() - session["started_at"] + 0.5

        # the live page shows them in its picture-in-picture, as for a native session
        watcher = chromium.new_page()
        log_in(watcher, live_server)
        watcher.goto(f"{live_server}/live/{session['id']}")
        # (each new picture's src is set at once and decoded a moment later: wait for a decoded one)
        watcher.wait_for_function(f"(img => +img.dataset.seq > 1 && img.naturalWidth === {pictures[-1]['w']})"
                                  "(document.querySelector('#pip img'))", timeout=20000)
        # and the participant is heard there, as in the lab: Listen plays the voice sent live
        watcher.click("#listen")
        watcher.wait_for_function("+document.querySelector('#listen').dataset.chunks > 3", timeout=20000)

        # the privacy pause: nothing is sent until the participant resumes
        page.click("#pause")
        page.wait_for_selector("#paused-step:not([hidden])")
        held = len(observer.of("camera"))
        time.sleep(1.5)   # a stretch of privacy
        assert len(observer.of("camera")) == held
        page.click("#resume")
        join_attribute(page, "paused", "0")
        pause = web_store.markers.all(session["id"], "pause")[0]["t"]
        resume = wait_for(lambda: web_store.markers.all(session["id"], "resume"), timeout=5)[0]["t"]
        assert wait_for(lambda: any(p["t"] > resume for p in observer.of("camera")), timeout=20), \
            "no camera pictures after the pause"
        assert not [p["t"] for p in observer.of("camera") if pause + 0.3 < p["t"] < resume - 0.3]
    finally:
        if observer is not None:
            observer.close()
        if watcher is not None:
            watcher.close()
        browser.close()


def test_a_join_socket_puts_camera_pictures_into_its_own_session_only(live_server, web_store):
    token_a, _ = web_store.invitations.create("P07", actor="rita")
    token_b, _ = web_store.invitations.create("P08", actor="rita")
    session_a, session_b = begun(live_server, token_a), begun(live_server, token_b)
    observer = Observer(live_server, login(live_server, "otto")).connect()
    other = own = None
    try:
        assert observer.join(session_a)["ok"]
        other, own = join_socket(live_server, token_b), join_socket(live_server, token_a)
        refused = other.call(LiveEvent.CAMERA, {**picture(1, 40), "session": session_a}, namespace=LIVE_NAMESPACE,
                             timeout=5)
        assert refused == {"ok": False, "error": "a camera picture goes only to its sender's own session"}
        # taken, but for session B's observers: it goes out before the reply is sent
        assert other.call(LiveEvent.CAMERA, picture(2, 80), namespace=LIVE_NAMESPACE, timeout=5) is True
        mine = picture(3, 160)
        assert own.call(LiveEvent.CAMERA, mine, namespace=LIVE_NAMESPACE, timeout=5) is True
        assert wait_for(lambda: observer.of("camera"), timeout=5), "session A's own picture never arrived"
        (seen,) = observer.of("camera")
        assert seen["session"] == session_a and seen["jpeg"] == mine["jpeg"] and session_b != session_a
    finally:
        observer.close()
        for client in (other, own):
            if client is not None:
                client.disconnect()


@pytest.mark.parametrize("study_dir", [NO_CAMERA_STUDY], indirect=True)
def test_a_join_socket_sends_no_camera_where_the_study_does_not_record_it(live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    session_id = begun(live_server, token)
    observer = Observer(live_server, login(live_server, "otto")).connect()
    client = None
    try:
        assert observer.join(session_id)["ok"]
        client = join_socket(live_server, token)
        reply = client.call(LiveEvent.CAMERA, picture(1, 90), namespace=LIVE_NAMESPACE, timeout=5)
        assert reply == {"ok": False, "error": "this study does not record the participant's camera"}
        # the same socket's screen still goes out, after the refused picture would have
        assert client.call(LiveEvent.FRAME, picture(2, 90), namespace=LIVE_NAMESPACE, timeout=5) is True
        assert wait_for(lambda: observer.of("frame"), timeout=5), "the frame never arrived"
        assert observer.of("camera") == []
    finally:
        observer.close()
        if client is not None:
            client.disconnect()
