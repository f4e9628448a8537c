"""Where a sound card's samples fall on the session clock.

A sound card counts samples on its own crystal, not on time.monotonic(). Each chunk the
capture callback receives is stamped with its arrival on the monotonic clock; arrival minus
the samples counted so far (over the rate) is when sample 0 would have been taken if that
chunk had come without delay. Delays only ever add, so the smallest such value — the lower
envelope — is the best estimate. It is taken over a sliding window so that a slow drift
between the two clocks is followed on long sessions.
"""
from __future__ import annotations

import collections

ENVELOPE_WINDOW = 30.0   # seconds of chunks the envelope is taken over


class SampleClock:
    """Maps sample indices of one capture stream to monotonic seconds."""

    def __init__(self, rate: int, window: float = ENVELOPE_WINDOW) -> None:
        self.rate, self.window = rate, window
        self.samples = 0                 # samples received so far
        self._minima: collections.deque[tuple[float, float]] = collections.deque()

    def observe(self, arrival: float, frames: int) -> float:
        """A chunk of `frames` samples arrived at monotonic `arrival`; returns the
        monotonic time of its first sample."""
        first = self.samples
        self.samples += frames
        offset = arrival - self.samples / self.rate
        # a monotonic deque: the window's minimum is at its left end
        while self._minima and self._minima[-1][1] >= offset:
            self._minima.pop()
        self._minima.append((arrival, offset))
        while arrival - self._minima[0][0] > self.window:
            self._minima.popleft()
        return self.time_of(first)

    def restart(self) -> None:
        """Samples were lost (an overflow): the count no longer matches time, start over."""
        self.samples = 0
        self._minima.clear()

    @property
    def offset(self) -> float:
        """Monotonic time of sample 0."""
        return self._minima[0][1]

    def time_of(self, index: int) -> float:
        return self.offset + index / self.rate
