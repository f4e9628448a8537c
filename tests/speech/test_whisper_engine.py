"""How the Whisper engine hands sound to the model and cuts what comes back, on the cases the
transcription benchmark found: windows that begin at speech and end in a silence, a pause
that Whisper's word times hide but the voice-activity detector hears, a hyphenated word
that Whisper's tokenizer splits, a first word that absorbed the silence before it, speech
Whisper wrote nothing for, and a track of silence, which the real tiny.en model is never
asked about."""
from __future__ import annotations

import numpy as np
import pytest

from sessions.transcripts import Word
from speech.audio import RATE, Track
from speech.whisper_engine import (
    joined,
    onset_on_speech,
    silence_between,
    unheard,
    utterances,
    windows,
)


def words(*spans: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(t, end, text, 0.9) for t, end, text in spans)


def test_windows_join_speech_up_to_the_span_and_end_in_a_silence():
    regions = [(0.5, 3.0), (4.5, 8.0), (9.5, 14.0), (15.5, 18.0), (19.0, 60.0)]
    assert windows(regions, 61.0, span=15.0) == [(0.5, 14.0), (15.5, 18.0), (19.0, 60.0)]
    # a region padded past the ends of the track is kept inside it
    assert windows([(-0.4, 2.0), (3.0, 10.4)], 10.0) == [(0.0, 10.0)]
    assert windows([], 10.0) == []


def test_a_pause_the_detector_heard_cuts_words_whose_times_touch():
    # Whisper stretched "button" over the silence after it: the word times leave no gap
    said = words((1.0, 1.4, "the"), (1.4, 3.1, "button"), (3.1, 3.4, "where"), (3.4, 3.8, "is"))
    speech = [(0.98, 2.0), (3.2, 3.9)]
    assert silence_between(said[1], said[2], speech) == pytest.approx(3.2 - 2.0)
    assert [[w.text for w in run] for run in utterances(said, speech)] == [["the", "button"], ["where", "is"]]
    # without the detector's view the pause is not seen: one run, as before
    assert len(utterances(said)) == 1
    # a short breath inside a sentence does not cut it
    assert len(utterances(said, [(0.98, 2.6), (2.9, 3.9)])) == 1


def test_a_hyphenated_word_is_one_word_again():
    said = joined(words((1.0, 1.3, " rather"), (1.3, 1.6, " cold"), (1.6, 2.0, "-hearted"), (2.1, 2.3, " and")))
    assert [w.text for w in said] == ["rather", "cold-hearted", "and"]
    assert (said[1].t, said[1].end) == (1.3, 2.0)
    # a dash said between words (a leading space) stays a word of its own
    assert [w.text for w in joined(words((1.0, 1.2, " yes"), (1.2, 1.3, " -"), (1.3, 1.5, " no")))] == ["yes", "-", "no"]


def test_speech_no_word_touches_is_found_to_be_decoded_again():
    # Whisper began the window's text at 6.2 s: the two utterances before it got no words
    speech = [(0.4, 2.1), (3.5, 5.6), (6.3, 9.0), (9.6, 9.9), (11.0, 12.5)]
    said = words((6.2, 6.8, "there"), (6.8, 9.0, "are"), (11.1, 12.4, "options"))
    assert unheard(speech, list(said)) == [(0.4, 2.1), (3.5, 5.6)]   # a 0.3 s click is not speech enough
    # a word stretched into a stretch of speech counts as hearing it
    assert unheard([(0.4, 2.1)], list(words((2.0, 2.5, "yes")))) == []
    assert unheard([], list(said)) == []


def test_the_first_word_starts_where_speech_does_and_never_earlier():
    run = words((4.6, 5.4, "I"), (5.4, 5.7, "am"), (5.7, 6.2, "looking"))
    assert onset_on_speech(run, [(5.02, 6.3)])[0].t == pytest.approx(5.02)
    assert onset_on_speech(run, [(4.0, 6.3)]) == run        # speech began before: left alone
    # the whole utterance put early, in the silence: it starts where its speech does, and
    # its words keep their order and spacing (moving the first alone put it after the second)
    moved = onset_on_speech(run, [(1.0, 3.0), (5.6, 6.3)])
    assert [w.text for w in moved] == ["I", "am", "looking"]
    assert [(w.t, w.end) for w in moved] == [pytest.approx((t + 1.0, end + 1.0)) for t, end, _ in
                                             ((4.6, 5.4, ""), (5.4, 5.7, ""), (5.7, 6.2, ""))]
    assert onset_on_speech(run, [(1.0, 3.0), (6.3, 7.0)]) == run   # its speech is not in it: left alone


def test_a_track_of_silence_gives_no_segments(installed_engine):
    silence = Track("participant", 3.0, np.zeros(RATE * 20, np.int16))
    done: list[float] = []
    assert installed_engine.transcribe(silence, done.append) == []
    assert done == [pytest.approx(20.0)]


@pytest.fixture(scope="module")
def installed_engine():
    from speech.engines import open_engine
    return open_engine("whisper", "tiny.en")
