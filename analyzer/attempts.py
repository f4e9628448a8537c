"""The measures of one task attempt: outcome, time on task, errors, input counts, detected
trouble and the first click; what a researcher reads row by row before any statistics.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer import detectors
from analyzer.data.session_data import SessionData, Trouble
from analyzer.phash import group_hashes
from analyzer.screens import MATCH_THRESHOLD, ScreenMatcher
from sessions.events import MarkerKind, MarkerStatus
from sessions.study import Task


@dataclass(frozen=True)
class Thresholds:
    """The detectors' rules; the defaults are the agreed definitions."""

    rage_clicks: int = detectors.RAGE_MIN_CLICKS
    rage_window: float = detectors.RAGE_WINDOW
    rage_radius: float = detectors.RAGE_RADIUS
    dead_wait: float = detectors.DEAD_WAIT
    # an error screen this close to a moderator-logged error is that same error, seen twice
    same_error_window: float = 5.0
    dead_min_change: float = detectors.DEAD_MIN_CHANGE
    screen_match: float = MATCH_THRESHOLD


def time_on_task(attempt: dict) -> float:
    """Start to end minus privacy pauses: time the participant could be seen working."""
    return max(0.0, attempt["ended"] - attempt["started"] - (attempt["paused"] or 0.0))


def moderator_error_times(data: SessionData, attempt: dict) -> list[float]:
    """Times of the attempt's confirmed error markers (observers' pending flags are not yet errors)."""
    return [m["t"] for m in data.markers
            if m["kind"] == MarkerKind.ERROR and m["status"] == MarkerStatus.CONFIRMED
            and (m["attempt_id"] == attempt["id"]
                 or (m["attempt_id"] is None and attempt["started"] <= m["t"] <= attempt["ended"]))]


def count_errors(logged: list[float], screens: list[float], window: float) -> int:
    """Logged errors plus the error screens no logged error accounts for.

    A moderator usually presses the error hotkey because the error screen just appeared:
    each logged error absorbs at most one error screen within `window` seconds of it.
    """
    unused = sorted(logged)
    unexplained = 0
    for t in sorted(screens):
        match = next((m for m in unused if abs(m - t) <= window), None)
        if match is None:
            unexplained += 1
        else:
            unused.remove(match)
    return len(logged) + unexplained


def first_click(data: SessionData, attempt: dict, task: Task | None) -> dict | None:
    """Where the first click landed, how soon, and whether it hit the task's target area."""
    span = data.clicks.between(attempt["started"], attempt["ended"])
    if span.start >= span.stop:
        return None
    x, y = int(data.clicks.x[span.start]), int(data.clicks.y[span.start])
    hit = None
    if task is not None and task.first_click is not None:
        rx, ry, rw, rh = task.first_click
        hit = rx <= x < rx + rw and ry <= y < ry + rh
    return {"t": float(data.clicks.t[span.start] - attempt["started"]), "x": x, "y": y, "hit": hit}


def mouse_distance(data: SessionData, attempt: dict) -> float:
    span = data.pointer.between(attempt["started"], attempt["ended"])
    x, y = data.pointer.x[span], data.pointer.y[span]
    return float(np.hypot(np.diff(x), np.diff(y)).sum()) if x.size > 1 else 0.0


def screens_visited(data: SessionData, attempt: dict) -> int:
    hashes = [k["phash"] for k in data.keyframes_between(attempt["started"], attempt["ended"]) if k["phash"]]
    return len(set(group_hashes(hashes))) if hashes else 0


def attempt_measures(data: SessionData, attempt: dict, task: Task | None,
                     matcher: ScreenMatcher | None, thresholds: Thresholds = Thresholds()) -> dict:
    """Every per-attempt measure, JSON-able."""
    start, end = attempt["started"], attempt["ended"]
    span = data.clicks.between(start, end)
    ct, cx, cy = data.clicks.t[span], data.clicks.x[span], data.clicks.y[span]
    spans = detectors.rage_spans(ct, cx, cy, min_clicks=thresholds.rage_clicks,
                                 window=thresholds.rage_window, radius=thresholds.rage_radius)
    rage = [{"t": float(ct[i]), "end": float(ct[j]), "clicks": j - i + 1, "x": int(cx[i]), "y": int(cy[i])}
            for i, j in spans]
    dead = detectors.dead_clicks(ct, data.frame_t, data.frame_changed, wait=thresholds.dead_wait,
                                 min_change=thresholds.dead_min_change, until=data.end)
    # the issues and heatmaps refer to these clicks by index: never again by their time
    data.trouble[attempt["id"]] = Trouble(dead=span.start + np.flatnonzero(dead),
                                          rage=[(span.start + i, b) for (i, _), b in zip(spans, rage)])
    keys = int(np.searchsorted(data.key_t, end, side="right") - np.searchsorted(data.key_t, start, side="left"))
    screen_errors, success_at = _screens(data, attempt, task, matcher)
    titled = title_success(data, attempt, task)
    if titled is not None and (success_at is None or titled < success_at):
        success_at = titled
    logged = moderator_error_times(data, attempt)
    return {
        "attempt_id": attempt["id"], "task": attempt["task"], "seq": attempt["seq"],
        "started": start, "ended": end, "outcome": attempt["outcome"],
        "paused": attempt["paused"] or 0.0, "time": time_on_task(attempt),
        "errors": count_errors(logged, screen_errors, thresholds.same_error_window),
        "moderator_errors": len(logged),
        "error_screens": screen_errors,
        "clicks": int(ct.size), "keystrokes": keys,
        "rage_clicks": len(rage), "rage_bursts": rage,
        "dead_clicks": int(dead.sum()), "dead_click_times": [float(t) for t in ct[dead]],
        "mouse_distance": round(mouse_distance(data, attempt), 1),
        "screens_visited": screens_visited(data, attempt),
        "first_click": first_click(data, attempt, task),
        "success_screen_seen": success_at,
        "disagreement": detectors.disagreement(attempt["outcome"], success_at),
        "seq_rating": data.seq.get(attempt["id"]),
    }


def title_success(data: SessionData, attempt: dict, task: Task | None) -> float | None:
    """When a window title matching the task's `success_title` first showed during the
    attempt: web apps often say "Thank you" in the title while the page barely changes."""
    if task is None or task.success_title is None:
        return None
    times, titles = data.titles
    return next((t for t, title in zip(times, titles)
                 if attempt["started"] <= t <= attempt["ended"] and task.success_title.search(title)), None)


def _screens(data: SessionData, attempt: dict, task: Task | None,
             matcher: ScreenMatcher | None) -> tuple[list[float], float | None]:
    """Times error screens came into view, and when the success screen was first seen."""
    if task is None or matcher is None or not (task.error_screens or task.success_screen):
        return [], None
    frames = data.views_between(attempt["started"], attempt["ended"])
    errors = sorted(t for screen in task.error_screens for t in matcher.appearances(frames, screen))
    success = matcher.appearances(frames, task.success_screen) if task.success_screen else []
    return errors, (success[0] if success else None)
