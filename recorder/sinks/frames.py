"""The frame writer: drains the screen source's queue on its own thread, draws the cursor,
encodes the video, saves keyframe images and hands each stored frame's row to the sinks."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from recorder.clock import SessionClock
from recorder.sinks.base import Sink
from recorder.sinks.keyframes import save_crop, save_keyframe
from recorder.sinks.video import VideoWriter
from recorder.sources.screen import FrameJob

# a pause is known a moment after its hotkey was pressed: frames wait this long before the
# pause check, so none grabbed just after the hotkey slips into the video
PAUSE_SETTLE = 0.05
# the cursor drawn into the video: an arrow, in pixels from its hot spot
_ARROW = np.array([[0, 0], [0, 17], [4, 13], [7, 20], [10, 19], [7, 12], [12, 12]], np.int32)


def video_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """Encoded size: the screen at `scale`, rounded down to even numbers for yuv420p."""
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def draw_cursor(i420: np.ndarray, height: int, x: float, y: float, scale: float) -> None:
    """Draw the arrow on the luma plane: the X grab leaves the cursor out, and drawing it
    here keeps the change measure (done on the grab) free of pointer motion."""
    luma = i420[:height]
    points = (_ARROW * max(1.0, scale) + (round(x * scale), round(y * scale))).astype(np.int32)
    cv2.fillPoly(luma, [points], 235)
    cv2.polylines(luma, [points], True, 16, 1)


class FrameWriter:
    def __init__(self, jobs: queue.Queue, video: VideoWriter, session_dir: Path, clock: SessionClock,
                 sink: Sink, *, scale: float, keyframe_scale: float,
                 paused: Callable[[float], bool],
                 on_error: Callable[[BaseException], None] = lambda exc: None) -> None:
        self.jobs, self.video, self.session_dir, self.clock, self.sink = jobs, video, session_dir, clock, sink
        self.scale, self.keyframe_scale = scale, keyframe_scale
        self.paused, self.on_error = paused, on_error
        self.keyframes = 0
        self.crops = 0
        self.skipped_paused = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="frames", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float = 30) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # keep draining so the screen source never blocks
            try:
                self._write(job)
            except (OSError, ValueError) as exc:  # a full disk, a broken encoder
                self.error = exc
                self.on_error(exc)
        try:
            self.video.close()
        except OSError as exc:
            self.error = self.error or exc
            self.on_error(exc)

    def _write(self, job: FrameJob) -> None:
        wait = job.t + PAUSE_SETTLE - self.clock.now()
        if wait > 0:
            time.sleep(wait)
        if self.paused(job.t):
            self.skipped_paused += 1
            return
        bgra = job.grab.bgra
        if self.scale != 1.0:
            bgra = cv2.resize(bgra, (self.video.width, self.video.height), interpolation=cv2.INTER_AREA)
        elif bgra.shape[1] != self.video.width or bgra.shape[0] != self.video.height:
            bgra = bgra[:self.video.height, :self.video.width]
        i420 = cv2.cvtColor(bgra, cv2.COLOR_BGRA2YUV_I420)
        if job.cursor is not None:
            draw_cursor(i420, self.video.height, job.cursor[0], job.cursor[1], self.scale)
        shown = self.video.write(i420, job.t, force_keyframe=job.iframe, repeat=job.repeat)
        if shown is None:
            return
        row = {"t": shown, "changed": round(job.changed, 6), "keyframe": None, "phash": None}
        if job.keyframe:
            row.update(save_keyframe(self.session_dir, shown, job.grab.bgra, self.keyframe_scale))
            self.keyframes += 1
        elif job.region is not None:
            row.update(save_crop(self.session_dir, shown, job.grab.bgra, job.region, self.keyframe_scale))
            self.crops += 1
        self.sink.frame(row, job.grab.bgra)
