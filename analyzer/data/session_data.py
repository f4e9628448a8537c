"""One session's stored data as numpy columns, read once through the store's API.

Every measure of every attempt slices these columns by time with `searchsorted`, so an
hour-long session is read in one pass and analysed without per-event Python work. The
heatmaps, the issues and the report take the same object: clicks are referred to by their
index here, never looked up again by time.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from analyzer.data.screen_names import TITLE_LAG, short_title
from analyzer.phash import image_hash
from sessions.events import EventKind, is_on_product, is_product_press
from sessions.recovery import settled_attempts
from sessions.store import Store

# when a session recorded no screen size and no keyframe can tell it
DEFAULT_SIZE = (1920, 1080)
_POINTER_KINDS = (EventKind.MOVE, EventKind.SCROLL, EventKind.CLICK)
_EVENT_COLUMNS = ("t", "kind", "x", "y", "pressed", "target", "text", "window")


@dataclass
class Columns:
    """Events of one kind family, in time order."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def between(self, start: float, end: float) -> slice:
        return slice(int(np.searchsorted(self.t, start, side="left")),
                     int(np.searchsorted(self.t, end, side="right")))


def _columns(rows: list[tuple]) -> Columns:
    if not rows:
        empty = np.zeros(0)
        return Columns(empty, empty, empty)
    array = np.array(rows, dtype=float)
    return Columns(array[:, 0], array[:, 1], array[:, 2])


@dataclass
class Trouble:
    """What the detectors found in one attempt, as indices into the session's clicks."""

    dead: np.ndarray                                         # dead clicks
    rage: list[tuple[int, dict]] = field(default_factory=list)  # (first click, burst)


@dataclass
class SessionData:
    session: dict
    clicks: Columns           # presses that landed on the product, not the task prompt
    pointer: Columns          # every pointer position (moves, clicks, scrolls), for distance
    key_t: np.ndarray         # key presses
    frame_t: np.ndarray
    frame_changed: np.ndarray
    keyframes: list[dict]     # t, keyframe, phash (None when the image is gone), title
    views: list[dict]         # keyframes and change crops in time order: what was on screen
    markers: list[dict]
    attempts: list[dict]
    width: int                # the screen size the session's clicks are in
    height: int
    keyframe_scale: float
    end: float                # last moment anything was recorded
    titles: tuple[list[float], list[str]] = ([], [])        # window titles over time
    seq: dict[int, float] = field(default_factory=dict)    # attempt id -> SEQ answer
    trouble: dict[int, Trouble] = field(default_factory=dict)  # attempt id -> detections

    @property
    def id(self) -> str:
        return self.session["id"]

    @property
    def group(self) -> str | None:
        return self.session.get("group_name")

    @property
    def keyframe_t(self) -> np.ndarray:
        return np.array([k["t"] for k in self.keyframes], dtype=float)

    def keyframe_index(self, t: np.ndarray) -> np.ndarray:
        """Index of the keyframe on screen at each time (the last at or before it; -1 before any)."""
        return np.searchsorted(self.keyframe_t, np.asarray(t, dtype=float), side="right") - 1

    def keyframes_between(self, start: float, end: float, *, with_current: bool = True) -> list[dict]:
        """Keyframes shown during [start, end]: those taken inside, plus the one already on
        screen at `start` (the screen a participant first sees when a task begins)."""
        return _between(self.keyframes, start, end, with_current)

    def views_between(self, start: float, end: float) -> list[dict]:
        """Keyframes and change crops taken during [start, end], in time order."""
        return _between(self.views, start, end, False)

    def views_since_keyframe(self, view: dict) -> list[dict]:
        """The keyframe on screen when `view` was taken and every crop from it up to `view`:
        pasted in order, they make the whole screen at that moment."""
        index = first = view["view"]
        while first > 0 and not self.views[first]["keyframe"]:
            first -= 1
        return self.views[first:index + 1]

    def title_at(self, t: float) -> str | None:
        """The active window's title at session time `t`, if titles were recorded."""
        times, titles = self.titles
        index = bisect.bisect_right(times, t) - 1
        return titles[index] if index >= 0 else None


