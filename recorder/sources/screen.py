"""The screen source: grabs the screen with mss at the study's fps and passes on only the
frames worth keeping, because an unchanged screen should cost (almost) nothing.

A grab is kept when the screen changed, when the cursor moved (it is drawn into the
video), when a keyframe image is due, or when a pending video fragment must be written out
(crash safety: the last frame is repeated). Kept frames go to a bounded queue; when the encoder falls behind the frame
is dropped and counted, so capture never stalls. A screen that can no longer be grabbed is
reported once (`on_lost`, the Source protocol of recorder/sources/base.py).
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recorder.clock import SessionClock
from recorder.frame_change import (
    Grab,
    Region,
    changed_fraction,
    examine_change,
    thumbnail,
    thumbnail_change,
)
from recorder.sinks.video import FRAGMENT_SECONDS, KEYFRAME_INTERVAL
from recorder.sources.base import Lost, OnLost, ignore_loss

KEYFRAME_CHANGE = 0.03     # fraction of sampled pixels changed since the last keyframe image
KEYFRAME_MIN_GAP = 0.25    # seconds; an animation does not produce a keyframe per frame


@dataclass
class FrameJob:
    t: float
    grab: Grab
    changed: float
    cursor: tuple[int, int] | None
    keyframe: bool = False   # also save a keyframe image
    iframe: bool = False     # force an H.264 keyframe (a seek point)
    repeat: bool = False     # the last frame again, only to get the pending fragment written
    thumb: np.ndarray | None = None
    region: Region | None = None  # save a crop of this small changed region (no keyframe)


@dataclass
class ScreenStats:
    grabbed: int = 0
    kept: int = 0
    dropped: int = 0
    late_ticks: int = 0


class ScreenSource:
    """Runs the capture thread (a Source); `jobs` is the bounded queue the frame writer drains."""

    def __init__(self, clock: SessionClock, fps: float, jobs: queue.Queue, *,
                 pointer: Callable[[], tuple[int, int] | None],
                 paused: Callable[[float], bool],
                 needs_flush: Callable[[float], bool] = lambda t: False,
                 display: str | None = None, until: float | None = None,
                 on_lost: OnLost = ignore_loss) -> None:
        self.clock, self.fps, self.jobs, self.display = clock, fps, jobs, display
        self.until = until  # a session time the recording ends at (a fixed duration): no grab after it
        self.pointer, self.paused, self.needs_flush = pointer, paused, needs_flush
        self.on_lost = on_lost
        self.stats = ScreenStats()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screen", daemon=True)
        self._last: FrameJob | None = None
        self._keyframe_thumb: np.ndarray | None = None
        self._keyframe_t = float("-inf")
        self._reference: Grab | None = None   # the screen as the last keyframe or crop stored it
        self._view_t = float("-inf")          # ... and when
        self._iframe_t = float("-inf")
        self._flush_asked = float("-inf")
        self._drifted = False
        self.lost: Lost | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, t_end: float) -> None:
        """Stop grabbing; the last frame is repeated at `t_end` so the video lasts the session."""
        self._stop.set()
        self._thread.join(timeout=5)
        last = self._last
        if last is not None and t_end > last.t:
            self.jobs.put(FrameJob(t_end, last.grab, 0.0, last.cursor, repeat=True))
        self.jobs.put(None)

    def _run(self) -> None:
        import mss
        try:
            with mss.MSS(display=self.display) as sct:
                self._loop(sct, sct.monitors[0])
        except Exception as exc:  # noqa: BLE001  mss's and Xlib's errors: reported, the session decides
            self.lost = Lost(time.monotonic(), f"the screen cannot be grabbed: {exc}")
            self.on_lost(self.lost)

    def _loop(self, sct, monitor: dict) -> None:
        interval = 1.0 / self.fps
        next_tick = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now < next_tick:
                self._stop.wait(next_tick - now)
                continue
            behind = int((now - next_tick) / interval)
            self.stats.late_ticks += behind
            next_tick += (behind + 1) * interval
            t = self.clock.at(now)
            if self.paused(t) or (self.until is not None and t > self.until):
                continue
            shot = sct.grab(monitor)
            self.stats.grabbed += 1
            self._consider(t, Grab(shot.raw, shot.width, shot.height))

    def _consider(self, t: float, grab: Grab) -> None:
        last = self._last
        if last is None:
            t = 0.0  # the video starts at session time 0 (a player shifts a later start to 0)
        changed = changed_fraction(last.grab if last else None, grab)
        job = FrameJob(t, grab, changed, self.pointer())
        if changed > 0:
            self._drifted = True
        if self._drifted and t - self._view_t >= KEYFRAME_MIN_GAP:
            self._examine(job)
        moved = last is not None and job.cursor != last.cursor
        wanted = last is None or changed > 0 or moved or job.keyframe or job.region is not None
        # a static screen after a change: repeat the frame so the pending fragment is written
        flush = (not wanted and t - self._flush_asked >= FRAGMENT_SECONDS and self.needs_flush(t))
        if not (wanted or flush):
            return
        job.repeat = flush
        job.iframe = last is None or (wanted and t - self._iframe_t >= KEYFRAME_INTERVAL)
        try:
            self.jobs.put_nowait(job)
        except queue.Full:
            self.stats.dropped += 1
            return
        self._kept(job, flush)

    def _examine(self, job: FrameJob) -> None:
        """A keyframe when much changed since the last one; otherwise a crop of the region
        that changed since the last keyframe or crop (an inline message), found by one
        full-size compare at most every KEYFRAME_MIN_GAP."""
        thumb = thumbnail(job.grab)
        if thumbnail_change(self._keyframe_thumb, thumb) >= KEYFRAME_CHANGE:
            job.keyframe, job.thumb = True, thumb
            return
        verdict, region = examine_change(self._reference, job.grab)
        if verdict == "keyframe":
            job.keyframe, job.thumb = True, thumb
        elif verdict == "crop":
            job.region = region
        else:
            self._drifted = False     # back as it was, or only a caret's blink

    def _kept(self, job: FrameJob, flush: bool) -> None:
        self.stats.kept += 1
        self._last = job
        if job.keyframe or job.region is not None:
            self._reference, self._view_t, self._drifted = job.grab, job.t, False
        if job.keyframe:
            self._keyframe_thumb, self._keyframe_t, self._drifted = job.thumb, job.t, False
        if job.iframe:
            self._iframe_t = job.t
        if flush:
            self._flush_asked = job.t


def screen_size(display: str | None = None) -> tuple[int, int]:
    """Width and height of the whole X screen of `display` (default: $DISPLAY)."""
    import mss
    with mss.MSS(display=display) as sct:
        monitor = sct.monitors[0]
        return monitor["width"], monitor["height"]
