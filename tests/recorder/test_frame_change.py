"""Small changes are examined, not lost: the region a change covers, what it deserves (a
crop, a keyframe, nothing for a caret's blink), and the screen source storing a crop of an
inline message the keyframe rule would never keep."""
from __future__ import annotations

import queue

import cv2
import numpy as np

from recorder.clock import SessionClock
from recorder.frame_change import CROP_PAD, Grab, changed_region, examine_change
from recorder.sinks.keyframes import save_crop
from recorder.sources.screen import ScreenSource

W, H = 1280, 800


def grab(*boxes: tuple[int, int, int, int]) -> Grab:
    image = np.full((H, W, 4), 240, np.uint8)
    for x, y, w, h in boxes:
        image[y:y + h, x:x + w, :3] = (40, 40, 200)
    return Grab(bytearray(image.tobytes()), W, H)


def test_the_changed_region_bounds_every_changed_pixel():
    assert changed_region(grab(), grab()) is None
    assert changed_region(grab(), grab((250, 300, 300, 20))) == (250, 300, 300, 20)
    assert changed_region(grab(), grab((10, 10, 5, 5), (100, 200, 3, 4))) == (10, 10, 93, 194)


def test_what_a_change_deserves():
    page = grab()
    assert examine_change(page, grab((250, 300, 300, 20))) == (
        "crop", (250 - CROP_PAD, 300 - CROP_PAD, 300 + 2 * CROP_PAD, 20 + 2 * CROP_PAD))
    assert examine_change(page, grab((600, 300, 2, 18))) == (None, None), "a caret's blink"
    assert examine_change(page, grab((0, 0, 900, 600))) == ("keyframe", None)
    assert examine_change(page, grab((0, 0, 4, 4), (1270, 790, 4, 4)))[0] == "keyframe", "spread over the screen"
    assert examine_change(None, page) == ("keyframe", None)


def test_an_inline_message_is_stored_as_a_crop_between_keyframes():
    source = ScreenSource(SessionClock(), 10, queue.Queue(maxsize=100), pointer=lambda: None,
                          paused=lambda t: False)
    frames = [grab()] * 5 + [grab((250, 300, 300, 20))] * 10 + [grab()] * 5
    for i, frame in enumerate(frames):
        source._consider(0.1 * i, frame)
    jobs = []
    while not source.jobs.empty():
        jobs.append(source.jobs.get_nowait())
    assert [j.keyframe for j in jobs].count(True) == 1, "the message is far below the keyframe rule"
    crops = [(round(j.t, 1), j.region) for j in jobs if j.region is not None]
    region = (250 - CROP_PAD, 300 - CROP_PAD, 300 + 2 * CROP_PAD, 20 + 2 * CROP_PAD)
    assert crops == [(0.5, region), (1.5, region)], "shown, then gone"


def test_a_crop_is_shrunk_by_exactly_the_keyframe_scale(tmp_path):
    screen = grab((251, 301, 300, 20)).bgra
    row = save_crop(tmp_path, 1.5, screen, (243, 293, 316, 36), 0.5)
    x, y, w, h = row["region"]
    assert x % 2 == y % 2 == w % 2 == h % 2 == 0, "whole keyframe pixels"
    crop = cv2.imread(str(tmp_path / row["crop"]))
    assert crop.shape[:2] == (h // 2, w // 2) and row["crop"].endswith(".png")
    expected = cv2.resize(cv2.cvtColor(screen[y:y + h, x:x + w], cv2.COLOR_BGRA2BGR), (w // 2, h // 2),
                          interpolation=cv2.INTER_AREA)
    assert np.array_equal(crop, expected), "lossless"
