"""Find the study's success and error screens in a session's keyframes.

The study script names screenshots (whole screens or a distinctive part of one); keyframes
are stored smaller, at the session's `keyframe_scale`, so each template is shrunk by the
same factor and located with OpenCV's normalised cross-correlation.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from sessions.errors import BadRequest

# a template counts as on screen when its normalised correlation reaches this
MATCH_THRESHOLD = 0.9


class ScreenImageError(BadRequest):
    """A study screen image that cannot be read."""


@lru_cache(maxsize=64)
def _template(path: str, scale: float) -> np.ndarray:
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ScreenImageError(f"cannot read the screen image {path}")
    if scale != 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image


def match_score(keyframe: np.ndarray, template: np.ndarray) -> float:
    """Best match of `template` anywhere in `keyframe` (grey images), from 0 to 1."""
    if template.shape[0] > keyframe.shape[0] or template.shape[1] > keyframe.shape[1]:
        # a whole-screen shot rounds a pixel larger than the keyframe: crop it to fit
        template = template[:keyframe.shape[0], :keyframe.shape[1]]
    if float(template.std()) < 1e-6:
        # a flat template has no correlation to speak of: compare pixel values instead
        result = cv2.matchTemplate(keyframe, template, cv2.TM_SQDIFF_NORMED)
        return float(1.0 - np.nanmin(result))
    result = cv2.matchTemplate(keyframe, template, cv2.TM_CCOEFF_NORMED)
    result[~np.isfinite(result)] = 0.0
    return float(result.max())


class ScreenMatcher:
    """Matches one session's keyframes against the study's screens, reading each image once."""

    def __init__(self, store, session_id: str, keyframe_scale: float,
                 threshold: float = MATCH_THRESHOLD) -> None:
        self.store, self.session_id = store, session_id
        self.scale, self.threshold = keyframe_scale, threshold
        self._keyframes: dict[str, np.ndarray | None] = {}
        self._scores: dict[tuple[str, str], float] = {}

    def keyframe(self, relative: str) -> np.ndarray | None:
        if relative not in self._keyframes:
            path = self.store.media.path(self.session_id, relative)
            self._keyframes[relative] = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) if path.is_file() else None
        return self._keyframes[relative]

    def shows(self, relative: str, screen: Path) -> bool:
        key = (relative, str(screen))
        if key not in self._scores:
            image = self.keyframe(relative)
            self._scores[key] = 0.0 if image is None else match_score(image, _template(str(screen), self.scale))
        return self._scores[key] >= self.threshold

    def appearances(self, keyframes: list[dict], screen: Path) -> list[float]:
        """Times at which `screen` comes into view: consecutive matching keyframes are one."""
        times, showing = [], False
        for frame in keyframes:
            now = self.shows(frame["keyframe"], screen)
            if now and not showing:
                times.append(frame["t"])
            showing = now
        return times
