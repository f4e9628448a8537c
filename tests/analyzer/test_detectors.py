"""Rage clicks, dead clicks, screen templates and disagreements on sessions whose right
answers are known by construction."""
from __future__ import annotations

import numpy as np
import pytest

from analyzer import detectors
from analyzer.screens import ScreenMatcher, match_score
from sessions.study import load_study
from tests.analyzer.conftest import DEVICE, KEYFRAME_SCALE, add_keyframe, click


def _rage(times, points, **kw):
    xs = np.array([p[0] for p in points], float)
    ys = np.array([p[1] for p in points], float)
    return detectors.rage_clicks(np.array(times, float), xs, ys, **kw)


def test_three_clicks_within_a_second_and_30_px_are_one_rage_burst():
    (burst,) = _rage([1.0, 1.4, 1.9], [(100, 100), (110, 95), (90, 120)])
    assert (burst["t"], burst["end"], burst["clicks"], burst["x"], burst["y"]) == (1.0, 1.9, 3, 100, 100)


@pytest.mark.parametrize("times,points", [
    ([1.0, 1.5], [(100, 100)] * 2),                              # only two clicks
    ([1.0, 1.6, 2.1], [(100, 100)] * 3),                         # spread over 1.1 s
    ([1.0, 1.2, 1.4], [(100, 100), (100, 100), (131, 100)]),     # the third is 31 px away
])
def test_not_rage(times, points):
    assert _rage(times, points) == []


def test_a_long_burst_is_reported_once_and_a_later_one_separately():
    times = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 5.0, 5.1, 5.2]
    points = [(10, 10)] * 7 + [(400, 300)] * 3
    bursts = _rage(times, points)
    assert [(b["t"], b["clicks"]) for b in bursts] == [(0.0, 7), (5.0, 3)]


def test_rage_thresholds_are_parameters():
    times, points = [0.0, 0.5, 1.0, 1.5], [(0, 0)] * 4
    assert _rage(times, points, window=0.5) == []
    assert len(_rage(times, points, min_clicks=4, window=2.0)) == 1
    with pytest.raises(ValueError):
        _rage(times, points, min_clicks=1)


def test_dead_clicks_from_frame_changes():
    frame_t = np.array([0.5, 2.3, 4.0, 6.0])
    changed = np.array([0.2, 0.00001, 0.05, 0.3])   # the 2.3 s frame is a blinking caret
    clicks = np.array([0.0, 2.0, 3.5, 5.0, 9.5])
    dead = detectors.dead_clicks(clicks, frame_t, changed, until=10.0)
    # 0.0 -> change at 0.5; 2.0 -> only the caret, next real change 4.0; 3.5 -> 4.0;
    # 5.0 -> 6.0 is exactly 1 s later (in time); 9.5 -> recording ends before 1 s has passed
    assert dead.tolist() == [False, True, False, False, False]
    assert detectors.dead_clicks(clicks, frame_t, changed, wait=0.4, until=10.0).tolist() == \
        [True, True, True, True, True]
    assert detectors.dead_clicks(np.array([1.0]), np.zeros(0), np.zeros(0)).tolist() == [True]


def test_template_matching_finds_the_screens_at_keyframe_scale(screens_study, screens_store):
    study = load_study(screens_study)
    (task, _) = study.tasks
    sid = screens_store.sessions.create("P01", device=DEVICE)
    frames = [add_keyframe(screens_store, sid, t, kind)
              for t, kind in ((1.0, "home"), (2.0, "error"), (3.0, "form"), (4.0, "error"), (5.0, "error"),
                              (6.0, "success"))]
    matcher = ScreenMatcher(screens_store, sid, KEYFRAME_SCALE)
    (error_screen,) = task.error_screens
    assert matcher.appearances(frames, error_screen) == [2.0, 4.0]     # 4 and 5 are one appearance
    assert matcher.appearances(frames, task.success_screen) == [6.0]
    assert not matcher.shows(frames[0]["keyframe"], task.success_screen)
    # the same matcher at the wrong scale misses: the templates must be shrunk like the keyframes
    assert ScreenMatcher(screens_store, sid, 1.0).appearances(frames, task.success_screen) == []


def test_match_score_of_a_flat_template_does_not_crash():
    keyframe = np.full((50, 80), 200, np.uint8)
    assert match_score(keyframe, np.full((10, 10), 200, np.uint8)) == pytest.approx(1.0)
    assert match_score(keyframe, np.full((10, 10), 0, np.uint8)) < 0.5


def test_disagreement_only_when_success_seen_but_not_marked():
    assert detectors.disagreement("failure", 12.0) == "success_screen_seen_not_marked"
    assert detectors.disagreement("gave_up", 3.0) == "success_screen_seen_not_marked"
    assert detectors.disagreement("success", 12.0) is None
    assert detectors.disagreement("failure", None) is None


def test_click_helper_makes_press_and_release():
    assert [e["pressed"] for e in click(1.0, 5, 5)] == [1, 0]
