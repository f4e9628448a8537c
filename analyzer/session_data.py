"""One session's stored data as numpy columns, read once through the store's API.

Every measure of every attempt slices these columns by time with `searchsorted`, so an
hour-long session is read in one pass and analysed without per-event Python work.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analyzer.phash import phash
from sessions.store import Store


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
class SessionData:
    session: dict
    clicks: Columns           # presses that landed on the product, not the task prompt
    pointer: Columns          # every pointer position (moves, clicks, scrolls), for distance
    key_t: np.ndarray         # key presses
    frame_t: np.ndarray
    frame_changed: np.ndarray
    keyframes: list[dict]     # t, keyframe, phash (filled in when the recorder left none)
    markers: list[dict]
    attempts: list[dict]
    width: int
    height: int
    keyframe_scale: float
    end: float                # last moment anything was recorded
    seq: dict[int, float] = field(default_factory=dict)  # attempt id -> SEQ answer
    windows: list[tuple[float, str]] = field(default_factory=list)  # (t, title) of window changes

    @property
    def id(self) -> str:
        return self.session["id"]

    def keyframes_between(self, start: float, end: float, *, with_current: bool = True) -> list[dict]:
        """Keyframes shown during [start, end]: those taken inside, plus the one already on
        screen at `start` (the screen a participant first sees when a task begins)."""
        times = [k["t"] for k in self.keyframes]
        first = int(np.searchsorted(times, start, side="left"))
        last = int(np.searchsorted(times, end, side="right"))
        if with_current and first > 0 and (first == len(times) or times[first] > start):
            first -= 1
        return self.keyframes[first:last]


def load_session(store: Store, session: dict) -> SessionData:
    """Read a session's events, frames, markers, attempts and SEQ answers."""
    sid = session["id"]
    clicks, pointer, keys, windows = [], [], [], []
    last_t = 0.0
    for e in store.iter_events(sid):
        kind, t = e["kind"], e["t"]
        last_t = t
        if kind == "window":
            windows.append((t, e["text"] or ""))
            continue
        if kind == "key":
            keys.append(t)
            continue
        if e["x"] is None or e["y"] is None or e.get("target") == "prompt":
            continue
        if kind in ("move", "scroll", "click"):
            pointer.append((t, e["x"], e["y"]))
        if kind == "click" and e["pressed"] != 0:
            clicks.append((t, e["x"], e["y"]))
    frames = store.frames(sid)
    frame_t = np.array([f["t"] for f in frames], dtype=float)
    frame_changed = np.array([f["changed"] or 0.0 for f in frames], dtype=float)
    device = session.get("device") or {}
    keyframes = [f for f in frames if f["keyframe"]]
    _fill_hashes(store, sid, keyframes)
    attempts = [a for a in store.attempts(sid) if a["ended"] is not None and a["outcome"]]
    seq = {int(a["attempt_id"]): a["value"] for a in store.answers(sid, "seq")
           if a["attempt_id"] is not None and a["value"] is not None}
    end = max([last_t, float(frame_t[-1]) if frame_t.size else 0.0, float(session.get("duration") or 0.0)])
    return SessionData(
        session=session, clicks=_columns(clicks), pointer=_columns(pointer),
        key_t=np.array(keys, dtype=float), frame_t=frame_t, frame_changed=frame_changed,
        keyframes=keyframes, markers=store.markers(sid), attempts=attempts,
        width=int(device.get("width") or 0), height=int(device.get("height") or 0),
        keyframe_scale=_keyframe_scale(store, sid, device, keyframes), end=end, seq=seq, windows=windows)


def _keyframe_scale(store: Store, session_id: str, device: dict, keyframes: list[dict]) -> float:
    """The device's keyframe_scale, or, when a recorder left it out, the first keyframe's
    width over the screen width (templates must be shrunk exactly as keyframes were)."""
    if device.get("keyframe_scale"):
        return float(device["keyframe_scale"])
    import cv2
    if device.get("width") and keyframes:
        path = store.media.path(session_id, keyframes[0]["keyframe"])
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) if path.is_file() else None
        if image is not None:
            return image.shape[1] / float(device["width"])
    return 1.0


def _fill_hashes(store: Store, session_id: str, keyframes: list[dict]) -> None:
    import cv2
    for frame in keyframes:
        if not frame.get("phash"):
            path = store.media.path(session_id, frame["keyframe"])
            image = cv2.imread(str(path)) if path.is_file() else None
            frame["phash"] = phash(image) if image is not None else None
