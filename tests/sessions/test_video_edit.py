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


def test_a_clip_lasts_as_long_as_asked_though_the_screen_stood_still(tmp_path):
    # frames are stored when the screen changes, here at 0, 1, 2 and 3 s; after that it
    # stands still: a clip from 2 to 8 s is still 6 s long
    import av
    source, clip = tmp_path / "screen.mp4", tmp_path / "clip.mp4"
    write_video(source, frames=FRAMES[:4])
    cut_clip(source, 2.0, 8.0, clip)
    frames = decoded_colours(clip)
    frame = 1.0  # the video's frame interval
    assert abs(frames[-1][0] - 6.0) <= frame, frames
    assert _close(frames[-1][1], FRAMES[3][1])
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        length = float(stream.duration * stream.time_base) if stream.duration else frames[-1][0]
    assert abs(length - 6.0) <= frame, length


def test_frame_at_is_the_frame_on_screen_then(tmp_path):
    from sessions.video_edit import frame_at
    source = tmp_path / "screen.mp4"
    write_video(source)
    for t in (0.0, 2.5, 6.99, 30.0):
        bgr = frame_at(source, t)
        assert _close([int(v) for v in bgr[100, 160][::-1]], colour_at(min(t, 7.0))), t
