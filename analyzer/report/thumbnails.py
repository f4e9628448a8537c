"""Small pictures of the screen an issue happened on, with rings where it happened, so a
reader of the report sees the place at once instead of reading coordinates."""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from sessions.store import Store

THUMB_WIDTH = 360
RING = (40, 40, 230)          # BGR: a red that stands out on most interfaces


def marked_screen(image: np.ndarray, points: Sequence[Sequence[float]], width: int = THUMB_WIDTH) -> np.ndarray:
    """`image` shrunk to `width` with a ring at each point (x, y as fractions of the screen)."""
    if image.ndim != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError("a thumbnail needs a colour image")
    scale = width / image.shape[1]
    small = cv2.resize(image, (width, max(1, round(image.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    height = small.shape[0]
    radius = max(6, width // 40)
    for fx, fy in points:
        centre = (int(round(fx * width)), int(round(fy * height)))
        cv2.circle(small, centre, radius + 2, (255, 255, 255), 4, cv2.LINE_AA)
        cv2.circle(small, centre, radius, RING, 3, cv2.LINE_AA)
    return small


def screen_thumbnail(store: Store, screen: dict | None, points: Sequence[Sequence[float]] = (),
                     width: int = THUMB_WIDTH) -> bytes | None:
    """JPEG of the keyframe `screen` ({session_id, keyframe}) with rings, or None if it is gone."""
    if not screen:
        return None
    image = store.media.read_image(screen["session_id"], screen["keyframe"])
    if image is None:
        return None
    ok, jpeg = cv2.imencode(".jpg", marked_screen(image, points, width), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes() if ok else None
