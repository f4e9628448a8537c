"""The whole analysis of a study: per attempt, per task across sessions, per study, and
between two groups of sessions; one JSON-able dict that the CLI, the report and the web
app all show, so they can never disagree.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import median

from analyzer import questionnaires, stats
from analyzer.attempts import Thresholds, attempt_measures
from analyzer.data.session_data import SessionData, load_session
from analyzer.data.study_data import Progress, StudyData, load_study_data
from analyzer.screens import ScreenMatcher
from analyzer.sum import study_sum
from sessions.errors import BadRequest
from sessions.events import ABANDONED_OUTCOMES, Outcome
from sessions.store import Store
from sessions.study import Study

__all__ = ["Progress", "analyze_study", "analyze_sessions", "comparison_groups", "measure_session",
           "session_measures", "summarize", "task_summary"]


def analyze_sessions(store: Store, study: Study, *, thresholds: Thresholds = Thresholds(),
                     progress: Progress | None = None, data: StudyData | None = None) -> list[dict]:
    """Each counted session with its per-attempt measures, oldest first."""
    data = data or load_study_data(store, study, progress=progress)
    return [session_measures(store, study, s, thresholds) for s in data.sessions]


def session_measures(store: Store, study: Study, data: SessionData, thresholds: Thresholds,
                     matched: set[str] | None = None) -> dict:
    """One session's attempts measured; the screens it showed are added to `matched`."""
    matcher = ScreenMatcher(store, data.id, data.keyframe_scale, thresholds.screen_match, data=data)
    attempts = [attempt_measures(data, a, study.task(a["task"]), matcher, thresholds) for a in data.attempts]
    if matched is not None:
        matched |= matcher.matched
    s = data.session
    return {"id": s["id"], "participant": s["participant"], "group": s["group_name"],
            "status": s["status"], "duration": s["duration"], "attempts": attempts}


def analyze_study(store: Store, study: Study, *, groups: Sequence[str] | None = None,
                  progress: Progress | None = None, thresholds: Thresholds = Thresholds(),
                  data: StudyData | None = None) -> dict:
    """Tasks, sessions, questionnaires and (for two groups) a comparison, over the counted
    sessions (`data`, read here when not given).

    `groups` names the two session groups to compare; by default they are compared when the
    study has exactly two.
    """
    groups = comparison_groups(store, groups, data)
    data = data or load_study_data(store, study, progress=progress)
    matched: set[str] = set()
    sessions = [session_measures(store, study, s, thresholds, matched) for s in data.sessions]
    return summarize(store, study, sessions, groups, matched)


def comparison_groups(store: Store, groups: Sequence[str] | None = None,
                      data: StudyData | None = None) -> list[str] | None:
    """The two groups to compare: those asked for (checked), else the study's two when it
    has exactly two."""
    names = data.groups() if data else sorted({s["group_name"] for s in store.sessions.counted() if s["group_name"]})
    if groups is not None:
        groups = list(groups)
        if len(groups) != 2 or groups[0] == groups[1]:
            raise BadRequest(f"a comparison needs two different groups, got {groups!r}")
        missing = [g for g in groups if g not in names]
        if missing:
            raise BadRequest(f"no sessions in group {missing[0]!r} (groups here: {', '.join(names) or 'none'})")
        return groups
    return names if len(names) == 2 else None


def summarize(store: Store, study: Study, sessions: list[dict], groups: Sequence[str] | None,
              matched: set[str]) -> dict:
    """The study's summary from its sessions' measures (and the screens they showed), so
    a caller that keeps them can measure one changed session again and summarize anew."""
    ids = {s["id"] for s in sessions}
    return {
        "study": study.title,
        "tasks": [task_summary(task.id, task.prompt, _attempts_of(sessions, task.id),
                               interrupted=len(_attempts_of(sessions, task.id, counted=False))
                               - len(_attempts_of(sessions, task.id)))
                  for task in study.tasks],
        "sessions": sessions,
        "unmatched_screens": unmatched_screens(study, matched) if sessions else [],
        "questionnaires": {"sus": questionnaires.sus_summary(store, ids),
                           "umux_lite": questionnaires.umux_lite_summary(store, ids),
                           "nps": questionnaires.nps_summary(store, ids),
                           "csat": questionnaires.csat_summary(store, ids),
                           "ces": questionnaires.ces_summary(store, ids)},
        "comparison": compare_groups(study, sessions, groups) if groups else None,
        "sum": study_sum(study, {task.id: _attempts_of(sessions, task.id) for task in study.tasks}),
    }


def measure_session(store: Store, study: Study, row: dict,
                    thresholds: Thresholds = Thresholds()) -> tuple[dict, set[str]]:
    """One session (a store row) read and measured alone: its measures and the screens it showed."""
    matched: set[str] = set()
    return session_measures(store, study, load_session(store, row), thresholds, matched), matched


