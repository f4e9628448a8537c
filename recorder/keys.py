"""A keystroke as plain data, independent of pynput, so hotkeys and privacy rules can be
tested (and reasoned about) without an X display."""
from __future__ import annotations

from dataclasses import dataclass

# pynput Key names folded to the modifier they stand for
MODIFIERS = {
    "ctrl": "ctrl", "ctrl_l": "ctrl", "ctrl_r": "ctrl",
    "alt": "alt", "alt_l": "alt", "alt_r": "alt", "alt_gr": "alt",
    "shift": "shift", "shift_l": "shift", "shift_r": "shift",
    "cmd": "super", "cmd_l": "super", "cmd_r": "super",
}
# the order modifiers are written in a combination such as "ctrl+alt+n"
MODIFIER_ORDER = ("ctrl", "alt", "shift", "super")


@dataclass(frozen=True)
class KeyStroke:
    """One key press or release: `name` for named keys (enter, shift_l, f5), `char` for
    characters; `code` identifies the physical key so a release pairs with its press."""

    name: str | None
    char: str | None
    code: int | None = None

    @property
    def modifier(self) -> str | None:
        return MODIFIERS.get(self.name or "")

    @property
    def label(self) -> str:
        """The key's name as written in a combination: lower-case character or key name."""
        if self.char:
            return self.char.lower()
        return self.name or "unknown"


def combination(modifiers: set[str], key: KeyStroke) -> str:
    held = [m for m in MODIFIER_ORDER if m in modifiers]
    return "+".join(held + [key.label])


def parse_combination(text: str) -> tuple[frozenset[str], str]:
    """'ctrl+alt+n' -> ({'ctrl', 'alt'}, 'n'); 'cmd' is accepted for super."""
    parts = text.lower().split("+")
    mods = frozenset(MODIFIERS.get(p, p) for p in parts[:-1])
    return mods, parts[-1]
