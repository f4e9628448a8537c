"""Study scripts: load `study.toml`, check every field, and say exactly what is wrong.

A researcher edits this file by hand, so a mistake must come back as one sentence naming
the file, the line and the field, and must stop anything from being recorded.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from sessions import studyfile_bounds as bounds
from sessions import studyfile_capture as web_capture
from sessions.errors import BadRequest
from sessions.events import KEYSTROKE_MODES, Action, KeystrokeMode
from sessions.studyfile_lines import KeyLocator
from sessions.studyfile_standards import Standards, read_standards

STUDY_FILE = "study.toml"
STANDARD_POST_TASK = ("seq", "ces")
STANDARD_POST_SESSION = ("sus", "umux_lite", "nps", "csat", "ces")
DEFAULT_HOTKEYS = {
    Action.NEXT_TASK.value: "ctrl+alt+n",
    Action.SUCCESS.value: "ctrl+alt+s",
    Action.FAILURE.value: "ctrl+alt+f",
    Action.GAVE_UP.value: "ctrl+alt+g",
    Action.ERROR.value: "ctrl+alt+e",
    Action.MARKER.value: "ctrl+alt+m",
    Action.PAUSE.value: "ctrl+alt+p",
    Action.END.value: "ctrl+alt+q",
}
# \Z, not $: "$" also matches before a final newline, so "login\n" would pass as an id
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
_HOTKEY = re.compile(r"^((ctrl|alt|shift|super|cmd)\+)+([a-z0-9]|f[1-9]|f1[0-2])\Z")


class StudyError(BadRequest):
    """A study script that cannot be used; the message is meant for the researcher (400).

    `problems` holds every mistake found, in file order; the message names the first (and
    how many more there are), so commands that only need to refuse stay on one line.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        first, more = self.problems[0], len(self.problems) - 1
        suffix = f" (and {more} more mistake{'s' if more > 1 else ''}: `uxlab validate` lists them all)" if more else ""
        super().__init__(first + suffix)


class _Invalid(Exception):
    """A field could not be read; its problem is already noted and checking goes on."""


@dataclass(frozen=True)
class Capture:
    fps: float = 10.0
    scale: float = 1.0
    keystrokes: str = KeystrokeMode.REDACTED.value
    window_titles: bool = True
    transcribe: bool = False   # transcribe each session on this machine when it ends
    audio: str = "none"          # "none", "default" or a microphone's source name
    web: web_capture.WebCapture = field(default_factory=web_capture.WebCapture)   # origins, screens
    live_captions: bool = True   # the server captions the participant's voice for live observers
    camera: bool = False         # a remote participant's join page records their camera too


@dataclass(frozen=True)
class Access:
    """What a study lets each role do beyond the defaults: observers watch live and read
    notes; reviewers replay read-only."""
    observer_downloads: bool = False   # observers may fetch finished sessions' video and event data
    reviewer_notes: bool = False       # reviewers may add notes and tags in replay


@dataclass(frozen=True)
class Task:
    id: str
    prompt: str
    time_limit: float | None = None
    success_screen: Path | None = None
    error_screens: tuple[Path, ...] = ()
    first_click: tuple[int, int, int, int] | None = None
    post_task: tuple[str, ...] | None = None
    success_title: re.Pattern | None = None   # success when a window title matches
    web: web_capture.WebTask = field(default_factory=web_capture.WebTask)   # success_url, ...


@dataclass(frozen=True)
class CustomItem:
    """A researcher's own question: a Likert item (1..points) or free text."""

    id: str
    prompt: str
    type: str = "likert"
    points: int = 7
    labels: tuple[str, str] = ("Strongly disagree", "Strongly agree")
    required: bool = True


@dataclass(frozen=True)
class Questionnaires:
    post_task: tuple[str, ...] = ("seq",)
    post_session: tuple[str, ...] = ("sus",)
    custom: tuple[CustomItem, ...] = ()

    def custom_item(self, item_id: str) -> CustomItem | None:
        return next((c for c in self.custom if c.id == item_id), None)


