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

from analyzer.data.study_data import StudyData, load_study_data
from analyzer.phash import group_hashes
from sessions.errors import BadRequest, NotFound
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
    index: np.ndarray     # the click's index in its session's clicks (SessionData.clicks)
    t: np.ndarray
    x: np.ndarray         # in the pixels of the click's own session screen
    y: np.ndarray
    fx: np.ndarray        # x and y as fractions of the session's screen size
    fy: np.ndarray
    width: np.ndarray     # the session's screen size, per click
    height: np.ndarray
    state: np.ndarray     # index into states, -1 before any keyframe
    states: list[dict]
    screen: np.ndarray    # the same screen across design groups (-1 before any keyframe):
                          # an issue met on one page in two designs is one issue

    def row_of(self, session_id: str) -> dict[int, int]:
        """A session's clicks: index in the session -> row here."""
        return {int(self.index[r]): r for r in range(len(self.session)) if self.session[r] == session_id}


def _check_task(study: Study, task_id: str) -> None:
    if study.task(task_id) is None:
        known = ", ".join(t.id for t in study.tasks)
        raise NotFound(f"no task {task_id!r} in this study (tasks: {known})")


def task_clicks(data: StudyData, task_id: str) -> TaskClicks:
    """The task's clicks and the keyframes its attempts showed, grouped into screen states;
    computed once per StudyData."""
    _check_task(data.study, task_id)
    key = ("task_clicks", task_id)
    if key not in data.cache:
        data.cache[key] = _task_clicks(data, task_id)
    return data.cache[key]


def _task_clicks(data: StudyData, task_id: str) -> TaskClicks:
    rows: list[tuple] = []   # session, attempt, index, t, x, y, w, h, shown-index
    shown: list[dict] = []
    for session in data.sessions:
        attempts = [a for a in session.attempts if a["task"] == task_id]
        if not attempts:
            continue
        times = session.keyframe_t
        on_screen = session.keyframe_index(session.clicks.t)
        used: dict[int, int] = {}
        for a in attempts:
            before = int(np.searchsorted(times, a["started"], side="right")) - 1
            last = int(np.searchsorted(times, a["ended"], side="right"))
            for k in range(max(before, 0), last):
                if k not in used:
                    used[k] = len(shown)
                    shown.append({**session.keyframes[k], "session_id": session.id, "group": session.group})
            span = session.clicks.between(a["started"], a["ended"])
            for i in range(span.start, span.stop):
                k = int(on_screen[i])
                rows.append((session.id, a["id"], i, session.clicks.t[i], session.clicks.x[i], session.clicks.y[i],
                             session.width, session.height, used.get(k, -1) if k >= 0 else -1))
    clicks = _with_states(rows, shown, state_labels(shown))
    across = state_labels(shown, by_group=False)
    clicks.screen = np.array([across[r[8]] if r[8] >= 0 else -1 for r in rows], dtype=np.int64)
    return clicks


def state_labels(shown: list[dict], by_group: bool = True) -> list[int]:
    """Screen states of keyframes: alike by perceptual hash, but never across two design
    groups (a heatmap must not mix designs) nor across two window titles (a page whose
    pixels barely changed is still another page when its title says so)."""
    labels = [-1] * len(shown)
    buckets: dict[tuple, list[int]] = {}
    for i, frame in enumerate(shown):
        group = (frame.get("group") or "") if by_group else ""
        buckets.setdefault((group, frame.get("title") or ""), []).append(i)
    offset = 0
    for members in buckets.values():
        local = group_hashes([shown[i]["phash"] for i in members])
        for i, label in zip(members, local):
            labels[i] = offset + label
        offset += max(local) + 1
    return labels


def _with_states(rows: list[tuple], shown: list[dict], labels: list[int]) -> TaskClicks:
    groups = sorted(set(labels))
    click_group = np.array([labels[r[8]] if r[8] >= 0 else -1 for r in rows], dtype=np.int64)
    counts = {g: int((click_group == g).sum()) for g in groups}
    first = {g: labels.index(g) for g in groups}
    order = sorted(groups, key=lambda g: (-counts[g], first[g]))
    rank = {g: i for i, g in enumerate(order)}
    states = []
    for g in order:
        members = [shown[i] for i, label in enumerate(labels) if label == g]
        states.append({"index": rank[g], "session_id": members[0]["session_id"],
                       "keyframe": members[0]["keyframe"], "phash": members[0]["phash"],
                       "group": members[0]["group"], "title": members[0].get("title"),
                       "clicks": counts[g], "keyframes": len(members),
                       "sessions": sorted({m["session_id"] for m in members})})
    column: list[Any] = list(zip(*rows)) if rows else [[] for _ in range(9)]
    x, y = np.array(column[4], dtype=float), np.array(column[5], dtype=float)
    width, height = np.array(column[6], dtype=float), np.array(column[7], dtype=float)
    return TaskClicks(session=list(column[0]), attempt=np.array(column[1], dtype=np.int64),
                      index=np.array(column[2], dtype=np.int64), t=np.array(column[3], dtype=float),
                      x=x, y=y, fx=x / np.maximum(width, 1), fy=y / np.maximum(height, 1),
                      width=width, height=height,
                      state=np.array([rank[g] if g >= 0 else -1 for g in click_group], dtype=np.int64),
                      states=states, screen=np.zeros(0, dtype=np.int64))


