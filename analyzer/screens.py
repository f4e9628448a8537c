"""Find the study's success and error screens in what a session showed.

The study script names screenshots (whole screens or a distinctive part of one); keyframes
are stored smaller, at the session's `keyframe_scale`, so each template is shrunk by the
same factor and located with OpenCV's normalised cross-correlation. A small change (an
inline message) is stored as a crop of the changed region rather than a keyframe: it is
pasted over the keyframe it changed and the template is looked for only around it.
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


def _template(path: str, scale: float) -> np.ndarray:
    """The screen image at keyframe scale; re-read whenever the file is replaced."""
    try:
        stat = Path(path).stat()
    except OSError:
        raise ScreenImageError(f"cannot read the screen image {path}") from None
    return _template_version(path, stat.st_mtime_ns, stat.st_size, scale)


@lru_cache(maxsize=64)
def _template_version(path: str, mtime_ns: int, size: int, scale: float) -> np.ndarray:
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ScreenImageError(f"cannot read the screen image {path}")
    if scale != 1.0:
        size_ = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size_, interpolation=cv2.INTER_AREA)
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
    """Matches one session's keyframes and change crops against the study's screens,
    reading each image once."""

    def __init__(self, store, session_id: str, keyframe_scale: float,
                 threshold: float = MATCH_THRESHOLD, data=None) -> None:
        self.store, self.session_id, self.data = store, session_id, data
        self.scale, self.threshold = keyframe_scale, threshold
        self._images: dict[str, np.ndarray | None] = {}
        self._scores: dict[tuple[str, str], float] = {}
        self._crops: dict[tuple[str, str], bool | None] = {}
        self.matched: set[str] = set()      # screens seen at least once

    def image(self, relative: str) -> np.ndarray | None:
        if relative not in self._images:
            path = self.store.media.path(self.session_id, relative)
            self._images[relative] = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) if path.is_file() else None
        return self._images[relative]

    keyframe = image

    def shows(self, relative: str, screen: Path) -> bool:
        """Whether the keyframe `relative` shows `screen`."""
        key = (relative, str(screen))
        if key not in self._scores:
            image = self.image(relative)
            self._scores[key] = 0.0 if image is None else match_score(image, _template(str(screen), self.scale))
        return self._note(self._scores[key], screen)

    def _note(self, score: float, screen: Path) -> bool:
        if score >= self.threshold:
            self.matched.add(str(screen))
            return True
        return False

    def crop_shows(self, view: dict, screen: Path) -> bool | None:
        """Whether pasting the crop `view` over the screen brought `screen` into view (True),
        took it away (False), or changed nothing about it (None: the crop was elsewhere)."""
        key = (view["crop"], str(screen))
        if key not in self._crops:
            self._crops[key] = self._crop_change(view, _template(str(screen), self.scale))
        seen = self._crops[key]
        if seen:
            self.matched.add(str(screen))
        return seen

    def _crop_change(self, view: dict, template: np.ndarray) -> bool | None:
        canvas = self._canvas(self.data.views_since_keyframe(view)[:-1]) if self.data else None
        crop = self.image(view["crop"])
        if canvas is None or crop is None:
            return None
        x, y, w, h = self._scaled(view["region"])
        th, tw = template.shape[:2]
        # the template can only appear or vanish where it overlaps the changed region
        x0, y0 = max(0, x - tw + 1), max(0, y - th + 1)
        x1, y1 = min(canvas.shape[1], x + w + tw - 1), min(canvas.shape[0], y + h + th - 1)
        if y1 - y0 < min(th, canvas.shape[0]) or x1 - x0 < min(tw, canvas.shape[1]):
            return None
        before = match_score(canvas[y0:y1, x0:x1], template) >= self.threshold
        _paste(canvas, crop, x, y)
        after = match_score(canvas[y0:y1, x0:x1], template) >= self.threshold
        return after if after != before or after else None

    def _scaled(self, region) -> tuple[int, int, int, int]:
        x, y, w, h = region
        s = self.scale
        return round(x * s), round(y * s), max(1, round(w * s)), max(1, round(h * s))

    def _canvas(self, chain: list[dict]) -> np.ndarray | None:
        """A keyframe with the crops taken after it pasted in, in order."""
        if not chain or not chain[0]["keyframe"]:
            return None
        base = self.image(chain[0]["keyframe"])
        if base is None:
            return None
        canvas = base.copy()
        for step in chain[1:]:
            crop = self.image(step["crop"])
            if crop is not None:
                x, y, _, _ = self._scaled(step["region"])
                _paste(canvas, crop, x, y)
        return canvas

    def appearances(self, views: list[dict], screen: Path) -> list[float]:
        """Times at which `screen` comes into view: consecutive matching views are one."""
        times, showing = [], False
        for view in views:
            if view.get("keyframe"):
                now = self.shows(view["keyframe"], screen)
            else:
                seen = self.crop_shows(view, screen)
                now = showing if seen is None else seen
            if now and not showing:
                times.append(view["t"])
            showing = now
        return times


def _paste(canvas: np.ndarray, crop: np.ndarray, x: int, y: int) -> None:
    h, w = min(crop.shape[0], canvas.shape[0] - y), min(crop.shape[1], canvas.shape[1] - x)
    if h > 0 and w > 0:
        canvas[y:y + h, x:x + w] = crop[:h, :w]
