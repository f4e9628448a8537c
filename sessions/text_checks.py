"""What people may type into the study: notes, flags, tags, problem titles and evidence text.

Control characters other than tab and newline (a NUL, an escape, a backspace, a lone
carriage return, DEL, the C1 controls) are refused rather than stored: they corrupt exports
and terminals, hide text in reports and, a NUL above all, cut strings short in the tools
that read the study later. A browser form sends a newline as CR LF; that pair is kept as a
newline. Lone surrogates (which no UTF-8 file can hold) are refused too. Every writer of such
text calls `checked_text`, so the live page, the replay and the CLI refuse alike.
"""
from __future__ import annotations

import unicodedata

from sessions.errors import BadRequest

ALLOWED = frozenset("\t\n")


def control_character(text: str) -> tuple[int, str] | None:
    """The position and character of the first control character `text` may not hold, or None."""
    for index, char in enumerate(text):
        if char in ALLOWED or char.isprintable():
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return index, char
    return None


def checked_text(text: str, what: str) -> str:
    """`text` with CR LF read as a newline; a control character other than tab and newline
    raises BadRequest naming `what` (for example "a note") and the character found."""
    text = text.replace("\r\n", "\n")
    found = control_character(text)
    if found is not None:
        index, char = found
        raise BadRequest(f"{what} may not contain control characters (U+{ord(char):04X} at "
                         f"character {index + 1}); only tab and newline are allowed")
    return text
