"""Round against round: two studies of the same tasks (or two rounds of one product)
compared measure by measure, each difference with its 95 % interval and its test, and
their problems matched as new, persisting or gone.

Tests follow Sauro & Lewis (Quantifying the User Experience, ch. 5): completion by the
N−1 two-proportion test with the adjusted-Wald interval of the difference; times by
Welch's t on log times, the difference shown as the ratio of geometric means; SEQ and
SUS means by Welch's t. SUM's difference takes the two rounds' intervals as independent
(half-widths added in quadrature). Differences are round B minus round A.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from scipy import stats as _st

from analyzer import stats
from analyzer.findings import problem_list
from analyzer.summary import analyze_study
from sessions.events import Outcome
from sessions.store import Store
from sessions.study import Study

SIGNIFICANT = 0.05
_Z = float(_st.norm.ppf(0.975))


def proportion_difference(x1: int, n1: int, x2: int, n2: int) -> dict:
    """p2 − p1 with the adjusted-Wald interval of a difference (add z²/4 successes and z²/2
    trials to each group; Sauro & Lewis ch. 5) and the N−1 two-proportion test's p."""
    p = stats.compare_completion(x1, n1, x2, n2)
    a1, a2 = (x1 + _Z ** 2 / 4) / (n1 + _Z ** 2 / 2), (x2 + _Z ** 2 / 4) / (n2 + _Z ** 2 / 2)
    margin = _Z * math.sqrt(a1 * (1 - a1) / (n1 + _Z ** 2 / 2) + a2 * (1 - a2) / (n2 + _Z ** 2 / 2))
    centre = a2 - a1
    return {"a": x1 / n1, "b": x2 / n2, "difference": x2 / n2 - x1 / n1,
            "low": max(-1.0, centre - margin), "high": min(1.0, centre + margin), "p": p}


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """Mean difference b − a, its 95 % Welch interval and two-sided p."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = float(b.mean() - a.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff, 1.0 if diff == 0 else 0.0
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    q = float(_st.t.ppf(0.975, df))
    p = float(2 * _st.t.sf(abs(diff / se), df))
    return diff, diff - q * se, diff + q * se, p


def mean_difference(a: Sequence[float], b: Sequence[float]) -> dict | None:
    """Mean b − mean a with Welch's interval and p; None below two values a group."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return None
    diff, low, high, p = _welch(x, y)
    return {"a": float(x.mean()), "b": float(y.mean()), "difference": diff, "low": low, "high": high, "p": p,
            "n_a": int(x.size), "n_b": int(y.size)}


def time_difference(a: Sequence[float], b: Sequence[float]) -> dict | None:
    """Geometric means, their difference in seconds, and the ratio b/a with its interval
    (Welch's t on log times); None below two times a group."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return None
    diff, low, high, p = _welch(np.log(x), np.log(y))
    ga, gb = math.exp(float(np.log(x).mean())), math.exp(float(np.log(y).mean()))
    return {"a": ga, "b": gb, "difference": gb - ga, "ratio": math.exp(diff), "ratio_low": math.exp(low),
            "ratio_high": math.exp(high), "p": p, "n_a": int(x.size), "n_b": int(y.size)}


def sum_difference(a: dict | None, b: dict | None) -> dict | None:
    """SUM b − SUM a; the interval adds the rounds' half-widths in quadrature."""
    if not a or not b:
        return None
    half = math.hypot((a["high"] - a["low"]) / 2, (b["high"] - b["low"]) / 2)
    diff = b["estimate"] - a["estimate"]
    return {"a": a["estimate"], "b": b["estimate"], "difference": diff, "low": max(-1.0, diff - half),
            "high": min(1.0, diff + half)}


def _verdict(completion: dict | None, time: dict | None) -> str:
    """improved / worse when completion or time differs significantly in one direction only."""
    if completion is None and time is None:
        return "too few to compare"
    better = worse = False
    if completion and completion["p"] < SIGNIFICANT:
        better, worse = completion["difference"] > 0, completion["difference"] < 0
    if time and time["p"] < SIGNIFICANT:
        better, worse = better or time["ratio"] < 1, worse or time["ratio"] > 1
    return "mixed" if better and worse else "improved" if better else "worse" if worse else "no significant difference"


