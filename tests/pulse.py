"""Sound for the tests: the virtual microphone (recorder/virtual_microphone.py) and reading
a recorded sound track back."""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from recorder.virtual_microphone import RATE, VirtualPulse, speech  # noqa: F401


def decode_audio(path: Path, track: int = 0) -> tuple[int, np.ndarray]:
    """A sound track of an MP4 as float samples in [-1, 1], sample 0 at file time 0."""
    import av
    with av.open(str(path)) as container:
        stream = container.streams.audio[track]
        rate = stream.codec_context.sample_rate
        chunks, first = [], None
        for frame in container.decode(stream):
            if first is None:
                first = float(frame.pts * frame.time_base)
            chunks.append(frame.to_ndarray().reshape(-1))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if first and first > 0:
        samples = np.concatenate([np.zeros(round(first * rate), np.float32), samples])
    return rate, samples.astype(np.float32)


def loudness(samples: np.ndarray, rate: int, step: float = 0.01) -> np.ndarray:
    """RMS per `step` seconds."""
    n = int(rate * step)
    usable = samples[: len(samples) // n * n].reshape(-1, n)
    return np.sqrt((usable ** 2).mean(axis=1))


def speech_onset(wav: Path, threshold: float = 0.02) -> float:
    """Seconds from the start of a 16-bit WAV file to its first speech (10 ms RMS above
    `threshold`)."""
    with wave.open(str(wav)) as f:
        rate = f.getframerate()
        samples = np.frombuffer(f.readframes(f.getnframes()), np.int16).astype(np.float64) / 32768
    return float(np.argmax(loudness(samples, rate) > threshold)) / 100


def loud_spans(samples: np.ndarray, rate: int, threshold: float = 0.02,
               gap: float = 0.3, step: float = 0.01) -> list[tuple[float, float]]:
    """Stretches (start, end in seconds) where the sound is above `threshold`, joined
    across silences shorter than `gap`."""
    loud = loudness(samples, rate, step) > threshold
    spans: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t = i * step
        if spans and t - spans[-1][1] <= gap:
            spans[-1][1] = t + step
        else:
            spans.append([t, t + step])
    return [(a, b) for a, b in spans]
