"""What a sink is: anything that takes the recording as it happens. The store journal is
one; a live publisher (to observers over Socket.IO) plugs in as another, and so does the
participant's prompt window.

A sink must return quickly: it is called on the capture threads (screen frames, input,
each microphone, the camera). A sink that can be slow (the network) keeps its own bounded
queue and drops, never blocks. Every sink reaches those threads through one `Fanout`, which
keeps an optional sink's failure away from them: the recording on disk never depends on
an output.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Sink(Protocol):
    def events(self, rows: list[dict]) -> None:
        """Input events as stored (privacy already applied), in time order."""

    def frame(self, row: dict, image: np.ndarray) -> None:
        """A stored video frame's row (t, changed, keyframe, phash) and its BGRA image."""

    def state(self, state: dict) -> None:
        """The task runner's state after every change (task, prompt, paused, ended)."""

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        """The participant's sound as written (privacy pauses silenced): int16 mono samples
        from session time `t`, on the microphone's capture thread."""

    def camera(self, t: float, bgr: np.ndarray) -> None:
        """A camera picture as written (none during a privacy pause), on the camera's thread;
        the image must not be modified."""

    def close(self) -> None:
        """The session is over: write out what is buffered."""


class Fanout:
    """Sends everything to every sink. An essential sink's failure is the recording's own
    and reaches the caller; an optional sink that fails is logged once and dropped, so the
    capture thread that called it goes on writing to disk. A dropped sink is still closed
    at the end, to let its threads go."""

    def __init__(self, essential: list[Sink], optional: Iterable[Sink] = ()) -> None:
        self.essential, self.optional = list(essential), list(optional)
        self.dropped: list[Sink] = []
        self._lock = threading.Lock()   # capture threads may fail the same sink at once

    def add(self, sink: Sink) -> None:
        with self._lock:
            self.optional = [*self.optional, sink]

    def events(self, rows: list[dict]) -> None:
        self._call("events", rows)

    def frame(self, row: dict, image: np.ndarray) -> None:
        self._call("frame", row, image)

    def state(self, state: dict) -> None:
        self._call("state", state)

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        self._call("audio", t, samples, rate)

    def camera(self, t: float, bgr: np.ndarray) -> None:
        self._call("camera", t, bgr)

    def close(self) -> None:
        dropped = list(self.dropped)   # not one that fails in its close() now, closed once
        self._call("close")
        for sink in dropped:
            try:
                sink.close()
            except Exception:  # it failed once already and was reported then
                log.debug("closing the dropped sink %s failed", type(sink).__name__, exc_info=True)

    def _call(self, method: str, *args) -> None:
        for sink in self.essential:
            getattr(sink, method)(*args)
        for sink in self.optional:   # a drop replaces the list, so this one stays whole
            try:
                getattr(sink, method)(*args)
            except Exception:  # the sink's fault, whatever it is: never the capture thread's
                if self._drop(sink):
                    log.warning("%s failed in %s() and gets nothing more; the recording goes on "
                                "without it", type(sink).__name__, method, exc_info=True)

    def _drop(self, sink: Sink) -> bool:
        """Drop `sink`; False when another thread dropped it (and said so) first."""
        with self._lock:
            if sink not in self.optional:
                return False
            self.optional = [s for s in self.optional if s is not sink]
            self.dropped.append(sink)
            return True
