"""Click paths between pages, per task, across participants (issue 21): the most common
paths, where participants left the task's `expected_path`, and misclicks (clicks on
elements that are not controls), beside the rage and dead clicks the screen video finds.

A path is the sequence of screens an attempt showed (`analyzer.url_screens`), each screen
once per stay. An expected path's entries are screens as study.toml spells them (a path,
or one of the `[capture] screens` patterns), matched after the same normalisation.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from analyzer.url_screens import normalise, study_web_measures
from sessions.events import Outcome
from sessions.store import Store
from sessions.study import Study


@dataclass(frozen=True)
class Departure:
    """Where an attempt first left the expected path: after `step` screens it went to
    `went` instead of `expected` (None: it stopped short)."""

    session: str
    participant: str
    step: int
    expected: str | None
    went: str | None


def departure(path: list[str], expected: list[str]) -> tuple[int, str | None, str | None] | None:
    """The first step where `path` differs from `expected`, or None when it follows it."""
    for step, want in enumerate(expected):
        if step >= len(path):
            return step, want, None
        if path[step] != want:
            return step, want, path[step]
    if len(path) > len(expected):
        return len(expected), None, path[len(expected)]
    return None


def task_paths(store: Store, study: Study, top: int = 5) -> list[dict]:
    """Per task: attempts with a path, the `top` most common paths with their counts and
    success rates, departures from the expected path and misclicks."""
    measures = study_web_measures(store, study)
    patterns = study.capture.web.screens
    found = []
    for task in study.tasks:
        rows = [m for m in measures if m["task"] == task.id and m["path"]]
        if not rows:
            continue
        counts = Counter(tuple(m["path"]) for m in rows)
        successes = Counter(tuple(m["path"]) for m in rows if m["outcome"] == Outcome.SUCCESS)
        expected = [normalise(p, patterns) if p.startswith("/") else p for p in task.web.expected_path]
        departures = []
        if expected:
            for m in rows:
                gone = departure(m["path"], expected)
                if gone is not None:
                    departures.append(Departure(m["session"], m["participant"], *gone))
        misclicks = [dict(miss, session=m["session"]) for m in rows for miss in m["misclicks"]]
        found.append({
            "task": task.id, "attempts": len(rows),
            "paths": [{"path": list(path), "count": n, "successes": successes[path]}
                      for path, n in counts.most_common(top)],
            "expected_path": expected, "on_expected_path": len(rows) - len(departures) if expected else None,
            "departures": [d.__dict__ for d in departures],
            "misclicks": misclicks,
            "misclicks_per_attempt": round(len(misclicks) / len(rows), 2),
        })
    return found


def path_text(path: list[str]) -> str:
    """A path as one line: "/ → /ticket/new → /ticket/sent"."""
    return " → ".join(path)
