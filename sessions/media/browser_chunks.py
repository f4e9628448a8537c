"""The chunks a participant's browser uploads, kept on disk as they arrive.

A browser records with MediaRecorder and sends about a second at a time, each chunk
numbered within its *run* (one MediaRecorder from start to stop: a reload, or sharing the
screen again, begins a new run, whose first chunk carries a new container header). Each
chunk is written whole (a temporary file renamed into place) before it is acknowledged,
so an acknowledged chunk survives a crash of the server, and a chunk sent twice (the page
never saw the acknowledgement) is stored once.

    media/<session>/browser/<track>-<run>/run.json      start (session s), mime, surface
    media/<session>/browser/<track>-<run>/<seq>.chunk   the bytes, as recorded
    media/<session>/browser/<track>-<run>/times.jsonl   per chunk: its session time, when stored

Tracks: `screen` (the screen with the participant's voice), `camera`, and `moderator` (the
moderator's voice in a moderated session, audio only, as the call brought it to the page).

`sessions.media.browser_assembly` turns the runs into the session's media files.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from sessions.errors import BadRequest, NotFound, Unavailable
from sessions.media.files import MediaFiles

BROWSER_DIR = "browser"
TRACKS = ("screen", "camera", "moderator")   # see the module's docstring
MIME_TYPES = re.compile(r"^(video|audio)/(webm|mp4)(;\s*codecs=[A-Za-z0-9.,\s]{1,80})?\Z")
MAX_CHUNK_BYTES = 8 * 1024 * 1024
MAX_RUNS = 999
MAX_SEQ = 999_999
RUN_FILE = "run.json"
TIMES_FILE = "times.jsonl"
FINAL_FILE = "final"               # left by a black-out, which deleted the chunks


@dataclass(frozen=True)
class Run:
    track: str
    number: int
    start: float           # session time at which its recorder started
    mime: str
    surface: str | None    # what was shared: monitor, window or browser (a tab)
    folder: Path

    def chunks(self) -> list[Path]:
        """The run's stored chunks in order, up to the first one missing (the bytes after
        a hole cannot be decoded as part of the same stream)."""
        present = {int(p.stem): p for p in self.folder.glob("*.chunk") if p.stem.isdigit()}
        ordered = []
        for seq in range(len(present)):
            if seq not in present:
                break
            ordered.append(present[seq])
        return ordered

    def times(self) -> list[dict]:
        """Per stored chunk: seq, t (session time at its end, as the page stamped it) and
        stored (wall-clock time it was on disk)."""
        path = self.folder / TIMES_FILE
        if not path.is_file():
            return []
        rows = []
        for line in path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:   # a line cut short by a crash
                continue
        return rows

    def end(self) -> float:
        """Session time of the end of its last stored chunk (its start when it has none)."""
        times = [r["t"] for r in self.times() if isinstance(r.get("t"), (int, float))]
        return max(times, default=self.start)


class BrowserChunks:
    """One session's uploaded chunks."""

    def __init__(self, media: MediaFiles, session_id: str) -> None:
        self.media = media
        self.session_id = session_id

    def root(self, create: bool = False) -> Path:
        folder = self.media.session_dir(self.session_id, create=create) / BROWSER_DIR
        if create:
            folder.mkdir(exist_ok=True)
        return folder

    def new_run(self, track: str, *, start: float, mime: str, surface: str | None = None) -> Run:
        """Begin a run: numbered after the track's last, claimed atomically (mkdir), so two
        tabs or two server processes never share one."""
        _check_track(track)
        if not isinstance(mime, str) or not MIME_TYPES.match(mime):
            raise BadRequest(f"not a recording format uxlab reads: {str(mime)[:60]!r}")
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0 <= start < 1e7:
            raise BadRequest("a run needs its start in session seconds")
        if surface not in (None, "monitor", "window", "browser"):
            raise BadRequest(f"unknown shared surface {surface!r}")
        root = self.root(create=True)
        numbers = [r.number for r in self.runs(track)]
        number = max(numbers, default=-1) + 1
        while True:
            if number > MAX_RUNS:
                raise BadRequest("too many recordings in one session")
            folder = root / f"{track}-{number:03d}"
            try:
                folder.mkdir()
                break
            except FileExistsError:
                number += 1
        _write_atomic(folder / RUN_FILE, json.dumps(
            {"start": float(start), "mime": mime, "surface": surface}).encode())
        return Run(track, number, float(start), mime, surface, folder)

    def runs(self, track: str) -> list[Run]:
        _check_track(track)
        root = self.root()
        if not root.is_dir():
            return []
        runs = []
        for folder in sorted(root.glob(f"{track}-[0-9][0-9][0-9]")):
            try:
                meta = json.loads((folder / RUN_FILE).read_text())
            except (OSError, ValueError):   # claimed, but its description never written
                continue
            runs.append(Run(track, int(folder.name.rsplit("-", 1)[1]), float(meta["start"]),
                            str(meta["mime"]), meta.get("surface"), folder))
        return runs

    def run(self, track: str, number: int) -> Run:
        for run in self.runs(track):
            if run.number == number:
                return run
        raise NotFound(f"no {track} recording {number} in session {self.session_id}")

    def put(self, track: str, number: int, seq: int, data: bytes, t: float | None) -> bool:
        """Store chunk `seq` of a run; False when it was already stored (sent again)."""
        if not 0 <= seq <= MAX_SEQ:
            raise BadRequest(f"chunk number {seq} is out of range")
        if not data:
            raise BadRequest("an empty chunk")
        if len(data) > MAX_CHUNK_BYTES:
            raise BadRequest(f"a chunk is at most {MAX_CHUNK_BYTES // (1024 * 1024)} MB")
        run = self.run(track, number)
        target = run.folder / f"{seq:06d}.chunk"
        if target.is_file():
            return False
        try:
            _write_atomic(target, data)
            stamp = t if isinstance(t, (int, float)) and not isinstance(t, bool) else None
            line = json.dumps({"seq": seq, "t": stamp, "stored": time.time(), "bytes": len(data)})
            with open(run.folder / TIMES_FILE, "a") as times:
                times.write(line + "\n")
        except OSError as exc:
            raise Unavailable(f"the server could not store the recording "
                              f"({exc.strerror or exc.__class__.__name__}); "
                              "what it received before is kept") from None
        return True

    def acknowledged(self, track: str, number: int) -> list[int]:
        """The chunk numbers of a run already on disk."""
        return sorted(int(p.stem) for p in self.run(track, number).folder.glob("*.chunk") if p.stem.isdigit())


def _check_track(track: str) -> None:
    if track not in TRACKS:
        raise BadRequest(f"unknown recording track {track!r} (one of {', '.join(TRACKS)})")


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)   # a full disk leaves no half chunk taking room
        raise


def forget_chunks(media: MediaFiles, session_id: str) -> bool:
    """Delete a browser session's uploaded chunks once its built video is the recording: a
    black-out rewrites that video, and the chunks would otherwise keep what it blacked out
    (and a rebuild would bring it back). Returns whether there were any."""
    import shutil
    folder = media.session_dir(session_id) / BROWSER_DIR
    if not folder.is_dir():
        return False
    for run in folder.iterdir():
        if run.is_dir():
            shutil.rmtree(run)
    (folder / FINAL_FILE).write_text("blacked out: the built video is the recording\n")
    return True


def is_final(media: MediaFiles, session_id: str) -> bool:
    """Whether the session's upload was deleted by a black-out: nothing more may be added."""
    return (media.session_dir(session_id) / BROWSER_DIR / FINAL_FILE).is_file()