@dataclass(frozen=True)
class Study:
    title: str
    folder: Path
    tasks: tuple[Task, ...]
    capture: Capture = field(default_factory=Capture)
    questionnaires: Questionnaires = field(default_factory=Questionnaires)
    hotkeys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))
    access: Access = field(default_factory=Access)
    standards: Standards = field(default_factory=Standards)   # [sum], [report], [participants]

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def post_task_for(self, task: Task) -> tuple[str, ...]:
        return task.post_task if task.post_task is not None else self.questionnaires.post_task


def load_study(folder: str | Path) -> Study:
    """Read and validate the study script in `folder` (or the file itself)."""
    path = Path(folder)
    if path.is_dir():
        path = path / STUDY_FILE
    if not path.is_file():
        raise StudyError(f"{path}: no study script here (run `uxlab init` to create one)")
    if path.stat().st_size > bounds.MAX_BYTES:
        raise StudyError(f"{path}: not a study script: the file is larger than {bounds.MAX_BYTES:,} bytes")
    text = path.read_text(encoding="utf-8", errors="replace")
    return parse_study(text, path)


def parse_study(text: str, path: Path) -> Study:
    """Validate the text of a study script; `path` names it in messages and anchors images."""
    try:
        bounds.check_text(text)
        data = tomllib.loads(text)
        bounds.check_lists(data)
    except bounds.Bound as exc:
        raise StudyError(f"{path}: not a study script: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise StudyError(f"{path}: not a study script: its tables or lists are nested too deeply") from None
    return _Checker(data, path, KeyLocator(text)).study()


class _Checker:
    """Walks the parsed TOML once, noting every problem; a field that cannot be read is
    skipped (and what depends on it), so one run reports every independent mistake."""

    def __init__(self, data: dict[str, Any], path: Path, lines: KeyLocator) -> None:
        self.data, self.path, self.lines = data, path, lines
        self.folder = path.parent
        self.problems: list[tuple[float, int, str]] = []

    def note(self, where: tuple, message: str) -> None:
        line = self.lines.line_of(where)
        at = f", line {line}" if line else ""
        name = ".".join(_printable(p) for p in where if not isinstance(p, int)) or "(top level)"
        if any(isinstance(p, int) for p in where) and where[0] == "task":
            name = _task_name(self.data, where)
        self.problems.append((line or float("inf"), len(self.problems), _printable(f"{self.path}{at}: field {name}: {message}")))

    def fail(self, where: tuple, message: str) -> NoReturn:
        self.note(where, message)
        raise _Invalid

    def guarded(self, check: Callable[[], Any], default: Any = None) -> Any:
        """The value of `check()`, or `default` when it found a problem (already noted)."""
        try:
            return check()
        except _Invalid:
            return default

    def only(self, table: dict, allowed: set[str], where: tuple) -> None:
        for key in table:
            if key not in allowed:
                self.note(where + (key,), f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def study(self) -> Study:
        self.only(self.data, {"title", "capture", "task", "questionnaires", "hotkeys", "access", "sum", "report",
                              "participants"}, ())
        title = self.guarded(lambda: self.string(self.data, "title", (), required=True))
        capture = self.guarded(self.capture, Capture())
        questionnaires = self.guarded(self.questionnaires, Questionnaires())
        tasks = self.guarded(lambda: self.tasks(questionnaires), ())
        hotkeys = self.guarded(self.hotkeys, dict(DEFAULT_HOTKEYS))
        access = self.guarded(self.access, Access())
        standards = read_standards(self, {t.id for t in tasks})
        if self.problems:
            raise StudyError([message for _, _, message in sorted(self.problems)])
        return Study(title, self.folder, tasks, capture, questionnaires, hotkeys, access, standards)

    # -- scalar checks -------------------------------------------------------------
    def string(self, table: dict, key: str, where: tuple, required: bool = False) -> str | None:
        if key not in table:
            if required:
                self.fail(where + (key,), "is required")
            return None
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(where + (key,), f"expected a non-empty string, got {value!r}")
        return value

    def required_string(self, table: dict, key: str, where: tuple) -> str:
        value = self.string(table, key, where, required=True)
        if value is None:  # string() has failed already; this tells the type checker
            self.fail(where + (key,), "is required")
        return value

    def number(self, table: dict, key: str, where: tuple, low: float, high: float) -> float | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where + (key,), f"expected a number, got {value!r}")
        if not low <= value <= high:
            self.fail(where + (key,), f"must be between {low:g} and {high:g}, got {value!r}")
        return float(value)

    def table(self, key: str) -> dict:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail((key,), f"expected a table [{key}], got {value!r}")
        return value

    def flag(self, table: dict, key: str, where: tuple, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(where + (key,), f"expected true or false, got {value!r}")
        return value

    def image(self, value: Any, where: tuple) -> Path:
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            self.fail(where, f"expected an image path, got {value!r}")
        candidate = (self.folder / value).resolve()
        if not candidate.is_relative_to(self.folder.resolve()):
            self.fail(where, f"image {value!r} must be inside the study folder")
        if not candidate.is_file():
            self.fail(where, f"image file {value!r} not found in {self.folder}")
        try:
            bounds.check_image(candidate)
        except bounds.Bound as exc:
            self.fail(where, str(exc))
        return candidate

    def pattern(self, table: dict, key: str, where: tuple) -> re.Pattern | None:
        """A regular expression, searched case-insensitively (a window title, for instance)."""
        value = self.string(table, key, where)
        if value is None:
            return None
        try:
            bounds.check_pattern(value)
            return re.compile(value, re.IGNORECASE)
        except (bounds.Bound, RecursionError) as exc:
            self.fail(where + (key,), f"not a usable regular expression: {exc or 'nested too deeply'}")
        except re.error as exc:
            self.fail(where + (key,), f"not a valid regular expression ({exc}): {value!r}")

    # -- sections ------------------------------------------------------------------
    def capture(self) -> Capture:
        table = self.table("capture")
        where = ("capture",)
        self.only(table, {"fps", "scale", "keystrokes", "window_titles", "transcribe", "audio", "live_captions",
                           "camera"}
                  | web_capture.CAPTURE_FIELDS, where)
        fps = self.guarded(lambda: self.number(table, "fps", where, 1, 30))
        scale = self.guarded(lambda: self.number(table, "scale", where, 0.1, 1.0))
        keys = table.get("keystrokes", KeystrokeMode.REDACTED.value)
        if keys not in KEYSTROKE_MODES:
            self.note(where + ("keystrokes",), f"must be one of {', '.join(KEYSTROKE_MODES)}, got {keys!r}")
            keys = KeystrokeMode.REDACTED.value
        titles = table.get("window_titles", True)
        if not isinstance(titles, bool):
            self.note(where + ("window_titles",), f"expected true or false, got {titles!r}")
            titles = True
        transcribe = table.get("transcribe", False)
        if not isinstance(transcribe, bool):
            self.note(where + ("transcribe",), f"expected true or false, got {transcribe!r}")
            transcribe = False
        audio = self.guarded(lambda: self.string(table, "audio", where)) or "none"
        web = web_capture.read_web_capture(self, table, where)
        captions = self.guarded(lambda: self.flag(table, "live_captions", where, True))
        camera = self.guarded(lambda: self.flag(table, "camera", where, False))
        return Capture(fps or 10.0, scale or 1.0, keys, titles, transcribe, audio.strip(), web,
                       live_captions=captions is not False, camera=camera is True)

    def tasks(self, questionnaires: Questionnaires) -> tuple[Task, ...]:
        raw = self.data.get("task")
        if raw is None or raw == []:
            self.fail(("task",), "the study has no tasks: add at least one [[task]]")
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            self.fail(("task",), "tasks must be written as [[task]] tables")
        seen: set[str] = set()
        tasks = []
        for index, table in enumerate(raw):
            task = self.guarded(partial(self.task, table, ("task", index), questionnaires))
            if task is None:
                continue
            if task.id in seen:
                self.note(("task", index, "id"), f"duplicate task id {task.id!r}")
            seen.add(task.id)
            tasks.append(task)
        return tuple(tasks)

    def task(self, table: dict, where: tuple, questionnaires: Questionnaires) -> Task:
        allowed = {"id", "prompt", "time_limit", "success_screen", "error_screens", "success_title",
                   "first_click", "post_task"} | web_capture.TASK_FIELDS
        self.only(table, allowed, where)
        task_id = self.guarded(lambda: self.string(table, "id", where, required=True))
        if task_id is not None and not _ID.match(task_id):
            self.note(where + ("id",), f"{task_id!r} must be letters, digits, '-', '_' or '.'")
            task_id = None
        prompt = self.guarded(lambda: self.string(table, "prompt", where, required=True))
        limit = self.guarded(lambda: self.number(table, "time_limit", where, 1, 24 * 3600))
        success = None
        if "success_screen" in table:
            success = self.guarded(lambda: self.image(table["success_screen"], where + ("success_screen",)))
        errors = table.get("error_screens", [])
        if not isinstance(errors, list):
            self.note(where + ("error_screens",), f"expected a list of image paths, got {errors!r}")
            errors = []
        error_paths = tuple(p for p in (self.guarded(partial(self.image, e, where + ("error_screens",)))
                                        for e in errors) if p is not None)
        title = self.guarded(lambda: self.pattern(table, "success_title", where))
        web = self.guarded(lambda: web_capture.read_web_task(self, table, where), web_capture.WebTask())
        first_click = None if web.first_click else self.guarded(lambda: self.rectangle(table, where))
        post_task = None
        if "post_task" in table:
            post_task = self.guarded(lambda: self.instruments(
                table["post_task"], where + ("post_task",), STANDARD_POST_TASK, questionnaires))
        if task_id is None or prompt is None:
            raise _Invalid
        return Task(task_id, prompt, limit, success, error_paths, first_click, post_task, title, web)

    def rectangle(self, table: dict, where: tuple) -> tuple[int, int, int, int] | None:
        if "first_click" not in table:
            return None
        rect = table["first_click"]
        ok = (isinstance(rect, list) and len(rect) == 4
              and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in rect))
        if not ok or rect[2] == 0 or rect[3] == 0:
            self.fail(where + ("first_click",),
                      f"expected [x, y, width, height] as non-negative integers with a non-zero size, got {rect!r}")
        return tuple(rect)

    def questionnaires(self) -> Questionnaires:
        table = self.table("questionnaires")
        where = ("questionnaires",)
        self.only(table, {"post_task", "post_session", "custom"}, where)
        custom = self.guarded(lambda: self.custom_items(table.get("custom", []), where + ("custom",)), ())
        partial = Questionnaires(custom=custom)
        post_task = self.guarded(lambda: self.instruments(
            table.get("post_task", ["seq"]), where + ("post_task",), STANDARD_POST_TASK, partial), ("seq",))
        post_session = self.guarded(lambda: self.instruments(
            table.get("post_session", ["sus"]), where + ("post_session",), STANDARD_POST_SESSION, partial), ("sus",))
        return Questionnaires(post_task, post_session, custom)

    def instruments(self, names: Any, where: tuple, standard: tuple[str, ...], q: Questionnaires) -> tuple[str, ...]:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.fail(where, f"expected a list of questionnaire names, got {names!r}")
        for name in names:
            if name not in standard and q.custom_item(name) is None:
                known = ", ".join(standard + tuple(c.id for c in q.custom))
                self.fail(where, f"unknown questionnaire {name!r} (known here: {known})")
        if len(set(names)) != len(names):
            self.fail(where, f"lists a questionnaire twice: {names!r}")
        return tuple(names)

    def custom_items(self, raw: Any, where: tuple) -> tuple[CustomItem, ...]:
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            self.fail(where, "custom items must be written as [[questionnaires.custom]] tables")
        items, seen = [], set(STANDARD_POST_TASK + STANDARD_POST_SESSION)
        for index, table in enumerate(raw):
            item = self.guarded(partial(self.custom_item, table, where + (index,), seen))
            if item is not None:
                items.append(item)
        return tuple(items)

    def access(self) -> Access:
        table = self.table("access")
        where = ("access",)
        self.only(table, {"observer_downloads", "reviewer_notes"}, where)
        return Access(self.guarded(lambda: self.flag(table, "observer_downloads", where, False), False),
                      self.guarded(lambda: self.flag(table, "reviewer_notes", where, False), False))

    def custom_item(self, table: dict, at: tuple, seen: set[str]) -> CustomItem:
        self.only(table, {"id", "prompt", "type", "points", "labels", "required"}, at)
        item_id = self.guarded(lambda: self.string(table, "id", at, required=True))
        if item_id is not None and (not _ID.match(item_id) or item_id in seen):
            self.note(at + ("id",), f"{item_id!r} is not a valid, unique item id")
            item_id = None
        if item_id is not None:
            seen.add(item_id)
        prompt = self.guarded(lambda: self.string(table, "prompt", at, required=True))
        kind = table.get("type", "likert")
        if kind not in ("likert", "text"):
            self.note(at + ("type",), f"must be likert or text, got {kind!r}")
        points = self.guarded(lambda: self.number(table, "points", at, 2, 11))
        if points is not None and points != int(points):
            self.note(at + ("points",), f"expected a whole number, got {table['points']!r}")
        labels = table.get("labels", ["Strongly disagree", "Strongly agree"])
        if not (isinstance(labels, list) and len(labels) == 2 and all(isinstance(s, str) for s in labels)):
            self.note(at + ("labels",), f"expected two strings [low, high], got {labels!r}")
        required = table.get("required", True)
        if not isinstance(required, bool):
            self.note(at + ("required",), f"expected true or false, got {required!r}")
        if item_id is None or prompt is None:
            raise _Invalid
        return CustomItem(item_id, prompt, kind, int(points or 7), tuple(labels), required)

    def hotkeys(self) -> dict[str, str]:
        table = self.table("hotkeys")
        self.only(table, set(DEFAULT_HOTKEYS), ("hotkeys",))
        keys = dict(DEFAULT_HOTKEYS)
        for action, combo in table.items():
            if not isinstance(combo, str) or not _HOTKEY.match(combo.lower()):
                self.note(("hotkeys", action), f"expected a combination like 'ctrl+alt+n', got {combo!r}")
                continue
            if action in keys:
                keys[action] = combo.lower()
        if len(set(keys.values())) != len(keys):
            self.fail(("hotkeys",), "two actions share the same key combination")
        return keys


def _printable(text: Any) -> str:
    """A name from the file as it may be printed: control characters (a newline in a quoted
    key) escaped, so a message stays on one line and says exactly what was written."""
    text = str(text)
    return text if text.isprintable() else "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _task_name(data: dict, where: tuple) -> str:
    """Name a task field by its id when it has one: `task "login".time_limit`."""
    index = where[1]
    tasks = data.get("task")
    task_id = None
    if isinstance(tasks, list) and index < len(tasks) and isinstance(tasks[index], dict):
        task_id = tasks[index].get("id")
    label = f'task "{_printable(task_id)}"' if isinstance(task_id, str) else f"task #{index + 1}"
    rest = ".".join(_printable(p) for p in where[2:])
    return f"{label}.{rest}" if rest else label