def _attempts(result: dict, task_id: str) -> list[dict]:
    return [a for s in result["sessions"] for a in s["attempts"]
            if a["task"] == task_id and a["outcome"] != Outcome.INTERRUPTED]


def compare_task(task_id: str, a: dict, b: dict) -> dict:
    """One task both rounds ran: completion, time (successes), SEQ, SUM."""
    first, second = _attempts(a, task_id), _attempts(b, task_id)
    row: dict = {"id": task_id, "n_a": len(first), "n_b": len(second), "completion": None, "time": None,
                 "seq": None, "sum": None}
    if first and second:
        row["completion"] = proportion_difference(sum(t["outcome"] == Outcome.SUCCESS for t in first), len(first),
                                                  sum(t["outcome"] == Outcome.SUCCESS for t in second), len(second))
    times = [[t["time"] for t in group if t["outcome"] == Outcome.SUCCESS and t["time"] > 0]
             for group in (first, second)]
    row["time"] = time_difference(*times)
    row["seq"] = mean_difference(*[[t["seq_rating"] for t in group if t["seq_rating"] is not None]
                                   for group in (first, second)])
    sums = [next((t["sum"] for t in r["sum"]["tasks"] if t["id"] == task_id), None) for r in (a, b)]
    row["sum"] = sum_difference(*sums)
    row["verdict"] = _verdict(row["completion"], row["time"])
    return row


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_problems(a: list[dict], b: list[dict]) -> dict:
    """Problems of round A and B matched by a shared tag or the same title (case and
    punctuation aside): persisting in both, gone from B, new in B."""
    used: set[int] = set()
    persisting, gone = [], []
    for old in a:
        tags, title = {_key(t) for t in old.get("tags") or []}, _key(old["title"])
        match = next((new for new in b if new["id"] not in used and
                      (_key(new["title"]) == title or tags & {_key(t) for t in new.get("tags") or []})), None)
        if match is None:
            gone.append(_brief(old))
        else:
            used.add(match["id"])
            persisting.append({"a": _brief(old), "b": _brief(match)})
    new = [_brief(p) for p in b if p["id"] not in used]
    return {"persisting": persisting, "gone": gone, "new": new}


def _brief(p: dict) -> dict:
    return {"id": p["id"], "title": p["title"], "tags": list(p.get("tags") or []),
            "participants": len(p.get("participants") or [])}


def compare_rounds(a: dict, b: dict, problems_a: list[dict], problems_b: list[dict],
                   names: tuple[str, str] = ("A", "B")) -> dict:
    """Two rounds' analyses (analyzer.summary.analyze_study) and problem lists compared."""
    tasks_a = {t["id"]: t for t in a["tasks"]}
    tasks_b = {t["id"]: t for t in b["tasks"]}
    same = [t for t in tasks_a if t in tasks_b and tasks_a[t]["prompt"] == tasks_b[t]["prompt"]]
    differ = ([{"id": t, "why": "its prompt changed"} for t in tasks_a if t in tasks_b and t not in same]
              + [{"id": t, "why": f"only in round {names[0]}"} for t in tasks_a if t not in tasks_b]
              + [{"id": t, "why": f"only in round {names[1]}"} for t in tasks_b if t not in tasks_a])
    sus = [list((r["questionnaires"]["sus"] or {}).get("scores", {}).values()) for r in (a, b)]
    return {"rounds": list(names), "tasks": [compare_task(t, a, b) for t in same], "not_compared": differ,
            "sus": mean_difference(*sus),
            "sum": sum_difference(a["sum"]["study"], b["sum"]["study"]) if not differ else None,
            "problems": match_problems(problems_a, problems_b)}


def round_data(store: Store, study: Study) -> tuple[dict, list[dict]]:
    """A round's analysis and its problems: what compare_rounds takes for each round."""
    return analyze_study(store, study), problem_list(store)["problems"]
