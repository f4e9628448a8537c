"""Live voice: a real `uxlab record --audio` streams the virtual microphone to a real `uxlab
serve`; a Socket.IO observer receives the sound (and none of it during a privacy pause),
and the live page in Chromium plays it through Web Audio and shows the camera. Each chunk
names its speaker (the participant when it names none, as older recorders send it) and the
server relays it so; a chunk naming anyone else is refused."""
from __future__ import annotations

import time

import numpy as np
import pytest
from playwright.sync_api import expect

from sessions.events import SPEAKERS, LiveEvent, Speaker
from sessions.store import Store
from tests.live.clients import (
    LIVE_TOKEN,
    InOrderClient,
    Observer,
    Recorder,
    login,
    wait_for,
)
from tests.live.test_live_page import log_in
from tests.pulse import speech
from web.live.payloads import shape_audio

PCM = (np.arange(800, dtype=np.int16) * 40).tobytes()   # 0.1 s of a ramp at 8 kHz


def loud(chunk: dict, level: int = 1000) -> bool:
    return int(np.abs(np.frombuffer(chunk["pcm"], "<i2")).max()) > level


def session_now(store: Store, session_id: str) -> float:
    return time.time() - store.sessions.get(session_id)["started_at"]


def test_an_observer_hears_the_participant_but_not_during_a_privacy_pause(
        pulse, package_server, display, target_app, tmp_path):
    words = speech(tmp_path, "Where is the button to send my request?", "words")
    recorder = Recorder(package_server.folder, display, package_server.url, "--audio", "vmic", participant="A1")
    store = Store(package_server.folder)
    observer = Observer(package_server.url, login(package_server.url, "otto")).connect()
    try:
        assert observer.join(recorder.session_id)["ok"]
        assert wait_for(lambda: len(observer.of("audio")) >= 5, timeout=30)
        start = session_now(store, recorder.session_id)
        pulse.play(words)
        end = session_now(store, recorder.session_id)
        heard = wait_for(lambda: [c for c in observer.of("audio") if loud(c)], timeout=20)
        assert heard and start - 0.2 <= heard[0]["t"] <= end
        chunks = observer.of("audio")
        assert all(c["rate"] == 16000 and c["session"] == recorder.session_id for c in chunks)
        seqs = [c["seq"] for c in chunks]
        assert seqs == sorted(seqs)
        received = len(chunks)

        subprocess_key(display, "ctrl+alt+p")
        assert wait_for(lambda: store.markers.all(recorder.session_id, "pause"), timeout=5)
        time.sleep(0.3)
        pulse.play(words)
        time.sleep(0.4)
        subprocess_key(display, "ctrl+alt+p")
        assert wait_for(lambda: store.markers.all(recorder.session_id, "resume"), timeout=5)
        pause = store.markers.all(recorder.session_id, "pause")[0]["t"]
        resume = store.markers.all(recorder.session_id, "resume")[0]["t"]
        assert wait_for(lambda: any(c["t"] > resume + 0.2 for c in observer.of("audio")), timeout=10)
        during = [c for c in observer.of("audio")[received:] if pause <= c["t"] and c["t"] + 0.05 <= resume]
        assert len(during) >= 10 and not any(loud(c, 0) for c in during)
    finally:
        observer.close()
        recorder.end()


def subprocess_key(display, combo: str) -> None:
    import subprocess
    subprocess.run(["xdotool", "key", combo], env=display.env(), check=True)


def listening(context, base: str, session_id: str):
    """otto's live page of a session, connected, with its sound turned on (the Listen button)."""
    page = context.new_page()
    log_in(page, base, "otto")
    page.goto(f"{base}/live/{session_id}")
    expect(page.locator("#conn")).to_have_text("Connected")
    listen = page.locator("#listen")
    listen.click()
    expect(listen).to_have_attribute("aria-pressed", "true")
    return page, listen


def test_the_live_page_plays_the_participants_voice_and_shows_the_camera(
        pulse, package_server, display, target_app, chromium, tmp_path):
    words = speech(tmp_path, "I think the form is on the next page, let me look there.", "words")
    recorder = Recorder(package_server.folder, display, package_server.url, "--audio", "vmic", "--camera",
                        "lavfi:testsrc2=size=640x480:rate=15", participant="A2")
    context = chromium.new_context()
    try:
        page, listen = listening(context, package_server.url, recorder.session_id)
        page.wait_for_function("+document.getElementById('listen').dataset.chunks > 5", timeout=30000)
        assert page.evaluate("+document.getElementById('listen').dataset.peak || 0") < 0.05
        pulse.play(words)
        # the sound came out of the page's player: its analyser saw the voice, and the
        # audio clock runs
        page.wait_for_function("+document.getElementById('listen').dataset.peak > 0.05", timeout=20000)
        first = float(listen.get_attribute("data-time"))
        page.wait_for_function(f"+document.getElementById('listen').dataset.time > {first + 0.5}",
                               timeout=5000)
        # the camera, picture-in-picture, updating a few times a second
        camera = page.locator("#pip img")
        page.wait_for_function("+document.querySelector('#pip img').dataset.seq > 3", timeout=10000)
        assert page.evaluate("document.querySelector('#pip img').naturalWidth") == 320
        assert camera.is_visible()
    finally:
        context.close()
        recorder.end()


