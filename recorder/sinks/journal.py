"""The store journal: events and frame rows are buffered and written to the study database
in one transaction every FLUSH_INTERVAL, with a heartbeat, so a crash loses at most that
much and the capture threads never wait for SQLite."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import numpy as np

from recorder.clock import SessionClock
from sessions.store import Store

FLUSH_INTERVAL = 0.2


class StoreJournal:
    """A Sink that owns the writer thread (and its own SQLite connection)."""

    def __init__(self, store: Store, session_id: str, clock: SessionClock,
                 on_error: Callable[[BaseException], None] = lambda exc: None, *,
                 close_wait: float = 10.0) -> None:
        self.store, self.session_id, self.clock, self.on_error = store, session_id, clock, on_error
        self.close_wait = close_wait
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: the thread's or the final one
        self._events: list[dict] = []
        self._frames: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)
        self.written_events = 0
        self.written_frames = 0
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def events(self, rows: list[dict]) -> None:
        with self._lock:
            self._events.extend(rows)

    def frame(self, row: dict, image: np.ndarray) -> None:
        with self._lock:
            self._frames.append(row)

    def state(self, state: dict) -> None:
        """Attempts and markers are written by the task runner itself."""

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        """Sound is written to the video file's tracks, not to the store."""

    def camera(self, t: float, bgr: np.ndarray) -> None:
        """Camera pictures are written to their own video file, not to the store."""

    def close(self) -> None:
        """Stop the writer thread and write out everything handed in so far. A writer still
        busy after `close_wait` (a database locked by another program) is not abandoned: the
        final flush waits for its write, then writes the rest."""
        self._stop.set()
        self._thread.join(timeout=self.close_wait)
        self.flush()

    def flush(self) -> None:
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            events, self._events = self._events, []
            frames, self._frames = self._frames, []
        if self.error is not None:
            return
        try:
            if events:
                self.written_events += self.store.events.append(self.session_id, events)
            if frames:
                self.written_frames += self.store.frames.append(self.session_id, frames)
            self.store.sessions.heartbeat(self.session_id, self.clock.now())
        except (OSError, sqlite3.Error) as exc:  # a full disk: stop, keep what was written
            self.error = exc
            self.on_error(exc)

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL):
            self.flush()
