"""Keyframe images: small JPEGs of the screen whenever it changed substantially, each with
a 64-bit perceptual hash, so the analyzer and the web app can tell screen states apart
without decoding the video; and crops of the small changes in between (an inline message),
so the analyzer can look for a study's screens where the screen changed."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from sessions.events import crop_name, keyframe_name

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
    _write_image(session_dir, relative, small)
    return {"keyframe": relative, "phash": phash(small)}


def save_crop(session_dir: Path, t: float, bgra: np.ndarray, region: tuple[int, int, int, int],
              scale: float) -> dict:
    """Write the crop of a small change (an inline message) at keyframe scale, losslessly,
    so it can be pasted over the last keyframe and matched against the study's screens.

    The region is widened to whole keyframe pixels first: shrunk by exactly `scale`, the
    crop lines up with the keyframe and with a template shrunk the same way."""
    x, y, w, h = region
    height, width = bgra.shape[:2]
    kx0, ky0 = math.floor(x * scale), math.floor(y * scale)
    kx1, ky1 = math.ceil((x + w) * scale), math.ceil((y + h) * scale)
    x0, y0 = round(kx0 / scale), round(ky0 / scale)
    x1, y1 = min(width, round(kx1 / scale)), min(height, round(ky1 / scale))
    bgr = cv2.cvtColor(bgra[y0:y1, x0:x1], cv2.COLOR_BGRA2BGR)
    small = cv2.resize(bgr, (max(1, kx1 - kx0), max(1, ky1 - ky0)), interpolation=cv2.INTER_AREA)
    relative = crop_name(t)
    _write_image(session_dir, relative, small)
    return {"crop": relative, "region": [x0, y0, x1 - x0, y1 - y0]}


def _write_image(session_dir: Path, relative: str, image: np.ndarray) -> None:
    path = session_dir / relative
    path.parent.mkdir(exist_ok=True)
    ext = path.suffix
    ok, data = cv2.imencode(ext, image, [cv2.IMWRITE_JPEG_QUALITY, 80] if ext == ".jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise OSError(f"could not encode {relative}")
    path.write_bytes(data.tobytes())
