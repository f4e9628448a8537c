"""The Fanout between the capture threads and the sinks: an optional sink that fails is said
once and dropped, whichever threads call it at once, and still closed at the end; an
essential sink's failure is the recording's own and reaches its caller."""
from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

from recorder.sinks.base import Fanout

CHUNK = np.zeros(800, np.int16)
PICTURE = np.zeros((240, 320, 3), np.uint8)


class Kept:
    """A sink that keeps what it is given."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.closed = 0

    def events(self, rows: list[dict]) -> None:
        self.got.append("events")

    def frame(self, row: dict, image: np.ndarray) -> None:
        self.got.append("frame")

    def state(self, state: dict) -> None:
        self.got.append("state")

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        self.got.append("audio")

    def camera(self, t: float, bgr: np.ndarray) -> None:
        self.got.append("camera")

    def close(self) -> None:
        self.closed += 1


class Broken(Kept):
    """Fails on its second sound chunk, as a publisher whose queue broke would."""

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        super().audio(t, samples, rate)
        if self.got.count("audio") >= 2:
            raise RuntimeError("broken pipe")


def test_a_failing_sink_is_said_once_dropped_and_closed_while_the_others_get_everything(caplog):
    journal, broken, other = Kept(), Broken(), Kept()
    fanout = Fanout([journal], [broken, other])
    start = threading.Barrier(4)

    def feed() -> None:
        start.wait()
        for i in range(200):
            fanout.audio(i * 0.05, CHUNK, 16000)
            fanout.camera(i * 0.05, PICTURE)

    threads = [threading.Thread(target=feed) for _ in range(4)]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        fanout.close()
    assert journal.got.count("audio") == other.got.count("audio") == 800
    assert journal.got.count("camera") == other.got.count("camera") == 800
    assert 2 <= broken.got.count("audio") < 20   # dropped, not called per chunk: a few in flight at most
    assert fanout.optional == [other] and fanout.dropped == [broken]
    assert (journal.closed, broken.closed, other.closed) == (1, 1, 1)
    said = [r for r in caplog.records if "Broken" in r.getMessage()]
    assert len(said) == 1 and "audio()" in said[0].getMessage() and said[0].exc_info


def test_an_essential_sink_that_fails_reaches_the_caller():
    fanout = Fanout([Broken()], [Kept()])
    fanout.audio(0.0, CHUNK, 16000)
    with pytest.raises(RuntimeError, match="broken pipe"):
        fanout.audio(0.05, CHUNK, 16000)
