"""A researcher's corrections: stored beside the machine's text, audited, reversible; search,
exports and captions read them; a new transcription keeps them; a black-out removes their
words too; bad input changes nothing."""
from __future__ import annotations

import json

import pytest

from sessions.corrections import Corrections, align
from sessions.errors import BadRequest, Conflict, NotFound
from sessions.media.captions import webvtt
from sessions.transcripts import Segment, Transcripts, Word


def segment(t: float, text: str, speaker: str = "participant") -> Segment:
    words = tuple(Word(round(t + i * 0.4, 3), round(t + i * 0.4 + 0.35, 3), w, 0.9) for i, w in enumerate(text.split()))
    return Segment(words[0].t, words[-1].end, speaker, words, 0.8)


@pytest.fixture
def session(store):
    sid = store.sessions.create("P01")
    store.sessions.update(sid, status="complete", duration=60.0)
    Transcripts(store).replace(sid, [segment(2.0, "I don't either side where the look is"),
                                     segment(10.0, "now I see the form")], "whisper")
    return sid


def first(store, sid) -> dict:
    return Transcripts(store).segments(sid)[0]


def test_a_correction_reads_everywhere_and_keeps_the_machine_text(store, session):
    corrections = Corrections(store)
    before = first(store, session)
    after = corrections.correct(session, before["id"], "I don't understand where the export is", actor="rita")
    assert after["text"] == "I don't understand where the export is"
    assert after["machine_text"] == "I don't either side where the look is" and after["corrected_by"] == "rita"
    words = [w for w in Transcripts(store).words(session) if w["segment_id"] == before["id"]]
    assert [w["text"] for w in words] == "I don't understand where the export is".split()
    # kept words keep their times; "understand" takes the time of "either side", "export" that of "look"
    assert [(w["t"], w["end"]) for w in words[:2]] == [(2.0, 2.35), (2.4, 2.75)]
    assert words[2]["t"] == 2.8 and words[2]["end"] == 3.55
    assert (words[5]["t"], words[5]["end"]) == (4.4, 4.75)
    # search, exports and captions read the researcher's words
    assert [h["t"] for h in Transcripts(store).search("export") if h["kind"] == "transcript"] == [2.0]
    assert not [h for h in Transcripts(store).search("either side") if h["kind"] == "transcript"]
    rows = list(Transcripts(store).study_rows(session))
    assert rows[0]["text"] == "I don't understand where the export is"
    assert "I don't understand where the export is" in webvtt(Transcripts(store).segments(session))
    # audited
    entry, = store.db.execute("SELECT actor, detail FROM audit WHERE action = 'correct_transcript'").fetchall()
    assert entry[0] == "rita" and json.loads(entry[1])["from"] == "I don't either side where the look is"


def test_a_correction_is_reverted_to_the_machine_s_exact_words(store, session):
    corrections = Corrections(store)
    segment_id = first(store, session)["id"]
    machine = [(w["t"], w["end"], w["text"]) for w in Transcripts(store).words(session) if w["segment_id"] == segment_id]
    corrections.correct(session, segment_id, "I don't understand where the export is", actor="rita")
    corrections.correct(session, segment_id, "I do not understand where the export is", actor="otto")
    back = corrections.revert(session, segment_id, actor="otto")
    assert back["text"] == "I don't either side where the look is" and back["machine_text"] is None
    assert [(w["t"], w["end"], w["text"]) for w in Transcripts(store).words(session)
            if w["segment_id"] == segment_id] == machine
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit WHERE session_id = ? ORDER BY id", [session])]
    assert actions[-3:] == ["correct_transcript", "correct_transcript", "revert_correction"]
    history, = corrections.history(session)
    assert history["reverted_by"] == "otto" and history["text"] == "I do not understand where the export is"
    with pytest.raises(BadRequest, match="no correction to revert"):
        corrections.revert(session, segment_id, actor="otto")


def test_transcribing_again_never_overwrites_a_correction(store, session):
    corrections = Corrections(store)
    corrections.correct(session, first(store, session)["id"], "I don't understand where the export is", actor="rita")
    # the engine runs again and hears the stretch differently, in two segments
    Transcripts(store).replace(session, [segment(2.0, "I don't under"), segment(3.5, "stand where the lock is"),
                                         segment(10.0, "now I see the farm")], "whisper")
    segments = Transcripts(store).segments(session)
    assert [s["text"] for s in segments] == ["I don't understand where the export is", "now I see the farm"]
    assert segments[0]["machine_text"] == "I don't under stand where the lock is"
    assert [h["t"] for h in Transcripts(store).search("export") if h["kind"] == "transcript"] == [2.0]
    # reverting now gives the newest machine words
    back = corrections.revert(session, segments[0]["id"], actor="rita")
    assert back["text"] == "I don't under stand where the lock is"


def test_a_black_out_removes_the_words_from_corrections_too(store, session):
    corrections = Corrections(store)
    corrections.correct(session, first(store, session)["id"], "I don't understand where my password is",
                        actor="rita")
    Transcripts(store).delete_between(session, 4.0, 4.78)   # "my password" (and the machine's "the look")
    text = first(store, session)["text"]
    assert "password" not in text and text.startswith("I don't understand where")
    kept = store.db.execute("SELECT machine_text, machine_words, text, words FROM corrections").fetchone()
    assert not any("password" in column or "look" in column for column in kept), kept


def test_deleting_the_session_deletes_its_corrections(store, session):
    Corrections(store).correct(session, first(store, session)["id"], "I am lost", actor="rita")
    store.sessions.delete(session, "rita")
    assert store.db.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


@pytest.mark.parametrize("text, segment_id, error, message", [
    ("   ", None, BadRequest, "at least one word"),
    ("x" * 2001, None, BadRequest, "at most 2000 characters"),
    ("fine words", 999, NotFound, "no transcript segment 999"),
])
def test_bad_corrections_change_nothing(store, session, text, segment_id, error, message):
    before = Transcripts(store).segments(session), Transcripts(store).words(session)
    with pytest.raises(error, match=message):
        Corrections(store).correct(session, segment_id or first(store, session)["id"], text, actor="rita")
    assert (Transcripts(store).segments(session), Transcripts(store).words(session)) == before
    assert store.db.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_a_session_still_recording_cannot_be_corrected(store, session):
    other = store.sessions.create("P02")
    with pytest.raises(Conflict, match="still recording"):
        Corrections(store).correct(other, first(store, session)["id"], "words", actor="rita")
    with pytest.raises(NotFound):   # a segment of another session is not this session's
        store.sessions.update(other, status="complete", duration=5.0)
        Corrections(store).correct(other, first(store, session)["id"], "words", actor="rita")


def test_align_spreads_new_words_over_what_they_replace():
    machine = [(1.0, 1.4, "the"), (1.5, 1.9, "look"), (2.0, 2.4, "is")]
    assert align(machine, "the export button is", 1.0, 2.4) == [
        (1.0, 1.4, "the"), (1.5, 1.7, "export"), (1.7, 1.9, "button"), (2.0, 2.4, "is")]
    assert align(machine, "look", 1.0, 2.4) == [(1.5, 1.9, "look")]
