"""A clip exported from a session with a camera carries the camera's picture in its lower
right corner, moving even while the screen stands still, and keeps the session's sound."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from sessions.events import CAMERA_FILE, VIDEO_FILE
from sessions.media.clips import clip_video
from sessions.media.picture_in_picture import MARGIN, SCALE
from tests.pulse import decode_audio, loud_spans
from tests.speech.voice_sessions import record_voice_session
from tests.web.recordings import VIDEO, write_video

SCREEN = (200, 30, 30)
CAMERA_SIZE = (160, 120)


def camera_colour(t: float) -> tuple[int, int, int]:
    return (40 * int(t) % 255, 120, 200)


def _frames(path: Path) -> list[tuple[float, np.ndarray]]:
    with av.open(str(path)) as container:
        return [(float(f.pts * f.time_base), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def _corner(image: np.ndarray) -> np.ndarray:
    """The mean colour at the middle of where the camera's picture goes."""
    width = int(image.shape[1] * SCALE)
    height = round(CAMERA_SIZE[1] * width / CAMERA_SIZE[0])
    y, x = image.shape[0] - MARGIN - height // 2, image.shape[1] - MARGIN - width // 2
    return image[y - 4:y + 4, x - 4:x + 4].reshape(-1, 3).mean(axis=0)


def test_the_camera_moves_in_the_corner_of_a_still_screen(store, tmp_path):
    sid = store.sessions.create("P01", device={"width": 1280, "height": 800, "video": VIDEO_FILE,
                                              "camera": {"file": CAMERA_FILE, "width": 160, "height": 120}})
    folder = store.media.session_dir(sid, create=True)
    write_video(folder / VIDEO_FILE, [(0.0, SCREEN), (6.0, SCREEN)], VIDEO)       # the screen never changes
    write_video(folder / CAMERA_FILE, [(float(t), camera_colour(t)) for t in range(7)], CAMERA_SIZE)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clip_video(store, sid, 0.5, 4.5))
    frames = _frames(clip)
    assert abs(frames[-1][0] - 4.0) < 0.05
    for change in (1.0, 2.0, 3.0, 4.0):        # a frame where the camera changed, in clip time
        at, image = next((t, i) for t, i in frames if abs(t - (change - 0.5)) < 0.02)
        assert np.abs(_corner(image) - camera_colour(change)).max() < 16, (change, _corner(image))
        assert np.abs(image[10, 10].astype(int) - SCREEN).max() < 16, "the screen stays as it was"


def test_the_clip_keeps_the_sound_under_the_camera(store, tmp_path):
    sid, spoken = record_voice_session(store, [(2.0, "I am looking for the search button")], 8.0, camera=True)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clip_video(store, sid, 1.0, 6.0))
    with av.open(str(clip)) as container:
        assert len(container.streams.audio) == 1 and len(container.streams.video) == 1
    frames = _frames(clip)
    assert abs(frames[-1][0] - 5.0) < 0.1
    assert np.abs(_corner(frames[-1][1]) - camera_colour(6.0)).max() < 16
    rate, samples = decode_audio(clip)
    onset, end, _ = spoken[0]
    assert any(abs(a - (onset - 1.0)) < 0.3 for a, _b in loud_spans(samples, rate)), loud_spans(samples, rate)
