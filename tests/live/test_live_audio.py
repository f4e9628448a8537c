"""Live voice: a real `uxlab record --audio` streams the virtual microphone to a real `uxlab
serve`; a Socket.IO observer receives the sound (and none of it during a privacy pause),
and the live page in Chromium plays it through Web Audio and shows the camera."""
from __future__ import annotations

import time

import numpy as np
from playwright.sync_api import expect

from sessions.store import Store
from tests.live.clients import Observer, Recorder, login, wait_for
from tests.live.test_live_page import log_in
from tests.pulse import speech


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


def test_the_live_page_plays_the_participants_voice_and_shows_the_camera(
        pulse, package_server, display, target_app, chromium, tmp_path):
    words = speech(tmp_path, "I think the form is on the next page, let me look there.", "words")
    recorder = Recorder(package_server.folder, display, package_server.url, "--audio", "vmic", "--camera",
                        "lavfi:testsrc2=size=640x480:rate=15", participant="A2")
    context = chromium.new_context()
    try:
        page = context.new_page()
        log_in(page, package_server.url, "otto")
        page.goto(f"{package_server.url}/live/{recorder.session_id}")
        expect(page.locator("#conn")).to_have_text("Connected")
        listen = page.locator("#listen")
        listen.click()
        expect(listen).to_have_attribute("aria-pressed", "true")
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
