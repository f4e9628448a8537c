"""Click density, screen states grouped by perceptual hash, heatmap PNGs and clicks_near."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from analyzer.heatmap import click_density, clicks_near, render_heatmap, screen_states
from sessions.errors import NotFound
from sessions.study import load_study
from tests.analyzer.conftest import (
    DEVICE,
    HEIGHT,
    KEYFRAME_SCALE,
    WIDTH,
    add_keyframe,
    click,
    draw_screen,
)


def test_density_equals_a_direct_sum_of_gaussians():
    xs, ys, sigma = np.array([40, 40, 41, 120]), np.array([30, 30, 33, 70]), 6.0
    density = click_density(xs, ys, 160, 100, sigma)
    gx, gy = np.meshgrid(np.arange(160), np.arange(100))
    direct = sum(np.exp(-((gx - x) ** 2 + (gy - y) ** 2) / (2 * sigma ** 2)) for x, y in zip(xs, ys))
    direct /= 2 * np.pi * sigma ** 2
    assert np.unravel_index(density.argmax(), density.shape) == np.unravel_index(direct.argmax(), direct.shape)
    assert density.sum() == pytest.approx(4.0, rel=0.01)         # mass is kept: one unit per click
    assert np.abs(density - direct).max() < 0.02 * direct.max()
    with pytest.raises(ValueError, match="positive size"):
        click_density(xs, ys, 0, 10, 2.0)


def _session(store, participant, screens, clicks, group=None):
    sid = store.sessions.create(participant, group=group, device=DEVICE)
    attempt = store.attempts.start(sid, "ticket", 10.0)
    store.attempts.end(attempt, 60.0, "success")
    for t, kind in screens:
        add_keyframe(store, sid, t, kind)
    events = [e for t, x, y in clicks for e in click(t, x, y)]
    events += click(5.0, 10, 10)                     # before the task: not part of it
    events += click(20.5, 11, 11, target="prompt")   # on the prompt window: never counted
    store.events.append(sid, sorted(events, key=lambda e: e["t"]))
    return sid, attempt


@pytest.fixture
def two_sessions(screens_study, screens_store):
    a = _session(screens_store, "P01", [(2.0, "home"), (30.0, "form")],
                 [(12.0, 400, 300), (13.0, 402, 301), (31.0, 640, 480), (32.0, 640, 480), (33.0, 640, 480)])
    b = _session(screens_store, "P02", [(11.0, "home"), (40.0, "form")],
                 [(12.0, 405, 300), (41.0, 900, 100)])
    return load_study(screens_study), a, b


def test_screen_states_group_keyframes_across_sessions(two_sessions, screens_store):
    study, (a, _), (b, _) = two_sessions
    states = screen_states(screens_store, study, "ticket")
    assert [(s["index"], s["clicks"], s["keyframes"]) for s in states] == [(0, 4, 2), (1, 3, 2)]
    form, home = states
    assert form["sessions"] == home["sessions"] == sorted([a, b])
    assert form["session_id"] == a and form["keyframe"].startswith("keyframes/")
    image = cv2.imread(str(screens_store.media.path(form["session_id"], form["keyframe"])))
    expected = cv2.resize(draw_screen("form"), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE, interpolation=cv2.INTER_AREA)
    assert np.abs(image.astype(int) - expected).mean() < 3


def test_heatmap_png_is_hot_where_people_clicked(two_sessions, screens_store):
    study, _, _ = two_sessions
    png = render_heatmap(screens_store, study, "ticket", screen=0)
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (HEIGHT * KEYFRAME_SCALE, WIDTH * KEYFRAME_SCALE, 3)
    background = cv2.resize(draw_screen("form"), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE, interpolation=cv2.INTER_AREA)
    diff = np.abs(image.astype(int) - background).sum(axis=2)
    hot = (480 * KEYFRAME_SCALE, 640 * KEYFRAME_SCALE)
    assert diff[int(hot[0]), int(hot[1])] > 100, "the spot clicked three times is coloured"
    assert diff[10:30, 10:30].max() < 30, "far from every click the screen shows through"
    # clicks on the home screen (400, 300) are not smeared onto the form screen
    assert diff[int(300 * KEYFRAME_SCALE), int(400 * KEYFRAME_SCALE)] < 30
    whole = cv2.imdecode(np.frombuffer(render_heatmap(screens_store, study, "ticket"), np.uint8), cv2.IMREAD_COLOR)
    assert np.abs(whole.astype(int) - background).sum(axis=2)[75, 100] > 100, "the task map has every click"


def test_heatmap_bad_requests(two_sessions, screens_store):
    study, _, _ = two_sessions
    with pytest.raises(NotFound, match="no screen state 2"):
        render_heatmap(screens_store, study, "ticket", screen=2)
    with pytest.raises(NotFound, match="no task 'nope'"):
        render_heatmap(screens_store, study, "nope")


def test_a_task_without_keyframes_gets_a_plain_canvas(two_sessions, screens_store):
    study, _, _ = two_sessions
    assert screen_states(screens_store, study, "search") == []
    image = cv2.imdecode(np.frombuffer(render_heatmap(screens_store, study, "search"), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[2] == 3


def test_clicks_near(two_sessions, screens_store):
    study, (a, attempt_a), (b, attempt_b) = two_sessions
    def near(x, y, **options):
        return clicks_near(screens_store, study, "ticket", x / WIDTH, y / HEIGHT, **options)

    assert [(c["session_id"], c["attempt_id"], c["t"], c["x"], c["y"]) for c in near(401, 300)] == [
        (a, attempt_a, 12.0, 400, 300), (a, attempt_a, 13.0, 402, 301), (b, attempt_b, 12.0, 405, 300)]
    assert len(near(401, 300, radius=2)) == 2
    assert near(401, 300, screen=0) == []
    assert len(near(640, 480, screen=0)) == 3
