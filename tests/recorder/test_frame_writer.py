"""The frame writer: scaled video, keyframe rows, nothing written for a paused moment, and
every stored frame handed to the sinks with the time it has in the video."""
from __future__ import annotations

import queue

import numpy as np

from recorder.clock import SessionClock
from recorder.frame_change import Grab
from recorder.sinks.frames import FrameWriter, video_size
from recorder.sinks.video import VideoWriter
from recorder.sources.screen import FrameJob
from tests.recorder.video_frames import decode


class Collect:
    def __init__(self) -> None:
        self.rows = []

    def frame(self, row: dict, image: np.ndarray) -> None:
        self.rows.append((row, image.shape))


def job(t: float, value: int, **flags) -> FrameJob:
    image = np.full((400, 640, 4), value, np.uint8)
    return FrameJob(t, Grab(bytearray(image.tobytes()), 640, 400), 0.5, (100, 100), **flags)


def test_frames_are_scaled_stamped_and_skipped_while_paused(tmp_path):
    clock = SessionClock()
    clock.started_mono -= 10  # the jobs below are all in the past: no settling wait
    width, height = video_size(640, 400, 0.5)
    sink = Collect()
    jobs: queue.Queue = queue.Queue()
    writer = FrameWriter(jobs, VideoWriter(tmp_path / "v.mp4", width, height, 10), tmp_path, clock, sink,
                         scale=0.5, keyframe_scale=0.25, paused=lambda t: 1.0 <= t < 2.0)
    for item in (job(0.0, 10, keyframe=True, iframe=True), job(0.5, 60), job(1.5, 200),
                 job(2.25, 120, keyframe=True), None):
        jobs.put(item)
    writer.start()
    writer.join()
    rows = [row for row, _ in sink.rows]
    assert [r["t"] for r in rows] == [0.0, 0.5, 2.25]           # 1.5 was paused
    assert [bool(r["keyframe"]) for r in rows] == [True, False, True]
    assert rows[2]["keyframe"] == "keyframes/000002.250.jpg" and len(rows[2]["phash"]) == 16
    assert all(shape == (400, 640, 4) for _, shape in sink.rows)  # sinks get the full grab
    frames = decode(tmp_path / "v.mp4")
    assert [t for t, _ in frames] == [0.0, 0.5, 2.25]
    assert frames[0][1].shape == (200, 320, 3)
    assert writer.skipped_paused == 1 and writer.keyframes == 2
