"""Keystroke privacy: what each mode keeps of a key press."""
from __future__ import annotations

import pytest

from recorder.keys import KeyStroke
from recorder.privacy import key_class, key_fields
from sessions.events import KEY_CLASSES

LETTER, DIGIT, BANG = KeyStroke(None, "H"), KeyStroke(None, "7"), KeyStroke(None, "!")


@pytest.mark.parametrize("key, expected", [
    (LETTER, "letter"), (KeyStroke(None, "é"), "letter"), (DIGIT, "digit"), (BANG, "punctuation"),
    (KeyStroke("space", None), "space"), (KeyStroke("enter", None), "enter"),
    (KeyStroke("backspace", None), "backspace"), (KeyStroke("delete", None), "delete"),
    (KeyStroke("tab", None), "tab"), (KeyStroke("left", None), "arrow"),
    (KeyStroke("esc", None), "escape"), (KeyStroke("f11", None), "function"),
    (KeyStroke("page_down", None), "navigation"), (KeyStroke("shift_r", None), "modifier"),
    (KeyStroke("media_play_pause", None), "other"),
])
def test_every_key_has_a_class_from_the_shared_vocabulary(key, expected):
    assert key_class(key) == expected
    assert expected in KEY_CLASSES


def test_redacted_keeps_the_class_and_never_the_character():
    assert key_fields(LETTER, set(), "redacted") == {"key": "letter", "text": None}
    assert key_fields(LETTER, {"shift"}, "redacted") == {"key": "letter", "text": None}


def test_full_keeps_the_character_typed():
    assert key_fields(LETTER, {"shift"}, "full") == {"key": "H", "text": "H"}
    assert key_fields(KeyStroke("enter", None), set(), "full") == {"key": "enter", "text": "\n"}


def test_none_keeps_nothing():
    assert key_fields(LETTER, set(), "none") is None
    assert key_fields(KeyStroke(None, "c"), {"ctrl"}, "none") is None


@pytest.mark.parametrize("mode", ["redacted", "full"])
def test_shortcuts_are_kept_as_combinations(mode):
    assert key_fields(KeyStroke(None, "c"), {"ctrl"}, mode)["key"] == "ctrl+c"
    assert key_fields(KeyStroke(None, "T"), {"shift", "ctrl"}, mode)["key"] == "ctrl+shift+t"
    assert key_fields(KeyStroke("tab", None), {"alt"}, mode)["key"] == "alt+tab"


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        key_fields(LETTER, set(), "everything")
