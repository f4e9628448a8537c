"""Keyframe images: small JPEGs of the screen whenever it changed substantially, each with
a 64-bit perceptual hash, so the analyzer and the web app can tell screen states apart
without decoding the video."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from sessions.events import keyframe_name
MAX_KEYFRAME_WIDTH = 960


def keyframe_scale(width: int) -> float:
    """Keyframe pixels per screen pixel: half size, and never wider than MAX_KEYFRAME_WIDTH."""
    return min(0.5, MAX_KEYFRAME_WIDTH / width)


def phash(image: np.ndarray) -> str:
    """64-bit pHash as 16 hex digits: the DCT of a 32x32 grey image, its 8x8 lowest
    frequencies against their median (the same definition the analyzer uses)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8]
    bits = (low > np.median(low)).flatten()
    return f"{int(np.packbits(bits).view('>u8')[0]):016x}"


def save_keyframe(session_dir: Path, t: float, bgra: np.ndarray, scale: float) -> dict:
    """Write the keyframe for session time `t`; returns the frame-row fields it fills."""
    bgr = cv2.cvtColor(bgra, cv2.COLOR_BGRA2BGR)  # convert before resizing: much faster
    height, width = bgr.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    relative = keyframe_name(t)
    path = session_dir / relative
    path.parent.mkdir(exist_ok=True)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise OSError(f"could not encode keyframe {relative}")
    path.write_bytes(data.tobytes())
    return {"keyframe": relative, "phash": phash(small)}
