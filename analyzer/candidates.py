"""Candidate problems: the moments the analysis flags as trouble, grouped by task and screen
state across sessions, for a researcher to confirm (a problem, or evidence for one) or
dismiss.

The signals are the detectors' (moderator errors, error screens, rage and dead clicks,
success screens not marked a success) plus four that mark struggle rather than failure:
hesitations (no input for HESITATION seconds inside a task), back-and-forth (returning to a
screen state already left in the same attempt), bursts of undo or escape, and participants
saying they are lost ("where is", "I don't know", ...). Each candidate has a key made of its
task, kind and screen state, so a decision about it survives re-analysis.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from analyzer import stats
from analyzer.data.screen_names import ScreenNames
from analyzer.data.session_data import SessionData
from analyzer.data.study_data import StudyData, load_study_data
from analyzer.phash import group_hashes
from sessions.events import EventKind, MarkerKind, MarkerStatus
from sessions.problems import Problems, segments_saying
from sessions.store import Store

HESITATION = 10.0                 # seconds without input inside a task
UNDO_KEYS = ("escape", "ctrl+z", "super+z", "ctrl+shift+z")
UNDO_BURST, UNDO_WINDOW = 3, 5.0  # this many undo/escape presses within this many seconds
CONFUSION_PHRASES = ("where is", "confus", "i don't know", "i do not know", "expected",
                     "i thought", "can't find", "cannot find", "what does",
                     # as Whisper writes what lost participants say ("I'm lost.", "Where do I ...?")
                     "where do i", "i'm lost", "i am lost", "don't understand", "do not understand")
TITLES = {
    "moderator_error": "Errors logged by the moderator",
    "error_screen": "Error screen shown",
    "disagreement": "Success screen reached but not marked a success",
    "rage_clicks": "Rage clicks",
    "dead_clicks": "Dead clicks",
    "hesitation": "Hesitation (no input for 10 s or more)",
    "back_and_forth": "Back and forth between screens",
    "undo_burst": "Bursts of undo or escape",
    "confusion": "Participants say they are confused",
}
KINDS = tuple(TITLES)

_KEY_COLUMNS = ("t", "key")     # the columns: a key press's time and its key class


@dataclass(frozen=True)
class Moment:
    """One flagged moment of one session."""

    kind: str
    session_id: str
    task: str
    t: float
    end: float | None = None
    text: str = ""
    keyframe: str | None = None
    phash: str | None = None


def hesitations(data: SessionData, attempt: dict, min_gap: float = HESITATION,
                inputs: np.ndarray | None = None) -> list[tuple[float, float]]:
    """Stretches of at least `min_gap` s inside the attempt with no pointer or key input,
    leaving out time the moderator paused. `inputs` (every input time, sorted) saves
    merging the session's columns again for each attempt."""
    start, end = attempt["started"], attempt["ended"]
    if inputs is None:
        inputs = np.sort(np.concatenate([data.pointer.t, data.key_t]))
    times = inputs[np.searchsorted(inputs, start, side="right"):np.searchsorted(inputs, end, side="left")]
    edges = np.concatenate([[start], times, [end]])
    gaps = np.flatnonzero(np.diff(edges) >= min_gap)
    pauses = [m["t"] for m in data.markers if m["kind"] in ("pause", "resume")]
    found = []
    for i in gaps:
        a, b = float(edges[i]), float(edges[i + 1])
        if not any(a <= p <= b for p in pauses):
            found.append((a, b))
    return found


def returns(data: SessionData, attempt: dict, labels: dict[str, int]) -> list[dict]:
    """Keyframes at which the attempt came back to a screen state it had left: A B A."""
    seen: set[int] = set()
    previous = None
    found = []
    for frame in data.keyframes_between(attempt["started"], attempt["ended"]):
        state = labels.get(frame.get("phash") or "")
        if state is None or state == previous:
            continue
        if state in seen:
            found.append(frame)
        seen.add(state)
        previous = state
    return found


def undo_bursts(key_rows: Sequence[tuple], start: float, end: float, *, burst: int = UNDO_BURST,
                window: float = UNDO_WINDOW) -> list[tuple[float, float, int]]:
    """(first, last, presses) of runs of undo/escape presses, `burst` within `window` s."""
    return _bursts(_undo_times(key_rows), start, end, burst, window)


def _undo_times(key_rows: Sequence[tuple]) -> np.ndarray:
    return np.array([t for t, key in key_rows if key in UNDO_KEYS], dtype=float)


