"""Find the line of a key in a TOML text, so study errors can point at it.

tomllib keeps no positions, and a researcher fixing a typo wants a line number; a light
scan of table headers and `key =` lines is enough for the files we write and read.
"""
from __future__ import annotations

import re

_ARRAY_HEADER = re.compile(r"^\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")
_HEADER = re.compile(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]")
_KEY = re.compile(r"^([A-Za-z0-9_\-]+)\s*=")


class KeyLocator:
    """Maps paths like ("task", 2, "time_limit") to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple, int] = {}
        header: tuple = ()
        counts: dict[tuple, int] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if match := _ARRAY_HEADER.match(line):
                name = tuple(match.group(1).split("."))
                counts[name] = counts.get(name, -1) + 1
                header = self._base(name[:-1], counts) + (name[-1], counts[name])
                self._lines.setdefault(header[:-1], number)
            elif match := _HEADER.match(line):
                header = self._base(tuple(match.group(1).split(".")), counts)
            elif match := _KEY.match(line):
                self._lines.setdefault(header + (match.group(1),), number)
                continue
            else:
                continue
            self._lines.setdefault(header, number)

    @staticmethod
    def _base(parts: tuple, counts: dict[tuple, int]) -> tuple:
        """Insert array indexes for parents that are arrays of tables ([[a]] then [a.b])."""
        out: tuple = ()
        for i, part in enumerate(parts):
            out += (part,)
            if parts[: i + 1] in counts:
                out += (counts[parts[: i + 1]],)
        return out

    def line_of(self, path: tuple) -> int | None:
        """The line of `path`, or of its nearest enclosing table when the key is absent."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None
