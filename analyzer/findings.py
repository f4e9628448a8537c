"""The study's problem list as researchers and stakeholders see it: each problem with its
reach (k of n participants who attempted its task, with the adjusted-Wald interval), its
severity ratings, the tasks and screens it occurs on and its evidence; then the participant
× problem matrix and what it says about how complete the study's discovery is.

Problems are ordered by severity × reach: a critical problem most participants met comes
first, a cosmetic one a single participant met last.
"""
from __future__ import annotations

import bisect
from collections import defaultdict

from analyzer import stats
from analyzer.agreement import severity_agreement
from analyzer.data.screen_names import ScreenNames
from sessions.problems import Problems, severity_summary
from sessions.store import Store

DISCOVERY_GOAL = 0.85
CURVE_MAX = 20          # participants drawn on the discovery curve (at least)
DISCOVERY_MIN_PARTICIPANTS = 5   # below this a projection carries a caution (Sauro & Lewis ch. 7)


def replay_link(session_id: str, t: float) -> str:
    """The replay page opened at a moment (the page reads #t= and seeks there)."""
    return f"/sessions/{session_id}#t={t:.1f}"


class _Keyframes:
    """Each session's keyframe times, read once, to find the still shown at a moment."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._frames: dict[str, tuple[list[float], list[str]]] = {}

    def at(self, session_id: str, t: float) -> str | None:
        if session_id not in self._frames:
            frames = self.store.frames.all(session_id, keyframes_only=True)
            self._frames[session_id] = ([f["t"] for f in frames], [f["keyframe"] for f in frames])
        times, names = self._frames[session_id]
        index = bisect.bisect_right(times, t) - 1
        return names[max(index, 0)] if names else None


def problem_list(store: Store) -> dict:
    """Problems with reach, severity and evidence; the matrix; the discovery statistics."""
    sessions = store.sessions.all(order="started_at", descending=False)
    participant = {s["id"]: s["participant"] for s in sessions}
    counted_ids = {s["id"] for s in store.sessions.counted()}
    attempts = defaultdict(list)
    tried: dict[str, set[str]] = defaultdict(set)
    for row in store.attempts.all():
        attempts[row["session_id"]].append(row)
        if row["session_id"] in counted_ids:
            tried[row["task"]].add(participant[row["session_id"]])
    people = sorted({participant[sid] for sid in counted_ids})
    source = Problems(store)
    evidence = defaultdict(list)
    for row in source.evidence():
        evidence[row["problem_id"]].append(row)
    ratings = defaultdict(list)
    for row in source.ratings():
        ratings[row["problem_id"]].append(row)
    stills, screens = _Keyframes(store), ScreenNames(store)
    problems = []
    for problem in source.all():
        items = [_evidence(row, participant, attempts, stills, screens) for row in evidence[problem["id"]]]
        problems.append(_view(problem, items, ratings[problem["id"]], counted_ids, participant, tried, people))
    problems.sort(key=lambda p: (-p["priority"], -len(p["participants"]), p["id"]))
    matrix = [[int(person in p["participants"]) for p in problems] for person in people]
    discovery = stats.discovery(matrix).as_dict() if people else None
    return {"problems": problems, "participants": people, "matrix": matrix,
            "discovery": discovery, "curve": discovery_curve(discovery, len(people)),
            "discovery_caution": discovery_caution(len(people)),
            "shared_evidence": shared_evidence(problems),
            "agreement": severity_agreement([r for rows in ratings.values() for r in rows],
                                            [p["id"] for p in problems])}


SAME_MOMENT = 1.0   # seconds: two pieces of evidence this close in one session show one moment


def shared_evidence(problems: list[dict]) -> list[dict]:
    """Pairs of problems whose evidence shows the same moments: probably one problem entered
    twice, which the discovery statistics would count as two. Each pair names how many of the
    first problem's moments the second shares, so a researcher can merge them."""
    pairs = []
    for i, first in enumerate(problems):
        for second in problems[i + 1:]:
            shared = sum(1 for a in first["evidence"] if any(_same_moment(a, b) for b in second["evidence"]))
            if shared:
                pairs.append({"problems": sorted((first["id"], second["id"])), "moments": shared})
    return pairs


def _same_moment(a: dict, b: dict) -> bool:
    if a["session_id"] != b["session_id"]:
        return False
    a_end, b_end = a.get("end") or a["t"], b.get("end") or b["t"]
    return a["t"] <= b_end + SAME_MOMENT and b["t"] <= a_end + SAME_MOMENT


