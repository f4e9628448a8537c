"""Usability statistics as Sauro & Lewis (Quantifying the User Experience, 2nd ed.) and the
questionnaires' authors define them: the one place these formulas live.

Everything else (summaries, reports, the web app) calls these functions, so a number shown
anywhere in uxlab is computed the same published way. Bad input raises ValueError with a
sentence a researcher can act on, never a silent NaN.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from types import ModuleType

import numpy as np

from analyzer.agreement import (
    krippendorff_alpha as krippendorff_alpha,  # one alpha for report, web and tests
)


def _scipy_stats() -> ModuleType:
    """scipy.stats, imported on first use: its import costs about a second of CPU, which
    every web app and `uxlab serve` would pay at start-up for views that may never compute
    an interval."""
    from scipy import stats
    return stats


# Sauro & Lewis's curved grading scale for SUS: (lowest score of the grade, grade)
SUS_GRADES = (
    (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
    (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0.0, "F"),
)
# Percentile ranks of raw SUS scores from the published distribution of about 500 studies:
# Sauro (2011), "A Practical Guide to the System Usability Scale", table of SUS scores and
# percentile ranks, reproduced in Sauro & Lewis, Quantifying the User Experience (2nd ed.),
# ch. 8. The distribution is skewed (52 is the 15th percentile, not the normal model's
# 10th), so ranks between the anchors are interpolated linearly rather than modelled.
SUS_PERCENTILES = (
    (0.0, 0.0), (5.0, 0.3), (10.0, 0.4), (15.0, 0.7), (20.0, 1.0), (25.0, 1.5), (30.0, 2.0),
    (35.0, 4.0), (40.0, 6.0), (45.0, 8.0), (50.0, 13.0), (55.0, 19.0), (60.0, 29.0),
    (65.0, 41.0), (66.0, 44.0), (67.0, 47.0), (68.0, 50.0), (69.0, 53.0), (70.0, 56.0),
    (71.0, 60.0), (72.0, 63.0), (73.0, 67.0), (74.0, 70.0), (75.0, 73.0), (76.0, 77.0),
    (77.0, 80.0), (78.0, 83.0), (79.0, 86.0), (80.0, 88.0), (85.0, 97.0), (90.0, 99.8),
    (95.0, 99.9999), (100.0, 100.0),
)


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence limits; limits are None when n is too small."""

    estimate: float
    low: float | None
    high: float | None

    def as_dict(self) -> dict:
        return asdict(self)


class OffTheScale(ValueError):
    """An answer that is not a whole number on its questionnaire's scale: bad data, not a bug."""


def _check_confidence(confidence: float) -> float:
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(confidence)