def test_a_chunk_of_sound_names_one_of_the_speakers_or_none():
    chunk = {"t": 1.0, "seq": 0, "rate": 8000, "pcm": PCM, "sent": 0.0}
    assert shape_audio(chunk) is None   # no speaker: the participant's
    for speaker in SPEAKERS:
        assert shape_audio({**chunk, "speaker": speaker}) is None
    for stranger in ("observer", "Moderator", "", None, 3, ["moderator"], {"name": "moderator"}):
        problem = shape_audio({**chunk, "speaker": stranger})
        assert problem == "a chunk of sound's speaker must be one of participant, moderator", stranger


@pytest.fixture
def relaying(package_server):
    """A recording session of the package's server, its recorder's Socket.IO client (the live
    token, as a join page or `uxlab record` connects) and an observer who joined it."""
    store = Store(package_server.folder)
    session_id = store.sessions.create("A3", device={"audio": [{"speaker": "participant", "track": 0},
                                                               {"speaker": "moderator", "track": 1}]})
    recorder = InOrderClient(reconnection=False)
    recorder.connect(package_server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=5,
                     auth={"live_token": LIVE_TOKEN, "session": session_id})
    observer = Observer(package_server.url, login(package_server.url, "otto")).connect()
    try:
        assert observer.join(session_id)["ok"]
        yield recorder, observer, session_id
    finally:
        observer.close()
        recorder.disconnect()
        store.close()


def test_the_server_relays_each_chunks_speaker_and_refuses_a_stranger(relaying):
    recorder, observer, _ = relaying

    def send(seq: int, **speaker: object):
        # 8 kHz: relayed to observers, not captioned (captions take 16 kHz), so the server loads no model
        return recorder.call(LiveEvent.AUDIO.value, {"t": seq * 0.1, "seq": seq, "rate": 8000, "pcm": PCM,
                                                     "sent": time.time(), **speaker}, namespace="/live", timeout=5)
    assert send(1) is True
    assert send(2, speaker=Speaker.MODERATOR.value) is True
    assert send(3, speaker=Speaker.PARTICIPANT.value) is True
    refused = send(4, speaker="observer")
    assert refused == {"ok": False, "error": "a chunk of sound's speaker must be one of participant, moderator"}
    assert send(5, speaker=Speaker.MODERATOR.value) is True
    assert wait_for(lambda: len(observer.of("audio")) >= 4, timeout=10)
    chunks = observer.of("audio")
    assert [(c["seq"], c["speaker"]) for c in chunks] == [
        (1, "participant"), (2, "moderator"), (3, "participant"), (5, "moderator")]
    assert all(c["pcm"] == PCM and c["rate"] == 8000 for c in chunks)


def tone(hz: float, seconds: float, level: float, rate: int = 8000) -> bytes:
    return (level * 32767 * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)).astype("<i2").tobytes()


def test_the_live_page_mixes_two_voices_that_speak_at_once(relaying, package_server, chromium):
    """The moderator and the participant talking over each other are heard together, not one
    after the other: each speaker's chunks play on their own timeline, and the page's output
    is louder than either voice alone (each 0.3 here, mixed up to 0.6; in turn, 0.3). A
    voice's chunk that the server relays after a later one of that voice is not played."""
    recorder, _, session_id = relaying
    context = chromium.new_context()
    try:
        page, listen = listening(context, package_server.url, session_id)
        voices = {Speaker.PARTICIPANT.value: tone(440, 0.25, 0.3), Speaker.MODERATOR.value: tone(660, 0.25, 0.3)}
        # both voices say a quarter second at once, every half second: one timeline for both
        # would play each pair one chunk after the other (the timeline keeping up, never mixing)
        for seq in range(8):
            for speaker, pcm in voices.items():
                recorder.emit(LiveEvent.AUDIO.value, {"t": seq * 0.5, "seq": seq, "rate": 8000, "pcm": pcm,
                                                      "sent": time.time(), "speaker": speaker}, namespace="/live")
            time.sleep(0.5)
        page.wait_for_function("(b => +b.dataset.chunksParticipant >= 6 && +b.dataset.chunksModerator >= 6)"
                               "(document.getElementById('listen'))", timeout=10000)
        page.wait_for_function("+document.getElementById('listen').dataset.peak > 0.45", timeout=10000)
        # a chunk relayed after a later one of the same voice is dropped, not played out of place
        played = int(listen.get_attribute("data-chunks-moderator"))
        for t in (1.0, 10.0, 10.25):   # 1.0: before the chunks already played
            recorder.emit(LiveEvent.AUDIO.value, {"t": t, "seq": 99, "rate": 8000, "pcm": voices["moderator"],
                                                  "sent": time.time(), "speaker": "moderator"}, namespace="/live")
            time.sleep(0.1)
        page.wait_for_function(f"+document.getElementById('listen').dataset.chunksModerator >= {played + 2}",
                               timeout=10000)
        assert int(listen.get_attribute("data-chunks-moderator")) == played + 2
    finally:
        context.close()
