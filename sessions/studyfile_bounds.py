"""Bounds on a study script, checked before and while it is parsed, so that a hostile or broken
file gets one sentence instead of hanging `uxlab validate` or exhausting memory: tomllib takes
minutes and gigabytes on keys 100,000 levels deep, a regular expression of thousands of nested
groups overflows the stack when compiled, and Python refuses integers of thousands of digits.

The first pass reads the raw text with a small TOML lexer (strings, comments, brackets, keys);
the later checks bound what the parsed script holds (list lengths, patterns, screen images).
"""
from __future__ import annotations

from pathlib import Path

MAX_BYTES = 1_000_000        # a study script is a few kilobytes; this is generous
MAX_KEY_PARTS = 16           # a.b.c... in a key or a [table.header]
MAX_NESTING = 16             # arrays and inline tables inside each other
MAX_DIGITS = 60              # the longest run of digits in a number
MAX_LIST = 1000              # items in any one list (error screens, tasks, items)
MAX_PATTERN = 1000           # characters of a regular expression
MAX_PATTERN_NESTING = 50     # groups inside groups in a regular expression
MAX_IMAGE_SIDE = 16384       # pixels: wider or taller than any screen


class Bound(Exception):
    """A bound passed: the sentence says which."""


def check_text(text: str) -> None:
    """Raise Bound when the raw script passes a size, depth or number bound."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise Bound(f"the file is larger than {MAX_BYTES:,} bytes")
    _Lexer(text).run()


class _Lexer:
    """Walks TOML text outside strings and comments, counting what the bounds limit."""

    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0
        self.depth = 0               # [ and { of values (not table headers)
        self.in_key = True           # reading a key: from a line's start (or { or ,) to =
        self.in_header = False       # reading a [table] or [[array]] header
        self.key_parts = 1
        self.digits = 0

    def run(self) -> None:
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c in "\"'":
                self.skip_string(c)
                continue
            if c == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
                continue
            self.count_digits(c)
            self.step(c)
            self.i += 1

    def step(self, c: str) -> None:
        if c == "\n" and self.depth == 0:
            self.in_key, self.in_header, self.key_parts = True, False, 1
        elif c == "[" and self.in_key and self.depth == 0 and not self.in_header:
            self.in_header = True
        elif c == "]" and self.in_header:
            self.in_header, self.in_key = False, False
        elif c == "." and (self.in_key or self.in_header):
            self.key_parts += 1
            if self.key_parts > MAX_KEY_PARTS:
                raise Bound(f"a key or table name has more than {MAX_KEY_PARTS} dotted parts")
        elif c == "=" and self.in_key:
            self.in_key, self.key_parts = False, 1
        elif c in "[{" and not self.in_key:
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise Bound(f"lists or inline tables are nested more than {MAX_NESTING} deep")
            self.in_key, self.key_parts = c == "{", 1
        elif c in "]}" and self.depth:
            self.depth -= 1
        elif c == "," and self.depth:
            self.in_key, self.key_parts = self.inside_inline_table(), 1

    def inside_inline_table(self) -> bool:
        """Whether the innermost open bracket is a `{` (then a key follows a comma)."""
        level, j = 0, self.i - 1
        while j >= 0:
            ch = self.text[j]
            if ch in "]}":
                level += 1
            elif ch in "[{":
                if level == 0:
                    return ch == "{"
                level -= 1
            j -= 1
        return False

    def count_digits(self, c: str) -> None:
        self.digits = self.digits + 1 if c.isdigit() else (self.digits if c == "_" else 0)
        if self.digits > MAX_DIGITS:
            raise Bound(f"a number has more than {MAX_DIGITS} digits")

    def skip_string(self, quote: str) -> None:
        text, triple = self.text, self.text.startswith(quote * 3, self.i)
        self.i += 3 if triple else 1
        while self.i < len(text):
            c = text[self.i]
            if c == "\\" and quote == '"':
                self.i += 2
                continue
            if triple and text.startswith(quote * 3, self.i):
                self.i += 3
                while self.i < len(text) and text[self.i] == quote:   # """a"""" ends on the last three
                    self.i += 1
                return
            if not triple and (c == quote or c == "\n"):
                self.i += 1
                return
            self.i += 1


def check_pattern(value: str) -> None:
    """Raise Bound when a regular expression is too long or nests groups too deeply."""
    if len(value) > MAX_PATTERN:
        raise Bound(f"a regular expression is longer than {MAX_PATTERN} characters")
    depth = deepest = 0
    escaped = False
    for c in value:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif c == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_PATTERN_NESTING:
        raise Bound(f"a regular expression nests groups more than {MAX_PATTERN_NESTING} deep")


def check_list(items: list, what: str) -> None:
    """Raise Bound when a list in the script is longer than any study needs."""
    if len(items) > MAX_LIST:
        raise Bound(f"{what} lists more than {MAX_LIST} items")


def check_image(path: Path) -> None:
    """Raise Bound unless `path` is a real image of a plausible size (read from its header)."""
    import warnings

    from PIL import Image, UnidentifiedImageError
    if path.stat().st_size == 0:
        raise Bound(f"image {path.name} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise Bound(f"image {path.name} claims more pixels than any screen has") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise Bound(f"{path.name} is not an image (PNG or JPEG)") from None
    if width < 1 or height < 1 or width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise Bound(f"image {path.name} claims {width}x{height} pixels (at most "
                    f"{MAX_IMAGE_SIDE} a side)")


def check_lists(value: object, where: str = "the script") -> None:
    """Raise Bound when any list in the parsed script is longer than MAX_LIST."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_lists(item, str(key))
    elif isinstance(value, list):
        check_list(value, where)
        for item in value:
            check_lists(item, where)
