"""Which grabs the screen source keeps, on synthetic grabs: an unchanged screen costs
nothing, pointer motion is stored but measures as no change, keyframes come with real
change, pending video is flushed, and a full queue drops frames rather than waiting."""
from __future__ import annotations

import queue

import numpy as np
import pytest

from recorder.clock import SessionClock
from recorder.frame_change import Grab, changed_fraction
from recorder.sources.screen import ScreenSource

W, H = 64, 48


def grab(fill: int = 0, box: tuple[int, int, int, int] | None = None) -> Grab:
    image = np.full((H, W, 4), fill, np.uint8)
    if box:
        x, y, w, h = box
        image[y:y + h, x:x + w] = 255
    return Grab(bytearray(image.tobytes()), W, H)


@pytest.fixture
def source():
    pointer = {"at": (5, 5)}
    s = ScreenSource(SessionClock(), 10, queue.Queue(maxsize=100), pointer=lambda: pointer["at"],
                     paused=lambda t: False)
    s.pointer_at = pointer
    return s


def kept(source: ScreenSource) -> list:
    jobs = []
    while not source.jobs.empty():
        jobs.append(source.jobs.get_nowait())
    return jobs


def test_changed_fraction_counts_differing_pixels():
    assert changed_fraction(None, grab()) == 1.0
    assert changed_fraction(grab(), grab()) == 0.0
    assert changed_fraction(grab(), grab(box=(0, 0, 8, 6))) == pytest.approx(48 / (W * H))


def test_an_unchanged_screen_is_not_kept_after_the_first_frame(source):
    for i in range(20):
        source._consider(0.1 * i, grab())
    [first] = kept(source)
    assert (first.t, first.changed, first.keyframe, first.iframe) == (0.0, 1.0, True, True)


def test_pointer_motion_is_kept_but_measures_as_no_change(source):
    source._consider(0.0, grab())
    source.pointer_at["at"] = (30, 30)
    source._consider(0.1, grab())
    jobs = kept(source)
    assert [(j.changed, j.cursor, j.keyframe) for j in jobs[1:]] == [(0.0, (30, 30), False)]


def test_a_substantial_change_brings_a_keyframe_and_a_tiny_one_does_not(source):
    source._consider(0.0, grab())
    source._consider(0.5, grab(box=(0, 0, 1, 1)))       # one pixel: a caret blinking
    source._consider(1.0, grab(box=(0, 0, 40, 40)))      # a dialog opened
    jobs = kept(source)
    assert [(j.t, j.keyframe) for j in jobs] == [(0.0, True), (0.5, False), (1.0, True)]
    assert jobs[2].changed == pytest.approx((40 * 40 - 1) / (W * H))


def test_pending_video_is_flushed_by_repeating_the_frame_when_the_writer_asks(source):
    asks = []
    source.needs_flush = lambda t: asks.append(t) or 1.0 <= t
    source._consider(0.0, grab())
    source._consider(0.3, grab(box=(0, 0, 2, 2)))
    for i in range(4, 40):                               # then static for 3.6 s
        source._consider(0.1 * i, grab(box=(0, 0, 2, 2)))
    jobs = kept(source)
    assert [j.t for j in jobs][:2] == [0.0, 0.3] and not any(j.repeat for j in jobs[:2])
    repeats = jobs[2:]  # asked once, then not again for a second (the writer catches up)
    assert [(j.t, j.repeat, j.changed) for j in repeats] == [(1.0, True, 0.0), (pytest.approx(2.0), True, 0.0),
                                                              (pytest.approx(3.0), True, 0.0)]


def test_a_full_queue_drops_and_counts_frames_instead_of_waiting(source):
    source.jobs = queue.Queue(maxsize=2)
    for i in range(6):
        source._consider(0.1 * i, grab(fill=i * 10))
    assert source.jobs.qsize() == 2 and source.stats.dropped == 4 and source.stats.kept == 2
    # a dropped frame is not the reference: the next change is measured against the last kept
    assert source._last.grab.raw == grab(fill=10).raw