def _whole(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not float(value).is_integer():
        raise OffTheScale(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _numbers(values: Iterable, name: str) -> np.ndarray:
    try:
        array = np.asarray(list(values), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat list of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers, got {array.tolist()!r}")
    return array


def _likert(value: object, low: int, high: int, name: str) -> int:
    number = _whole(value, name)
    if not low <= number <= high:
        raise OffTheScale(f"{name} must be between {low} and {high}, got {value!r}")
    return number


def completion_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Adjusted-Wald (Agresti-Coull) interval: small-sample completion rates need it because
    the plain Wald interval is far too narrow below ~150 participants (Sauro & Lewis ch. 3)."""
    confidence = _check_confidence(confidence)
    x, n = _whole(successes, "successes"), _whole(n, "n")
    if n <= 0:
        raise ValueError(f"a completion rate needs at least one attempt (n = {n})")
    if not 0 <= x <= n:
        raise ValueError(f"successes must be between 0 and n = {n}, got {x}")
    z = float(_scipy_stats().norm.ppf(1 - (1 - confidence) / 2))
    n_adj = n + z * z
    p_adj = (x + z * z / 2) / n_adj
    margin = z * math.sqrt(p_adj * (1 - p_adj) / n_adj)
    return Interval(x / n, max(0.0, p_adj - margin), min(1.0, p_adj + margin))


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float | None, float | None]:
    mean = float(values.mean())
    if values.size < 2:
        return mean, None, None
    sem = float(values.std(ddof=1)) / math.sqrt(values.size)
    q = float(_scipy_stats().t.ppf(1 - (1 - confidence) / 2, values.size - 1))
    return mean, mean - q * sem, mean + q * sem


def mean_interval(values: Iterable[float], confidence: float = 0.95) -> Interval:
    """Arithmetic mean with a t interval (rating scales such as SEQ and SUS)."""
    confidence = _check_confidence(confidence)
    array = _numbers(values, "values")
    if array.size == 0:
        raise ValueError("a mean needs at least one value")
    return Interval(*_t_interval(array, confidence))


MIN_TIMES_FOR_INTERVAL = 3   # two times give t(0.975, 1) = 12.7: limits such as 0.3-838.6 s


def time_interval(seconds: Iterable[float], confidence: float = 0.95) -> Interval:
    """Geometric mean with a t interval on ln(times): task times are right-skewed, and the
    geometric mean is the least biased middle for small samples (Sauro & Lewis ch. 3).
    Fewer than three times get no limits: an interval that wide says nothing, and the
    CLI, the dashboard and the report all show its absence the same way."""
    confidence = _check_confidence(confidence)
    array = _numbers(seconds, "times")
    if array.size == 0:
        raise ValueError("a time on task needs at least one time")
    if np.any(array <= 0):
        raise ValueError(f"times must be positive seconds, got {array[array <= 0].tolist()!r}")
    if array.size < MIN_TIMES_FOR_INTERVAL:
        return Interval(float(math.exp(np.log(array).mean())), None, None)
    mean, low, high = _t_interval(np.log(array), confidence)
    return Interval(math.exp(mean), None if low is None else math.exp(low),
                    None if high is None else math.exp(high))


def sus_score(responses: Sequence[int]) -> float:
    """Brooke (1996): odd items contribute answer − 1, even items 5 − answer; the sum × 2.5."""
    answers = list(responses)
    if len(answers) != 10:
        raise ValueError(f"SUS has exactly 10 answers, got {len(answers)}")
    total = 0
    for number, answer in enumerate(answers, start=1):
        value = _likert(answer, 1, 5, f"SUS item {number}")
        total += value - 1 if number % 2 else 5 - value
    return total * 2.5


def _check_sus(score: float) -> float:
    if isinstance(score, bool) or not isinstance(score, (int, float, np.number)) \
            or not 0 <= float(score) <= 100:
        raise ValueError(f"a SUS score is between 0 and 100, got {score!r}")
    return float(score)


def sus_grade(score: float) -> str:
    """The Sauro-Lewis curved grading scale (A+ to F)."""
    score = _check_sus(score)
    return next(grade for low, grade in SUS_GRADES if score >= low)


def sus_percentile(score: float) -> float:
    """Percentile rank (0-100) of a SUS score, interpolated in Sauro's published table
    (SUS_PERCENTILES), because the normal model misplaces the lower scores."""
    scores, ranks = zip(*SUS_PERCENTILES)
    return float(np.interp(_check_sus(score), scores, ranks))


def umux_lite(item1: int, item2: int) -> float:
    """Lewis, Utesch & Maher (2013): two 7-point items → (item1 + item2 − 2) × 100/12."""
    a = _likert(item1, 1, 7, "UMUX-Lite item 1")
    b = _likert(item2, 1, 7, "UMUX-Lite item 2")
    return (a + b - 2) * 100 / 12


def umux_lite_sus(item1: int, item2: int) -> float:
    """The regression SUS equivalent of UMUX-Lite (Lewis, Utesch & Maher 2013): 0.65x + 22.9."""
    return 0.65 * umux_lite(item1, item2) + 22.9


def nps(scores: Iterable[float]) -> float:
    """Net Promoter Score: % promoters (9-10) − % detractors (0-6), from −100 to 100."""
    values = [_likert(s, 0, 10, "an NPS answer") for s in scores]
    if not values:
        raise ValueError("an NPS needs at least one answer")
    promoters = sum(v >= 9 for v in values)
    detractors = sum(v <= 6 for v in values)
    return 100.0 * (promoters - detractors) / len(values)


def compare_completion(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p of the N−1 two-proportion test (Campbell 2007; Sauro & Lewis ch. 5):
    Pearson's test with N replaced by N − 1, accurate down to expected counts of 1."""
    x1, n1 = _whole(x1, "x1"), _whole(n1, "n1")
    x2, n2 = _whole(x2, "x2"), _whole(n2, "n2")
    for x, n, label in ((x1, n1, "group 1"), (x2, n2, "group 2")):
        if n <= 0:
            raise ValueError(f"{label} has no attempts to compare")
        if not 0 <= x <= n:
            raise ValueError(f"{label}: successes must be between 0 and {n}, got {x}")
    total = n1 + n2
    pooled = (x1 + x2) / total
    if pooled in (0.0, 1.0):
        return 1.0  # every attempt in both groups ended the same way: no difference
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) * math.sqrt((total - 1) / total) / se
    return float(2 * _scipy_stats().norm.sf(abs(z)))


def compare_times(times1: Iterable[float], times2: Iterable[float]) -> float:
    """Two-sided p of Welch's t test on ln(times) (unequal variances; Sauro & Lewis ch. 5)."""
    a, b = _numbers(times1, "times1"), _numbers(times2, "times2")
    for values, label in ((a, "times1"), (b, "times2")):
        if values.size < 2:
            raise ValueError(f"{label}: comparing times needs at least two times per group")
        if np.any(values <= 0):
            raise ValueError(f"{label}: times must be positive seconds")
    la, lb = np.log(a), np.log(b)
    if la.var() == 0 and lb.var() == 0:
        return 1.0 if la[0] == lb[0] else 0.0  # no spread at all: the t statistic is undefined
    return float(_scipy_stats().ttest_ind(la, lb, equal_var=False).pvalue)


def csat(scores: Iterable[float], confidence: float = 0.95) -> Interval:
    """CSAT: the share of 5-point satisfaction answers in the top two boxes (4 or 5), with
    its adjusted-Wald interval (a proportion of a small sample, like a completion rate)."""
    values = [_likert(s, 1, 5, "a CSAT answer") for s in scores]
    if not values:
        raise ValueError("a CSAT needs at least one answer")
    return completion_interval(sum(v >= 4 for v in values), len(values), confidence)


def ces(scores: Iterable[float], confidence: float = 0.95) -> Interval:
    """CES (7-point agreement that it was easy): the mean with a t interval, its limits
    kept on the scale since a mean of 1-7 answers cannot lie outside 1-7."""
    values = [_likert(s, 1, 7, "a CES answer") for s in scores]
    if not values:
        raise ValueError("a CES needs at least one answer")
    mean, low, high = _t_interval(np.asarray(values, dtype=float), _check_confidence(confidence))
    def clip(v: float | None) -> float | None:
        return None if v is None else min(7.0, max(1.0, v))

    return Interval(mean, clip(low), clip(high))


def ces_agreement(scores: Iterable[float], confidence: float = 0.95) -> Interval:
    """The share of CES answers that agree (5, 6 or 7), with its adjusted-Wald interval."""
    values = [_likert(s, 1, 7, "a CES answer") for s in scores]
    if not values:
        raise ValueError("a CES needs at least one answer")
    return completion_interval(sum(v >= 5 for v in values), len(values), confidence)


@dataclass(frozen=True)
class Discovery:
    """Problem discovery from a participant × problem matrix (Sauro & Lewis ch. 7)."""

    participants: int
    problems_seen: int
    seen_once: int               # N1: problems met by exactly one participant
    p_observed: float | None
    p_adjusted: float | None
    problems_estimated: float | None
    undiscovered: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def discovery(matrix: Sequence[Sequence[object]]) -> Discovery:
    """Observed and small-sample-adjusted discovery rate, and the problems still to find.

    Rows are participants, columns problems, truthy where a participant met a problem.
    Small samples overestimate p, so p is adjusted as Lewis (2001) recommends: the mean of
    the deflation estimate (p − 1/n)(1 − 1/n) and the Good–Turing estimate p / (1 + N1/N).
    The total the tasks can reveal is N / (1 − (1 − p_adj)^n). Columns nobody met are left
    out: a problem nobody experienced is not a discovered one.
    """
    rows = [list(row) for row in matrix]
    if not rows:
        raise ValueError("discovery needs at least one participant (a row of the matrix)")
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every participant's row must list the same problems")
    marks = np.array([[bool(v) for v in row] for row in rows], dtype=bool).reshape(len(rows), width)
    counts = marks.sum(axis=0)
    counts = counts[counts > 0]
    n, seen = len(rows), int(counts.size)
    if seen == 0:
        return Discovery(n, 0, 0, None, None, None, None)
    once = int(np.sum(counts == 1))
    p = float(counts.sum()) / (n * seen)
    deflated = (p - 1 / n) * (1 - 1 / n)
    good_turing = p / (1 + once / seen)
    p_adj = (deflated + good_turing) / 2
    estimated = seen / proportion_discovered(p_adj, n)
    return Discovery(n, seen, once, p, p_adj, estimated, estimated - seen)


def _rate(p: float, name: str = "p") -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 < float(p) <= 1:
        raise ValueError(f"{name} must be a probability above 0 and at most 1, got {p!r}")
    return float(p)


def proportion_discovered(p: float, n: int) -> float:
    """1 − (1 − p)^n: the expected share of problems of probability p that n participants
    reveal at least once (the binomial model of problem discovery)."""
    p, n = _rate(p), _whole(n, "n")
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    return 1 - (1 - p) ** n


def discovery_sample_size(p: float, goal: float = 0.85) -> int:
    """The fewest participants whose expected discovery of problems of probability p reaches
    `goal` (Sauro & Lewis Table 7.1)."""
    p, goal = _rate(p), _rate(goal, "goal")
    if goal >= 1:
        raise ValueError("a discovery goal of 100 % is never reached; use e.g. 0.85 or 0.99")
    if p == 1:
        return 1
    n = max(1, math.ceil(math.log(1 - goal) / math.log(1 - p)))
    # the logarithms can land a hair off a whole number; the definition decides
    while n > 1 and proportion_discovered(p, n - 1) >= goal - 1e-12:
        n -= 1
    while proportion_discovered(p, n) < goal - 1e-12:
        n += 1
    return n
