"""The transcript store: whole-session replacement, checks, black-out deletion, full-text
search over transcripts and notes, quotes, export rows and subtitles."""
from __future__ import annotations

import pytest

from sessions.errors import BadRequest, Conflict
from sessions.media.captions import srt, webvtt
from sessions.transcripts import (
    MARK_END,
    MARK_START,
    Segment,
    Transcripts,
    Word,
    fts_query,
)


def segment(t: float, text: str, speaker: str = "participant", step: float = 0.4) -> Segment:
    words = tuple(Word(t + i * step, t + (i + 1) * step - 0.05, w, 0.9) for i, w in enumerate(text.split()))
    return Segment(words[0].t, words[-1].end, speaker, words, 0.8)


@pytest.fixture
def done(store):
    sid = store.sessions.create("P01")
    attempt = store.attempts.start(sid, "first", 1.0)
    store.attempts.end(attempt, 20.0, "success")
    store.sessions.update(sid, status="complete", duration=30.0)
    return sid


def test_replace_stores_segments_and_words_in_time_order(store, done):
    transcripts = Transcripts(store)
    assert not transcripts.is_transcribed(done)
    transcripts.replace(done, [segment(8.0, "where is the menu"), segment(2.0, "I look for search", "moderator")],
                        "pocketsphinx")
    rows = transcripts.segments(done)
    assert [(r["t"], r["speaker"], r["text"]) for r in rows] == [
        (2.0, "moderator", "I look for search"), (8.0, "participant", "where is the menu")]
    assert rows[0]["engine"] == "pocketsphinx" and rows[0]["confidence"] == 0.8
    words = transcripts.words(done)
    assert [w["text"] for w in words] == "I look for search where is the menu".split()
    assert words[1]["t"] == pytest.approx(2.4) and words[1]["segment_id"] == rows[0]["id"]
    assert transcripts.is_transcribed(done)
    # a second run replaces the first, and the search index follows
    transcripts.replace(done, [segment(3.0, "all new words")], "whisper")
    assert [r["text"] for r in transcripts.segments(done)] == ["all new words"]
    assert len(transcripts.words(done)) == 3
    assert transcripts.search("menu") == []


@pytest.mark.parametrize("bad", [
    Segment(1.0, 2.0, "narrator", (Word(1.0, 2.0, "hi"),)),
    Segment(2.0, 1.0, "participant", (Word(1.0, 2.0, "hi"),)),
    Segment(1.0, 2.0, "participant", ()),
    Segment(1.0, 2.0, "participant", (Word(1.5, 1.2, "hi"),)),
    Segment(-1.0, 2.0, "participant", (Word(1.0, 2.0, "hi"),)),
    Segment(1.0, 2.0, "participant", (Word(1.0, 2.0, "hi"),), confidence=1.5),
    Segment(1.0, float("nan"), "participant", (Word(1.0, 2.0, "hi"),)),
])
def test_a_bad_segment_is_refused_and_changes_nothing(store, done, bad):
    transcripts = Transcripts(store)
    transcripts.replace(done, [segment(1.0, "kept as it was")], "pocketsphinx")
    with pytest.raises(BadRequest):
        transcripts.replace(done, [segment(5.0, "fine"), bad], "pocketsphinx")
    assert [r["text"] for r in transcripts.segments(done)] == ["kept as it was"]


def test_a_session_still_recording_cannot_get_a_transcript(store):
    sid = store.sessions.create("P02")
    with pytest.raises(Conflict):
        Transcripts(store).replace(sid, [segment(1.0, "too early")], "pocketsphinx")


def test_black_out_deletes_the_words_inside_and_trims_the_edges(store, done):
    transcripts = Transcripts(store)
    # words at 2.0, 2.4, 2.8, 3.2 | 10.0 ... | 20.0 ...
    transcripts.replace(done, [segment(2.0, "my email is secret"), segment(10.0, "my card number"),
                               segment(20.0, "that was easy")], "pocketsphinx")
    deleted = transcripts.delete_between(done, 2.76, 11.0)  # a word touching the edge goes too
    assert deleted == 2 + 3
    assert [(r["t"], r["end"], r["text"]) for r in transcripts.segments(done)] == [
        (2.0, 2.75, "my email"), (20.0, 21.15, "that was easy")]
    assert transcripts.search("secret") == [] and transcripts.search("card") == []
    assert [h["text"] for h in transcripts.search("email")] == ["my email"]
    assert transcripts.delete_between(done, 25.0, 26.0) == 0


