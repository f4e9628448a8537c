"""Media files of a study: each session's video segments, keyframes and derived images.

Every path handed out is resolved and checked to be inside `media/`, so a hostile name
from a URL or an upload can never reach another file.
"""
from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from sessions.errors import NotFound
from sessions.events import CAMERA_FILE, VIDEO_FILE

# \Z, not $ (which also matches before a final newline); 255 is a file name's limit
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}\Z")
MAX_RELATIVE = 1024
LOCK_FILE = "edit.lock"


class MediaPathError(NotFound):
    """A media path that points outside the study's media folder or names nothing valid (404)."""


class MediaFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def session_dir(self, session_id: str, create: bool = False) -> Path:
        if not _SAFE_NAME.match(session_id or ""):
            raise MediaPathError(f"not a session id: {session_id!r}")
        folder = self.root / session_id
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path(self, session_id: str, relative: str) -> Path:
        """Resolve `relative` inside the session's folder, or raise MediaPathError."""
        if not relative or len(relative) > MAX_RELATIVE or relative.startswith(("/", "\\")) or "\x00" in relative:
            raise MediaPathError(f"not a media path: {relative!r}")
        parts = relative.split("/")  # the raw parts: Path() would quietly drop "." and "//"
        if any(not _SAFE_NAME.match(p) for p in parts):
            raise MediaPathError(f"not a media path: {relative!r}")
        folder = self.session_dir(session_id)
        base = folder.resolve()
        # a session's folder is a real folder directly in media/: a symlink placed there
        # could otherwise lend it any folder on the machine
        if folder.is_symlink() or base.parent != self.root.resolve():
            raise MediaPathError(f"not a media folder: {session_id!r}")
        candidate = (base / relative).resolve()
        if not candidate.is_relative_to(base):
            raise MediaPathError(f"not a media path: {relative!r}")
        return candidate

    def video(self, session: dict) -> Path:
        """The session's screen video (its device record names it), or NotFound."""
        name = (session.get("device") or {}).get("video") or VIDEO_FILE
        path = self.path(session["id"], name)
        if not path.is_file():
            raise NotFound(f"session {session['id']} has no video")
        return path

    def camera(self, session: dict) -> Path | None:
        """The session's camera video (its device record names it), or None when no camera
        was recorded or its file is gone."""
        camera = (session.get("device") or {}).get("camera")
        if not camera:
            return None
        path = self.path(session["id"], camera.get("file") or CAMERA_FILE)
        return path if path.is_file() else None

    def read_image(self, session_id: str, relative: str, *, grey: bool = False) -> np.ndarray | None:
        """A stored image (a keyframe) as a BGR or grey array; None when it is missing or
        unreadable, which each reader decides how to treat."""
        path = self.path(session_id, relative)
        if not path.is_file():
            return None
        return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR)

    def files(self, session_id: str, pattern: str = "*") -> list[Path]:
        folder = self.session_dir(session_id)
        return sorted(folder.glob(pattern)) if folder.is_dir() else []

    @contextmanager
    def edit_lock(self, session_id: str) -> Iterator[None]:
        """An exclusive lock on a session's media, across threads and processes: a black-out
        and anything copied out of the video take turns, so no copy is made from the video
        a black-out is replacing."""
        with open(self.session_dir(session_id, create=True) / LOCK_FILE, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def remove_session(self, session_id: str) -> None:
        folder = self.session_dir(session_id)
        if folder.is_dir():
            shutil.rmtree(folder)
