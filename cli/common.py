"""What the verbs share: the study-folder argument, opening a study's store, writing rows.

Each family of verbs imports these from here, never from another family, so no two command
modules depend on each other.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.errors import fail

folder_argument = click.argument(
    "folder", default=".", type=click.Path(file_okay=False, path_type=Path))


def open_store(folder: Path, *, writer: bool = False):
    """Open an existing study folder's store; a folder without a study is a user error.

    Only a command that changes data opens it as a `writer`, which first closes the sessions
    of recorders that died (`sessions.recovery`); listing, analysing and exporting change nothing.
    """
    from sessions.recovery import open_writer
    from sessions.storage_faults import COMMAND_BUSY_SECONDS
    from sessions.store import Store
    from sessions.study import STUDY_FILE
    if not (folder / STUDY_FILE).is_file():
        fail(f"{folder} is not a study folder (no {STUDY_FILE}; run `uxlab init {folder}`)")
    if writer:
        return open_writer(folder, busy_seconds=COMMAND_BUSY_SECONDS)
    return Store(folder, read_only=True, busy_seconds=COMMAND_BUSY_SECONDS)


def emit_rows(rows, output: Path | None, fmt: str, columns) -> None:
    """Export rows to standard output, or to `output` with a count on stderr."""
    from sessions.export import write_rows
    if output is None:
        write_rows(rows, sys.stdout, fmt, columns)
        return
    with open(output, "w", newline="", encoding="utf-8") as out:
        count = write_rows(rows, out, fmt, columns)
    click.echo(f"wrote {count} rows to {output}", err=True)
