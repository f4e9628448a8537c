"""Changes the app makes to a study script, written so the researcher's file stays theirs:
tomlkit keeps every comment, blank line and the order of keys; only the changed value moves.

The new text is checked as a whole before it replaces the old one, so a change that would
break the script is refused and the file is left as it was.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import tomlkit

from sessions.errors import BadRequest, NotFound
from sessions.study import STUDY_FILE, Study, StudyError, parse_study

SCREENS_DIR = "screens"
SCREEN_KINDS = ("success", "error", "first_click")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_screen(folder: str | Path, task_id: str, kind: str, png: bytes) -> str:
    """Write a screen image under the study's screens/ folder; returns its path relative to
    the study folder, as study.toml names it. Never overwrites an earlier screen."""
    if kind not in ("success", "error"):
        raise BadRequest(f"a screen image is a success or error screen, not {kind!r}")
    if not png.startswith(b"\x89PNG"):
        raise BadRequest("a screen image must be a PNG")
    folder = Path(folder)
    stem = f"{_SAFE.sub('-', task_id).strip('-.') or 'task'}-{kind}"
    for number in range(1, 10_000):
        relative = f"{SCREENS_DIR}/{stem}{'' if number == 1 else f'-{number}'}.png"
        if not (folder / relative).exists():
            _write_atomically(folder / relative, png)
            return relative
    raise BadRequest(f"too many {kind} screens for task {task_id!r}")


def set_task_screen(folder: str | Path, task_id: str, kind: str, value: str | tuple[int, int, int, int]) -> Study:
    """Make `value` the task's success screen, add it to its error screens, or make it the
    task's first-click target area; returns the study as it now reads."""
    if kind not in SCREEN_KINDS:
        raise BadRequest(f"unknown kind of screen {kind!r} (one of {', '.join(SCREEN_KINDS)})")
    path = Path(folder) / STUDY_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = next((t for t in doc.get("task", []) if t.get("id") == task_id), None)
    if table is None:
        raise NotFound(f"no task {task_id!r} in {path}")
    if kind == "success":
        table["success_screen"] = value
    elif kind == "error":
        screens = table.get("error_screens")
        if screens is None:
            table["error_screens"] = [value]
        elif value not in screens:
            screens.append(value)
    else:
        table["first_click"] = [int(v) for v in value]
    text = tomlkit.dumps(doc)
    try:
        study = parse_study(text, path)
    except StudyError as exc:
        raise BadRequest(f"that change would break the study script: {exc}") from None
    _write_atomically(path, text.encode("utf-8"))
    return study
