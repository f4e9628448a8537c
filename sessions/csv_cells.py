"""CSV cells that a spreadsheet will not run: participant ids, groups, titles and transcript
text are typed by people, and a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is a formula to Excel, LibreOffice and Google Sheets (CSV injection). OWASP's advice is
followed: such a text cell gets a leading single quote, which spreadsheets show as text and
which a reader of the file can strip. Numbers stay numbers; JSON and JSON Lines stay exact.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should read it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose rows are made safe for spreadsheets."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, each text cell made safe."""
        self._writer.writerow([safe_cell(v) for v in row])


class CsvDictWriter:
    """csv.DictWriter whose rows are made safe for spreadsheets."""

    def __init__(self, out: TextIO, columns: Sequence[str]) -> None:
        self._writer = csv.DictWriter(out, columns)

    def writeheader(self) -> None:
        """Write the column names (ours, never a participant's text)."""
        self._writer.writeheader()

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Write the rows, each text cell made safe."""
        self._writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
