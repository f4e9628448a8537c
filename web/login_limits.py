"""Login rate limiting: after a few failures from one address for one name, wait.

Kept in the worker's memory: a restart forgets it, which is fine for slowing down guessing.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginLimiter:
    def __init__(self, max_failures: int, window: float) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def retry_after(self, address: str, name: str, now: float | None = None) -> float:
        """Seconds to wait before trying again; 0 when a try is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent((address, name.lower()), now)
            if len(times) < self.max_failures:
                return 0.0
            return max(0.0, self.window - (now - times[0]))

    def failed(self, address: str, name: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent((address, name.lower()), now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._failures.pop((address, name.lower()), None)
