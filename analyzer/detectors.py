"""Detectors of trouble in a session: rage clicks, dead clicks, and disagreements between
what the moderator marked and what the screen showed.

They work on numpy columns of one session so an hour of input is a few array operations;
every threshold is a parameter whose default is the published or agreed rule.
"""
from __future__ import annotations

import numpy as np

RAGE_MIN_CLICKS = 3      # clicks ...
RAGE_WINDOW = 1.0        # ... within this many seconds ...
RAGE_RADIUS = 30.0       # ... and this many screen pixels of the first one
DEAD_WAIT = 1.0          # a click is dead when the screen has not changed this long after it
DEAD_MIN_CHANGE = 1e-4   # fraction of pixels that counts as a change (a checkbox tick is ~1e-4 of 1080p)


def rage_clicks(t: np.ndarray, x: np.ndarray, y: np.ndarray, *, min_clicks: int = RAGE_MIN_CLICKS,
                window: float = RAGE_WINDOW, radius: float = RAGE_RADIUS) -> list[dict]:
    """Bursts of at least `min_clicks` consecutive clicks, each burst reported once.

    A burst starts at a click followed by `min_clicks - 1` clicks within `window` seconds and
    `radius` pixels of it, and goes on while each further click stays within `radius` of the
    first and within `window` of the click `min_clicks - 1` before it.
    """
    return [{"t": float(t[i]), "end": float(t[j]), "clicks": j - i + 1, "x": int(x[i]), "y": int(y[i])}
            for i, j in rage_spans(t, x, y, min_clicks=min_clicks, window=window, radius=radius)]


def rage_spans(t: np.ndarray, x: np.ndarray, y: np.ndarray, *, min_clicks: int = RAGE_MIN_CLICKS,
               window: float = RAGE_WINDOW, radius: float = RAGE_RADIUS) -> list[tuple[int, int]]:
    """The bursts of `rage_clicks` as (first, last) click indices."""
    if min_clicks < 2 or window <= 0 or radius < 0:
        raise ValueError("rage clicks need min_clicks >= 2, a positive window and a radius >= 0")
    spans, n, i = [], len(t), 0
    while i < n:
        def near(k: int) -> bool:
            return (x[k] - x[i]) ** 2 + (y[k] - y[i]) ** 2 <= radius * radius
        j = i
        while j + 1 < n and t[j + 1] - t[i] <= window and near(j + 1):
            j += 1
        if j - i + 1 < min_clicks:
            i += 1
            continue
        while j + 1 < n and t[j + 1] - t[j + 2 - min_clicks] <= window and near(j + 1):
            j += 1
        spans.append((i, j))
        i = j + 1
    return spans


def dead_clicks(click_t: np.ndarray, frame_t: np.ndarray, frame_changed: np.ndarray, *,
                wait: float = DEAD_WAIT, min_change: float = DEAD_MIN_CHANGE,
                until: float | None = None) -> np.ndarray:
    """Mask of clicks after which no stored frame changed by `min_change` within `wait` s.

    The recorder stores a frame only when the screen changed, with the changed fraction
    measured without the cursor, so pointer motion never rescues a dead click. Clicks too
    close to `until` (the end of the recording) to have been watched for `wait` are not dead.
    """
    click_t = np.asarray(click_t, dtype=float)
    changes = np.asarray(frame_t, dtype=float)[np.asarray(frame_changed, dtype=float) >= min_change]
    following = np.searchsorted(changes, click_t, side="right")
    next_change = np.full(click_t.shape, np.inf)
    has_next = following < changes.size
    next_change[has_next] = changes[following[has_next]]
    dead = next_change - click_t > wait
    if until is not None:
        dead &= click_t + wait <= until
    return dead


def disagreement(outcome: str | None, success_seen_at: float | None) -> str | None:
    """The success screen appeared but the moderator did not mark a success: reported for a
    human to settle, never overridden, since the moderator may know better (a wrong path)."""
    if success_seen_at is not None and outcome != "success":
        return "success_screen_seen_not_marked"
    return None
