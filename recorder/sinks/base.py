"""What a sink is: anything that takes the recording as it happens. The store journal is
one; a live publisher (to observers over Socket.IO) plugs in as another.

A sink must return quickly: it is called on the capture threads. A sink that can be slow
(the network) keeps its own bounded queue and drops, never blocks.
"""
from __future__ import annotations

import sys
from typing import Protocol

import numpy as np


class Sink(Protocol):
    def events(self, rows: list[dict]) -> None:
        """Input events as stored (privacy already applied), in time order."""

    def frame(self, row: dict, image: np.ndarray) -> None:
        """A stored video frame's row (t, changed, keyframe, phash) and its BGRA image."""

    def state(self, state: dict) -> None:
        """The task runner's state after every change (task, prompt, paused, ended)."""

    def close(self) -> None:
        """The session is over: write out what is buffered."""


class Fanout:
    """Sends everything to every sink; a failing optional sink is dropped, not fatal."""

    def __init__(self, essential: list[Sink], optional: list[Sink] = ()) -> None:
        self.essential, self.optional = list(essential), list(optional)

    def add(self, sink: Sink) -> None:
        self.optional.append(sink)

    def events(self, rows: list[dict]) -> None:
        self._call("events", rows)

    def frame(self, row: dict, image: np.ndarray) -> None:
        self._call("frame", row, image)

    def state(self, state: dict) -> None:
        self._call("state", state)

    def close(self) -> None:
        self._call("close")

    def _call(self, method: str, *args) -> None:
        for sink in self.essential:
            getattr(sink, method)(*args)
        for sink in list(self.optional):
            try:
                getattr(sink, method)(*args)
            except Exception as exc:
                print(f"warning: {type(sink).__name__} stopped: {exc}", file=sys.stderr)
                self.optional.remove(sink)
