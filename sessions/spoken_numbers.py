"""Numbers as they are said: 21 is "twenty one", 1999 is "nineteen ninety nine", 23rd is
"twenty third", and back again, so that a transcript's "3" and a searcher's "three" meet.

In the hub because both sides need one definition: the transcript search (here) and the
scoring of transcripts (speech/normalise.py).
"""
from __future__ import annotations

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}
def cardinal(n: int) -> str:
    """An integer in English words: 21 -> "twenty one", 1999 -> "one thousand nine hundred
    ninety nine" (see `number_words` for how years are said)."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    for size, name in ((10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{cardinal(head)} {name}" + ("" if rest == 0 else " " + cardinal(rest))
    raise AssertionError(n)  # every n >= 100 has a size above


def ordinal(words: str) -> str:
    """ "twenty three" -> "twenty third"."""
    *head, last = words.split()
    if last in ORDINALS:
        last = ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])


def number_words(digits: str, fraction: str | None = None, suffix: str | None = None) -> str:
    """A written number as it is said: years in pairs (1999 -> "nineteen ninety nine",
    2019 -> "twenty nineteen"), other numbers as cardinals, decimals digit by digit after
    "point", ordinals ("23rd") and plurals ("1990s") kept."""
    n = int(digits.replace(",", ""))
    if fraction is None and "," not in digits and len(digits) == 4 and (1100 <= n <= 1999 or 2010 <= n <= 2099):
        high, low = divmod(n, 100)
        words = cardinal(high) + " " + ("hundred" if low == 0 else ("oh " if low < 10 else "") + cardinal(low))
    else:
        words = cardinal(n)
    if fraction:
        words += " point " + " ".join(ONES[int(d)] for d in fraction)
    if suffix in ("st", "nd", "rd", "th"):
        words = ordinal(words)
    elif suffix == "s":
        words = words[:-1] + "ies" if words.endswith("y") else words + "s"
    return words


_VALUE = {w: i for i, w in enumerate(ONES)} | {w: 10 * i for i, w in enumerate(TENS) if w != "_"}
_SCALE = {"hundred": 100, "thousand": 1000, "million": 10 ** 6, "billion": 10 ** 9}
NUMBER_WORDS = frozenset(_VALUE) | frozenset(_SCALE)


def parse_cardinal(words: list[str]) -> int | None:
    """The integer a run of cardinal words says ("twenty one" -> 21, "two hundred" -> 200),
    or None when the words are not one well-formed cardinal."""
    if not words or words[0] in _SCALE:
        return None
    total, current, previous = 0, 0, None
    for word in words:
        if word in _VALUE:
            value = _VALUE[word]
            # "twenty one" is one number; "one twenty" or "five five" are not
            if previous is not None and previous in _VALUE and not (_VALUE[previous] >= 20 and _VALUE[previous] % 10 == 0
                                                                      and 0 < value < 10):
                return None
            current += value
        elif word in _SCALE:
            if current == 0:
                return None
            if _SCALE[word] == 100:
                current *= 100
            else:
                total, current = total + current * _SCALE[word], 0
        else:
            return None
        previous = word
    return total + current


__all__ = ["NUMBER_WORDS", "cardinal", "number_words", "ordinal", "parse_cardinal"]
