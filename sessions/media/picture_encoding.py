"""One picture into an H.264 stream at its session time: the remote session's rebuilt screen
and camera files are written this way, on a millisecond clock, so a picture lands at the
moment the browser recorded it whatever the stream's frame rate says."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

TIME_BASE = Fraction(1, 1000)   # pictures carry their time in milliseconds


def encode_picture(container: Any, stream: Any, frame: Any, size: tuple[int, int], pts: int) -> Any:
    """Scale `frame` to `size`, encode it at `pts` ms and mux what the encoder gives back;
    returns the scaled picture (the screen's keyframe stills are cut from it)."""
    picture = frame.reformat(width=size[0], height=size[1], format="yuv420p")
    picture.pts, picture.time_base = pts, TIME_BASE
    picture.pict_type = av.video.frame.PictureType.NONE   # the encoder chooses the keyframes
    for packet in stream.encode(picture):
        container.mux(packet)
    return picture
