"""The task runner: follows the study script, keeps the task timeline and privacy pauses,
and writes attempts and markers.

Every moderator action is a plain method (`perform(Action.SUCCESS)`), so hotkeys, a timer and,
later, a web console over Socket.IO all drive the same code.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from dataclasses import dataclass

from recorder.clock import SessionClock
from sessions.errors import Conflict
from sessions.events import ACTIONS, Action, MarkerKind, Outcome
from sessions.store import Store
from sessions.study import Study, Task


class ActionError(Conflict):
    """An action that does not apply right now (e.g. `success` with no task running)."""


@dataclass
class _Attempt:
    id: int
    task: Task
    started: float
    paused: float = 0.0


class TaskRunner:
    """Thread-safe: actions may come from the input thread, a timer or a network handler."""

    def __init__(self, study: Study, store: Store, session_id: str, clock: SessionClock,
                 on_state: Callable[[dict], None] | None = None) -> None:
        self.study, self.store, self.session_id, self.clock = study, store, session_id, clock
        self.on_state = on_state or (lambda state: None)
        self._lock = threading.RLock()
        self._next_index = 0
        self._attempt: _Attempt | None = None
        self._pause_started: float | None = None
        # the timelines, sorted by start: task spans (start, end, id) and pause spans (start, end)
        self._task_starts: list[float] = []
        self._task_spans: list[tuple[float, float, str]] = []
        self._pause_starts: list[float] = []
        self._pause_spans: list[tuple[float, float]] = []
        self.ended_at: float | None = None
        self.ended = threading.Event()
        self.interrupted: _Attempt | None = None  # the attempt running when `halt` stopped the timeline

    # -- actions -------------------------------------------------------------------
    def perform(self, action: str, text: str | None = None, t: float | None = None) -> None:
        """Run one moderator action by name, at session time `t` (default: now)."""
        if action not in ACTIONS:
            raise ActionError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
        method = getattr(self, action)
        method(text=text, t=t) if action in (Action.ERROR, Action.MARKER) else method(t=t)

    def next_task(self, t: float | None = None) -> Task:
        with self._lock:
            t = self._time(t)
            if self._attempt is not None:
                raise ActionError(f"task {self._attempt.task.id!r} is still running; end it first")
            if self._next_index >= len(self.study.tasks):
                raise ActionError("all tasks have been run")
            task = self.study.tasks[self._next_index]
            attempt_id = self.store.attempts.start(self.session_id, task.id, t)  # may raise: nothing changed yet
            self._next_index += 1
            self._attempt = _Attempt(attempt_id, task, t)
            self._open_span(self._task_starts, self._task_spans, (t, float("inf"), task.id))
            self._publish()
            return task

    def success(self, t: float | None = None) -> None:
        self._finish(Outcome.SUCCESS, t)

    def failure(self, t: float | None = None) -> None:
        self._finish(Outcome.FAILURE, t)

    def gave_up(self, t: float | None = None) -> None:
        self._finish(Outcome.GAVE_UP, t)

    def error(self, text: str | None = None, t: float | None = None) -> int:
        with self._lock:
            return self.store.markers.add(self.session_id, self._time(t), MarkerKind.ERROR, text=text,
                                          author="moderator", attempt_id=self._attempt_id())

    def marker(self, text: str | None = None, t: float | None = None) -> int:
        with self._lock:
            return self.store.markers.add(self.session_id, self._time(t), MarkerKind.MARKER, text=text,
                                          author="moderator", attempt_id=self._attempt_id())

    def pause(self, t: float | None = None) -> bool:
        """Toggle the privacy pause; returns True when now paused."""
        with self._lock:
            t = self._time(t)
            if self._pause_started is None:
                self._pause_started = t
                self._open_span(self._pause_starts, self._pause_spans, (t, float("inf")))
                self.store.markers.add(self.session_id, t, MarkerKind.PAUSE, author="moderator",
                                       attempt_id=self._attempt_id())
            else:
                self._resume(t)
            self._publish()
            return self._pause_started is not None

    def end(self, t: float | None = None) -> float:
        """End the session: a running task is abandoned, a pause is closed. Idempotent."""
        with self._lock:
            if self.ended_at is not None:
                return self.ended_at
            t = self._time(t)
            if self._pause_started is not None:
                self._resume(t)
            if self._attempt is not None:
                self._finish(Outcome.ABANDONED, t)
            self.ended_at = t
            self.ended.set()
            self._publish()
            return t

    def halt(self) -> float:
        """End the timeline now without writing anything: for when the store has failed and
        the recording must stop. A running attempt is kept in `interrupted` for the caller to
        close if it still can. Idempotent; returns the end time."""
        with self._lock:
            if self.ended_at is not None:
                return self.ended_at
            t = self.clock.now()
            if self._pause_started is not None:
                self._pause_spans[-1] = (self._pause_started, t)
                self._pause_started = None
            if self._attempt is not None:
                start, _, task_id = self._task_spans[-1]
                self._task_spans[-1] = (start, t, task_id)
                self.interrupted, self._attempt = self._attempt, None
            self.ended_at = t
            self.ended.set()
            self._publish()
            return t

    def check_time_limit(self, now: float | None = None) -> bool:
        """End the running task as timed_out once its unpaused time reaches the limit; the
        attempt ends at the exact moment the limit was reached, not when this was called."""
        with self._lock:
            attempt = self._attempt
            if attempt is None or attempt.task.time_limit is None:
                return False
            now = self._time(now)
            open_pause = now - self._pause_started if self._pause_started is not None else 0.0
            if now - attempt.started - attempt.paused - open_pause < attempt.task.time_limit:
                return False
            if self._pause_started is not None:
                self._resume(now)
            self._finish(Outcome.TIMED_OUT, attempt.started + attempt.paused + attempt.task.time_limit)
            return True

    # -- queries -------------------------------------------------------------------
    def task_at(self, t: float) -> str | None:
        span = _span_at(self._task_starts, self._task_spans, t)
        return span[2] if span else None

    def paused_at(self, t: float) -> bool:
        return _span_at(self._pause_starts, self._pause_spans, t) is not None

    @property
    def paused(self) -> bool:
        return self._pause_started is not None

    def state(self) -> dict:
        with self._lock:
            attempt = self._attempt
            upcoming = self.study.tasks[self._next_index] if self._next_index < len(self.study.tasks) else None
            return {
                "task": attempt.task.id if attempt else None,
                "prompt": attempt.task.prompt if attempt else None,
                "attempt_id": attempt.id if attempt else None,
                "started": attempt.started if attempt else None,
                "next_task": upcoming.id if upcoming else None,
                "tasks_done": self._next_index - (1 if attempt else 0),
                "tasks_total": len(self.study.tasks),
                "paused": self._pause_started is not None,
                "ended": self.ended_at is not None,
            }

    # -- internals -----------------------------------------------------------------
    def _time(self, t: float | None) -> float:
        if self.ended_at is not None:
            raise ActionError("the session has ended")
        return self.clock.now() if t is None else float(t)

    def _attempt_id(self) -> int | None:
        return self._attempt.id if self._attempt else None

    def _finish(self, outcome: str, t: float | None) -> None:
        with self._lock:
            if self._attempt is None:
                raise ActionError("no task is running")
            t = float(t) if t is not None else self._time(None)
            attempt = self._attempt
            # stored first: if the store refuses, the task is still running and can be ended again
            self.store.attempts.end(attempt.id, t, outcome, round(attempt.paused, 6))
            self._attempt = None
            start, _, task_id = self._task_spans[-1]
            self._task_spans[-1] = (start, t, task_id)
            self._publish()

    def _resume(self, t: float) -> None:
        started = self._pause_started
        if started is None:   # not paused: nothing to resume
            return
        length = t - started
        if self._attempt is not None:
            self._attempt.paused += length
        self._pause_spans[-1] = (started, t)
        self._pause_started = None
        self.store.markers.add(self.session_id, t, MarkerKind.RESUME, author="moderator",
                               attempt_id=self._attempt_id())

    @staticmethod
    def _open_span(starts: list[float], spans: list[tuple], span: tuple) -> None:
        starts.append(span[0])
        spans.append(span)

    def _publish(self) -> None:
        self.on_state(self.state())


def _span_at(starts: list[float], spans: list[tuple], t: float) -> tuple | None:
    """The span containing t (start inclusive, end exclusive), by binary search."""
    index = bisect.bisect_right(starts, t) - 1
    if index < 0:
        return None
    span = spans[index]
    return span if span[0] <= t < span[1] else None
