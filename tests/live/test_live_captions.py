"""Live captions (web/live/captions.py): a real `uxlab record --audio` streams the virtual
microphone, into which recorded human speech (LibriVox, Debian's pocketsphinx-testdata) is
played, to a real `uxlab serve`; a Socket.IO observer receives captions of what was said
within the target after each utterance ends; `uxlab search` finds a captioned word before
`uxlab transcribe` has run, and the full transcript then replaces the captions; the live
page in Chromium shows the latest caption under the screen. A study with
`live_captions = false`, served and recorded beside it from the same virtual microphone,
gets none: the captioned study is its positive control, so its wait ends when the last
caption of the same speech has arrived. The cutter and the bounded queue are checked on
their own with the same speech and a real store. Two voices relayed on one socket, as a
remote moderated session's join page sends them, are captioned each on its own, under its
speaker's name."""
from __future__ import annotations

import json
import re
import threading
import time
import wave
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from cli import main
from sessions.corrections import Corrections
from sessions.events import LiveEvent, MarkerKind
from sessions.store import Store
from sessions.transcripts import Transcripts
from speech.normalise import normal_words, word_error_rate
from tests.conftest import MINIMAL_STUDY, write_study
from tests.live.clients import (
    InOrderClient,
    Observer,
    Recorder,
    Server,
    add_users,
    login,
    wait_for,
)
from tests.live.test_live_page import log_in
from web.live.captions import (
    CHUNK_SECONDS,
    ENGINE_NAME,
    HARD_CUT,
    MAX_SPEECH,
    PAD,
    QUEUE_SECONDS,
    Captioner,
    Cutter,
    SessionWorker,
)

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
TARGET_P95 = 4.0     # seconds from the end of an utterance to its caption reaching an observer
MAX_WER = 0.25       # captions are cut from a stream, so a little less accurate than the full transcript
LOUD = 0.02          # RMS over 10 ms above which a clip holds speech


def utterances() -> list[tuple[Path, str]]:
    found = []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.fullmatch(r"<s> (.*) </s> \((\S+)\)", line.strip())
        if m:
            found.append((LIBRIVOX / f"{m.group(2)}.wav", m.group(1)))
    assert len(found) == 5, "Debian's pocketsphinx-testdata is installed by tools/setup-system.sh"
    return found


def samples_of(wav: Path) -> np.ndarray:
    with wave.open(str(wav)) as f:
        assert f.getframerate() == 16000 and f.getnchannels() == 1
        return np.frombuffer(f.readframes(f.getnframes()), "<i2")


