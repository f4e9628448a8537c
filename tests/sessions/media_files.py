"""Session recordings for media tests: a fragmented H.264 MP4 on the session clock, with an
AAC voice track when asked, written with PyAV as the recorder writes them."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}


def write_session_video(path: Path, seconds: float, *, size=(320, 200), fps: int = 5,
                        keyframe_every: float = 2.0, audio: bool = False, tone: float = 440.0) -> None:
    """`seconds` of changing colour frames at `fps`, a keyframe every `keyframe_every` s,
    and (with `audio`) a sine tone at 48 kHz mono in AAC."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4", options=FRAGMENTED) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = Fraction(1, 1000)
        video.codec_context.gop_size = max(1, round(fps * keyframe_every))
        video.options = {"preset": "ultrafast", "tune": "zerolatency"}
        sound = out.add_stream("aac", rate=48000, layout="mono") if audio else None
        frames = int(seconds * fps)
        for i in range(frames):
            image = np.zeros((size[1], size[0], 3), np.uint8)
            image[:] = ((i * 7) % 255, (i * 13) % 255, 120)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = round(i * 1000 / fps)
            frame.time_base = Fraction(1, 1000)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound is not None:
            chunk = 1024
            total = int(seconds * 48000)
            for start in range(0, total, chunk):
                n = min(chunk, total - start)
                t = (np.arange(start, start + n) / 48000.0)
                samples = (0.3 * np.sin(2 * np.pi * tone * t)).astype(np.float32).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                frame.sample_rate = 48000
                frame.pts = start
                frame.time_base = Fraction(1, 48000)
                for packet in sound.encode(frame):
                    out.mux(packet)
            for packet in sound.encode():
                out.mux(packet)
