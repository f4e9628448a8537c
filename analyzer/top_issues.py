"""The problems a stakeholder should see first, gathered from everything the analysis found.

Each issue says what went wrong, in which task, on which screen state and where on it, how
often, and how many of the participants who tried the task met it. Issues are ranked by
participants affected, then by occurrences: a problem most people hit outranks one person's
long struggle, which is how usability findings are usually prioritised.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from analyzer.data.screen_names import ScreenNames
from analyzer.data.study_data import StudyData
from analyzer.heatmap import TaskClicks, task_clicks
from sessions.events import MarkerKind, MarkerStatus
from sessions.store import Store
from sessions.study import Study

# the order issues of equal reach are listed in: observed failures before inferred trouble
KIND_ORDER = ("moderator_error", "error_screen", "disagreement", "rage_clicks", "dead_clicks")


def find_issues(store: Store, study: Study, result: dict, data: StudyData) -> list[dict]:
    """Every issue of the study, most widespread first (JSON-able), from the analysis
    `result` of the sessions in `data` (whose attempts it measured)."""
    names = {s["id"]: s["participant"] for s in result["sessions"]}
    tried = _participants_per_task(result)
    issues: list[dict] = []
    screens = ScreenNames(store, data.sessions)
    for task in study.tasks:
        attempts = [(s["id"], a) for s in result["sessions"] for a in s["attempts"] if a["task"] == task.id]
        if not attempts:
            continue
        issues += _click_issues(data, task.id, attempts, screens)
        issues += _screen_issues(store, task.id, attempts, screens)
    issues += _moderator_errors(store, result, screens)
    for issue in issues:
        people = sorted({names[sid] for sid in issue.pop("session_ids")})
        issue["participants"] = people
        issue["of"] = tried.get(issue["task"], len(set(names.values())))
    issues.sort(key=lambda i: (-len(i["participants"]), -i["occurrences"], KIND_ORDER.index(i["kind"]),
                               i["task"] or ""))
    for rank, issue in enumerate(issues, start=1):
        issue["rank"] = rank
    return issues


def _participants_per_task(result: dict) -> dict[str, int]:
    people: dict[str, set[str]] = defaultdict(set)
    for s in result["sessions"]:
        for a in s["attempts"]:
            people[a["task"]].add(s["participant"])
    return {task: len(p) for task, p in people.items()}


def _issue(kind: str, task: str | None, title: str, screen: dict | None = None) -> dict:
    return {"kind": kind, "task": task, "title": title, "occurrences": 0, "session_ids": set(),
            "screen": screen, "points": [], "details": []}


def _screen_ref(clicks: TaskClicks, state: int, screens: ScreenNames) -> dict | None:
    if state < 0:
        return None
    info = clicks.states[state]
    return {"state": state, "session_id": info["session_id"], "keyframe": info["keyframe"],
            "name": screens.of_keyframe(info["session_id"], info["keyframe"])}


def _click_issues(data: StudyData, task_id: str, attempts: list[tuple[str, dict]],
                  screens: ScreenNames) -> list[dict]:
    """Rage-click bursts and dead clicks, one issue per screen state they happened on; the
    dead clicks inside a rage burst belong to the burst (the detectors report both)."""
    clicks = task_clicks(data, task_id)
    found: dict[tuple[str, int], dict] = {}

    def issue_for(kind: str, index: int) -> dict:
        state = int(clicks.state[index])
        key = (kind, int(clicks.screen[index]))      # one page in two designs: one issue
        if key not in found:
            label = "Rage clicks" if kind == "rage_clicks" else "Dead clicks"
            screen = _screen_ref(clicks, state, screens)
            if screen is None:
                suffix = " before the first screen was captured"
            else:
                suffix = f" on “{screen['name']}”" if screen["name"] else f" on screen state {state}"
            found[key] = _issue(kind, task_id, f"{label} in “{task_id}”{suffix}", screen)
        return found[key]

    for sid, attempt in attempts:
        trouble = data.session(sid).trouble.get(attempt["attempt_id"])
        if trouble is None:
            continue
        row = clicks.row_of(sid)
        for first, burst in trouble.rage:
            index = row[int(first)]
            _add(issue_for("rage_clicks", index), sid, clicks, index,
                 {"t": burst["t"], "clicks": burst["clicks"], "x": burst["x"], "y": burst["y"]})
        for click in trouble.dead:
            index = row[int(click)]
            t = float(clicks.t[index])
            if any(burst["t"] <= t <= burst["end"] for _, burst in trouble.rage):
                continue            # a rage burst is one issue, not also a row of dead clicks
            _add(issue_for("dead_clicks", index), sid, clicks, index,
                 {"t": t, "x": int(clicks.x[index]), "y": int(clicks.y[index])})
    return list(found.values())


def _add(issue: dict, session_id: str, clicks: TaskClicks, index: int, detail: dict) -> None:
    issue["occurrences"] += 1
    issue["session_ids"].add(session_id)
    issue["points"].append([float(clicks.fx[index]), float(clicks.fy[index])])
    issue["details"].append({"session_id": session_id, **detail})


def keyframe_at(store: Store, session_id: str, t: float, screens: ScreenNames) -> dict | None:
    """The keyframe on screen at session time `t` (the last one taken at or before it)."""
    frame = screens.keyframe_at(session_id, t)
    if frame is None:
        return None
    return {"state": None, "session_id": session_id, "keyframe": frame["keyframe"],
            "name": screens.of_keyframe(session_id, frame["keyframe"])}


def _screen_issues(store: Store, task_id: str, attempts: list[tuple[str, dict]],
                   screens: ScreenNames) -> list[dict]:
    """Error screens that came into view, and success screens nobody marked as a success."""
    errors = _issue("error_screen", task_id, f"Error screen shown in “{task_id}”")
    unmarked = _issue("disagreement", task_id,
                      f"Success screen reached in “{task_id}” but the attempt was not marked a success")
    for sid, attempt in attempts:
        for t in attempt["error_screens"]:
            errors["occurrences"] += 1
            errors["session_ids"].add(sid)
            errors["details"].append({"session_id": sid, "t": t})
            errors["screen"] = errors["screen"] or keyframe_at(store, sid, t, screens)
        if attempt["disagreement"]:
            seen = attempt["success_screen_seen"]
            unmarked["occurrences"] += 1
            unmarked["session_ids"].add(sid)
            unmarked["details"].append({"session_id": sid, "t": seen, "outcome": attempt["outcome"]})
            unmarked["screen"] = unmarked["screen"] or keyframe_at(store, sid, seen, screens)
    return [i for i in (errors, unmarked) if i["occurrences"]]


def _moderator_errors(store: Store, result: dict, screens: ScreenNames) -> list[dict]:
    """Confirmed error markers, per task (or between tasks), with what the moderator wrote."""
    found: dict[str | None, dict] = {}
    for s in result["sessions"]:
        for marker in store.markers.all(s["id"], MarkerKind.ERROR):
            if marker["status"] != MarkerStatus.CONFIRMED:
                continue
            task = task_at(s["attempts"], marker)
            if task not in found:
                where = f"in “{task}”" if task else "between tasks"
                found[task] = _issue("moderator_error", task, f"Errors logged by the moderator {where}",
                                     keyframe_at(store, s["id"], marker["t"], screens))
            issue = found[task]
            issue["occurrences"] += 1
            issue["session_ids"].add(s["id"])
            issue["details"].append({"session_id": s["id"], "t": marker["t"], "text": marker["text"],
                                     "author": marker["author"]})
    return list(found.values())


def task_at(attempts: Iterable[dict], item: dict) -> str | None:
    """The task an annotation belongs to: its attempt, or the attempt running at its time."""
    for a in attempts:
        if item.get("attempt_id") is not None and a["attempt_id"] == item["attempt_id"]:
            return a["task"]
    for a in attempts:
        if a["started"] <= item["t"] <= a["ended"]:
            return a["task"]
    return None


def tagged_notes(store: Store, result: dict) -> dict[str, list[dict]]:
    """Observers' and reviewers' notes by tag (a note with two tags is under both), the
    most used tag first; each note with its participant, task and time."""
    by_tag: dict[str, list[dict]] = defaultdict(list)
    for s in result["sessions"]:
        for note in store.notes.all(s["id"]):
            entry = {"session_id": s["id"], "participant": s["participant"], "t": note["t"],
                     "task": task_at(s["attempts"], note), "author": note["author"], "text": note["text"]}
            for tag in note["tags"]:
                by_tag[tag].append(entry)
    return dict(sorted(by_tag.items(), key=lambda item: (-len(item[1]), item[0])))


def untagged_notes(store: Store, result: dict) -> int:
    """How many notes carry no tag (left to the replay page, where they have their context)."""
    return sum(1 for s in result["sessions"] for n in store.notes.all(s["id"]) if not n["tags"])


def pending_flags(store: Store, result: dict) -> int:
    """Observers' error flags nobody has confirmed or dismissed yet: not counted as errors."""
    return sum(1 for s in result["sessions"] for m in store.markers.all(s["id"], MarkerKind.ERROR)
               if m["status"] == MarkerStatus.PENDING)