def _bursts(undo: np.ndarray, start: float, end: float, burst: int = UNDO_BURST,
            window: float = UNDO_WINDOW) -> list[tuple[float, float, int]]:
    times = undo[np.searchsorted(undo, start, side="left"):np.searchsorted(undo, end, side="right")].tolist()
    found, i = [], 0
    while i < len(times):
        j = i
        while j + 1 < len(times) and times[j + 1] - times[j] <= window:
            j += 1
        if j - i + 1 >= burst:
            found.append((times[i], times[j], j - i + 1))
        i = j + 1
    return found


def session_moments(store: Store, data: SessionData, measured: Iterable[dict]) -> list[Moment]:
    """Every flagged moment of one session, from its loaded data and attempt measures."""
    moments: list[Moment] = []
    by_id = {a["id"]: a for a in data.attempts}
    undo = _undo_times(store.events.rows(data.id, [EventKind.KEY], _KEY_COLUMNS, presses_only=True))
    inputs = np.sort(np.concatenate([data.pointer.t, data.key_t]))
    errors = [m for m in data.markers if m["kind"] == MarkerKind.ERROR and m["status"] == MarkerStatus.CONFIRMED]
    for m in measured:
        attempt = by_id.get(m["attempt_id"])
        if attempt is None:
            continue
        task, sid = m["task"], data.id
        def add(kind: str, t: float, end: float | None = None, text: str = "", sid: str = sid,
                task: str = task) -> None:
            moments.append(Moment(kind, sid, task, float(t), end, text))
        for marker in errors:
            if marker["attempt_id"] == attempt["id"] or (
                    marker["attempt_id"] is None and attempt["started"] <= marker["t"] <= attempt["ended"]):
                add("moderator_error", marker["t"], text=marker["text"] or "")
        for t in m["error_screens"]:
            add("error_screen", t)
        if m["disagreement"]:
            add("disagreement", m["success_screen_seen"])
        for burst in m["rage_bursts"]:
            add("rage_clicks", burst["t"], burst["end"], f"{burst['clicks']} clicks")
        for t in m["dead_click_times"]:
            if not any(b["t"] <= t <= b["end"] for b in m["rage_bursts"]):
                add("dead_clicks", t)
        for a, b in hesitations(data, attempt, inputs=inputs):
            add("hesitation", a, b, f"{b - a:.0f} s without input")
        for first, last, presses in _bursts(undo, attempt["started"], attempt["ended"]):
            add("undo_burst", first, last, f"{presses} undo/escape presses")
    return _with_screens(data, moments)


def _with_screens(data: SessionData, moments: list[Moment]) -> list[Moment]:
    """Each moment with the keyframe on screen at its time (one searchsorted for all)."""
    if not moments or not data.keyframes:
        return moments
    index = data.keyframe_index(np.array([m.t for m in moments]))
    placed = []
    for moment, i in zip(moments, index.tolist()):
        frame = data.keyframes[max(i, 0)]
        placed.append(Moment(moment.kind, moment.session_id, moment.task, moment.t, moment.end, moment.text,
                             frame["keyframe"], frame.get("phash")))
    return placed


def _attempt_at(data: SessionData, t: float) -> dict | None:
    return next((a for a in data.attempts if a["started"] <= t <= a["ended"]), None)


def find_candidates(store: Store, loaded: Sequence[tuple[SessionData, list[dict]]]) -> list[dict]:
    """Candidate problems across sessions, most widespread first.

    `loaded` pairs each counted session's data with its attempt measures (what
    `analyzer.summary.session_measures` returns as "attempts"), so nothing is read twice.
    """
    datas = {data.id: data for data, _ in loaded}
    participant = {data.id: data.session["participant"] for data in datas.values()}
    moments: list[Moment] = []
    for data, measured in loaded:
        moments += session_moments(store, data, measured)
    moments += _back_and_forth(list(datas.values()))
    moments += _confusion(store, datas)
    tried: dict[str, set[str]] = defaultdict(set)
    for data in datas.values():
        for a in data.attempts:
            tried[a["task"]].add(participant[data.id])
    order = {sid: i for i, sid in enumerate(datas)}     # oldest session first
    groups = _grouped(moments, participant, tried, Problems(store).decisions(), order)
    _name_screens(groups, ScreenNames(store, datas.values()))
    return groups


