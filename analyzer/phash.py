"""Perceptual hashes of screen images, to tell screen states apart without pixel equality.

The recorder stores a 64-bit pHash with each keyframe; this computes the same kind of hash
(DCT of a 32×32 grey image, the 8×8 lowest frequencies against their median) for keyframes
that lack one, and compares hashes in bulk with numpy.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

# two keyframes within this many differing bits show the same screen state
SAME_SCREEN_BITS = 10


def phash(image: np.ndarray) -> str:
    """64-bit perceptual hash of a BGR or grey image, as 16 hex digits."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8]
    bits = (low > np.median(low)).flatten()
    return f"{int(np.packbits(bits).view('>u8')[0]):016x}"


def image_hash(path: Path) -> str | None:
    """The hash of a stored keyframe image, or None when it is missing or unreadable: the one
    rule every reader follows, and `group_hashes` never puts two missing images together."""
    image = cv2.imread(str(path)) if path.is_file() else None
    return phash(image) if image is not None else None


def to_ints(hashes: Sequence[str]) -> np.ndarray:
    return np.array([int(h, 16) for h in hashes], dtype=np.uint64)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Differing bits between uint64 hashes (broadcasting)."""
    x = np.bitwise_xor(a, b)
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


def group_hashes(hashes: Sequence[str | None], max_bits: int = SAME_SCREEN_BITS) -> list[int]:
    """Label each hash with a screen-state group: a hash joins the first group whose founding
    hash is within `max_bits`, so one state's hashes stay together in time order. A missing
    hash (None: the image is gone) is a state of its own: nothing is known to be alike."""
    values = to_ints([h or "0" for h in hashes])
    founders: list[int] = []
    labels: list[int] = []
    for value, known in zip(values, hashes):
        if known is None:
            founders.append(-1)
            labels.append(len(founders) - 1)
            continue
        live = [f for f in founders if f >= 0]
        if live:
            distances = hamming(values[live], value)
            best = int(np.argmin(distances))
            if distances[best] <= max_bits:
                labels.append(founders.index(live[best]))
                continue
        founders.append(len(labels))
        labels.append(len(founders) - 1)
    return labels
