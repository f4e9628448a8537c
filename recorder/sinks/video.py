"""The session video: one fragmented H.264 MP4 whose timestamps are session time.

Fragmented (`frag_keyframe+empty_moov`) so a killed recorder leaves a playable file that
ends at the last fragment; a keyframe at least every ~2 s bounds what a crash can lose.
Variable frame rate: frames are written only when the screen or the cursor changed.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
KEYFRAME_INTERVAL = 2.0   # seconds between H.264 keyframes (seek points) while frames flow
FRAGMENT_SECONDS = 1.0    # a fragment is also cut after this long: what a crash can lose
TIME_BASE = Fraction(1, 1000)


class VideoWriter:
    """Encode I420 frames stamped in session seconds; not thread-safe (one writer thread)."""

    def __init__(self, path: Path, width: int, height: int, fps: float, *, crf: int = 30,
                 maxrate_kbit: int = 2500) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"H.264 yuv420p needs even dimensions, got {width}x{height}")
        self.path, self.width, self.height = Path(path), width, height
        # flush_packets: each finished fragment goes to the file now, not when a buffer fills
        self.container = av.open(str(self.path), "w", format="mp4",
                                 options={"movflags": MOVFLAGS, "flush_packets": "1",
                                          "frag_duration": str(round(FRAGMENT_SECONDS * 1e6))})
        stream = self.container.add_stream("libx264", rate=max(1, round(fps)))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.gop_size = max(1, round(fps * KEYFRAME_INTERVAL))
        # the cap keeps a screen full of noise from costing a gigabyte a minute
        # one thread, no lookahead: each frame is out of the encoder before the next comes
        # (what a crash can lose stays bounded), without the compression cost of slices
        stream.codec_context.thread_count = 1
        stream.options = {"preset": "ultrafast", "crf": str(crf), "rc-lookahead": "0",
                          "maxrate": f"{maxrate_kbit}k", "bufsize": f"{2 * maxrate_kbit}k"}
        self.stream = stream
        self.last_pts = -1
        self.frames = 0

    def write(self, i420: np.ndarray, t: float, *, force_keyframe: bool = False) -> float | None:
        """Add a frame shown from session time `t`; returns its timestamp in the file (t to
        the millisecond below), or None when that is not after the last frame's.

        A frame starts a new fragment (writing out the previous one) when it is a keyframe
        or comes FRAGMENT_SECONDS after the fragment began; the screen source repeats the
        last frame when a static screen leaves frames pending longer than that."""
        pts = int(t * 1000)  # truncated: a frame is never shown later than it was grabbed
        if pts <= self.last_pts:
            return None
        frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
        frame.pts, frame.time_base = pts, TIME_BASE
        if force_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.last_pts = pts
        self.frames += 1
        return pts / 1000

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
