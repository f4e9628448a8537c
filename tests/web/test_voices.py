"""The moderator's voice on the replay page: served as an audio file of its own with Range
requests (observers only where the study lets them download), played in headless Chromium
in step with the video, heard where the moderator speaks, and muted by its checkbox."""
from __future__ import annotations

import pytest

from tests.speech.voice_sessions import record_voice_session
from tests.web.browser import log_in

pytestmark = pytest.mark.timeout(180)
PARTICIPANT = [(1.0, "I am looking for the search button")]
MODERATOR = [(5.0, "what do you expect to find there")]

# the loudest sound the moderator's <audio> has played since `reset`, by Web Audio
LISTEN = """() => {
    const voice = document.querySelector('audio[data-voice=moderator]');
    if (!window.__ear) {
        const ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        ctx.createMediaElementSource(voice).connect(analyser);
        analyser.connect(ctx.destination);
        const buffer = new Float32Array(analyser.fftSize);
        window.__ear = {ctx, loudest: 0};
        setInterval(() => {
            analyser.getFloatTimeDomainData(buffer);
            for (const x of buffer) window.__ear.loudest = Math.max(window.__ear.loudest, Math.abs(x));
        }, 20);
    }
    return window.__ear.ctx.resume();
}"""
DRIFT = ("Math.abs(document.querySelector('audio[data-voice=moderator]').currentTime"
         " - document.getElementById('video').currentTime)")


@pytest.fixture
def moderated(web_store) -> str:
    sid, _ = record_voice_session(web_store, PARTICIPANT, 10.0, moderator=MODERATOR)
    return sid


def test_the_voice_is_served_in_ranges_and_kept_from_observers(as_role, moderated):
    client, _ = as_role("researcher")
    response = client.get(f"/sessions/{moderated}/voice/moderator.m4a", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and response.mimetype == "audio/mp4"
    assert len(response.data) == 100 and response.data[4:8] == b"ftyp"
    response.close()
    for speaker, status in (("participant", 200), ("nobody", 404)):
        response = client.get(f"/sessions/{moderated}/voice/{speaker}.m4a")
        response.close()
        assert response.status_code == status, speaker
    observer, _ = as_role("observer")
    response = observer.get(f"/sessions/{moderated}/voice/moderator.m4a")
    response.close()
    assert response.status_code == 403   # the study's default: observers download nothing


def test_the_moderator_is_heard_in_step_with_the_video(page, live_server, moderated):
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{moderated}")
    page.wait_for_function("document.querySelector('audio[data-voice=moderator]').readyState >= 1"
                           " && document.getElementById('video').readyState >= 1")
    page.evaluate(LISTEN)

    page.evaluate("document.getElementById('video').currentTime = 4.5")
    page.wait_for_function(f"{DRIFT} < 0.06")           # a seek moves the voice with it
    page.click("#play")
    page.wait_for_function("document.getElementById('video').currentTime > 6.5", timeout=20000)
    assert page.evaluate(DRIFT) < 0.25
    assert page.evaluate("window.__ear.loudest") > 0.05, "the moderator's sentence was not played"
    page.click("#play")

    page.uncheck("input[data-voice-toggle=moderator]")
    assert page.evaluate("document.querySelector('audio[data-voice=moderator]').muted")


def test_a_session_without_a_moderator_has_no_second_voice(page, live_server, web_store):
    sid, _ = record_voice_session(web_store, PARTICIPANT, 4.0)
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{sid}")
    page.wait_for_selector("#video")
    assert page.locator("audio[data-voice]").count() == 0
    assert page.locator("input[data-voice-toggle]").count() == 0
