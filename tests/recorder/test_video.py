"""The video file: variable frame rate with session-time stamps, H.264 yuv420p, and a
fragmented layout that is still readable when the writer dies before closing it."""
from __future__ import annotations

import shutil

import av
import cv2
import numpy as np
import pytest

from recorder.sinks.frames import draw_cursor, video_size
from recorder.sinks.keyframes import keyframe_scale, phash, save_keyframe
from recorder.sinks.video import VideoWriter
from tests.recorder.video_frames import decode


def i420(value: int, width: int = 320, height: int = 240) -> np.ndarray:
    image = np.full((height, width, 4), value, np.uint8)
    return cv2.cvtColor(image, cv2.COLOR_BGRA2YUV_I420)


def test_timestamps_are_session_time_and_irregular(tmp_path):
    writer = VideoWriter(tmp_path / "v.mp4", 320, 240, 10)
    times = [0.0, 0.1, 0.25, 3.0, 3.001, 7.5]
    shown = [writer.write(i420(20 * i), t, force_keyframe=i == 0) for i, t in enumerate(times)]
    assert writer.write(i420(0), 7.5) is None  # not after the last frame
    writer.close()
    assert shown == times
    frames = decode(tmp_path / "v.mp4")
    assert [t for t, _ in frames] == times
    assert [int(image[120, 160, 0]) for _, image in frames] == pytest.approx([20 * i for i in range(6)], abs=3)
    with av.open(str(tmp_path / "v.mp4")) as container:
        context = container.streams.video[0].codec_context
        assert (context.name, context.pix_fmt, context.width, context.height) == ("h264", "yuv420p", 320, 240)


def test_an_unclosed_file_keeps_every_written_fragment(tmp_path):
    writer = VideoWriter(tmp_path / "v.mp4", 320, 240, 10)
    for i in range(60):  # 6 s, a keyframe every 2 s
        writer.write(i420(i * 4), i * 0.1, force_keyframe=i % 20 == 0)
    shutil.copy(tmp_path / "v.mp4", tmp_path / "crashed.mp4")  # what kill -9 would leave
    writer.close()
    kept = decode(tmp_path / "crashed.mp4")
    assert kept[0][0] == 0.0 and kept[-1][0] >= 6.0 - 1.2


def test_the_writer_asks_for_a_repeat_only_while_new_frames_wait_in_memory(tmp_path):
    writer = VideoWriter(tmp_path / "v.mp4", 320, 240, 10)
    writer.write(i420(0), 0.0, force_keyframe=True)
    writer.write(i420(50), 0.4)                       # new, waiting in the fragment from 0.0
    assert not writer.needs_flush(0.9) and writer.needs_flush(1.0)
    size = (tmp_path / "v.mp4").stat().st_size
    writer.write(i420(50), 1.0, repeat=True)          # the repeat cuts the fragment...
    assert (tmp_path / "v.mp4").stat().st_size > size  # ...which is now on disk
    assert not writer.needs_flush(5.0)                # only a repeat is pending: nothing to save
    writer.write(i420(90), 5.5)
    assert writer.needs_flush(6.5)
    writer.close()


def test_odd_sizes_are_refused_and_scaled_sizes_are_even(tmp_path):
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "v.mp4", 321, 240, 10)
    assert video_size(1366, 768, 0.5) == (682, 384)
    assert video_size(1281, 801, 1.0) == (1280, 800)


def test_the_cursor_is_drawn_into_the_picture_at_the_pointer():
    frame = i420(0, 200, 100)
    draw_cursor(frame, 100, 50, 40, 1.0)
    luma = frame[:100]
    assert luma[45, 52] > 200 and luma[10, 10] < 30   # inside the arrow, far from it


def test_keyframes_are_small_jpegs_with_the_perceptual_hash(tmp_path):
    screen = np.zeros((800, 1280, 4), np.uint8)
    screen[100:400, 200:900] = (30, 160, 40, 255)
    fields = save_keyframe(tmp_path, 12.345, screen, keyframe_scale(1280))
    assert fields["keyframe"] == "keyframes/000012.345.jpg"
    image = cv2.imread(str(tmp_path / fields["keyframe"]))
    assert image.shape == (400, 640, 3)
    assert len(fields["phash"]) == 16 and int(fields["phash"], 16) > 0
    assert keyframe_scale(3840) == 0.25


def test_the_hash_is_the_one_the_analyzer_computes():
    # the analyzer groups screen states by these hashes; both sides must mean the same hash
    from analyzer.phash import phash as analyzer_phash
    rng = np.random.default_rng(7)
    for _ in range(5):
        image = rng.integers(0, 255, (90, 160, 3), dtype=np.uint8)
        assert phash(image) == analyzer_phash(image)
