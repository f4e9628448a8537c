"""The one normalisation transcripts are scored and searched in, checked on the pairs that
Whisper's normaliser tests publish (openai/whisper tests/test_normalizer.py: "thirty one" and
31, "nineteen ninety nine" and 1999, "twenty nineteen" and 2019, "Mr. Park visited Assoc.
Prof. Kim Jr." and "mister park visited ... professor kim junior"), and the word error rate
on jiwer's published example ("hello world" heard as "hello duck": 0.5)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech.normalise import cardinal, normalise, word_error_rate


@pytest.mark.parametrize("said, written", [
    ("thirty one", "31"),
    ("nineteen ninety nine", "1999"),
    ("twenty nineteen", "2019"),
    ("two point five million", "2.5 million"),
    ("twenty third", "23rd"),
    ("the nineteen nineties", "the 1990s"),
    ("two hundred thousand", "200,000"),
    ("mister park visited professor kim junior", "Mr. Park visited Prof. Kim Jr."),
])
def test_a_number_said_and_written_are_the_same_words(said, written):
    assert normalise(said) == normalise(written) == said


def test_case_punctuation_hyphens_and_contractions_go():
    assert normalise("Unless to be rather cold-hearted, and rather selfish, is to be ill-disposed!") == \
        "unless to be rather cold hearted and rather selfish is to be ill disposed"
    assert normalise("I don\u2019t understand where the “export” is?") == "i do not understand where the export is"
    assert normalise("I'm sure they're lost; we can't, won't, and we'll see what I've done") == \
        "i am sure they are lost we can not will not and we will see what i have done"
    assert normalise("the participant's screen") == "the participant's screen"   # 's: is, has or whose
    assert normalise("  ") == ""


def test_word_error_rate_is_edits_over_reference_words():
    assert word_error_rate("hello world", "hello duck") == 0.5     # jiwer's README example
    # one substitution, one deletion, one insertion over six words
    assert word_error_rate("the cat sat on the mat", "the cat sit on mat today") == pytest.approx(3 / 6)
    assert word_error_rate("Mr. Dashwood had 3 sons", "mister dashwood had three sons.") == 0
    assert word_error_rate("a b", "") == 1 and word_error_rate("", "") == 0


@given(st.integers(0, 10 ** 9))
def test_every_cardinal_is_letters_and_spaces_only(n):
    words = cardinal(n)
    assert words == normalise(words) and words.strip() == words and "  " not in words
