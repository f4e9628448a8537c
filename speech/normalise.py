"""One text normalisation for scoring and searching transcripts: case, punctuation, numbers
and the usual spoken abbreviations, so that "Mr. Dashwood, 3 times" and "mister dashwood
three times" are the same words.

Word error rates are only comparable after the same normalisation (Whisper's authors score
with one for this reason); uxlab's is smaller than theirs and writes numbers as words
rather than digits, so that a number said aloud, a number written by an engine and a
number typed into the search box all meet. Its pairs are tested against the examples
that Whisper's own normaliser tests publish.
"""
from __future__ import annotations

import re

from sessions.spoken_numbers import cardinal, number_words

# said as words in speech, written short by engines and people
ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "ms": "miss", "dr": "doctor", "st": "saint",
                 "prof": "professor", "jr": "junior", "sr": "senior", "vs": "versus", "etc": "et cetera",
                 "ok": "okay", "%": "percent", "&": "and"}
# contractions written out, as Whisper's normaliser does ('s and 'd are left: is/has, had/would)
CONTRACTIONS = ((re.compile(r"\bwon't\b"), "will not"), (re.compile(r"\bcan't\b"), "can not"),
                (re.compile(r"\bain't\b"), "is not"), (re.compile(r"n't\b"), " not"),
                (re.compile(r"'m\b"), " am"), (re.compile(r"'re\b"), " are"), (re.compile(r"'ve\b"), " have"),
                (re.compile(r"'ll\b"), " will"))
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th|s)?(?!\w)")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[%&]")


def normalise(text: str) -> str:
    """Lower case, no punctuation (apostrophes inside words kept), hyphens as spaces, numbers
    as words, abbreviations and contractions spelt out: the form two transcripts are compared in."""
    text = _NUMBER.sub(lambda m: f" {number_words(m.group(1), m.group(2), m.group(3))} ", text)
    text = text.lower().replace("\u2019", "'").replace("-", " ").replace("\u2014", " ")
    for pattern, spelt in CONTRACTIONS:
        text = pattern.sub(spelt, text)
    words = []
    for token in _TOKEN.findall(text):
        words.extend(ABBREVIATIONS.get(token, token).split())
    return " ".join(words)


def normal_words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalise(text).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words of the reference, on normalised
    words: the Levenshtein distance over words (NIST's definition)."""
    ref, hyp = normal_words(reference), normal_words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1] / max(1, len(ref))


__all__ = ["cardinal", "normal_words", "normalise", "number_words", "word_error_rate"]
