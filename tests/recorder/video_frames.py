"""Reading a recorded video back with PyAV, for the tests' checks."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def decode(path: Path) -> list[tuple[float, np.ndarray]]:
    """Every frame as (presentation time in seconds, RGB image)."""
    with av.open(str(path)) as container:
        return [(float(frame.time), frame.to_ndarray(format="rgb24"))
                for frame in container.decode(video=0)]


def shown_at(frames: list[tuple[float, np.ndarray]], t: float) -> np.ndarray:
    """The image on screen at session time t: the last frame presented at or before t."""
    shown = [image for time, image in frames if time <= t]
    assert shown, f"no frame before t={t}"
    return shown[-1]


def colour_at(image: np.ndarray, x: int, y: int) -> tuple[int, int, int]:
    patch = image[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
    return tuple(int(v) for v in np.median(patch, axis=0))


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))