def speech_span(samples: np.ndarray) -> tuple[float, float]:
    """Seconds from the clip's start to its first and past its last speech."""
    step = 160
    x = samples.astype(np.float64) / 32768
    rms = np.sqrt((x[: len(x) // step * step].reshape(-1, step) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > LOUD)
    return float(loud[0]) / 100, float(loud[-1] + 1) / 100


class CaptionWatcher:
    """An observer that notes when each caption arrived (monotonic clock)."""

    def __init__(self, url: str) -> None:
        self.observer = Observer(url, login(url, "otto"))
        self.captions: list[tuple[float, dict]] = []
        self.lock = threading.Lock()
        self.observer.client.on(LiveEvent.CAPTION.value, self._keep, namespace="/live")
        self.observer.connect()

    def _keep(self, data) -> None:
        with self.lock:
            self.captions.append((time.monotonic(), data))

    def received(self) -> list[tuple[float, dict]]:
        with self.lock:
            return list(self.captions)


@pytest.fixture
def quiet_server(tmp_path) -> Iterator[Future]:
    """A `uxlab serve` of a study with `live_captions = false`, started in the background
    while the test's own server, recorder and pages start (each takes seconds); the test
    takes the Server from the future."""
    folder = write_study(tmp_path / "quiet", MINIMAL_STUDY.replace("fps = 10", "fps = 10\nlive_captions = false"))
    add_users(folder)
    running = Server(folder)
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(running.start)
    running.stop()


def test_observers_see_captions_of_what_the_participant_says_then_search_finds_them(
        pulse, quiet_server, live_study, server, display, target_app, chromium, xvfb):
    recorder = Recorder(live_study, display, server.url, "--audio", "vmic")
    store = Store(live_study)
    watcher = CaptionWatcher(server.url)
    context = chromium.new_context()
    # the study with captions off records the same microphone (its screen is the idle xvfb)
    quiet = quiet_server.result()
    quiet_recorder = Recorder(quiet.folder, xvfb, quiet.url, "--audio", "vmic")
    quiet_watcher = CaptionWatcher(quiet.url)
    latencies, said = [], []
    try:
        assert quiet_watcher.observer.join(quiet_recorder.session_id)["ok"]
        page = context.new_page()
        log_in(page, server.url, "olga")
        page.goto(f"{server.url}/live/{recorder.session_id}")
        expect(page.locator("#conn")).to_have_text("Connected")
        assert page.locator("#captions").is_hidden()   # nothing said yet
        assert watcher.observer.join(recorder.session_id)["ok"]
        for listening in (watcher, quiet_watcher):
            assert wait_for(lambda w=listening: len(w.observer.of("audio")) >= 10, timeout=30)
        started = store.sessions.get(recorder.session_id)["started_at"]
        for wav, text in utterances():
            clip = samples_of(wav)
            _, last = speech_span(clip)
            _, played = pulse.play(wav)
            trailing = len(clip) / 16000 - last
            spoken_end = played - trailing   # when its last word ended (monotonic) ...
            session_end = time.time() - trailing - started   # ... and on the session clock
            said.append(text)
            # the caption that covers the utterance's end (the recorder's clock may be a little off)
            late = wait_for(lambda after=spoken_end, until=session_end - 1.0: [
                at for at, c in watcher.received() if at > after and c["end"] >= until], timeout=15)
            assert late, f"no caption within 15 s of {text!r}"
            latencies.append(late[0] - spoken_end)
        captions = [c for _, c in watcher.received()]
        assert all(c["session"] == recorder.session_id and c["speaker"] == "participant" for c in captions)
        heard = " ".join(c["text"] for c in captions)
        wer = word_error_rate(" ".join(said), heard)
        p95 = float(np.percentile(latencies, 95))
        print(f"\nlive captions: {len(captions)} for {len(said)} utterances, WER {wer:.1%}, latency "
              f"median {np.median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s")
        assert wer <= MAX_WER, (wer, heard)
        assert p95 <= TARGET_P95, latencies
        times = [(c["t"], c["end"]) for c in captions]
        assert times == sorted(times) and all(a <= b for a, b in times)
        # the live page shows the latest caption under the screen, and who said it
        expect(page.locator("#captions .words")).to_have_text(captions[-1]["text"])
        expect(page.locator("#captions .who")).to_have_text("participant")
        assert page.locator("#captions").is_visible()
        # the study with captions off relayed the same voice, but no caption came, although
        # the captioned study has had each utterance's caption meanwhile
        assert [c for c in quiet_watcher.observer.of("audio") if np.abs(np.frombuffer(c["pcm"], "<i2")).max() > 1000]
        assert quiet_watcher.received() == []
    finally:
        context.close()
        watcher.observer.close()
        quiet_watcher.observer.close()
        recorder.end()
        quiet_recorder.end()
    quiet_store = Store(quiet.folder)
    assert Transcripts(quiet_store).segments(quiet_recorder.session_id) == []
    quiet_store.close()

    # before `uxlab transcribe`, the captions are the session's first transcript
    transcripts = Transcripts(store)
    segments = transcripts.segments(recorder.session_id)
    assert segments and {s["engine"] for s in segments} == {ENGINE_NAME}
    assert not transcripts.is_transcribed(recorder.session_id)
    captioned = set(normal_words(heard)) & set(normal_words(" ".join(said)))
    words = sorted((w for w in captioned if len(w) >= 6), key=len, reverse=True)
    assert words, heard
    found = CliRunner().invoke(main, ["search", str(live_study), words[0], "--json"])
    assert found.exit_code == 0, found.output
    assert [h for h in json.loads(found.output) if h["kind"] == "transcript" and h["session"] == recorder.session_id]

    # a researcher corrects a caption; `uxlab transcribe` (which picks up a session that has
    # only captions) replaces the captions but keeps the correction
    corrected = segments[0]
    Corrections(store).correct(recorder.session_id, corrected["id"], "Quokka " + corrected["text"], actor="rita")
    run = CliRunner().invoke(main, ["transcribe", str(live_study)])
    assert run.exit_code == 0, run.output
    after = transcripts.segments(recorder.session_id)
    assert {s["engine"] for s in after if not s["corrected_by"]} == {"whisper"}
    assert [s["text"] for s in after if s["corrected_by"] == "rita"] == ["Quokka " + corrected["text"]]
    store.close()


def chunks_of(samples: np.ndarray, start: float = 0.0) -> list[tuple[float, bytes]]:
    n = int(CHUNK_SECONDS * 16000)
    return [(start + i / 16000, samples[i:i + n].tobytes()) for i in range(0, len(samples), n)]


def test_the_cutter_ends_an_utterance_at_a_pause_and_cuts_continuous_speech():
    clips = [samples_of(wav) for wav, _ in utterances()]
    silence = np.zeros(16000, np.int16)
    short, long = clips[1], clips[0]   # 3.0 s and 7.1 s of a reader's voice
    stream = np.concatenate([silence, short, silence, long, silence])
    cutter = Cutter()
    found = []
    for chunk in chunks_of(stream):
        found += cutter.push([chunk])
    onset, _ = speech_span(short)
    assert abs(found[0].start - (1.0 + onset)) <= PAD + 0.1
    first_end = found[0].start + len(found[0].samples) / 16000
    assert first_end <= 1.0 + len(short) / 16000 + 0.1   # ended in the pause, before the next clip
    pieces = found[1:]
    assert len(pieces) >= 2   # 7 s of speech comes in pieces, not in one caption at its end
    assert all(len(p.samples) / 16000 <= MAX_SPEECH + HARD_CUT + PAD for p in pieces)
    assert not cutter.flush()


def test_a_busy_captioner_drops_sound_and_stores_a_marker(study_dir):
    from web import create_app
    app = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "captions-test", "TESTING": True})
    store = app.extensions["uxlab"]["store"]
    session_id = store.sessions.create("P1")
    captioner = Captioner(app, app.extensions["uxlab"]["socketio"], lambda session: threading.Lock())
    worker = SessionWorker(captioner, session_id)   # not started: nothing takes from its queue
    room = int(QUEUE_SECONDS / CHUNK_SECONDS)
    pcm = np.zeros(800, np.int16).tobytes()
    for i in range(room + 40):
        worker.offer(i * CHUNK_SECONDS, pcm)
    assert worker.queue.qsize() == room
    while not worker.queue.empty():
        worker.queue.get_nowait()
    worker.mark_lost()
    lost = store.markers.all(session_id, MarkerKind.CAPTIONS_LOST)
    assert len(lost) == 1 and lost[0]["t"] == pytest.approx(room * CHUNK_SECONDS)
    assert "2.0 s" in lost[0]["text"]


def test_each_speakers_voice_is_captioned_on_its_own_and_each_caption_names_its_speaker(package_server):
    """A remote moderated session's join page relays two voices on one socket: the
    participant's and the moderator's chunks, interleaved and overlapping in time (the
    moderator starts while the participant still talks), each cut and transcribed on its
    own, so every caption holds one speaker's words and says whose they are."""
    from tests.live.clients import LIVE_TOKEN
    clips = utterances()
    (participant_wav, participant_text), (moderator_wav, moderator_text) = clips[1], clips[4]   # 3.0 s, 3.3 s
    starts = {"participant": 0.5, "moderator": 2.0}   # seconds into the stream: 1.5 s of the two at once
    length = 7.0
    streams = {}
    for who, wav in (("participant", participant_wav), ("moderator", moderator_wav)):
        stream = np.zeros(int(length * 16000), np.int16)
        clip = samples_of(wav)
        at = int(starts[who] * 16000)
        stream[at:at + len(clip)] = clip
        streams[who] = stream
    spans = {who: tuple(starts[who] + s for s in speech_span(samples_of(wav)))
             for who, wav in (("participant", participant_wav), ("moderator", moderator_wav))}
    store = Store(package_server.folder)
    session_id = store.sessions.create("C2")
    began = 10.0   # session time of the stream's first sample
    recorder = InOrderClient(reconnection=False)
    recorder.connect(package_server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=5,
                     auth={"live_token": LIVE_TOKEN, "session": session_id})
    watcher = CaptionWatcher(package_server.url)
    try:
        assert watcher.observer.join(session_id)["ok"]
        step = 4000   # 0.25 s a chunk, as the join page sends them; at twice the speed of speech
        for seq, i in enumerate(range(0, len(streams["participant"]), step)):
            for who in ("participant", "moderator"):
                recorder.emit(LiveEvent.AUDIO.value, {"t": began + i / 16000, "seq": seq, "rate": 16000,
                                                      "pcm": streams[who][i:i + step].tobytes(),
                                                      "sent": time.time(), "speaker": who}, namespace="/live")
            time.sleep(0.125)

        def covered():   # a caption of each speaker that reaches past their last word
            captions = [c for _, c in watcher.received()]
            return all(any(c["speaker"] == who and c["end"] >= began + spans[who][1] - 0.5 for c in captions)
                       for who in spans)
        assert wait_for(covered, timeout=90), watcher.received()
    finally:
        watcher.observer.close()
        recorder.disconnect()
    captions = [c for _, c in watcher.received()]
    assert {c["speaker"] for c in captions} == {"participant", "moderator"}
    own = {"participant": set(normal_words(participant_text)) - set(normal_words(moderator_text)),
           "moderator": set(normal_words(moderator_text)) - set(normal_words(participant_text))}
    for who, other in (("participant", "moderator"), ("moderator", "participant")):
        theirs = [c for c in captions if c["speaker"] == who]
        heard = set(normal_words(" ".join(c["text"] for c in theirs)))
        assert len(heard & own[who]) >= 3, (who, theirs)      # their words, under their name
        assert not heard & own[other], (who, theirs)           # and none of the other voice's
        for c in theirs:   # within their own speech, not the other's
            assert began + spans[who][0] - PAD - 0.2 <= c["t"] <= c["end"] <= began + spans[who][1] + PAD + 0.2, (who, c)
        wer = word_error_rate(" ".join(normal_words(participant_text if who == "participant" else moderator_text)),
                              " ".join(c["text"] for c in theirs))
        print(f"\n{who}: {len(theirs)} captions, WER {wer:.1%}: {' / '.join(c['text'] for c in theirs)}")
    # stored as the session's first transcript, each segment with its speaker
    def stored() -> list[dict]:
        segments = Transcripts(store).segments(session_id)
        return segments if {s["speaker"] for s in segments} == {"participant", "moderator"} else []
    segments = wait_for(stored, timeout=10)   # each caption is stored just after it goes out
    assert segments, Transcripts(store).segments(session_id)
    assert {s["engine"] for s in segments} == {ENGINE_NAME}
    store.close()
