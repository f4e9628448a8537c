"""Click heatmaps: where participants clicked during a task, over the screen they saw.

Clicks are binned onto the keyframe grid with one `bincount` and smoothed with one
Gaussian blur, so a million clicks take milliseconds. Per screen state (keyframes grouped
by perceptual hash) the clicks on one screen are not smeared over another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from analyzer.phash import group_hashes, phash
from sessions.errors import NotFound
from sessions.events import EventKind, is_product_press
from sessions.store import Store
from sessions.study import Study

SIGMA = 20.0          # smoothing, in screen pixels
NEAR_RADIUS = 30.0


def click_density(x: np.ndarray, y: np.ndarray, width: int, height: int, sigma: float) -> np.ndarray:
    """Gaussian-smoothed click counts on a width × height grid (x, y in grid pixels)."""
    if width <= 0 or height <= 0:
        raise ValueError(f"a heatmap needs a positive size, got {width}x{height}")
    ix = np.clip(np.asarray(x, dtype=np.int64), 0, width - 1)
    iy = np.clip(np.asarray(y, dtype=np.int64), 0, height - 1)
    counts = np.bincount(iy * width + ix, minlength=width * height).astype(np.float32)
    return cv2.GaussianBlur(counts.reshape(height, width), (0, 0), sigmaX=max(sigma, 0.5))


def overlay(background: np.ndarray, density: np.ndarray, opacity: float = 0.65) -> np.ndarray:
    """Colour the density (jet) over a BGR background, transparent where nobody clicked."""
    peak = float(density.max())
    if peak <= 0:
        return background.copy()
    level = density / peak
    colours = cv2.applyColorMap((level * 255).astype(np.uint8), cv2.COLORMAP_JET).astype(np.float32)
    alpha = (np.clip(level * 4, 0, 1) * opacity)[..., None]
    return (background.astype(np.float32) * (1 - alpha) + colours * alpha).astype(np.uint8)


@dataclass
class TaskClicks:
    """A task's clicks across sessions, each tagged with the screen state it landed on."""

    session: list[str]
    attempt: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    fx: np.ndarray        # x and y as fractions of the session's screen size
    fy: np.ndarray
    state: np.ndarray     # index into states, -1 before any keyframe
    states: list[dict]


def _keyframe_hashes(store: Store, session_id: str, frames: list[dict]) -> None:
    for frame in frames:
        if not frame.get("phash"):
            image = cv2.imread(str(store.media.path(session_id, frame["keyframe"])))
            frame["phash"] = phash(image) if image is not None else "0" * 16


def task_clicks(store: Store, study: Study, task_id: str) -> TaskClicks:
    """Gather the task's clicks and the keyframes its attempts showed, grouped into states."""
    if study.task(task_id) is None:
        known = ", ".join(t.id for t in study.tasks)
        raise NotFound(f"no task {task_id!r} in this study (tasks: {known})")
    rows: list[tuple] = []   # session, attempt, t, x, y, fx, fy, shown-index
    shown: list[dict] = []
    for session in store.sessions(order="started_at", descending=False):
        sid = session["id"]
        attempts = [a for a in store.attempts(sid, task=task_id) if a["ended"] is not None]
        if not attempts:
            continue
        frames = store.frames(sid, keyframes_only=True)
        _keyframe_hashes(store, sid, frames)
        times = np.array([f["t"] for f in frames], dtype=float)
        width, height = _screen_size(store, session, frames)
        used: dict[int, int] = {}
        for a in attempts:
            before = int(np.searchsorted(times, a["started"], side="right")) - 1
            last = int(np.searchsorted(times, a["ended"], side="right"))
            for k in range(max(before, 0), last):
                if k not in used:
                    used[k] = len(shown)
                    shown.append({**frames[k], "session_id": sid})
            for e in store.iter_events(sid, kinds=(EventKind.CLICK,), start=a["started"], end=a["ended"]):
                if not is_product_press(e["kind"], e["pressed"], e.get("target")) or e["x"] is None:
                    continue
                k = int(np.searchsorted(times, e["t"], side="right")) - 1
                rows.append((sid, a["id"], e["t"], e["x"], e["y"], e["x"] / width, e["y"] / height,
                             used.get(k, -1) if k >= 0 else -1))
    labels = group_hashes([f["phash"] for f in shown]) if shown else []
    return _with_states(rows, shown, labels)