def discovery_caution(participants: int) -> str | None:
    """A projection from fewer than five participants rests on too few cases to trust."""
    if 0 < participants < DISCOVERY_MIN_PARTICIPANTS:
        return (f"projected from {participants} participant{'s' if participants != 1 else ''}: "
                f"fewer than {DISCOVERY_MIN_PARTICIPANTS}, so the discovery rate and what is left to find "
                f"are rough")
    return None


def task_at(attempts: list[dict], t: float) -> str | None:
    """The task of the attempt running at session time `t`, if any."""
    return next((a["task"] for a in attempts
                 if a["started"] <= t <= (a["ended"] if a["ended"] is not None else float("inf"))), None)


def _evidence(row: dict, participant: dict, attempts: dict, stills: _Keyframes, screens: ScreenNames) -> dict:
    sid = row["session_id"]
    return {**row, "participant": participant.get(sid), "task": task_at(attempts[sid], row["t"]),
            "replay": replay_link(sid, row["t"]), "keyframe": stills.at(sid, row["t"]),
            "screen": screens.at(sid, row["t"])}


def _view(problem: dict, items: list[dict], ratings: list[dict], counted_ids: set[str],
          participant: dict, tried: dict[str, set[str]], people: list[str]) -> dict:
    met = sorted({participant[e["session_id"]] for e in items if e["session_id"] in counted_ids})
    tasks = [problem["task"]] if problem["task"] else sorted({e["task"] for e in items if e["task"]})
    exposed = set().union(*(tried.get(t, set()) for t in tasks)) if tasks else set(people)
    n = len(exposed | set(met))
    reach = stats.completion_interval(len(met), n).as_dict() if n else None
    severity = severity_summary(r["severity"] for r in ratings)
    share = len(met) / n if n else 0.0
    return {**problem, "evidence": items, "ratings": ratings, "severity": severity,
            "participants": met, "of": n, "reach": reach, "tasks": tasks,
            "screens": sorted({e["screen"] for e in items if e["screen"]}),
            "priority": (severity["median"] or 0) * share}


def discovery_curve(discovery: dict | None, participants: int) -> dict | None:
    """1 − (1 − p_adj)^n for n = 1 … (at least CURVE_MAX), with where the study stands and
    how many participants the usual 85 % goal needs for problems this discoverable."""
    if not discovery or not discovery["p_adjusted"] or discovery["p_adjusted"] <= 0:
        return None
    p = discovery["p_adjusted"]
    needed = stats.discovery_sample_size(p, DISCOVERY_GOAL)
    top = max(CURVE_MAX, participants, needed)
    return {"p": p, "n": list(range(1, top + 1)),
            "discovered": [stats.proportion_discovered(p, n) for n in range(1, top + 1)],
            "now": stats.proportion_discovered(p, participants) if participants else 0.0,
            "goal": DISCOVERY_GOAL, "needed": needed}


PROBLEM_COLUMNS = ("id", "title", "task", "tags", "participants", "affected", "of", "reach_low",
                   "reach_high", "severity_median", "severity_spread", "disagreement", "ratings",
                   "evidence")


def problem_rows(result: dict) -> list[dict]:
    """One flat row per problem (for CSV): reach, severity and every rating as rater=severity."""
    rows = []
    for p in result["problems"]:
        reach = p["reach"] or {}
        rows.append({
            "id": p["id"], "title": p["title"], "task": p["task"] or "", "tags": " ".join(p["tags"]),
            "participants": " ".join(p["participants"]), "affected": len(p["participants"]), "of": p["of"],
            "reach_low": reach.get("low"), "reach_high": reach.get("high"),
            "severity_median": p["severity"]["median"], "severity_spread": p["severity"]["spread"],
            "disagreement": int(p["severity"]["disagreement"]),
            "ratings": " ".join(f"{r['rater']}={r['severity']}" for r in p["ratings"]),
            "evidence": len(p["evidence"])})
    return rows


def matrix_rows(result: dict) -> list[dict]:
    """The participant × problem matrix, one row per participant, a column per problem id."""
    ids = [f"problem_{p['id']}" for p in result["problems"]]
    return [{"participant": person, **dict(zip(ids, row))}
            for person, row in zip(result["participants"], result["matrix"])]
