"""Title cards for highlight reels, drawn with a font that has every glyph people type: the
participant's id, the task and a problem's title or a quote ("·", curly quotes, accents), which
OpenCV's Hershey fonts would turn into "?". DejaVu Sans ships with matplotlib, a core
dependency, so no system font is needed.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

BACKGROUND = (25, 30, 40)     # RGB
INK = (240, 240, 240)


@lru_cache(maxsize=8)
def _font(pixels: int) -> FreeTypeFont:
    import matplotlib
    from PIL import ImageFont
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), pixels)


def draw_card(lines: list[tuple[str, float]], width: int, height: int) -> np.ndarray:
    """A dark card (BGR, for OpenCV and PyAV) with each (text, relative size) line on it."""
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    scale = max(0.4, width / 1280)
    x, y = int(width * 0.08), int(height * 0.3) - int(30 * scale)
    for text, size in lines:
        font = _font(max(8, round(34 * size * scale)))
        draw.text((x, y), text, font=font, fill=INK)
        y += int(55 * scale)
    return np.asarray(image)[:, :, ::-1].copy()
