"""The participant's camera, recorded small beside the screen for picture-in-picture.

A camera SPEC is a device (`/dev/video0`, or an index: read through OpenCV's V4L2 backend,
since the PyAV wheel has no v4l2 input), `lavfi:GRAPH` (anything FFmpeg's lavfi makes, e.g.
`lavfi:testsrc2=size=320x240:rate=15`) or a video file, played in a loop. Generated and
file sources are read at the camera's pace, not as fast as they decode.

Frames are scaled to at most MAX_WIDTH pixels wide and written with the screen's
VideoWriter to their own fragmented H.264 file (sessions.events.CAMERA_FILE), stamped on
the session clock, so a kill -9 keeps all but the last fragment; none is written during a
privacy pause. A camera that stops delivering is reported once (`on_lost`, the Source
protocol of recorder/sources/base.py) and the session goes on without it; a live output
that fails (`on_frame`) is dropped, and the camera goes on being recorded.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from recorder.clock import SessionClock
from recorder.sinks.video import VideoWriter
from recorder.sources.base import Lost, OnLost, ignore_loss
from sessions.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

MAX_WIDTH = 480
FPS = 15
LOST_AFTER = 2.0   # seconds without a frame from a device before the camera counts as gone


class _Reader:
    """Frames as BGR arrays; `read()` returns None when the source has none to give (a
    device unplugged mid-read included): anything it raises is a fault of the reader."""

    paced = True   # read at the camera's pace (generated and file sources), or as it delivers

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _DeviceReader(_Reader):
    def __init__(self, spec: str) -> None:
        target = int(spec) if spec.isdigit() else spec
        self.capture = cv2.VideoCapture(target, cv2.CAP_V4L2)
        if not self.capture.isOpened():
            self.capture.release()
            raise NotFound(f'no camera "{spec}" (give /dev/videoN, an index, a video file or lavfi:GRAPH)')
        self.paced = False   # a device delivers at its own rate

    def read(self) -> np.ndarray | None:
        try:
            ok, frame = self.capture.read()
        except cv2.error:  # V4L2 on a device unplugged mid-read
            return None
        return frame if ok else None

    def close(self) -> None:
        self.capture.release()


class _AvReader(_Reader):
    """lavfi graphs and files through PyAV; a file starts over at its end."""

    def __init__(self, spec: str) -> None:
        import av
        self.spec, self.paced = spec, True
        self.failures = (av.FFmpegError, OSError)
        self.format: str | None = None
        if spec.startswith("lavfi:"):
            self.source, self.format = spec[len("lavfi:"):], "lavfi"
        else:
            if not Path(spec).is_file():
                raise NotFound(f'no camera "{spec}" (give /dev/videoN, an index, a video file or lavfi:GRAPH)')
            self.source, self.format = spec, None
        try:
            self._open()
        except av.FFmpegError as exc:
            raise Unavailable(f'cannot open camera "{spec}": {exc}') from None

    def _open(self) -> None:
        import av
        self.container = av.open(self.source, format=self.format)
        self.frames = self.container.decode(video=0)

    def read(self) -> np.ndarray | None:
        try:
            for _ in range(2):
                try:
                    return next(self.frames).to_ndarray(format="bgr24")
                except StopIteration:
                    self.container.close()
                    self._open()
        except self.failures:  # a file gone or damaged, a graph that broke
            return None
        return None

    def close(self) -> None:
        self.container.close()


def open_camera(spec: str) -> _Reader:
    """Open a camera SPEC, or raise NotFound / Unavailable with one clear sentence."""
    if re.fullmatch(r"\d+|/dev/video\d+", spec):
        return _DeviceReader(spec)
    return _AvReader(spec)


def camera_size(width: int, height: int) -> tuple[int, int]:
    """At most MAX_WIDTH wide, aspect kept, even sides (yuv420p)."""
    scale = min(1.0, MAX_WIDTH / width)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class CameraCapture:
    """Reads the camera on its own thread and writes `path` on the session clock (a Source).

    `on_error` hears of a write that failed (a full disk: the recording must stop);
    `on_frame` gets each written picture for the live output and may fail without harm.
    """

    def __init__(self, reader: _Reader, first: np.ndarray, path: Path, clock: SessionClock, *,
                 paused: Callable[[float], bool], on_lost: OnLost = ignore_loss,
                 on_error: Callable[[BaseException], None] = lambda exc: None,
                 on_frame: Callable[[float, np.ndarray], None] | None = None) -> None:
        self.reader, self.clock, self.paused = reader, clock, paused
        self.on_lost, self.on_error, self.on_frame = on_lost, on_error, on_frame
        self.width, self.height = camera_size(first.shape[1], first.shape[0])
        self.video = VideoWriter(path, self.width, self.height, FPS)
        self.frames = 0
        self.lost: Lost | None = None
        self._read_failed = False
        self._end_t: float | None = None
        self._pending: tuple[float, np.ndarray] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, t_end: float) -> None:
        """Stop at session time `t_end` (no picture after it) and close the file."""
        self._end_t = t_end
        self._stop.set()
        self._thread.join(timeout=10)
        try:
            self.video.close()
        except OSError as exc:
            self.on_error(exc)
        self.reader.close()

    def _run(self) -> None:
        interval, next_tick = 1.0 / FPS, time.monotonic()
        last_frame = time.monotonic()
        while not self._stop.is_set():
            if self.reader.paced:
                wait = next_tick - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
                next_tick = max(next_tick + interval, time.monotonic() - interval)
            frame = self._read()
            now = time.monotonic()
            if frame is None:
                if now - last_frame > LOST_AFTER or self.reader.paced:
                    self.lost = Lost(last_frame, "it gives no picture")
                    self.on_lost(self.lost)
                    return
                self._stop.wait(0.05)
                continue
            last_frame = now
            # written one frame late: a privacy pause pressed just now is known by then
            pending, self._pending = self._pending, (self.clock.at(now), frame)
            if pending is not None:
                self._write(*pending)
        if self._pending is not None and self.lost is None:
            self._write(*self._pending)

    def _read(self) -> np.ndarray | None:
        """The next picture, or None; a reader that raises (a fault, not an unplugged
        camera) is logged once and counts as giving no picture."""
        try:
            return self.reader.read()
        except Exception:
            if not self._read_failed:
                log.exception("camera: reading a picture failed")
            self._read_failed = True
            return None

    def _write(self, t: float, bgr: np.ndarray) -> None:
        if t < 0 or self.paused(t) or (self._end_t is not None and t > self._end_t):
            return
        if bgr.shape[1] != self.width or bgr.shape[0] != self.height:
            bgr = cv2.resize(bgr, (self.width, self.height), interpolation=cv2.INTER_AREA)
        i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
        try:
            if self.video.write(i420, t if self.frames else 0.0) is not None:
                self.frames += 1
        except (OSError, ValueError) as exc:
            self.on_error(exc)
            self._stop.set()
            return
        if self.on_frame is not None:
            try:
                self.on_frame(t, bgr)
            except Exception:  # the live output's fault: the file on disk goes on regardless
                log.exception("camera: the live output failed and gets no more pictures; "
                              "the camera goes on being recorded")
                self.on_frame = None
