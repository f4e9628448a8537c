"""Cutting and blacking out video files, on real H.264 files."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from sessions.media.video_edit import VideoEditError, black_out, cut_clip
from tests.web.recordings import FRAMES, VIDEO, colour_at, decoded_colours, write_video


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


RATE = 16000


def _write_video_with_voice(path, seconds: float = 8.0) -> None:
    """The test video's frames plus a mono AAC track (a steady 440 Hz tone), as the recorder
    writes a session with a microphone: sample i at session time i / RATE."""
    # avoid_negative_ts: the AAC encoder's priming must not shift every timestamp
    with av.open(str(path), "w", format="mp4",
                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof",
                          "avoid_negative_ts": "disabled"}) as out:
        video = out.add_stream("libx264", rate=1)
        video.width, video.height, video.pix_fmt = VIDEO[0], VIDEO[1], "yuv420p"
        video.time_base = video.codec_context.time_base = Fraction(1, 1000)
        video.options = {"preset": "ultrafast", "tune": "zerolatency"}
        sound = out.add_stream("aac", rate=RATE, layout="mono")
        sound.time_base = Fraction(1, RATE)
        sound.metadata["handler_name"] = "participant"
        out.start_encoding()
        tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * RATE)) / RATE)).astype(np.int16)
        for first in range(0, len(tone), 1024):
            chunk = av.AudioFrame.from_ndarray(tone[first:first + 1024].reshape(1, -1), format="s16",
                                               layout="mono")
            chunk.sample_rate, chunk.pts, chunk.time_base = RATE, first, Fraction(1, RATE)
            for packet in sound.encode(chunk):
                out.mux(packet)
        for t, colour in FRAMES:
            image = np.zeros((VIDEO[1], VIDEO[0], 3), np.uint8)
            image[:] = colour
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = round(t * 1000), Fraction(1, 1000)
            for packet in video.encode(frame):
                out.mux(packet)
        for stream in (video, sound):
            for packet in stream.encode():
                out.mux(packet)


def _loudness(path) -> tuple[np.ndarray, str]:
    """Per 0.1 s of the first sound track: the RMS level; and the track's title."""
    with av.open(str(path)) as container:
        track = container.streams.audio[0]
        title = track.metadata.get("handler_name", "")
        chunks = [(float(f.pts * f.time_base), f.to_ndarray()[0]) for f in container.decode(track)]
    samples = np.zeros(int(max(t for t, _ in chunks) * RATE) + 2048)
    for t, data in chunks:
        first = round(t * RATE)
        samples[first:first + len(data)] = data
    tenths = samples[: len(samples) // 1600 * 1600].reshape(-1, 1600)
    return np.sqrt((tenths ** 2).mean(axis=1)), title


def test_black_out_silences_every_sound_track_in_the_range_and_keeps_the_rest(tmp_path):
    source = tmp_path / "screen.mp4"
    _write_video_with_voice(source)
    before, _ = _loudness(source)
    times = [t for t, _ in decoded_colours(source)]
    assert black_out(source, 2.5, 4.5) == 2
    assert [t for t, _ in decoded_colours(source)] == sorted({*times, 2.5})  # session time kept
    level, title = _loudness(source)
    assert title == "participant"
    assert len(level) >= len(before) - 2  # the track lasts as long as before
    inside, outside = level[26:44], np.concatenate([level[3:23], level[48:75]])
    assert inside.max() < 0.01 * outside.min(), (inside.max(), outside.min())
    assert outside.min() > 0.5 * before[3:75].min()
    frames = dict(decoded_colours(source))
    assert max(frames[3.0]) < 20 and _close(frames[6.0], colour_at(6.0))


def test_a_clip_carries_the_sound_of_its_range_from_time_zero(tmp_path):
    source, clip = tmp_path / "screen.mp4", tmp_path / "clip.mp4"
    _write_video_with_voice(source)
    assert cut_clip(source, 2.5, 5.0, clip) == 4
    assert [t for t, _ in decoded_colours(clip)] == [0.0, 0.5, 1.5, 2.5]
    level, title = _loudness(clip)
    assert title == "participant"
    assert 24 <= len(level) <= 27  # 2.5 s of sound, from time 0
    assert level[1:23].min() > 0.5 * _loudness(source)[0][3:75].min()


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
    from sessions.media.video_edit import frame_at
    source = tmp_path / "screen.mp4"
    write_video(source)
    for t in (0.0, 2.5, 6.99, 30.0):
        bgr = frame_at(source, t)
        assert _close([int(v) for v in bgr[100, 160][::-1]], colour_at(min(t, 7.0))), t