def _between(rows: list[dict], start: float, end: float, with_current: bool) -> list[dict]:
    times = [k["t"] for k in rows]
    first = bisect.bisect_left(times, start)
    last = bisect.bisect_right(times, end)
    if with_current and first > 0 and (first == len(times) or times[first] > start):
        first -= 1
    return rows[first:last]


def load_session(store: Store, session: dict) -> SessionData:
    """Read a session's events, frames, markers, attempts and SEQ answers, once."""
    sid = session["id"]
    clicks, pointer, keys, title_t, titles = [], [], [], [], []
    last_t = 0.0
    for t, kind, x, y, pressed, target, text, window in store.events.rows(sid, list(EventKind), _EVENT_COLUMNS):
        last_t = t
        if kind == EventKind.KEY:
            keys.append(t)
        elif kind == EventKind.WINDOW:
            if text:
                title_t.append(t)
                titles.append(short_title(text, window))
        elif x is not None and y is not None and is_on_product(target):
            if kind in _POINTER_KINDS:
                pointer.append((t, x, y))
            if is_product_press(kind, pressed, target):
                clicks.append((t, x, y))
    frames = store.frames.all(sid)
    frame_t = np.array([f["t"] for f in frames], dtype=float)
    frame_changed = np.array([f["changed"] or 0.0 for f in frames], dtype=float)
    device = session.get("device") or {}
    keyframes = [f for f in frames if f["keyframe"]]
    for frame in keyframes:
        if not frame.get("phash"):
            frame["phash"] = image_hash(store.media.read_image(sid, frame["keyframe"]))
    # a crashed recorder's running attempt counts as interrupted, as recovery will store it
    attempts = [a for a in settled_attempts(store, session) if a["ended"] is not None and a["outcome"]]
    seq = {int(a["attempt_id"]): a["value"] for a in store.answers.all(sid, "seq")
           if a["attempt_id"] is not None and a["value"] is not None}
    end = max([last_t, float(frame_t[-1]) if frame_t.size else 0.0, float(session.get("duration") or 0.0)])
    scale = _keyframe_scale(store, sid, device, keyframes)
    width, height = _screen_size(store, sid, device, keyframes, scale)
    views = [f for f in frames if f["keyframe"] or f.get("crop")]
    for index, view in enumerate(views):
        view["view"] = index
    data = SessionData(
        session=session, clicks=_columns(clicks), pointer=_columns(pointer),
        key_t=np.array(keys, dtype=float), frame_t=frame_t, frame_changed=frame_changed,
        keyframes=keyframes, views=views,
        markers=store.markers.all(sid), attempts=attempts, width=width, height=height,
        keyframe_scale=scale, end=end, titles=(title_t, titles), seq=seq)
    for frame in keyframes:
        frame["title"] = data.title_at(frame["t"] + TITLE_LAG)
    return data


def _keyframe_scale(store: Store, session_id: str, device: dict, keyframes: list[dict]) -> float:
    """The device's keyframe_scale, or, when a recorder left it out, the first keyframe's
    width over the screen width (templates must be shrunk exactly as keyframes were)."""
    if device.get("keyframe_scale"):
        return float(device["keyframe_scale"])
    if device.get("width"):
        image = _first_image(store, session_id, keyframes)
        if image is not None:
            return image.shape[1] / float(device["width"])
    return 1.0


def _screen_size(store: Store, session_id: str, device: dict, keyframes: list[dict],
                 scale: float) -> tuple[int, int]:
    """The screen the clicks were recorded on: the device's, else a keyframe's at its scale."""
    if device.get("width") and device.get("height"):
        return int(device["width"]), int(device["height"])
    image = _first_image(store, session_id, keyframes)
    if image is not None:
        return round(image.shape[1] / scale), round(image.shape[0] / scale)
    return DEFAULT_SIZE


def _first_image(store: Store, session_id: str, keyframes: list[dict]) -> np.ndarray | None:
    for frame in keyframes:
        image = store.media.read_image(session_id, frame["keyframe"], grey=True)
        if image is not None:
            return image
    return None
