"""SUM, the Single Usability Metric (Sauro & Kindlund, CHI 2005; Sauro & Lewis, Quantifying
the User Experience, ch. 9): one standardised score per task and for the study.

Each measure becomes the percentage of the way it meets its specification, using the Six
Sigma standardisation the paper adapts: a mean against its specification limit in
standard deviations (z), read off the normal curve (Φ(z)). Completion is a proportion
already; errors become 1 − errors / opportunities. SUM is their plain average (the paper's
principal components found them about equally weighted); without error opportunities it
is the three-measure variant (completion, time, satisfaction) the authors also publish.

Intervals: each measure's 95 % interval mapped the same way (adjusted-Wald for the
proportions, a t interval of the mean for time and satisfaction, the sample SD held
fixed), and SUM's limits as the average of its measures' limits.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from analyzer import stats
from sessions.events import Outcome
from sessions.study import Study
from sessions.studyfile_standards import SumSpec

MIN_CASES = 2        # a standard deviation needs two values


def z_score(mean: float, sd: float, spec: float, higher_is_better: bool) -> float:
    """The distance of `mean` from `spec` in SDs, signed so that meeting the specification is
    positive (Sauro's z-equivalent: time (spec - mean) / SD, satisfaction (mean - spec) / SD);
    infinite when there is no spread and the mean is off the limit, since every case then
    lies on one side of it."""
    for value, name in ((mean, "mean"), (sd, "sd"), (spec, "spec")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if sd < 0:
        raise ValueError(f"a standard deviation cannot be negative, got {sd!r}")
    gap = (mean - spec) if higher_is_better else (spec - mean)
    if sd == 0:
        return 0.0 if gap == 0 else math.copysign(math.inf, gap)
    return float(gap / sd)


def standardized(mean: float, sd: float, spec: float, higher_is_better: bool) -> float:
    """Φ(z): the share of a normal population on the good side of the specification, the
    percentage SUM averages."""
    # scipy.stats on first use: the web app imports this module at start-up
    from scipy import stats as _st
    return float(_st.norm.cdf(z_score(mean, sd, spec, higher_is_better)))


def _continuous(values: Sequence[float], spec: float, higher_is_better: bool, confidence: float) -> dict | None:
    array = np.asarray(values, dtype=float)
    if array.size < MIN_CASES:
        return None
    mean, sd = float(array.mean()), float(array.std(ddof=1))
    interval = stats.mean_interval(array, confidence)
    ends = [standardized(v, sd, spec, higher_is_better) for v in (interval.low, interval.high) if v is not None]
    z = z_score(mean, sd, spec, higher_is_better)
    return {"estimate": standardized(mean, sd, spec, higher_is_better), "low": min(ends), "high": max(ends),
            "mean": mean, "sd": sd, "n": int(array.size), "spec": spec, "z": z if math.isfinite(z) else None}


def time_component(seconds: Sequence[float], spec: float, confidence: float = 0.95) -> dict | None:
    """Time on task against its specification limit (lower is better); None below two times."""
    return _continuous(seconds, spec, False, confidence)


def satisfaction_component(ratings: Sequence[float], spec: float, confidence: float = 0.95) -> dict | None:
    """Post-task satisfaction against its specification (higher is better); None below two."""
    return _continuous(ratings, spec, True, confidence)


def completion_component(successes: int, n: int, confidence: float = 0.95) -> dict:
    """The completion rate, a percentage as it stands, with its adjusted-Wald interval."""
    return {**stats.completion_interval(successes, n, confidence).as_dict(), "successes": successes, "n": n}


def errors_component(errors: int, opportunities: int, n: int, confidence: float = 0.95) -> dict:
    """1 − errors per opportunity (errors beyond the opportunities count as every one missed)."""
    if opportunities <= 0:
        raise ValueError(f"error opportunities must be at least 1, got {opportunities!r}")
    chances = opportunities * n
    missed = min(int(errors), chances)
    rate = stats.completion_interval(missed, chances, confidence)
    return {"estimate": 1 - rate.estimate, "low": 1 - rate.high, "high": 1 - rate.low,  # type: ignore[operator]
            "errors": int(errors), "opportunities": opportunities, "n": n}


def combine(components: dict[str, dict | None]) -> dict | None:
    """SUM: the average of the measures' percentages and of their limits; None if any is
    missing (an average of fewer measures is not a SUM)."""
    if not components or any(c is None for c in components.values()):
        return None
    parts = [c for c in components.values() if c is not None]
    return {key: float(np.mean([c[key] for c in parts])) for key in ("estimate", "low", "high")}


def task_sum(task_id: str, attempts: list[dict], spec: SumSpec, time_spec: tuple[float, str],
             confidence: float = 0.95) -> dict:
    """One task's SUM from its counted attempts (analyzer.summary's per-attempt measures)."""
    n = len(attempts)
    result: dict = {"id": task_id, "n": n, "time_spec": time_spec[0], "time_spec_from": time_spec[1],
                    "satisfaction_spec": spec.satisfaction, "sum": None, "components": None, "caution": None}
    if n == 0:
        result["caution"] = "no attempts"
        return result
    successes = sum(a["outcome"] == Outcome.SUCCESS for a in attempts)
    times = [a["time"] for a in attempts if a["time"] > 0]
    ratings = [a["seq_rating"] for a in attempts if a.get("seq_rating") is not None]
    components: dict[str, dict | None] = {
        "completion": completion_component(successes, n, confidence),
        "time": time_component(times, time_spec[0], confidence),
        "satisfaction": satisfaction_component(ratings, spec.satisfaction, confidence)}
    opportunities = spec.error_opportunities.get(task_id)
    if opportunities:
        components["errors"] = errors_component(sum(a["errors"] for a in attempts), opportunities, n, confidence)
    result["components"] = components
    result["variant"] = len(components)
    result["sum"] = combine(components)
    missing = [name for name, c in components.items() if c is None]
    if missing:
        result["caution"] = (f"too few for a SUM: {' and '.join(missing)} need{'s' if len(missing) == 1 else ''} "
                             f"at least {MIN_CASES} values")
    return result


def study_sum(study: Study, attempts_by_task: dict[str, list[dict]], confidence: float = 0.95) -> dict:
    """Every task's SUM and the study's: the mean of the task SUMs (and of their limits)."""
    spec = study.standards.sum
    tasks = [task_sum(t.id, attempts_by_task.get(t.id, []), spec, spec.time_for(t.id, t.time_limit), confidence)
             for t in study.tasks]
    scored = [t["sum"] for t in tasks if t["sum"]]
    overall = ({key: float(np.mean([s[key] for s in scored])) for key in ("estimate", "low", "high")}
               if scored else None)
    left_out = [t["id"] for t in tasks if not t["sum"]]
    return {"tasks": tasks, "study": overall, "satisfaction_spec": spec.satisfaction,
            "caution": f"the study's SUM leaves out {', '.join(left_out)} (not enough data)"
            if left_out and scored else None}