def _name_screens(groups: list[dict], names: ScreenNames) -> None:
    """Say on which screen each candidate happens, so candidates of one kind and task on
    different screens can be told apart: the screen's window title when it was recorded, else
    its place among that task's screen states ("screen 2")."""
    numbers: dict[str, dict[str, int]] = defaultdict(dict)
    for group in groups:
        screen = group["screen"]
        name = names.of_keyframe(screen["session_id"], screen["keyframe"]) if screen else None
        if not name and group["state"] != "none":
            states = numbers[group["task"]]
            name = f"screen {states.setdefault(group['state'], len(states) + 1)}"
        group["screen_name"] = name
        if name:
            group["title"] += f" on ‘{name}’"


def _back_and_forth(datas: list[SessionData]) -> list[Moment]:
    hashes = sorted({f["phash"] for d in datas for f in d.keyframes if f.get("phash")})
    labels = dict(zip(hashes, group_hashes(hashes))) if hashes else {}
    found = []
    for data in datas:
        for attempt in data.attempts:
            for frame in returns(data, attempt, labels):
                found.append(Moment("back_and_forth", data.id, attempt["task"], float(frame["t"]),
                                    None, "returned to a screen seen earlier in the task",
                                    frame["keyframe"], frame.get("phash")))
    return found


def _confusion(store: Store, datas: dict[str, SessionData]) -> list[Moment]:
    found = []
    for segment in segments_saying(store, CONFUSION_PHRASES, datas):
        data = datas[segment["session_id"]]
        attempt = _attempt_at(data, segment["t"])
        if attempt is not None and segment.get("speaker") != "moderator":
            found += _with_screens(data, [Moment("confusion", data.id, attempt["task"], segment["t"],
                                                 segment["end"], segment["text"])])
    return found


def _grouped(moments: list[Moment], participant: dict[str, str], tried: dict[str, set[str]],
             decisions: dict[str, dict], order: dict[str, int]) -> list[dict]:
    """Group by task, kind and screen state; screen states are grouped across sessions by
    perceptual hash, the earliest keyframe of a state naming it (so keys stay stable)."""
    ordered = sorted(moments, key=lambda m: (order[m.session_id], m.t))
    hashes = list(dict.fromkeys(m.phash for m in ordered if m.phash))   # distinct, first seen first
    labels = group_hashes(hashes) if hashes else []
    founder: dict[int, str] = {}
    state_of: dict[str, str] = {}
    for h, label in zip(hashes, labels):
        founder.setdefault(label, h)
        state_of[h] = founder[label]
    groups: dict[str, dict] = {}
    for m in ordered:
        state = state_of.get(m.phash or "", "none")
        key = f"{m.task}|{m.kind}|{state}"
        group = groups.setdefault(key, {"key": key, "kind": m.kind, "task": m.task, "state": state,
                                        "title": f"{TITLES[m.kind]} in “{m.task}”", "moments": [],
                                        "screen": None})
        if group["screen"] is None and m.keyframe:
            group["screen"] = {"session_id": m.session_id, "keyframe": m.keyframe}
        group["moments"].append({"session_id": m.session_id, "participant": participant[m.session_id],
                                 "t": round(m.t, 3), "end": None if m.end is None else round(m.end, 3),
                                 "text": m.text})
    result = []
    for group in groups.values():
        people = sorted({m["participant"] for m in group["moments"]})
        of = max(len(tried.get(group["task"], ())), len(people))
        decision = decisions.get(group["key"]) or {}
        group.update(participants=people, of=of, occurrences=len(group["moments"]),
                     reach=stats.completion_interval(len(people), of).as_dict(),
                     decision=decision.get("decision"), problem_id=decision.get("problem_id"))
        result.append(group)
    result.sort(key=lambda g: (-len(g["participants"]), -g["occurrences"], KINDS.index(g["kind"]), g["key"]))
    return result


def load_counted(store: Store, study, data: StudyData | None = None) -> list[tuple[SessionData, list[dict]]]:
    """Each counted session's data (read once, or taken from `data`) with its attempt measures."""
    from analyzer.attempts import Thresholds
    from analyzer.summary import session_measures
    data = data or load_study_data(store, study)
    thresholds = Thresholds()
    return [(s, session_measures(store, study, s, thresholds)["attempts"]) for s in data.sessions]


def study_candidates(store: Store, study, data: StudyData | None = None) -> list[dict]:
    """The study's candidate problems over its counted sessions."""
    return find_candidates(store, load_counted(store, study, data))
