"""Cutting and blacking out video files, on real H.264 files."""
from __future__ import annotations

import pytest

from sessions.video_edit import VideoEditError, black_out, cut_clip
from tests.web.recordings import FRAMES, colour_at, decoded_colours, write_video


def _close(a, b, tol=25):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_cut_clip_keeps_the_range_from_time_zero(tmp_path):
    source, clip = tmp_path / "screen.mp4", tmp_path / "clip.mp4"
    write_video(source)
    assert cut_clip(source, 2.5, 5.0, clip) == 4  # the frame on screen at 2.5, then 3, 4, 5
    frames = decoded_colours(clip)
    assert [t for t, _ in frames] == [0.0, 0.5, 1.5, 2.5]
    for (t, colour), want in zip(frames, (colour_at(2.5), colour_at(3), colour_at(4), colour_at(5))):
        assert _close(colour, want), (t, colour, want)


def test_cut_clip_refuses_an_empty_range(tmp_path):
    source = tmp_path / "screen.mp4"
    write_video(source)
    with pytest.raises(VideoEditError):
        cut_clip(source, 3.0, 3.0, tmp_path / "clip.mp4")


def test_black_out_blacks_the_range_and_keeps_the_rest(tmp_path):
    source = tmp_path / "screen.mp4"
    write_video(source)
    assert black_out(source, 2.5, 4.5) == 2  # the frames at 3 and 4
    frames = dict(decoded_colours(source))
    assert sorted(frames) == [0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0]
    for t in (2.5, 3.0, 4.0):
        assert max(frames[t]) < 20, (t, frames[t])
    for t, colour in FRAMES:
        if not 2.5 <= t <= 4.5:
            assert _close(frames[t], colour), (t, frames[t])
    assert [p.name for p in tmp_path.iterdir()] == ["screen.mp4"]  # no partial file left


def test_a_black_out_that_fails_leaves_the_video_and_no_partial_file(tmp_path):
    source = tmp_path / "screen.mp4"
    source.write_bytes(b"not a video at all")
    with pytest.raises(VideoEditError, match="cannot be read"):
        black_out(source, 1.0, 2.0)
    assert [p.name for p in tmp_path.iterdir()] == ["screen.mp4"]
    assert source.read_bytes() == b"not a video at all"