def unmatched_screens(study: Study, matched: set[str]) -> list[dict]:
    """The study's success and error screens that no session showed: a template that never
    matches is more often a wrong screenshot than a screen nobody reached."""
    missing = []
    for task in study.tasks:
        screens = ([("success", task.success_screen)] if task.success_screen else []) + \
            [("error", p) for p in task.error_screens]
        for kind, path in screens:
            if str(path) not in matched:
                missing.append({"task": task.id, "kind": kind, "screen": _shown_path(study, path)})
    return missing


def _shown_path(study: Study, path: Path) -> str:
    """The screen's path as the study script names it: relative to the study folder."""
    try:
        return str(Path(path).relative_to(study.folder))
    except ValueError:
        return str(path)


def _attempts_of(sessions: list[dict], task_id: str, group: str | None = None, *,
                 counted: bool = True) -> list[dict]:
    """The task's attempts; `counted` leaves out the interrupted ones (the lab's fault)."""
    return [a for s in sessions if group is None or s["group"] == group
            for a in s["attempts"] if a["task"] == task_id
            and not (counted and a["outcome"] == Outcome.INTERRUPTED)]


def _interval(values: list[float], make: Callable[[list[float]], stats.Interval]) -> dict | None:
    return make(values).as_dict() if values else None


def task_summary(task_id: str, prompt: str, attempts: list[dict], interrupted: int = 0) -> dict:
    """A task across sessions: effectiveness, efficiency and satisfaction with intervals.
    `attempts` are the counted ones; `interrupted` says how many more the recorder lost."""
    n = len(attempts)
    successes = sum(a["outcome"] == Outcome.SUCCESS for a in attempts)
    success_times = [a["time"] for a in attempts if a["outcome"] == Outcome.SUCCESS and a["time"] > 0]
    all_times = [a["time"] for a in attempts if a["time"] > 0]
    seq = [a["seq_rating"] for a in attempts if a["seq_rating"] is not None]
    judged = [a for a in attempts if a["first_click"] and a["first_click"]["hit"] is not None]
    first = [a["first_click"]["hit"] for a in judged]
    return {
        "id": task_id, "prompt": prompt, "attempts": n, "interrupted": interrupted, "successes": successes,
        "completion": stats.completion_interval(successes, n).as_dict() if n else None,
        "time_success": _interval(success_times, stats.time_interval),
        "time_all": _interval(all_times, stats.time_interval),
        "median_time": median(success_times) if success_times else None,
        "errors_per_attempt": sum(a["errors"] for a in attempts) / n if n else None,
        "errors_interval": _interval([a["errors"] for a in attempts], stats.mean_interval),
        "abandonment_rate": sum(a["outcome"] in ABANDONED_OUTCOMES for a in attempts) / n if n else None,
        "seq": {**questionnaires.rating_interval(seq, 1, 7).as_dict(), "n": len(seq)} if seq else None,
        "first_click_success": ({**stats.completion_interval(sum(first), len(first)).as_dict(), "n": len(first)}
                                if first else None),
        "success_after_first_click": _success_by_first_click(judged),
        "clicks_per_attempt": sum(a["clicks"] for a in attempts) / n if n else None,
        "rage_clicks": sum(a["rage_clicks"] for a in attempts),
        "dead_clicks": sum(a["dead_clicks"] for a in attempts),
        "disagreements": sum(a["disagreement"] is not None for a in attempts),
    }


def _success_by_first_click(judged: list[dict]) -> dict | None:
    """Completion after a first click on target vs off it: first-click success predicts
    task success, so a gap here points at the start of the task."""
    if not judged:
        return None
    result = {}
    for label, hit in (("hit", True), ("missed", False)):
        group = [a for a in judged if a["first_click"]["hit"] is hit]
        result[label] = {"attempts": len(group), "successes": sum(a["outcome"] == Outcome.SUCCESS for a in group)}
    return result


def compare_groups(study: Study, sessions: list[dict], groups: Sequence[str]) -> dict:
    """Per task: completion by the N−1 two-proportion test, times by Welch's t on log times."""
    a, b = groups
    tasks = []
    for task in study.tasks:
        first, second = _attempts_of(sessions, task.id, a), _attempts_of(sessions, task.id, b)
        row: dict = {"id": task.id, "completion": None, "time": None}
        if first and second:
            x1 = sum(t["outcome"] == Outcome.SUCCESS for t in first)
            x2 = sum(t["outcome"] == Outcome.SUCCESS for t in second)
            row["completion"] = {a: {"successes": x1, "n": len(first), "rate": x1 / len(first)},
                                 b: {"successes": x2, "n": len(second), "rate": x2 / len(second)},
                                 "p": stats.compare_completion(x1, len(first), x2, len(second))}
        t1 = [t["time"] for t in first if t["outcome"] == Outcome.SUCCESS and t["time"] > 0]
        t2 = [t["time"] for t in second if t["outcome"] == Outcome.SUCCESS and t["time"] > 0]
        if len(t1) >= 2 and len(t2) >= 2:
            row["time"] = {a: stats.time_interval(t1).as_dict(), b: stats.time_interval(t2).as_dict(),
                           "p": stats.compare_times(t1, t2)}
        tasks.append(row)
    return {"groups": [a, b], "tasks": tasks}