def test_search_finds_transcripts_and_notes_with_task_time_and_marks(store, done):
    other = store.sessions.create("P02")
    store.sessions.update(other, status="complete", duration=10.0)
    transcripts = Transcripts(store)
    transcripts.replace(done, [segment(4.0, "I cannot find the search button"), segment(25.0, "nothing here")],
                        "pocketsphinx")
    transcripts.replace(other, [segment(1.0, "searching for it")], "pocketsphinx")
    store.notes.add(done, 5.0, "Participant hunts for the <b>search</b> box", "mod", tags=["nav"])
    hits = transcripts.search("search")
    assert [(h["kind"], h["participant"], h["task"], h["t"]) for h in hits] == [
        ("transcript", "P01", "first", 4.0), ("note", "P01", "first", 5.0), ("transcript", "P02", None, 1.0)]
    assert hits[0]["who"] == "participant" and hits[1]["who"] == "mod"
    assert f"{MARK_START}search{MARK_END}" in hits[0]["snippet"]
    assert f"{MARK_START}searching{MARK_END}" in hits[2]["snippet"]  # porter stemming
    assert [h["t"] for h in transcripts.search("search button")] == [4.0]  # every word must match
    assert [h["t"] for h in transcripts.search("butt*")] == [4.0]
    assert transcripts.search("elephant") == []


@pytest.mark.parametrize("query", ['"', "AND", "search OR", "NEAR(a b)", "col:value", "a -b", "*", "'); DROP TABLE"])
def test_search_never_runs_what_a_user_typed_as_fts_syntax(store, done, query):
    Transcripts(store).replace(done, [segment(1.0, "and or near drop table")], "pocketsphinx")
    try:
        hits = Transcripts(store).search(query)
    except BadRequest:
        return  # nothing searchable in it: refused with a message
    assert all(h["kind"] == "transcript" for h in hits)


def test_fts_query_quotes_every_word():
    assert fts_query('find "the" button*') == '"find" AND "the" AND "button"*'
    with pytest.raises(BadRequest):
        fts_query("  !!! ")


def test_privacy_pauses_pair_pause_and_resume_markers(store, done):
    store.markers.add(done, 3.0, "pause")
    store.markers.add(done, 6.0, "resume")
    store.markers.add(done, 9.0, "pause", status="dismissed")
    store.markers.add(done, 12.0, "pause")
    spans = Transcripts(store).privacy_pauses(done)
    assert spans[0] == (3.0, 6.0) and spans[1][0] == 12.0 and spans[1][1] > 30.0


def test_study_rows_and_quotes(store, done):
    transcripts = Transcripts(store)
    transcripts.replace(done, [segment(25.0, "after the task"), segment(2.0, "during the task")], "pocketsphinx")
    rows = list(transcripts.study_rows())
    assert [(r["participant"], r["task"], r["t"], r["text"]) for r in rows] == [
        ("P01", "first", 2.0, "during the task"), ("P01", None, 25.0, "after the task")]
    assert set(rows[0]) == {"session", "participant", "task", "t", "end", "speaker", "text", "confidence"}
    store.notes.add(done, 2.0, "during the task", "rita", tags=["quote", "nav"])
    store.notes.add(done, 3.0, "not a quote", "rita", tags=["nav"])
    quotes = transcripts.quotes()
    assert [(q["participant"], q["text"], q["tags"]) for q in quotes] == [("P01", "during the task", ["nav", "quote"])]


def test_captions_in_webvtt_and_srt():
    rows = [{"t": 1.5, "end": 3.25, "speaker": "participant", "text": "a <b> & c --> d"},
            {"t": 3661.0, "end": 3662.0, "speaker": "moderator", "text": "later"}]
    vtt = webvtt(rows, speakers=True)
    assert vtt.startswith("WEBVTT\n\n00:00:01.500 --> 00:00:03.250\n<v participant>a &lt;b&gt; &amp; c --&gt; d\n")
    assert "01:01:01.000 --> 01:01:02.000\n<v moderator>later" in vtt
    text = srt(rows)
    assert text.startswith("1\n00:00:01,500 --> 00:00:03,250\na <b> & c --> d\n\n2\n01:01:01,000")
    # a clip from 3000 s to 4000 s: cue times from the clip's start, only cues inside it
    assert webvtt(rows, start=3000.0, end=4000.0).split("\n")[2] == "00:11:01.000 --> 00:11:02.000"
