"""Cutting and redacting a video file with PyAV (the store-level operations, which find a
session's video and keep its records in step, are in sessions.redaction and sessions.clips).

Both re-encode frame by frame and keep each frame's presentation time, because in our
videos the timestamps ARE session time (variable frame rate, pts 0 = session start).
Output is fragmented MP4 like the recorder's, so it plays in a browser and survives a crash.
"""
from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sessions.errors import BadRequest

FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
PARTIAL_SUFFIX = ".partial.mp4"  # a black-out being written beside its video


class VideoEditError(BadRequest):
    """A time range that selects nothing, or a video that cannot be read."""


def _open_output(target: Path, shape: dict, gop: int):
    output = av.open(str(target), "w", format="mp4", options=FRAGMENTED)
    stream = output.add_stream("libx264", rate=shape["rate"])
    stream.width, stream.height = shape["width"], shape["height"]
    stream.pix_fmt = "yuv420p"
    stream.time_base = shape["time_base"]
    stream.codec_context.time_base = shape["time_base"]
    stream.codec_context.gop_size = gop
    # no B-frames: with sparse, irregular pts their reordering gives invalid dts
    stream.options = {"preset": "veryfast", "tune": "zerolatency", "crf": "23"}
    return output, stream


def _frames(source: Path):
    """Yield (seconds, frame, shape) for each decoded frame of the first video stream."""
    try:
        container = av.open(str(source))
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    with container:
        if not container.streams.video:
            raise VideoEditError("the file holds no video")
        stream = container.streams.video[0]
        shape = {"width": stream.codec_context.width, "height": stream.codec_context.height,
                 "rate": max(1, round(float(stream.average_rate or 10))),
                 "time_base": stream.time_base or Fraction(1, 1000)}
        for frame in container.decode(stream):
            if frame.pts is not None:
                yield float(frame.pts * frame.time_base), frame, shape


class _Writer:
    """Opens the output on the first frame; frames are given their time in seconds."""

    def __init__(self, target: Path, gop: int) -> None:
        self.target, self.gop = target, gop
        self.output = self.stream = None
        self.time_base = None  # the encoder's; the muxer may change the stream's at its header
        self.count = 0

    def write(self, frame: av.VideoFrame, seconds: float, shape: dict) -> None:
        if self.output is None:
            self.output, self.stream = _open_output(self.target, shape, self.gop)
            self.time_base = shape["time_base"]
        frame = frame.reformat(format="yuv420p")
        frame.pts = round(seconds / self.time_base)
        frame.time_base = self.time_base
        for packet in self.stream.encode(frame):
            self.output.mux(packet)
        self.count += 1

    def close(self) -> None:
        """Flush and close the output; safe to call again."""
        output, self.output = self.output, None
        if output is not None:
            for packet in self.stream.encode():
                output.mux(packet)
            output.close()


def cut_clip(source: Path, start: float, end: float, target: Path, gop: int = 20) -> int:
    """Write the frames shown in [start, end] to `target`, starting at time 0; returns the
    number of frames. The frame on screen at `start` opens the clip so it never starts black."""
    if not end > start:
        raise VideoEditError("a clip needs an end after its start")
    writer = _Writer(target, gop)
    previous = shown = None
    written = -1.0
    try:
        for t, frame, shape in _frames(source):
            if t < start:
                previous = (frame, shape)
                continue
            if t > end:
                break
            if previous is not None and t > start:
                writer.write(previous[0], 0.0, previous[1])
            previous = None
            writer.write(frame, t - start, shape)
            shown, written = (frame, shape), t - start
        if writer.count == 0 and previous is not None:  # the screen did not change in the range
            writer.write(previous[0], 0.0, previous[1])
            shown, written = previous, 0.0
        # frames are stored only when the screen changes: repeat the one on screen at `end`
        # so the clip lasts as long as asked, not until the last change inside it
        if shown is not None and written < end - start:
            writer.write(shown[0], end - start, shown[1])
    finally:
        writer.close()
    if writer.count == 0:
        target.unlink(missing_ok=True)
        raise VideoEditError(f"the video shows nothing between {start:g} s and {end:g} s")
    return writer.count


def black_out(source: Path, start: float, end: float, gop: int = 20) -> int:
    """Replace every frame shown in [start, end] with black, in place (written to a file of
    its own beside the video, then swapped in atomically); returns the number of frames
    blacked out. Two black-outs of one file must not run at once (sessions.redaction locks):
    the second would start from the video without the first's black.

    A black frame is also put at `start`, so the frame on screen before the range does not
    stay visible into it."""
    if not end > start:
        raise VideoEditError("a redaction needs an end after its start")
    handle, name = tempfile.mkstemp(prefix=source.stem + ".", suffix=PARTIAL_SUFFIX, dir=source.parent)
    os.close(handle)
    target = Path(name)
    writer = _Writer(target, gop)
    try:
        blacked = _copy_blacking(source, start, end, writer)
        writer.close()
        if writer.count == 0:
            raise VideoEditError("the video has no frames")
        os.replace(target, source)
    finally:
        writer.close()
        target.unlink(missing_ok=True)
    return blacked


def _copy_blacking(source: Path, start: float, end: float, writer: _Writer) -> int:
    blacked, covered, shape = 0, False, None
    for t, frame, shape in _frames(source):
        if t >= start and not covered:
            if t > start:
                writer.write(_black(frame), start, shape)
            covered = True
        if start <= t <= end:
            frame = _black(frame)
            blacked += 1
        writer.write(frame, t, shape)
    if not covered and shape is not None:
        writer.write(_black_of(shape), start, shape)
    return blacked


def _black_of(shape: dict) -> av.VideoFrame:
    image = np.zeros((shape["height"], shape["width"], 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def _black(frame: av.VideoFrame) -> av.VideoFrame:
    image = np.zeros((frame.height, frame.width, 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def frame_at(source: Path, t: float) -> np.ndarray:
    """The frame on screen at session time `t`, as a BGR image (the last one shown at or
    before `t`: frames are stored only when the screen changes)."""
    shown = None
    for seconds, frame, _ in _frames(source):
        if seconds > t + 1e-3:
            break
        shown = frame
    if shown is None:
        raise VideoEditError(f"the video shows nothing at {t:g} s")
    return shown.to_ndarray(format="bgr24")
