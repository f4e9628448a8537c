"""Views drawn from the whole study (the dashboard's analysis, heatmaps, replay data), kept while the study
stays the same: a crowd of page views then costs one reading, not one each.

While nothing changed, a kept view is returned. While a session is being recorded the
database changes many times a second, so kept views then stand for RUNNING_EVERY seconds;
after that one request draws the view again while the others are given the last one, so
a live recording never makes page views wait for a reading. A view nobody has yet is drawn
by one request while the others wait for it, off the server's event loop (web/blocking.py)
when it is heavy.

A change made through this app (any request other than GET or HEAD) forgets every kept view
at once, so its own writes show at the next page; only another process's writes (a
recorder's) may wait RUNNING_EVERY seconds.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Flask, Response, current_app, request

from sessions.events import SessionStatus
from sessions.store import Store
from web.blocking import off_loop

RUNNING_EVERY = 3.0   # seconds a view stands while sessions are being recorded
MAX_KEPT = 64         # views kept per kind; past it the oldest is dropped


class Kept(NamedTuple):
    value: Any
    mark: tuple      # the database's fingerprint it was drawn at
    at: float        # when (time.monotonic())


class StudyViews:
    """One app's kept views, each under a key of the caller's choosing."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: dict[Any, Kept] = {}
        self.drawing: dict[Any, threading.Event] = {}
        self.recording = False

    def forget(self) -> None:
        self.kept = {}

    def get(self, store: Store, key: Any, compute: Callable[[], Any], *, heavy: bool = True) -> Any:
        """The view under `key`; a heavy `compute` runs off the loop and must not ask for
        another view."""
        mark = store.fingerprint()
        kept = self.kept.get(key)
        if kept is not None and self._standing(kept, mark):
            return kept.value
        with self.lock:
            kept = self.kept.get(key)
            if kept is not None and self._standing(kept, mark):
                return kept.value
            self.recording = bool(store.sessions.all(status=SessionStatus.RECORDING.value))
            pending = self.drawing.get(key)
            if pending is None:
                pending = self.drawing[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            if kept is not None and self.recording:
                return kept.value          # being drawn again: the last one stands meanwhile
            pending.wait()
            return self.get(store, key, compute)
        try:
            value = off_loop(compute) if heavy else compute()
            if len(self.kept) >= MAX_KEPT and key not in self.kept:
                self.kept.pop(min(self.kept, key=lambda k: self.kept[k].at), None)
            self.kept[key] = Kept(value, mark, time.monotonic())
            return value
        finally:
            with self.lock:
                del self.drawing[key]
            pending.set()

    def _standing(self, kept: Kept, mark: tuple) -> bool:
        return kept.mark == mark or (self.recording and time.monotonic() - kept.at < RUNNING_EVERY)


class PerSession:
    """Per-session results behind a whole-study view (a session's measures, its reading),
    reused when the view is drawn again and nothing changed outside the sessions being
    recorded: a recording then costs a reading of itself, not of the study."""

    def __init__(self) -> None:
        self.last: tuple[Any, dict[str, Any]] = (None, {})   # one assignment: old or new, never half

    def reusable(self, store: Store) -> tuple[dict[str, dict], dict[str, Any], str]:
        """The sessions being recorded (id -> row), the kept results still valid for the
        others, and the mark to `keep` the new results under."""
        running = {s["id"]: s for s in store.sessions.all(status=SessionStatus.RECORDING.value)}
        mark = store.settled_fingerprint(running)
        last_mark, results = self.last
        kept = {sid: r for sid, r in results.items() if sid not in running} if last_mark == mark else {}
        return running, kept, mark

    def keep(self, mark: str, results: dict[str, Any]) -> None:
        self.last = (mark, results)


def per_session(name: str) -> PerSession:
    """This app's per-session results of one kind (measures, readings)."""
    kinds = current_app.extensions["uxlab"].setdefault("per_session", {})
    return kinds.setdefault(name, PerSession())


def study_views(name: str) -> StudyViews:
    """This app's kept views of one kind (summary, heatmaps, replays)."""
    kinds = current_app.extensions["uxlab"].setdefault("views", {})
    return kinds.setdefault(name, StudyViews())


def init_app(app: Flask) -> None:
    app.after_request(_forget_after_a_change)


def _forget_after_a_change(response: Response) -> Response:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        for views in current_app.extensions["uxlab"].get("views", {}).values():
            views.forget()
    return response