def screen_states(store: Store, study: Study, task_id: str, group: str | None = None) -> list[dict]:
    """The task's screen states, most clicked first: index, keyframe (with its session id),
    clicks, how many keyframes showed it and in which sessions."""
    _check_task(study, task_id)
    return task_clicks(load_study_data(store, study, group=group), task_id).states


def _check_screen(clicks: TaskClicks, screen: int | None) -> None:
    if screen is not None and not 0 <= screen < len(clicks.states):
        raise NotFound(f"no screen state {screen} for this task (it has {len(clicks.states)}: "
                       f"0 to {len(clicks.states) - 1})" if clicks.states else
                       f"no screen state {screen}: this task has no keyframes")


def render_heatmap(store: Store, study: Study, task_id: str, screen: int | None = None,
                   sigma: float = SIGMA, group: str | None = None) -> bytes:
    """PNG of the task's click density over its most clicked screen (or screen state `screen`),
    over the sessions of one design group when `group` is given."""
    _check_task(study, task_id)
    return heatmap_png(load_study_data(store, study, group=group), task_id, screen, sigma)


def heatmap_png(data: StudyData, task_id: str, screen: int | None = None, sigma: float = SIGMA) -> bytes:
    """`render_heatmap` over sessions already read."""
    clicks = task_clicks(data, task_id)
    _check_screen(clicks, screen)
    if screen is None:
        _check_one_design(data, clicks)
    state = screen if screen is not None else (0 if clicks.states else None)
    background, scale = _background(data, clicks, state)
    keep = np.ones(clicks.t.shape, bool) if screen is None else clicks.state == screen
    height, width = background.shape[:2]
    density = click_density(clicks.fx[keep] * width, clicks.fy[keep] * height, width, height, sigma * scale)
    ok, png = cv2.imencode(".png", overlay(background, density))
    return png.tobytes()


def designs(data: StudyData, clicks: TaskClicks) -> list[str]:
    """The named design groups the task's clicks came from."""
    return sorted({g for sid in set(clicks.session) if (g := data.session(sid).group) is not None})


def _check_one_design(data: StudyData, clicks: TaskClicks) -> None:
    """All of a task's clicks go over one background only when they came from one design."""
    groups = designs(data, clicks)
    if len(groups) > 1:
        raise BadRequest(f"this task's clicks come from {len(groups)} design groups ({', '.join(groups)}): "
                         f"choose one group, or one screen state, so two designs are never drawn as one")


def _background(data: StudyData, clicks: TaskClicks, state: int | None) -> tuple[np.ndarray, float]:
    """The state's keyframe and its pixels per screen pixel, or a grey screen-shaped canvas."""
    if state is not None:
        info = clicks.states[state]
        image = data.store.media.read_image(info["session_id"], info["keyframe"])
        if image is not None:
            return image, image.shape[1] / float(data.session(info["session_id"]).width or image.shape[1])
    canvas = np.full((540, 960, 3), 64, np.uint8)
    return canvas, 0.5


def clicks_near(store: Store, study: Study, task_id: str, fx: float, fy: float,
                radius: float = NEAR_RADIUS, screen: int | None = None, group: str | None = None) -> list[dict]:
    """The clicks within `radius` screen pixels of the point (fx, fy), given as fractions of
    the screen as the heatmap is drawn: who clicked there, and when."""
    _check_task(study, task_id)
    return hot_spot(load_study_data(store, study, group=group), task_id, fx, fy, radius, screen)


def hot_spot(data: StudyData, task_id: str, fx: float, fy: float, radius: float = NEAR_RADIUS,
             screen: int | None = None) -> list[dict]:
    """`clicks_near` over sessions already read. Distances are measured in each click's own
    session pixels, so sessions of different screen sizes meet where the heatmap shows them."""
    if radius < 0:
        raise BadRequest(f"radius must not be negative, got {radius}")
    clicks = task_clicks(data, task_id)
    _check_screen(clicks, screen)
    dx, dy = (clicks.fx - fx) * clicks.width, (clicks.fy - fy) * clicks.height
    near = dx ** 2 + dy ** 2 <= radius * radius
    if screen is not None:
        near &= clicks.state == screen
    names = {s.id: s.session["participant"] for s in data.sessions}
    return [{"session_id": clicks.session[i], "participant": names[clicks.session[i]],
             "attempt_id": int(clicks.attempt[i]), "t": float(clicks.t[i]),
             "x": int(clicks.x[i]), "y": int(clicks.y[i])} for i in np.flatnonzero(near)]
