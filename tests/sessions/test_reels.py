"""Highlight reels on real session videos: duration (ffprobe) matches the cards and clips,
sound is kept when the sessions have it, video is copied when a keyframe allows it,
captions follow the transcript, and bad requests change nothing."""
from __future__ import annotations

import pytest

from sessions.errors import BadRequest, NotFound
from sessions.events import VIDEO_FILE
from sessions.media.reels import (
    CARD_SECONDS,
    Clip,
    build_reel,
    clips_for_problem,
    clips_for_search,
    clips_for_tag,
    reel_info,
)
from sessions.problems import Problems
from tests.sessions.media_files import write_session_video


def _recorded(store, participant, seconds=30.0, audio=False):
    sid = store.sessions.create(participant, device={"video": VIDEO_FILE})
    write_session_video(store.media.session_dir(sid, create=True) / VIDEO_FILE, seconds, audio=audio)
    attempt = store.attempts.start(sid, "first", 0.0)
    store.attempts.end(attempt, seconds - 1, "failure")
    store.sessions.update(sid, status="complete", duration=seconds)
    return sid


def test_a_problem_reel_with_sound_lasts_its_cards_and_clips(store, tmp_path):
    a = _recorded(store, "P1", audio=True)
    b = _recorded(store, "P2", audio=False)
    problems = Problems(store)
    pid = problems.create("Cannot find submit", author="ana")
    problems.add_evidence(pid, a, 10.0, end=16.0, author="ana")          # starts on a keyframe
    problems.add_evidence(pid, b, 7.0, author="ana")                     # 4.0 .. 14.0
    problems.add_evidence(pid, a, 21.3, end=25.0, author="ana")          # 20.0 is a keyframe
    store.db["segments"].insert({"session_id": a, "t": 11.0, "end": 13.0, "speaker": "participant",
                                 "text": "where is the button", "confidence": 1.0, "engine": "test"})
    store.db.conn.commit()
    clips = clips_for_problem(store, pid)
    assert [(c.start, c.end, c.participant, c.task) for c in clips] == [
        (10.0, 16.0, "P1", "first"), (4.0, 14.0, "P2", "first"), (21.3, 25.0, "P1", "first")]
    assert clips[0].captions == [(11.0, 13.0, "where is the button")]
    seen = []
    result = build_reel(store, clips, tmp_path / "reel.mp4", progress=lambda d, t: seen.append((d, t)))
    info = reel_info(tmp_path / "reel.mp4")
    # the third clip's first 0.7 s (to the keyframe at 22.0) are encoded, the rest copied
    expected = 3 * CARD_SECONDS + 6.0 + 10.0 + 3.7
    assert result["duration"] == pytest.approx(expected, abs=0.01)
    assert info["duration"] == pytest.approx(expected, abs=0.5)
    assert "audio" in info["streams"] and "video" in info["streams"] and "subtitle" in info["streams"]
    assert result["copied"] == 3 and result["encoded"] == 0
    assert seen[-1] == (7, 7)
    vtt = (tmp_path / "reel.vtt").read_text()
    assert "00:00:03.000 --> 00:00:05.000\nwhere is the button" in vtt


def test_a_clip_starts_exactly_where_asked(store, tmp_path):
    import av
    sid = _recorded(store, "P1", audio=True)
    result = build_reel(store, [Clip(sid, 7.3, 12.0, "P1", "first", "q")], tmp_path / "r.mp4")
    with av.open(str(tmp_path / "r.mp4")) as container:
        frames = [float(f.pts * f.time_base) for f in container.decode(video=0)]
    assert result["copied"] == 1
    # 2 s card at 10 fps, 0.7 s encoded at 5 fps, 4 s copied at 5 fps
    assert len(frames) == pytest.approx(20 + 4 + 20, abs=2)
    assert reel_info(tmp_path / "r.mp4")["duration"] == pytest.approx(CARD_SECONDS + 4.7, abs=0.5)


def test_without_sound_in_any_session_the_reel_has_none_and_encodes_when_it_must(store, tmp_path):
    sid = _recorded(store, "P1")
    result = build_reel(store, [Clip(sid, 8.9, 12.0, "P1", "first", "q"),
                                Clip(sid, 13.5, 15.0, "P1", "first", "q")], tmp_path / "r.mp4",
                        encode_all=True)
    info = reel_info(tmp_path / "r.mp4")
    assert info["streams"] == ["video"] and result["encoded"] == 2
    assert result["captions"] is None and not (tmp_path / "r.vtt").exists()
    assert info["duration"] == pytest.approx(2 * CARD_SECONDS + 3.1 + 1.5, abs=1.0)


def test_tag_reels_and_refusals(store, tmp_path):
    sid = _recorded(store, "P1")
    store.notes.add(sid, 12.0, "I expected a button here", "obs", tags=["quote"])
    (clip,) = clips_for_tag(store, "Quote")
    assert (clip.start, clip.end, clip.label) == (9.0, 19.0, "“I expected a button here”")
    with pytest.raises(NotFound, match="tagged 'nothing'"):
        clips_for_tag(store, "nothing")
    with pytest.raises(BadRequest, match="at least one clip"):
        build_reel(store, [], tmp_path / "x.mp4")
    with pytest.raises(BadRequest, match="after the start"):
        build_reel(store, [Clip(sid, 5.0, 4.0)], tmp_path / "x.mp4")
    problems = Problems(store)
    empty = problems.create("No evidence yet", author="ana")
    with pytest.raises(BadRequest, match="no evidence"):
        clips_for_problem(store, empty)
    assert not (tmp_path / "x.mp4").exists()


def test_search_finds_notes_and_transcript_words(store):
    sid = _recorded(store, "P1")
    store.notes.add(sid, 12.0, "Expected the button on the left", "obs")
    store.db["segments"].insert({"session_id": sid, "t": 20.0, "end": 22.0, "speaker": "participant",
                                 "text": "I expected it here", "confidence": 1.0, "engine": "test"})
    store.db.conn.commit()
    clips = clips_for_search(store, "EXPECTED")
    assert [(c.start, c.end) for c in clips] == [(9.0, 19.0), (19.0, 23.0)]
    assert clips[1].captions == [(20.0, 22.0, "I expected it here")]
    with pytest.raises(BadRequest, match="what to search"):
        clips_for_search(store, "  ")


def test_the_moderator_is_heard_in_a_reel_too(store, tmp_path):
    from tests.pulse import decode_audio, loud_spans
    from tests.speech.voice_sessions import record_voice_session
    sid, spoken = record_voice_session(store, [(1.0, "I am looking for the search button")], 10.0,
                                       moderator=[(5.0, "what do you expect to find there")])
    question = next(onset for onset, _, text in spoken if text.startswith("what"))
    build_reel(store, [Clip(sid, 4.0, 9.5, "P01", "first", "a question")], tmp_path / "r.mp4")
    rate, samples = decode_audio(tmp_path / "r.mp4")
    [(start, _)] = loud_spans(samples, rate)   # the moderator's second track, mixed in
    assert start == pytest.approx(CARD_SECONDS + question - 4.0, abs=0.15)
