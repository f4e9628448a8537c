"""Recorded human speech, the whole way a session's voice goes: five LibriVox utterances
(Debian's pocketsphinx-testdata, with their reference transcripts) played into the virtual
microphone at known times while `uxlab record --audio` runs on a real Xvfb, stored as AAC in
the session's MP4; then `uxlab transcribe` (the default engine), and `uxlab search`.

Done when: the word error rate after normalisation is at most 15 %, each utterance's segment
starts within 0.5 s of when it was said, and a word of it is found at that time."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from sessions.store import Store
from sessions.transcripts import Transcripts
from speech.normalise import word_error_rate
from tests.pulse import speech_onset
from tests.recorder.conftest import Driver

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
GAP = 1.5              # seconds of silence between two utterances
ONSET_TOLERANCE = 0.5
MAX_WER = 0.15


def utterances() -> list[tuple[Path, str]]:
    """Each LibriVox clip with its reference transcript."""
    assert (LIBRIVOX / "transcription").is_file(), \
        "Debian's pocketsphinx-testdata is installed by tools/setup-system.sh"
    found = []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.fullmatch(r"<s> (.*) </s> \((\S+)\)", line.strip())
        if m:
            found.append((LIBRIVOX / f"{m.group(2)}.wav", m.group(1)))
    assert len(found) == 5, found
    return found


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} after {timeout} s"
        time.sleep(0.05)
    return value


@pytest.fixture
def recorded(pulse, display, target_app, study_dir):
    """A session in which each utterance was played at a known session time."""
    driver = Driver(display, study_dir)
    try:
        driver.start("--consent", "--audio", "vmic")
        store = Store(study_dir)
        # read from the table itself: the recorder writes the row from its own process
        session = wait_for(lambda: store.db.execute("SELECT id, started_at FROM sessions").fetchone(),
                           10, "no session")
        sid, started = session
        time.sleep(1.0)   # the microphone's first data comes ~0.2 s after the recorder starts
        said = []
        for wav, text in utterances():
            at = time.time() - started
            # a 250 ms buffer: at paplay's 20 ms the player fell behind under load and the sound
            # server put silence inside words (bench/transcription.py measured it)
            pulse.run("paplay", "--latency-msec=250", "--device=vmic_sink", str(wav))
            said.append((at + speech_onset(wav), time.time() - started, text))
            time.sleep(GAP)
        driver.key("ctrl+alt+q")
        assert driver.finish() == sid
        store.close()
        yield study_dir, sid, said
    finally:
        driver.close()


def test_recorded_human_speech_is_transcribed_timed_and_found(recorded):
    folder, sid, said = recorded
    run = CliRunner().invoke(main, ["transcribe", str(folder)])
    assert run.exit_code == 0, run.output
    assert "warning" not in run.output   # the default engine ran, no fallback
    transcripts = Transcripts(Store(folder))
    segments = transcripts.segments(sid)
    assert {s["engine"] for s in segments} == {"whisper"}

    heard = " ".join(s["text"] for s in segments)
    reference = " ".join(text for _, _, text in said)
    wer = word_error_rate(reference, heard)
    assert wer <= MAX_WER, (wer, heard)

    for onset, end, text in said:
        starts = [s["t"] for s in segments if onset - 1.5 < s["t"] < end]
        assert starts and min(abs(t - onset) for t in starts) <= ONSET_TOLERANCE, (text, onset, segments)

    # a word of each utterance is found by `uxlab search` at the time it was said: its longer
    # words are searched in turn (a word Whisper misheard is not there to find)
    for onset, end, text in said:
        tried = {}
        for word in sorted({w for w in text.split() if len(w) >= 5}, key=len, reverse=True):
            found = CliRunner().invoke(main, ["search", str(folder), word, "--json"])
            assert found.exit_code == 0, found.output
            times = [h["t"] for h in json.loads(found.output) if h["kind"] == "transcript" and h["session"] == sid]
            tried[word] = times
            if any(onset - ONSET_TOLERANCE <= t <= end for t in times):
                break
        else:
            raise AssertionError(f"no word of {text!r} found at {onset:.2f}-{end:.2f} s: {tried}")
