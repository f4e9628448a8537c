"""The session clock: one monotonic time base that frames, input events and the task
timeline all read, so a click and the frame that shows it can be lined up exactly."""
from __future__ import annotations

import time


class SessionClock:
    """Seconds since the session started, on the monotonic clock (immune to wall-clock jumps)."""

    def __init__(self) -> None:
        self.started_mono = time.monotonic()
        self.started_wall = time.time()

    def now(self) -> float:
        return time.monotonic() - self.started_mono

    def at(self, monotonic: float) -> float:
        """Session time of a monotonic reading taken elsewhere (e.g. in an input callback)."""
        return monotonic - self.started_mono
