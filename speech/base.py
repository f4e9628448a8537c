"""What every speech engine is: the protocol the transcriber calls and its progress callback.

It lives apart from the factory (speech/engines.py) so that an engine module can import it
without importing the factory that imports the engines.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sessions.transcripts import Segment
from speech.audio import Track

# called with the seconds of sound done so far in the current track
Progress = Callable[[float], None]


class Engine(Protocol):
    """A speech engine: sound in, segments on the session clock out."""

    name: str

    def transcribe(self, track: Track, progress: Progress | None = None) -> list[Segment]:
        """Segments of speech in the track, times on the session clock."""
