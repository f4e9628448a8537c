"""Login rate limiting: after a few failures for one name from one address, or many from
one address whatever the names, wait until the window has passed.

The failures live in the app's shared state (web/live/shared_state.py): in memory for one
process, in Redis when several processes serve the study, so every process sees them.
"""
from __future__ import annotations

from web.live.shared_state import SharedState


class LoginLimiter:
    def __init__(self, state: SharedState, max_failures: int, max_address_failures: int,
                 window: float) -> None:
        self.state = state
        self.max_failures, self.max_address_failures = max_failures, max_address_failures
        self.window = window

    def _keys(self, address: str, name: str) -> list[tuple[str, int]]:
        return [(f"login:{address}:{name.lower()}", self.max_failures),
                (f"login:{address}", self.max_address_failures)]

    def retry_after(self, address: str, name: str) -> float:
        """Seconds to wait before trying again; 0 when a try is allowed."""
        wait = 0.0
        for key, limit in self._keys(address, name):
            count, oldest = self.state.hits(key, self.window)
            if count >= limit:
                wait = max(wait, self.window - oldest, 0.001)
        return wait

    def failed(self, address: str, name: str) -> None:
        for key, _ in self._keys(address, name):
            self.state.hit(key, self.window)

    def succeeded(self, address: str, name: str) -> None:
        """A right password clears this name's count, never the address's."""
        self.state.forget(self._keys(address, name)[0][0])