def _screen_size(store: Store, session: dict, frames: list[dict]) -> tuple[float, float]:
    device = session.get("device") or {}
    if device.get("width") and device.get("height"):
        return float(device["width"]), float(device["height"])
    scale = float(device.get("keyframe_scale") or 1.0)
    for frame in frames:
        image = cv2.imread(str(store.media.path(session["id"], frame["keyframe"])), cv2.IMREAD_GRAYSCALE)
        if image is not None:
            return image.shape[1] / scale, image.shape[0] / scale
    return 1920.0, 1080.0


def _with_states(rows: list[tuple], shown: list[dict], labels: list[int]) -> TaskClicks:
    groups = sorted(set(labels))
    click_group = np.array([labels[r[7]] if r[7] >= 0 else -1 for r in rows], dtype=np.int64)
    counts = {g: int((click_group == g).sum()) for g in groups}
    first = {g: labels.index(g) for g in groups}
    order = sorted(groups, key=lambda g: (-counts[g], first[g]))
    rank = {g: i for i, g in enumerate(order)}
    states = []
    for g in order:
        members = [shown[i] for i, label in enumerate(labels) if label == g]
        states.append({"index": rank[g], "session_id": members[0]["session_id"],
                       "keyframe": members[0]["keyframe"], "phash": members[0]["phash"],
                       "clicks": counts[g], "keyframes": len(members),
                       "sessions": sorted({m["session_id"] for m in members})})
    column: list[Any] = list(zip(*rows)) if rows else [[] for _ in range(8)]
    return TaskClicks(session=list(column[0]), attempt=np.array(column[1], dtype=np.int64),
                      t=np.array(column[2], dtype=float), x=np.array(column[3], dtype=float),
                      y=np.array(column[4], dtype=float), fx=np.array(column[5], dtype=float),
                      fy=np.array(column[6], dtype=float),
                      state=np.array([rank[g] if g >= 0 else -1 for g in click_group], dtype=np.int64),
                      states=states)


def screen_states(store: Store, study: Study, task_id: str) -> list[dict]:
    """The task's screen states, most clicked first: index, keyframe (with its session id),
    clicks, how many keyframes showed it and in which sessions."""
    return task_clicks(store, study, task_id).states


def _check_screen(clicks: TaskClicks, screen: int | None) -> None:
    if screen is not None and not 0 <= screen < len(clicks.states):
        raise NotFound(f"no screen state {screen} for this task (it has {len(clicks.states)}: "
                         f"0 to {len(clicks.states) - 1})" if clicks.states else
                         f"no screen state {screen}: this task has no keyframes")


def render_heatmap(store: Store, study: Study, task_id: str, screen: int | None = None,
                   sigma: float = SIGMA) -> bytes:
    """PNG of the task's click density over its most clicked screen (or screen state `screen`)."""
    clicks = task_clicks(store, study, task_id)
    _check_screen(clicks, screen)
    state = screen if screen is not None else (0 if clicks.states else None)
    background, scale = _background(store, clicks, state)
    keep = np.ones(clicks.t.shape, bool) if screen is None else clicks.state == screen
    height, width = background.shape[:2]
    density = click_density(clicks.fx[keep] * width, clicks.fy[keep] * height, width, height, sigma * scale)
    ok, png = cv2.imencode(".png", overlay(background, density))
    return png.tobytes()


def _background(store: Store, clicks: TaskClicks, state: int | None) -> tuple[np.ndarray, float]:
    """The state's keyframe and its pixels per screen pixel, or a grey screen-shaped canvas."""
    if state is not None:
        info = clicks.states[state]
        image = cv2.imread(str(store.media.path(info["session_id"], info["keyframe"])))
        if image is not None:
            session = store.session(info["session_id"])
            width = float((session.get("device") or {}).get("width") or image.shape[1])
            return image, image.shape[1] / width
    canvas = np.full((540, 960, 3), 64, np.uint8)
    return canvas, 0.5


def clicks_near(store: Store, study: Study, task_id: str, x: float, y: float,
                radius: float = NEAR_RADIUS, screen: int | None = None) -> list[dict]:
    """The clicks within `radius` screen pixels of (x, y): who clicked there, and when."""
    if radius < 0:
        raise ValueError(f"radius must not be negative, got {radius}")
    clicks = task_clicks(store, study, task_id)
    _check_screen(clicks, screen)
    near = (clicks.x - x) ** 2 + (clicks.y - y) ** 2 <= radius * radius
    if screen is not None:
        near &= clicks.state == screen
    return [{"session_id": clicks.session[i], "attempt_id": int(clicks.attempt[i]), "t": float(clicks.t[i]),
             "x": int(clicks.x[i]), "y": int(clicks.y[i])} for i in np.flatnonzero(near)]
