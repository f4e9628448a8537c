"""Recorded sessions made for web tests: a real fragmented H.264 MP4 whose frames show a
known colour from a known time, plus events, attempts, markers and keyframes through the
Store, as the recorder would leave them."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from sessions import events
from sessions.store import Store

SCREEN = (1280, 800)
VIDEO = (320, 200)  # the recording at scale 0.25
# (time the frame appears, RGB colour): one frame a second, distinct colours
FRAMES = [(float(i), c) for i, c in enumerate([
    (200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (200, 30, 200), (30, 200, 200),
    (240, 240, 240), (90, 90, 90)])]
DURATION = 8.0
CLICKS = [(2.5, 640, 400), (4.25, 100, 700), (6.5, 1200, 80)]


def colour_at(t: float) -> tuple[int, int, int]:
    """The colour on screen at session time t."""
    return [c for start, c in FRAMES if start <= t][-1]


def write_video(path: Path, frames=FRAMES, size=VIDEO) -> None:
    """Fragmented MP4 with pts = session time, as the data contract asks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4",
                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}) as out:
        stream = out.add_stream("libx264", rate=1)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.codec_context.gop_size = 2
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for t, colour in frames:
            image = np.zeros((size[1], size[0], 3), np.uint8)
            image[:] = colour
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = Fraction(1, 1000)  # not stream.time_base: the muxer changes it
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def decoded_colours(path: Path) -> list[tuple[float, tuple[int, int, int]]]:
    """(time, mean RGB) of every frame in a video file."""
    result = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
            result.append((round(float(frame.pts * frame.time_base), 3), tuple(int(v) for v in rgb)))
    return result


def record_session(store: Store, participant: str = "P01", *, status: str = "complete") -> str:
    """A finished 8-second session: two attempts, clicks, keys, moves, markers, keyframes."""
    sid = store.sessions.create(participant, device={
        "width": SCREEN[0], "height": SCREEN[1], "scale": 0.25, "fps": 1, "display": ":99",
        "video": "screen.mp4", "keyframe_scale": 0.25})
    folder = store.media.session_dir(sid, create=True)
    write_video(folder / "screen.mp4")
    keyframes = []
    for t, colour in FRAMES:
        rel = f"keyframes/{t:010.3f}.jpg"
        (folder / "keyframes").mkdir(exist_ok=True)
        image = np.zeros((VIDEO[1], VIDEO[0], 3), np.uint8)
        image[:] = colour[::-1]
        cv2.imwrite(str(folder / rel), image)
        keyframes.append({"t": t, "changed": 1.0, "keyframe": rel, "phash": None})
    store.frames.append(sid, keyframes)
    first = store.attempts.start(sid, "first", 1.0)
    store.attempts.end(first, 4.0, "success")
    second = store.attempts.start(sid, "second", 4.1)
    store.attempts.end(second, 7.5, "failure")
    rows = [events.move(t / 10, 10 * i, 10 * i) for i, t in enumerate(range(0, 80, 3))]
    for t, x, y in CLICKS:
        task = "first" if t < 4 else "second"
        rows.append(events.click(t, x, y, task=task))
        rows.append(events.click(t + 0.08, x, y, pressed=False, task=task))
    rows += [events.key(5.0 + i / 10, "letter", task="second") for i in range(5)]
    rows.append(events.window(1.2, "Help desk — Chromium", "chromium"))
    rows.sort(key=lambda e: e["t"])
    store.events.append(sid, rows)
    store.markers.add(sid, 3.0, "error", text="wrong menu", author="mod", attempt_id=first)
    store.markers.add(sid, 5.5, "marker", text="hesitates", author="mod", attempt_id=second)
    store.notes.add(sid, 6.0, "Looks for the submit button", "mod", tags=["nav"])
    store.sessions.update(sid, status=status, duration=DURATION)
    return sid
