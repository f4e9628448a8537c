"""A clip of a moderated session: its first, default sound track has both voices (most
players play only that one), and each speaker's own track follows, named."""
from __future__ import annotations

from pathlib import Path

import av
import pytest

from sessions.media.clips import MIXED_TITLE, clip_video
from tests.pulse import decode_audio, loud_spans
from tests.speech.voice_sessions import record_voice_session


def test_both_voices_on_the_first_track_and_each_on_its_own(store, tmp_path: Path):
    sid, spoken = record_voice_session(store, [(1.0, "I am looking for the search button")], 10.0,
                                       moderator=[(5.0, "what do you expect to find there")])
    (answer, _, _), (question, _, _) = spoken
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clip_video(store, sid, 0.5, 9.5))
    with av.open(str(clip)) as container:
        sound = container.streams.audio
        assert [s.metadata.get("handler_name") for s in sound] == [MIXED_TITLE, "participant", "moderator"]
        assert [bool(s.disposition & av.stream.Disposition.default) for s in sound] == [True, False, False]
    def onsets(track: int) -> list[float]:
        rate, samples = decode_audio(clip, track)
        return [a for a, _ in loud_spans(samples, rate)]
    mixed, participant, moderator = onsets(0), onsets(1), onsets(2)
    assert mixed == [pytest.approx(answer - 0.5, abs=0.1), pytest.approx(question - 0.5, abs=0.1)]
    assert participant == [pytest.approx(answer - 0.5, abs=0.1)]
    assert moderator == [pytest.approx(question - 0.5, abs=0.1)]


def test_a_single_voice_stays_a_single_track(store, tmp_path: Path):
    sid, _ = record_voice_session(store, [(1.0, "I am looking for the search button")], 4.0)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clip_video(store, sid, 0.5, 3.5))
    with av.open(str(clip)) as container:
        assert len(container.streams.audio) == 1
