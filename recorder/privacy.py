"""Keystroke privacy, applied before anything is written: a study decides whether the
characters a participant types are kept (`full`), reduced to key classes (`redacted`, the
default) or not recorded at all (`none`)."""
from __future__ import annotations

from recorder.keys import KeyStroke, combination
from sessions.events import KEYSTROKE_MODES, KeystrokeMode

_NAMED_CLASSES = {
    "space": "space", "enter": "enter", "backspace": "backspace", "delete": "delete",
    "tab": "tab", "esc": "escape",
    "up": "arrow", "down": "arrow", "left": "arrow", "right": "arrow",
    "home": "navigation", "end": "navigation", "page_up": "navigation",
    "page_down": "navigation", "insert": "navigation",
}
_NAMED_TEXT = {"space": " ", "enter": "\n", "tab": "\t"}
# only these make a key press a shortcut; shift alone is just typing
_SHORTCUT_MODIFIERS = {"ctrl", "alt", "super"}


def key_class(key: KeyStroke) -> str:
    """The class a redacted keystroke is stored as (one of sessions.events.KEY_CLASSES)."""
    if key.modifier:
        return "modifier"
    if key.char:
        if key.char.isalpha():
            return "letter"
        if key.char.isdigit():
            return "digit"
        if key.char.isspace():
            return "space"
        return "punctuation" if key.char.isprintable() else "other"
    name = key.name or ""
    if name in _NAMED_CLASSES:
        return _NAMED_CLASSES[name]
    if name[:1] == "f" and name[1:].isdigit():
        return "function"
    return "other"


def key_fields(key: KeyStroke, modifiers: set[str], mode: str) -> dict | None:
    """The `key` and `text` of a stored key press, or None when keystrokes are not kept.

    A press with ctrl, alt or super held is a shortcut and is stored as its combination
    ("ctrl+c") in every mode that keeps keys: shortcuts say what was done, not what was typed.
    """
    if mode not in KEYSTROKE_MODES:
        raise ValueError(f"unknown keystroke mode {mode!r}")
    if mode == KeystrokeMode.NONE:
        return None
    if modifiers & _SHORTCUT_MODIFIERS and not key.modifier:
        return {"key": combination(modifiers, key), "text": None}
    if mode == KeystrokeMode.REDACTED:
        return {"key": key_class(key), "text": None}
    if key.char:
        return {"key": key.char, "text": key.char}
    return {"key": key.name or "unknown", "text": _NAMED_TEXT.get(key.name or "")}

