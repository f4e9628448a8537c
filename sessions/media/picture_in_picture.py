"""A clip with the participant's camera in its corner, as the replay shows it.

The camera has a file of its own on the session clock (sessions.events.CAMERA_FILE); a clip
is cut from the screen video first (sessions.media.video_edit.cut_clip), then this pass draws the
camera's picture over it. Screen frames are stored only when the screen changes, so a frame
is written at every change of either picture: the face keeps moving over a still screen.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from sessions.media.video_edit import (
    VideoEditError,
    _open_source,
    _shape,
    _sound_specs,
    _Writer,
)

SCALE = 0.25      # the camera's width, as a share of the screen's (the replay's default box)
MARGIN = 12       # pixels between the camera's picture and the screen's edges


def picture_in_picture(clip: Path, camera: Path, offset: float, duration: float, target: Path,
                       gop: int = 20) -> int:
    """Write `clip` (cut by cut_clip: `duration` long, ending on a frame) with `camera` drawn
    in its lower right corner to `target`; `offset` is the clip's start on the session clock.
    Returns the number of frames written."""
    try:
        # one reader per input stream, so that each gives its frames in time order
        with _open_source(clip) as screen, _open_source(clip) as voice, _open_source(camera) as face:
            return _compose(screen, voice, face, offset, duration, target, gop)
    except av.error.FFmpegError as exc:
        target.unlink(missing_ok=True)
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None


def _timed(container: Any, streams: list, kind: str, shift: float) -> Iterator[tuple[float, str, Any]]:
    """Frames of `streams` with their time (shifted) and kind; sound says its track."""
    if not streams:
        return
    track = {s.index: i for i, s in enumerate(streams)}
    for packet in container.demux(*streams):
        for frame in packet.decode():
            if frame.pts is not None:
                name = f"sound{track[packet.stream.index]}" if kind == "sound" else kind
                yield float(frame.pts * frame.time_base) - shift, name, frame


def _compose(screen: Any, voice: Any, face: Any, offset: float, duration: float, target: Path, gop: int) -> int:
    video, sound = screen.streams.video[0], list(voice.streams.audio)
    shape = _shape(video)
    writer = _Writer(target, gop, _sound_specs(sound))
    # kinds: "desk" (the screen video's frames), "face" (the camera's), "sound0".. (the tracks)
    streams = [_timed(screen, [video], "desk", 0.0), _timed(face, [face.streams.video[0]], "face", offset),
               _timed(voice, sound, "sound", 0.0)]
    shown: np.ndarray | None = None
    corner: np.ndarray | None = None
    pending: float | None = None     # the time of a picture drawn but not yet written

    def flush() -> None:
        if pending is not None and shown is not None:
            writer.write(av.VideoFrame.from_ndarray(_overlaid(shown, corner), format="rgb24"), pending, shape)
    try:
        writer.open(shape)
        for t, kind, frame in heapq.merge(*streams, key=lambda item: item[0]):
            if t > duration + 1e-3:
                if kind == "desk":
                    break
                continue
            if kind.startswith("sound"):
                writer.write_audio(int(kind[5:]), frame)
                continue
            at = max(0.0, t)
            # every change at one instant is drawn into one picture, written once time moves on
            if pending is not None and round(at / writer.time_base) > round(pending / writer.time_base):
                flush()
            if kind == "desk":
                shown = frame.to_ndarray(format="rgb24")
            else:
                corner = _small(frame, shape["width"])
            pending = at if shown is not None else None
        flush()
    finally:
        writer.close()
    return writer.count


def _small(frame: av.VideoFrame, screen_width: int) -> np.ndarray:
    picture = frame.to_ndarray(format="rgb24")
    width = max(2, int(screen_width * SCALE))
    height = max(2, round(picture.shape[0] * width / picture.shape[1]))
    return cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)


def _overlaid(screen: np.ndarray, corner: np.ndarray | None) -> np.ndarray:
    if corner is None:
        return screen
    out = screen.copy()
    h, w = corner.shape[:2]
    y, x = out.shape[0] - h - MARGIN, out.shape[1] - w - MARGIN
    if y < 0 or x < 0:
        return screen
    out[y:y + h, x:x + w] = corner
    return out
