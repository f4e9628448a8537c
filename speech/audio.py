"""The voice tracks of a session's video, decoded to 16 kHz mono on the session clock.

The recorder writes each track's packets with timestamps in session seconds (track 0 the
participant, track 1 the moderator). A gap between packets, however it came about, stays
a gap of silence here, so every sample keeps its place on the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from sessions.events import SPEAKERS

RATE = 16_000  # what both speech engines expect


@dataclass(frozen=True)
class Track:
    """One speaker's sound: `samples` (int16) start at session time `start`."""

    speaker: str
    start: float
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


def audio_track_count(video: Path) -> int:
    """How many sound tracks the file has (0 when there is no file or no sound)."""
    if not video.is_file():
        return 0
    with av.open(str(video)) as container:
        return len(container.streams.audio)


def read_tracks(video: Path) -> list[Track]:
    """Every voice track of the file, speaker by track order."""
    tracks = []
    for index in range(min(audio_track_count(video), len(SPEAKERS))):
        tracks.append(read_track(video, index))
    return tracks


def read_track(video: Path, index: int) -> Track:
    """Decode one audio stream to 16 kHz mono int16; each frame goes where its timestamp
    says, so a gap stays silence and a frame that restates a time (an encoder's priming
    frame) is overwritten by the next."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    pieces: list[tuple[float | None, np.ndarray]] = []
    with av.open(str(video)) as container:
        for frame in container.decode(container.streams.audio[index]):
            at = None if frame.pts is None or frame.time_base is None else float(frame.pts * frame.time_base)
            for out in resampler.resample(frame):
                pieces.append((at, out.to_ndarray().reshape(-1)))
                at = None  # the resampler's later outputs follow on
        pieces += [(None, out.to_ndarray().reshape(-1)) for out in resampler.resample(None)]
    start = next((at for at, _ in pieces if at is not None), 0.0)
    samples = _assemble(pieces, start)
    if start < 0:  # sound stamped before the session began is not on its clock
        samples, start = samples[round(-start * RATE):], 0.0
    return Track(SPEAKERS[index], start, samples)


def _assemble(pieces: list[tuple[float | None, np.ndarray]], start: float) -> np.ndarray:
    """Lay pieces at their times from `start`; jitter under 20 ms keeps them contiguous."""
    placed, position = [], 0
    for at, data in pieces:
        if at is not None:
            wanted = round((at - start) * RATE)
            if abs(wanted - position) > RATE // 50:
                position = max(0, wanted)
        placed.append((position, data))
        position += len(data)
    samples = np.zeros(max((p + len(d) for p, d in placed), default=0), np.int16)
    for p, data in placed:
        samples[p: p + len(data)] = data
    return samples
