"""Constructed sessions whose right answers are known: screens drawn with OpenCV, stored as
keyframes through the Store API, with events, frames, markers and answers placed by hand."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from analyzer.phash import phash
from sessions import events
from sessions.store import Store
from tests.conftest import write_study

WIDTH, HEIGHT, KEYFRAME_SCALE = 1280, 800, 0.25
DEVICE = {"width": WIDTH, "height": HEIGHT, "scale": 1.0, "fps": 10, "display": ":99",
          "video": "screen.mp4", "keyframe_scale": KEYFRAME_SCALE}


def draw_screen(kind: str) -> np.ndarray:
    """Full-resolution screens that look nothing alike at keyframe size."""
    image = np.full((HEIGHT, WIDTH, 3), 245, np.uint8)
    cv2.rectangle(image, (0, 0), (WIDTH, 60), (90, 60, 30), -1)                     # app bar
    if kind == "home":
        for i in range(4):
            cv2.rectangle(image, (80 + 280 * i, 160), (300 + 280 * i, 420), (200, 160, 80), -1)
    elif kind == "form":
        for i in range(5):
            cv2.rectangle(image, (300, 140 + 100 * i), (980, 200 + 100 * i), (120, 120, 120), 3)
    elif kind == "error":
        cv2.rectangle(image, (340, 250), (940, 550), (40, 40, 220), -1)
        cv2.putText(image, "404 Not found", (420, 420), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (255, 255, 255), 5)
    elif kind == "success":
        cv2.circle(image, (640, 330), 120, (60, 170, 60), -1)
        cv2.putText(image, "Ticket sent", (450, 560), cv2.FONT_HERSHEY_SIMPLEX, 2.4, (30, 120, 30), 6)
    else:
        raise ValueError(kind)
    return image


SCREEN_CROPS = {"error": (340, 250, 600, 300), "success": (440, 200, 420, 400)}

STUDY_WITH_SCREENS = """
title = "Help desk"

[[task]]
id = "ticket"
prompt = "Ask the help desk for help."
time_limit = 120
success_screen = "screens/success.png"
error_screens = ["screens/error.png"]
first_click = [50, 50, 200, 100]

[[task]]
id = "search"
prompt = "Find the opening hours."

[questionnaires]
post_task = ["seq"]
post_session = ["sus", "umux_lite", "nps"]
"""


def write_screens(folder: Path) -> None:
    (folder / "screens").mkdir(parents=True, exist_ok=True)
    for kind, (x, y, w, h) in SCREEN_CROPS.items():
        cv2.imwrite(str(folder / "screens" / f"{kind}.png"), draw_screen(kind)[y:y + h, x:x + w])


def add_keyframe(store: Store, session_id: str, t: float, kind: str, changed: float = 0.4) -> dict:
    """Store a keyframe image the way the recorder does and log its frame row."""
    folder = store.media.session_dir(session_id, create=True) / "keyframes"
    folder.mkdir(exist_ok=True)
    small = cv2.resize(draw_screen(kind), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE, interpolation=cv2.INTER_AREA)
    relative = f"keyframes/{t:09.3f}.jpg"
    cv2.imwrite(str(store.media.path(session_id, relative)), small)
    row = {"t": t, "changed": changed, "keyframe": relative, "phash": phash(small)}
    store.frames.append(session_id, [row])
    return row


def click(t: float, x: int, y: int, **extra) -> list[dict]:
    """A press and its release, as the recorder logs them."""
    return [events.click(t, x, y, **extra), events.click(t + 0.05, x, y, pressed=False, **extra)]


@pytest.fixture
def screens_study(tmp_path: Path) -> Path:
    folder = write_study(tmp_path / "helpdesk", STUDY_WITH_SCREENS)
    write_screens(folder)
    return folder


@pytest.fixture
def screens_store(screens_study: Path):
    store = Store(screens_study)
    yield store
    store.close()
