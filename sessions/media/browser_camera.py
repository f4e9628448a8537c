"""A browser session's camera, rebuilt from its uploaded chunks as a native session has it.

The join page records the participant's camera with a MediaRecorder of its own, in runs
on the "camera" track (sessions.media.browser_chunks). The replay's picture-in-picture,
clips, reels and black-outs read `camera.mp4` as the native recorder writes it
(recorder/sources/camera.py): H.264, at most MAX_WIDTH wide, at most FPS pictures a
second, fragmented, no sound, its first picture shown from session time 0 and every
other one at its session time, nothing for a privacy pause. So the runs are decoded and
re-encoded into that shape here; the new file replaces the old one in one rename.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av

from sessions.events import CAMERA_FILE
from sessions.media.browser_chunks import Run
from sessions.media.picture_encoding import TIME_BASE, encode_picture

MAX_WIDTH = 480            # recorder/sources/camera.py MAX_WIDTH
FPS = 15                   # recorder/sources/camera.py FPS
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
KEYFRAME_INTERVAL = 2.0    # seconds between seek points, as the native writer
FRAGMENT_SECONDS = 1.0


def build_camera(runs: list[Run], folder: Path) -> dict[str, Any] | None:
    """Write `folder`/camera.mp4 from the camera runs; returns the device record's camera
    entry, or None (and no file is touched) when the runs hold no picture."""
    path = folder / CAMERA_FILE
    temporary = path.with_name(f".{path.name}.building")
    writer = _Writer(temporary)
    try:
        for run in runs:
            for t, frame in _pictures(run):
                writer.add(frame, t)
    finally:
        writer.close()
    if writer.size is None:
        temporary.unlink(missing_ok=True)
        return None
    os.replace(temporary, path)
    return {"file": CAMERA_FILE, "width": writer.size[0], "height": writer.size[1], "spec": "browser",
            "frames": writer.frames}


def camera_size(width: int, height: int) -> tuple[int, int]:
    """At most MAX_WIDTH wide, aspect kept, even sides (yuv420p), as a native camera."""
    scale = min(1.0, MAX_WIDTH / width)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _pictures(run: Run) -> Iterator[tuple[float, Any]]:
    """(session time, video frame) of a run in order; a run cut short (the page closed
    mid-chunk) ends at its last decodable picture."""
    data = io.BytesIO(b"".join(p.read_bytes() for p in run.chunks()))
    try:
        container = av.open(data, "r", format="mp4" if "mp4" in run.mime else "matroska")
    except av.error.FFmpegError:
        return
    with container:
        if not container.streams.video:
            return
        try:
            for frame in container.decode(video=0):
                if frame.time is not None:
                    yield run.start + float(frame.time), frame
        except av.error.FFmpegError:
            return


class _Writer:
    """The camera file being written: sized by its first picture, at most FPS a second."""

    def __init__(self, path: Path) -> None:
        options = {"movflags": MOVFLAGS, "frag_duration": str(round(FRAGMENT_SECONDS * 1e6))}
        self.container = av.open(str(path), "w", format="mp4", options=options)
        self.stream: Any = None
        self.size: tuple[int, int] | None = None
        self.frames, self.last_pts = 0, -1

    def add(self, frame: Any, t: float) -> None:
        if self.size is None:
            self.size = camera_size(frame.width, frame.height)
            self.stream = self._open(self.size)
        # the first picture stands from time 0, as the native camera file's does
        pts = int(t * 1000) if self.frames else 0
        if self.frames and pts < self.last_pts + 1000 // FPS:
            return
        encode_picture(self.container, self.stream, frame, self.size, pts)
        self.last_pts = pts
        self.frames += 1

    def _open(self, size: tuple[int, int]) -> Any:
        stream = self.container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.gop_size = round(FPS * KEYFRAME_INTERVAL)
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "32",
                          "x264-params": "sliced-threads=0:threads=1", "maxrate": "2500k", "bufsize": "5000k"}
        return stream

    def close(self) -> None:
        try:
            if self.stream is not None:
                for packet in self.stream.encode(None):
                    self.container.mux(packet)
        finally:
            self.container.close()
