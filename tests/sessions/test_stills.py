"""Frames at many moments in one pass (sessions/media/stills.py): each is the frame on
screen then, in any order asked, across seeks far ahead and past the video's end."""
from __future__ import annotations

from tests.web.recordings import write_video

# a colour a second for 40 s: moments 20 s apart need a seek, those close by do not
FRAMES = [(float(i), ((i * 37) % 256, (i * 91) % 256, (255 - i * 5) % 256)) for i in range(40)]


def colour_at(t: float) -> tuple[int, int, int]:
    return [c for start, c in FRAMES if start <= t][-1]


def test_each_moment_gets_the_frame_on_screen_then(tmp_path):
    from sessions.media.stills import frames_at
    source = tmp_path / "screen.mp4"
    write_video(source, FRAMES, (64, 48))
    moments = [30.5, 0.2, 1.0, 1.98, 2.0, 9.75, 38.9, 39.5, 120.0, 3.3]
    images = frames_at(source, moments)
    for t, image in zip(moments, images):
        assert image is not None, t
        rgb = [int(v) for v in image[24, 32][::-1]]
        assert max(abs(a - b) for a, b in zip(rgb, colour_at(min(t, 39.0)))) <= 12, (t, rgb)
    assert frames_at(source, []) == []
