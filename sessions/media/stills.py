"""Frames of a session's video at many moments, read in one pass: a page's picture is cut
from the screen as it was at each of a session's clicks and scroll rests, and decoding the
video again from its start for each of them (as `video_edit.frame_at` does for one) would
cost a whole decode per moment.

Frames are stored only when the screen changes, so the frame at a moment is the last one
shown at or before it. A moment far past the frame last decoded is reached by seeking to
the keyframe before it (the recorder writes one every ~2 s), so an hour's video is not
decoded to reach a click near its end."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import numpy as np

from sessions.media.video_edit import VideoEditError

SEEK_GAP = 6.0        # seconds ahead of the decoder past which a seek is cheaper than decoding on


def frames_at(source: Path, times: Sequence[float]) -> list[np.ndarray | None]:
    """The BGR frame on screen at each session time in `times` (any order), or None for a
    time before the video's first frame."""
    order = sorted(range(len(times)), key=lambda i: times[i])
    found: list[np.ndarray | None] = [None] * len(times)
    if not order:
        return found
    try:
        container = av.open(str(source))
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    with container:
        if not container.streams.video:
            raise VideoEditError("the file holds no video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            _read(container, stream, [(float(times[i]), i) for i in order], found)
        except av.error.FFmpegError as exc:
            raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    return found


def _read(container: av.container.InputContainer, stream: av.video.stream.VideoStream,
          wanted: list[tuple[float, int]], found: list[np.ndarray | None]) -> None:
    """Fill `found` for the (time, index) pairs of `wanted`, in time order."""
    frames: Iterator[tuple[float, av.VideoFrame]] | None = None
    pending: tuple[float, av.VideoFrame] | None = None   # decoded, not yet on screen
    shown: av.VideoFrame | None = None
    image: np.ndarray | None = None
    for t, index in wanted:
        if frames is None or (pending is not None and t - pending[0] > SEEK_GAP):
            frames = _decode_from(container, stream, t)
            shown, image = None, None
            pending = next(frames, None)
            if pending is not None and pending[0] > t + 1e-3 and t > 0:
                # the seek landed past the moment (a video with no index): read from the start
                frames = _decode_from(container, stream, 0.0)
                pending = next(frames, None)
        while pending is not None and pending[0] <= t + 1e-3:
            shown, image = pending[1], None
            pending = next(frames, None)
        if shown is not None and image is None:
            image = shown.to_ndarray(format="bgr24")
        found[index] = image


def _decode_from(container: av.container.InputContainer, stream: av.video.stream.VideoStream,
                 t: float) -> Iterator[tuple[float, av.VideoFrame]]:
    """Frames and their session times from the keyframe at or before `t`."""
    base = stream.time_base
    container.seek(int(t / base) if base and t > 0 else 0, stream=stream, backward=True, any_frame=False)
    for frame in container.decode(stream):
        if frame.time is not None:
            yield float(frame.time), frame
