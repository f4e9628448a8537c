"""How much of the screen changed between two grabs, measured on the raw grabs (which carry
no cursor), so pointer motion alone counts as no change."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

THUMB_STEP = 8  # keyframe decisions compare every 8th pixel in each direction


@dataclass
class Grab:
    """One BGRA screen grab: the raw bytes (compared with memcmp) and a per-pixel view."""

    raw: bytearray
    width: int
    height: int
    pixels: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.pixels = np.frombuffer(self.raw, np.uint32).reshape(self.height, self.width)

    @property
    def bgra(self) -> np.ndarray:
        return self.pixels.view(np.uint8).reshape(self.height, self.width, 4)


def changed_fraction(previous: Grab | None, current: Grab) -> float:
    """Fraction (0..1) of pixels that differ; 1.0 when there is nothing to compare with."""
    if previous is None or previous.pixels.shape != current.pixels.shape:
        return 1.0
    if previous.raw == current.raw:  # memcmp: a static screen costs ~0.5 ms at 1080p
        return 0.0
    return float(np.count_nonzero(previous.pixels != current.pixels)) / current.pixels.size


def thumbnail(current: Grab) -> np.ndarray:
    return current.pixels[::THUMB_STEP, ::THUMB_STEP].copy()


def thumbnail_change(previous: np.ndarray | None, current: np.ndarray) -> float:
    """Change since the last keyframe on a sparse sample: a slow drift (typing a paragraph)
    adds up to a new keyframe even when no single frame changed much."""
    if previous is None or previous.shape != current.shape:
        return 1.0
    return float(np.count_nonzero(previous != current)) / current.size
