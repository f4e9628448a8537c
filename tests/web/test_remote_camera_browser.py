"""The participant's camera in a remote session, in a real Chromium with its fake camera:
the study's [capture] camera makes the join page ask for it, preview it and record it in
~1 s chunks beside the screen; the server builds camera.mp4 as a native session has it,
and the replay's picture-in-picture plays it. A camera the browser refuses is said in a
sentence and the session goes on without it."""
from __future__ import annotations

import io

import av
import pytest

from sessions.events import CAMERA_FILE
from sessions.media.browser_chunks import BrowserChunks
from sessions.media.clips import clip_video
from tests.conftest import write_study
from tests.web.browser import log_in
from tests.web.remote import CAMERA_STUDY, join_attribute, participant_browser, until


@pytest.fixture
def study_dir(tmp_path):
    return write_study(tmp_path / "study", CAMERA_STUDY)


def test_the_camera_is_previewed_recorded_built_and_played_in_the_picture_in_picture(chromium, live_server,
                                                                                      web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    browser = participant_browser(chromium)
    try:
        page = browser.new_context(bypass_csp=False).new_page()
        page.goto(f"{live_server}/join/{token}")
        assert "camera" in page.text_content("#recorded")          # consent names what is recorded
        page.check("#consent")
        page.click("#agree")
        join_attribute(page, "camera-preview", "1")                        # the device check shows the camera
        until(lambda: page.eval_on_selector("#camera-preview", "v => v.videoWidth") > 0, "no preview picture")
        assert page.is_visible("#camera-preview") and web_store.sessions.all() == []
        page.wait_for_selector("#share:not([disabled])")
        page.click("#share")
        join_attribute(page, "stage", "ready")
        page.click("#start")
        join_attribute(page, "stage", "task")
        join_attribute(page, "camera-run", "0")
        (session,) = web_store.sessions.all()
        chunks = BrowserChunks(web_store.media, session["id"])
        until(lambda: len(chunks.acknowledged("camera", 0)) >= 3, "camera chunks never arrived")
        page.click("#done")
        join_attribute(page, "ended", "1", timeout=60.0)
    finally:
        browser.close()

    session_id = session["id"]
    session = until(lambda: (s := web_store.sessions.get(session_id))["device"].get("built") and s,
                    "the media were never built", timeout=60)
    camera = session["device"]["camera"]
    assert camera["file"] == CAMERA_FILE and camera["spec"] == "browser" and camera["width"] <= 480
    # the native camera file's shape: H.264, no sound, first picture at 0, at most 15 a second
    with av.open(str(web_store.media.camera(session))) as container:
        assert not container.streams.audio
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (camera["width"], camera["height"])
        times = [f.time for f in container.decode(stream)]
    (run,) = chunks.runs("camera")
    assert times[0] == 0.0 and all(b - a >= 0.06 for a, b in zip(times[1:], times[2:]))
    # on the session clock: each picture the browser recorded at its run's start plus its own
    # time (how many the fake camera gives depends on how busy the machine is)
    with av.open(io.BytesIO(b"".join(p.read_bytes() for p in run.chunks())), "r", format="matroska") as recorded:
        pictures = [run.start + f.time for f in recorded.decode(video=0)]
    assert len(times) >= 5 and min(abs(times[1] - t) for t in pictures) < 0.002, (times, pictures)
    assert times[-1] == pytest.approx(pictures[-1], abs=0.07), (times, pictures)

    # a highlight clip takes the camera into its corner as for a native session
    with av.open(io.BytesIO(clip_video(web_store, session["id"], 1.0, 3.0))) as clip:
        assert len(list(clip.decode(video=0))) >= 2

    # the replay's picture-in-picture plays it beside the screen
    reviewer = chromium.new_page()
    try:
        log_in(reviewer, live_server)
        reviewer.goto(f"{live_server}/sessions/{session['id']}")
        reviewer.wait_for_selector("#replay.ready")
        reviewer.wait_for_function("document.querySelector('#pip video').readyState >= 2", timeout=20000)
        reviewer.click("#play")
        reviewer.wait_for_function("document.querySelector('#pip video').currentTime > 1.0", timeout=20000)
        assert reviewer.evaluate("document.querySelector('#pip video').videoWidth") == camera["width"]
    finally:
        reviewer.close()


def test_a_refused_camera_is_said_and_the_session_goes_on_without_it(chromium, live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    browser = participant_browser(chromium, grant=False)   # no fake prompt: the camera is refused
    try:
        context = browser.new_context(bypass_csp=False)
        context.grant_permissions(["microphone"])                  # the camera is not allowed
        page = context.new_page()
        page.goto(f"{live_server}/join/{token}")
        page.check("#consent")
        page.click("#agree")
        join_attribute(page, "camera", "refused")
        note = page.text_content("#camera-note")
        assert "did not let this page use your camera" in note and "goes on without it" in note
        page.wait_for_selector("#share:not([disabled])")          # the session may begin all the same
        assert not page.is_visible("#camera-preview")
    finally:
        browser.close()
    assert web_store.sessions.all() == []
