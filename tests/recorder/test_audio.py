"""The participant's voice, recorded for real: `uxlab record --audio` on a real Xvfb while
espeak-ng speaks into a virtual PulseAudio microphone, and the MP4 read back with PyAV."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from recorder.clock import SessionClock
from recorder.sources.audio import LOST_AFTER, RATE, AudioCapture, Microphone
from sessions.events import VIDEO_FILE, MarkerKind
from sessions.store import Store
from sessions.transcripts import Transcripts
from speech.engines import open_engine
from speech.transcribe import transcribe_session
from tests.pulse import decode_audio, loud_spans, loudness, speech
from tests.recorder.conftest import wait_marker, wait_recorded

QUIET = 0.004   # RMS of a silent stretch after AAC (digital silence decodes to ~0)
SOUND_FILES = {".wav", ".ogg", ".opus", ".m4a", ".aac", ".mp3", ".flac", ".pcm", ".raw", ".webm"}


def session_now(store: Store, session_id: str) -> float:
    """The session clock, read from this process (wall clock against the stored start)."""
    return time.time() - store.sessions.get(session_id)["started_at"]


def streams(path: Path) -> dict[str, list[tuple[float, str | None]]]:
    with av.open(str(path)) as container:
        return {kind: [(float(s.duration * s.time_base) if s.duration else float(container.duration / 1e6),
                        s.metadata.get("handler_name")) for s in getattr(container.streams, kind)]
                for kind in ("video", "audio")}


def wait_session(study_dir: Path, timeout: float = 30) -> tuple[Store, str]:
    store = Store(study_dir)
    deadline = time.monotonic() + timeout
    while not store.sessions.all() and time.monotonic() < deadline:
        time.sleep(0.05)
    return store, store.sessions.all()[0]["id"]


@pytest.fixture
def sentences(tmp_path):
    return {name: speech(tmp_path, text, name) for name, text in (
        ("before", "I am looking for the help desk page."),
        ("private", "My card number is four one one one."),
        ("after", "There it is, the form to ask for help."))}


def test_voice_is_recorded_beside_the_video_and_a_privacy_pause_keeps_none_of_it(
        pulse, driver, target_app, study_dir, sentences):
    driver.start("--consent", "--audio", "vmic")
    store, sid = wait_session(study_dir)
    spoken = {}
    time.sleep(0.5)
    for name in ("before", "private", "after"):
        if name == "private":
            driver.key("ctrl+alt+p")
            wait_marker(store, sid, MarkerKind.PAUSE)   # paused before a word is said
        start = session_now(store, sid)
        pulse.play(sentences[name])
        spoken[name] = (start, session_now(store, sid))
        if name == "private":
            time.sleep(0.3)
            driver.key("ctrl+alt+p")
            wait_marker(store, sid, MarkerKind.RESUME)  # listening again before the next
        time.sleep(0.4)
    driver.key("ctrl+alt+q")
    assert driver.finish() == sid

    session = store.sessions.get(sid)
    assert session["device"]["audio"] == [{"speaker": "participant", "source": "vmic",
                                           "rate": 16000, "track": 0}]
    video = store.media.path(sid, VIDEO_FILE)
    found = streams(video)
    assert len(found["video"]) == 1 and len(found["audio"]) == 1
    assert found["audio"][0][1] == "participant"
    assert abs(found["video"][0][0] - found["audio"][0][0]) < 0.5, found
    assert abs(found["audio"][0][0] - session["duration"]) < 0.5

    rate, samples = decode_audio(video)
    spans = loud_spans(samples, rate)
    # each sentence spoken outside the pause is heard where it was said
    for name in ("before", "after"):
        start, end = spoken[name]
        assert any(start - 0.1 <= a <= end and b <= end + 0.5 for a, b in spans), (name, spoken, spans)
    # the pause: silence from its marker to the resume, though a sentence was spoken in it
    pause, resume = (m["t"] for m in store.markers.all(sid) if m["kind"] in ("pause", "resume"))
    assert pause < spoken["private"][0] and spoken["private"][1] < resume
    level = loudness(samples, rate)
    assert level[int(pause * 100) + 2:int(resume * 100) - 2].max() < QUIET
    assert not any(a < resume - 0.05 and b > pause + 0.05 for a, b in spans), spans
    # ... and no other file in the study folder holds sound
    files = [p for p in study_dir.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix.lower() in SOUND_FILES]
    for path in files:
        if path.suffix == ".mp4" and path != video:
            with av.open(str(path)) as container:
                assert not container.streams.audio, path

    # the same recording transcribed: each sentence where it was said, the private one nowhere
    transcribe_session(store, sid, open_engine())
    segments = Transcripts(store).segments(sid)
    for name in ("before", "after"):
        start, _end = spoken[name]
        assert [s for s in segments if abs(s["t"] - start) <= 0.7], (name, start, [(s["t"], s["text"]) for s in segments])
    assert not [s for s in segments if s["t"] < resume and s["end"] > pause], segments
    assert not [w for w in Transcripts(store).words(sid) if w["t"] < resume and w["end"] > pause]
    store.close()
    for path in (p for p in study_dir.rglob("*") if p.is_file()):
        assert b"card number" not in path.read_bytes().lower(), path


def test_an_unknown_source_is_refused_before_anything_is_recorded(pulse, display, study_dir):
    from tests.recorder.conftest import UXLAB
    done = subprocess.run([str(UXLAB), "record", str(study_dir), "--participant", "P1", "--display",
                           display.name, "--consent", "--audio", "no-such-mic"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith('error: no audio source "no-such-mic"; available: '), done.stderr
    assert '"vmic"' in lines[-1] and "Traceback" not in done.stderr
    store = Store(study_dir)
    assert store.sessions.all() == []
    assert not (study_dir / "media").exists() or not any((study_dir / "media").iterdir())


def test_a_microphone_that_vanishes_leaves_the_recording_running_silent(pulse, driver, target_app,
                                                                        study_dir, sentences):
    pulse.add("vgone")
    driver.start("--consent", "--audio", "vgone")
    store, sid = wait_session(study_dir)
    time.sleep(0.5)
    start = session_now(store, sid)
    pulse.play(sentences["before"], "vgone")
    gone = session_now(store, sid)
    pulse.unload("vgone")
    deadline = time.monotonic() + 15
    while not any("audio source" in line for line in driver.stderr) and time.monotonic() < deadline:
        time.sleep(0.05)
    warnings = [line for line in driver.stderr if 'audio source "vgone" stopped' in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: "), "".join(driver.stderr)
    time.sleep(1.0)
    driver.click(100, 100)
    time.sleep(0.5)
    driver.key("ctrl+alt+q")
    assert driver.finish() == sid

    session = store.sessions.get(sid)
    assert session["status"] == "complete"
    lost = store.markers.all(sid, "audio_lost")
    assert len(lost) == 1 and gone - 0.2 <= lost[0]["t"] <= gone + 3.0
    found = streams(store.media.path(sid, VIDEO_FILE))
    assert abs(found["video"][0][0] - found["audio"][0][0]) < 0.5, found
    rate, samples = decode_audio(store.media.path(sid, VIDEO_FILE))
    spans = loud_spans(samples, rate)
    assert any(start - 0.1 <= a <= gone for a, b in spans), spans
    assert np.abs(samples[int((lost[0]["t"] + 0.2) * rate):]).max() < 0.01
    assert store.events.count(sid, "click") >= 1   # input went on being recorded


def test_the_moderator_microphone_is_a_second_track(pulse, driver, target_app, study_dir, sentences):
    driver.start("--consent", "--audio", "vmic", "--audio-moderator", "vmod")
    store, sid = wait_session(study_dir)
    time.sleep(0.5)
    start = session_now(store, sid)
    pulse.play(sentences["after"], "vmod")
    end = session_now(store, sid)
    time.sleep(0.4)
    driver.key("ctrl+alt+q")
    assert driver.finish() == sid

    video = store.media.path(sid, VIDEO_FILE)
    assert [title for _, title in streams(video)["audio"]] == ["participant", "moderator"]
    assert [a["speaker"] for a in store.sessions.get(sid)["device"]["audio"]] == ["participant", "moderator"]
    rate, participant = decode_audio(video, 0)
    _, moderator = decode_audio(video, 1)
    assert any(start - 0.1 <= a <= end for a, b in loud_spans(moderator, rate))
    assert loud_spans(participant, rate) == []


def sine_into(pulse, microphone: str = "vmic") -> str:
    """Start a tone the sound server makes itself into `microphone` (a player starved on a
    busy machine leaves gaps of its own); returns the module to unload."""
    return pulse.run("pactl", "load-module", "module-sine", f"sink={microphone}_sink", "frequency=440",
                     capture_output=True, text=True).stdout.strip()


def test_kill_9_keeps_the_sound_up_to_two_seconds_before_the_kill(pulse, driver, target_app, study_dir):
    driver.start("--consent", "--audio", "vmic")
    store, sid = wait_session(study_dir)
    playing = session_now(store, sid)
    sine = sine_into(pulse)
    try:
        wait_recorded(store, sid, playing + 5.0)   # five seconds of tone, by the recorder's clock
        killed_at = session_now(store, sid)
        driver.kill()
    finally:
        pulse.run("pactl", "unload-module", sine)
    video = store.media.path(sid, VIDEO_FILE)
    rate, samples = decode_audio(video)
    spans = loud_spans(samples, rate)
    assert spans, "no sound survived"
    assert spans[-1][1] >= killed_at - 2.0, (spans, killed_at, len(samples) / rate, "".join(driver.stderr))
    assert len(samples) / rate >= killed_at - 2.0


def test_a_live_output_that_fails_is_dropped_and_the_voice_track_goes_on(pulse, caplog):
    microphone = Microphone("vmic")
    microphone.start()
    clock = SessionClock()
    written: list[int] = []
    offered: list[float] = []

    def fails_second_time(t: float, samples: np.ndarray) -> None:
        offered.append(t)
        if len(offered) == 2:
            raise RuntimeError("the live output broke")

    capture = AudioCapture(microphone, clock, outputs=[lambda first, samples: written.append(len(samples))],
                           paused=lambda t: False, live=fails_second_time)
    with caplog.at_level(logging.WARNING):
        capture.start()
        deadline = time.monotonic() + 20
        while capture.written < 2 * RATE:   # two seconds of track
            assert time.monotonic() < deadline, f"the track stopped at {capture.written / RATE} s"
            time.sleep(0.02)
        capture.stop(clock.now())
    assert len(offered) == 2 and capture.lost is None
    assert sum(written) == capture.written >= 2 * RATE
    said = [r for r in caplog.records if "live output failed" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno >= logging.WARNING, caplog.records



def test_a_microphone_heard_late_because_the_machine_was_busy_is_not_taken_for_lost(pulse):
    """On a busy machine a microphone's sound comes late, not never: the recording's set-up
    after the microphone opened can outlast LOST_AFTER while its chunks wait in the queue,
    and the whole machine (this process and the sound server) can stall that long. Neither
    is a dead microphone: the sound before and after is kept and no loss is reported."""
    sine = sine_into(pulse)
    microphone = Microphone("vmic")
    frozen = threading.Event()
    thaw = threading.Timer(0.3, os.kill, (pulse.pid, signal.SIGCONT))
    try:
        microphone.start()
        time.sleep(LOST_AFTER + 0.5)   # the set-up of a recording on a busy machine
        clock = SessionClock()
        track: list[np.ndarray] = []

        def stalling_disk(first: int, samples: np.ndarray) -> None:
            if first >= RATE and not frozen.is_set():   # once the backlog is written
                frozen.set()               # the machine stalls: neither this thread nor the sound server runs
                os.kill(pulse.pid, signal.SIGSTOP)
                time.sleep(LOST_AFTER + 0.5)
                thaw.start()               # the sound server runs again a moment after this thread
            track.append(samples)

        capture = AudioCapture(microphone, clock, outputs=[stalling_disk], paused=lambda t: False)
        capture.start()
        deadline = time.monotonic() + 30
        while capture.written < (LOST_AFTER + 3.5) * RATE and capture.lost is None:
            assert time.monotonic() < deadline, f"the track stopped at {capture.written / RATE} s"
            time.sleep(0.02)
        capture.stop(clock.now())
    finally:
        if thaw.ident is not None:   # started: the sound server runs again when it ends
            thaw.join()
        os.kill(pulse.pid, signal.SIGCONT)
        microphone.stop()
        pulse.run("pactl", "unload-module", sine)
    assert frozen.is_set() and capture.lost is None, f"judged lost at session time {capture.lost_at} s"
    level = loudness(np.concatenate(track).astype(np.float32) / 32768, RATE)
    assert level[:100].min() > 0.1, ("the track does not start with the sound", capture.stats)
    assert level[-100:-30].min() > 0.1, ("the sound after the stall is missing", capture.stats)


def test_a_sound_server_that_hangs_is_reported_as_a_lost_microphone(pulse):
    """A sound server that stops answering (here: stopped by SIGSTOP, and left so) stops the
    sound; the capture thread must go on watching to say so, not wait for the server's
    answer to whether the microphone still exists. The recording then goes on silent and
    stops when asked."""
    sine = sine_into(pulse)
    microphone = Microphone("vmic")
    track: list[np.ndarray] = []
    lost: list = []
    try:
        microphone.start()
        clock = SessionClock()       # the session starts with the sound
        capture = AudioCapture(microphone, clock, outputs=[lambda first, samples: track.append(samples)],
                               paused=lambda t: False, on_lost=lost.append)
        capture.start()
        deadline = time.monotonic() + 20
        while capture.written < 2 * RATE:   # two seconds of tone are written
            assert time.monotonic() < deadline, f"the track stopped at {capture.written / RATE} s"
            time.sleep(0.02)
        os.kill(pulse.pid, signal.SIGSTOP)
        hung_at = clock.now()
        deadline = time.monotonic() + 20
        while not lost:
            assert time.monotonic() < deadline, "a hung sound server was never reported"
            time.sleep(0.05)
        capture.stop(clock.now())
        assert not capture._thread.is_alive(), "the capture thread still waits for the sound server"
    finally:
        os.kill(pulse.pid, signal.SIGCONT)
        microphone.stop()
        pulse.run("pactl", "unload-module", sine)
    assert len(lost) == 1 and capture.lost_at is not None
    # the loss is placed where the sound stopped (give or take the sound held in the pipeline)
    assert hung_at - 1.0 <= capture.lost_at <= hung_at + 0.5, (hung_at, capture.lost_at)
    level = loudness(np.concatenate(track).astype(np.float32) / 32768, RATE)
    assert level[:100].min() > 0.1, "the sound before the hang is missing"
