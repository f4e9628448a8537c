"""A sink that fails never stops a capture thread: a real recording (Xvfb, a PulseAudio
microphone, an FFmpeg test source as the camera) with a live output that raises on its second
call of each kind keeps writing the camera's video and the voice track to the session's end,
and says once that the output was dropped."""
from __future__ import annotations

import logging
import threading
from collections import Counter

import av
import numpy as np

from recorder.session import Recording, RecordOptions
from sessions.events import CAMERA_FILE, VIDEO_FILE, MarkerKind, SessionStatus
from sessions.store import Store
from tests.pulse import decode_audio

DURATION = 4.0
CAMERA = "lavfi:testsrc2=size=320x240:rate=15"


class SecondCallFails:
    """A live output (every sink method, sound and camera too) that raises on the second call
    of each method, as a broken network publisher would."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def _called(self, method: str) -> None:
        self.calls[method] += 1
        if self.calls[method] == 2:
            raise RuntimeError(f"the live output broke on {method}")

    def events(self, rows: list[dict]) -> None:
        self._called("events")

    def frame(self, row: dict, image: np.ndarray) -> None:
        self._called("frame")

    def state(self, state: dict) -> None:
        self._called("state")

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        self._called("audio")

    def camera(self, t: float, bgr: np.ndarray) -> None:
        self._called("camera")

    def close(self) -> None:
        self._called("close")


def test_a_failing_live_output_is_dropped_and_camera_and_voice_are_recorded_to_the_end(
        pulse, display, study_dir, caplog):
    sink = SecondCallFails()
    said: list[str] = []
    recording = Recording(study_dir, RecordOptions(
        "P1", consent=True, prompt="none", duration=DURATION, sinks=[sink], say=said.append,
        display=display.name, audio="vmic", camera=CAMERA))
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(sid=recording.run()), daemon=True)
    with caplog.at_level(logging.WARNING):
        thread.start()
        thread.join(60)
    assert not thread.is_alive() and result.get("sid"), said
    sid = result["sid"]

    store = Store(study_dir, read_only=True)
    session = store.sessions.get(sid)
    assert session["status"] == SessionStatus.COMPLETE and session["duration"] >= DURATION - 0.1
    with av.open(str(store.media.path(sid, CAMERA_FILE))) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    assert times[-1] >= session["duration"] - 0.5, (times[-1], session["duration"])
    rate, samples = decode_audio(store.media.path(sid, VIDEO_FILE))
    assert len(samples) / rate >= session["duration"] - 0.5, (len(samples) / rate, session["duration"])
    # nothing was lost but the live output, and nothing says otherwise
    lost = (MarkerKind.AUDIO_LOST, MarkerKind.CAMERA_LOST)
    assert [m for m in store.markers.all(sid) if m["kind"] in lost] == []
    # the output failed (once: it was dropped, not called again per frame or chunk) ...
    assert max(sink.calls.values()) == 2 and sum(1 for n in sink.calls.values() if n == 2) == 1, sink.calls
    # ... and the moderator hears of it once
    dropped = [r for r in caplog.records if "SecondCallFails" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelno == logging.WARNING, caplog.records
    store.close()
