"""Search that holds up on Whisper's transcripts: capitals and punctuation ("Export?"), word
forms ("exported" finds "exports", by the index's porter stemmer) and numbers written either
way ("3" finds "three", "twenty one" finds "21"), on a real study database."""
from __future__ import annotations

import pytest

from sessions.transcripts import Segment, Transcripts, Word


def segment(t: float, text: str) -> Segment:
    words = tuple(Word(t + i * 0.4, t + i * 0.4 + 0.35, w) for i, w in enumerate(text.split()))
    return Segment(words[0].t, words[-1].end, "participant", words, 0.8)


@pytest.fixture
def said(store):
    sid = store.sessions.create("P01")
    store.sessions.update(sid, status="complete", duration=60.0)
    Transcripts(store).replace(sid, [
        segment(1.0, "I don't understand where the Export is?"),
        segment(6.0, "I clicked it 3 times."),
        segment(11.0, "There are twenty-one tickets, I think."),
        segment(16.0, "Okay, it's exporting the 21 files now."),
        segment(21.0, "Where are the exports? I'm lost."),
    ], "whisper")
    return sid


def found(store, query: str) -> list[float]:
    return [h["t"] for h in Transcripts(store).search(query) if h["kind"] == "transcript"]


@pytest.mark.parametrize("query, times", [
    ("export", [1.0, 16.0, 21.0]),            # Export?  exporting  exports
    ("EXPORTED", [1.0, 16.0, 21.0]),
    ("understand where", [1.0]),
    ("don't understand", [1.0]),
    ("lost", [21.0]),
    ("three times", [6.0]),                     # written "3"
    ("3 times", [6.0]),
    ("twenty one", [11.0, 16.0]),               # "twenty-one" and "21"
    ("21", [11.0, 16.0]),
    ("21 tickets", [11.0]),
    ("two", []),
])
def test_search_tolerates_case_punctuation_word_forms_and_numbers(store, said, query, times):
    assert found(store, query) == times


def test_the_snippet_marks_what_matched_in_whisper_s_text(store, said):
    from sessions.transcripts import MARK_END, MARK_START
    hit, = [h for h in Transcripts(store).search("three") if h["kind"] == "transcript"]
    assert hit["text"] == "I clicked it 3 times."
    assert hit["snippet"] == f"I clicked it {MARK_START}3{MARK_END} times."
