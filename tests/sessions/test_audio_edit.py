"""Sound through video edits, on real files written by the recorder's VideoWriter: a
black-out silences its stretch of every sound track and keeps the rest; a clip keeps the
sound of its stretch, from time 0."""
from __future__ import annotations

import av
import numpy as np
import pytest

from recorder.sinks.video import VideoWriter
from sessions.media.video_edit import black_out, cut_clip
from tests.pulse import decode_audio, loudness

RATE = 16000
SECONDS = 6.0


@pytest.fixture
def recording(tmp_path):
    """6 s: a frame every 0.5 s, a 440 Hz tone on the participant's track, 660 Hz on the
    moderator's."""
    path = tmp_path / "screen.mp4"
    video = VideoWriter(path, 64, 48, 2, audio_tracks=("participant", "moderator"), audio_rate=RATE)
    n = np.arange(int(SECONDS * RATE))
    for track, hz in enumerate((440, 660)):
        tone = (0.4 * np.sin(2 * np.pi * hz * n / RATE) * 32767).astype(np.int16)
        for first in range(0, len(tone), 800):
            video.write_audio(track, first, tone[first:first + 800])
    for i in range(int(SECONDS * 2) + 1):
        video.write(np.full((72, 64), 16 * i, np.uint8), i / 2)
    video.close()
    return path


def titles(path):
    with av.open(str(path)) as container:
        return [s.metadata.get("handler_name") for s in container.streams.audio]


def test_a_black_out_silences_every_track_in_its_stretch_only(recording):
    black_out(recording, 2.0, 3.5)
    assert titles(recording) == ["participant", "moderator"]
    for track in (0, 1):
        rate, samples = decode_audio(recording, track)
        level = loudness(samples, rate)
        assert abs(len(samples) / rate - SECONDS) < 0.2   # AAC pads to whole frames
        assert level[201:349].max() < 0.001           # 2.0 .. 3.5 s, away from the edges
        assert level[20:190].min() > 0.1 and level[360:580].min() > 0.1


def test_a_clip_keeps_the_sound_of_its_stretch_from_zero(recording, tmp_path):
    clip = tmp_path / "clip.mp4"
    cut_clip(recording, 1.0, 4.0, clip)
    assert titles(clip) == ["participant", "moderator"]
    rate, samples = decode_audio(clip, 0)
    assert abs(len(samples) / rate - 3.0) < 0.2
    assert loudness(samples, rate)[10:290].min() > 0.1   # past the codec's first frame
    with av.open(str(clip)) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    assert times[0] == 0.0 and times[-1] <= 3.0 + 1e-6
