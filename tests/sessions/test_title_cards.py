"""Reel title cards draw what people typed: "·", curly quotes and accents are glyphs on the
card, not the "?" an ASCII-only font would put there."""
from __future__ import annotations

import numpy as np
import pytest

from sessions.media.reels import Clip, _card_image
from sessions.media.title_cards import draw_card


def ink(image: np.ndarray) -> np.ndarray:
    return (image.max(axis=2) > 128)


@pytest.mark.parametrize("typed", ["·", "“", "’", "é", "–"])
def test_each_glyph_is_drawn_and_is_not_a_question_mark(typed):
    glyph, question, blank = (draw_card([(t, 1.0)], 320, 180) for t in (typed, "?", " "))
    assert ink(glyph).sum() > 0 and not np.array_equal(ink(glyph), ink(blank))
    assert not np.array_equal(ink(glyph), ink(question))


def test_a_reel_card_keeps_the_titles_punctuation(tmp_path):
    def card(label: str, participant: str) -> np.ndarray:
        clip = Clip(session_id="s", participant=participant, task="find-help", start=0, end=1, label=label)
        return _card_image(clip, 640, 360, 1, 2)
    typed = card("“Where’s the export?” · said twice", "P07")
    flattened = card("?Where?s the export?? ? said twice", "P07")
    assert typed.shape == (360, 640, 3) and typed.dtype == np.uint8
    assert not np.array_equal(ink(typed), ink(flattened))
