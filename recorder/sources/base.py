"""The one protocol every capture source follows (screen, input, window focus, microphones,
camera), so that a recording starts them, stops them and hears that one was lost in the
same way, whatever it captures (python-mss's small base class, OBS's sources).

A source captures on a thread of its own from `start()` until `stop(t_end)`; the session
time `t_end` is where the recording ends, and a source with media of its own writes it up
to there (sound padded with silence, the last screen repeated) so every track lasts the
session. A source that stops delivering while the recording goes on (a microphone
unplugged, a listener that died) tells its `on_lost` handler once, with the moment it was
last heard from; the recording says so and leaves a lost-marker there, so nobody reads the
silence that follows as the participant's.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Lost:
    """A source that stopped delivering: when (a `time.monotonic()` reading, since a source
    may be lost before the session clock starts) and why, for the moderator."""

    at: float
    reason: str


OnLost = Callable[[Lost], None]


def ignore_loss(lost: Lost) -> None:
    """The default `on_lost`: a source used outside a recording (a test, a probe)."""


class Source(Protocol):
    """What a recording needs of a capture source."""

    lost: Lost | None   # set once, when the source stopped delivering before `stop`

    def start(self) -> None:
        """Begin capturing; raise a clear error (nothing started) when it cannot."""

    def stop(self, t_end: float) -> None:
        """Stop capturing at session time `t_end`: what came before is handed on, nothing after."""
