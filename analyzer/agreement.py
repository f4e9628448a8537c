"""Agreement among severity raters: Krippendorff's alpha over problems × reviewers.

A severity is only worth reporting if independent reviewers would give it again; alpha says
how far their ratings agree beyond chance, for any number of raters and with ratings
missing. The coefficient follows Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability" (coincidence matrix, difference functions per level of measurement); the
interval is Hayes & Krippendorff's (2007) bootstrap of pairable values, with the expected
disagreement held fixed.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
RELIABLE, TENTATIVE = 0.8, 0.667     # Krippendorff's thresholds (2004, ch. 11.4.4)
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 23                  # a fixed seed: the same study gives the same interval


class AlphaUndefined(ValueError):
    """Alpha cannot be computed: too few pairable values or no variation at all."""


def _coincidences(data: Sequence[Sequence[object]], numeric: bool
                  ) -> tuple[list[Hashable], list[list[int]]]:
    """The values (sorted) and, per pairable unit, the index of each value it holds."""
    raters = [list(r) for r in data]
    if len(raters) < 2:
        raise AlphaUndefined(f"agreement needs at least two raters, got {len(raters)}")
    width = len(raters[0])
    if any(len(r) != width for r in raters):
        raise ValueError("every rater's list must cover the same units (None where not rated)")
    seen: set = set()
    for row in raters:
        for v in row:
            if v is None:
                continue
            if numeric and (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
                            or not math.isfinite(float(v))):
                raise ValueError(f"ratings must be finite numbers at this level, got {v!r}")
            seen.add(v)
    values = sorted(seen) if numeric else sorted(seen, key=repr)
    index = {v: i for i, v in enumerate(values)}
    units = []
    for u in range(width):
        held = [index[r[u]] for r in raters if r[u] is not None]
        if len(held) >= 2:                 # a unit rated once carries no agreement
            units.append(held)
    if not units:
        raise AlphaUndefined("no problem was rated by two raters or more")
    return values, units


def _deltas(values: list, marginals: np.ndarray, level: str) -> np.ndarray:
    """Squared differences between every two values at the level of measurement."""
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    v = np.asarray(values, dtype=float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        if np.any(v < 0):
            raise ValueError("ratio data cannot hold negative values")
        total = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(total == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(total == 0, 1, total)) ** 2)
        return d
    # ordinal: the ranks between c and k weighted by how often they occur, halves at the ends
    cum = np.concatenate([[0.0], np.cumsum(marginals)])
    d = np.zeros((k, k))
    for c in range(k):
        for e in range(c, k):
            span = cum[e + 1] - cum[c] - (marginals[c] + marginals[e]) / 2
            d[c, e] = d[e, c] = span ** 2
    return d


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    return level


@dataclass(frozen=True)
class _Parts:
    pairs: np.ndarray        # (i, j, weight) per unordered pair of values within a unit
    deltas: np.ndarray
    n: float
    expected: float          # D_e


def _parts(data: Sequence[Sequence[object]], level: str) -> _Parts:
    values, units = _coincidences(data, numeric=_level(level) != "nominal")
    k = len(values)
    o = np.zeros((k, k))
    rows = []
    for held in units:
        w = 1.0 / (len(held) - 1)
        for a in range(len(held)):
            for b in range(a + 1, len(held)):
                i, j = held[a], held[b]
                o[i, j] += w
                o[j, i] += w
                rows.append((i, j, 2 * w))
    marginals = o.sum(axis=1)
    n = float(marginals.sum())
    deltas = _deltas(values, marginals, level)
    expected = float(marginals @ deltas @ marginals) / (n * (n - 1))
    if expected == 0:
        raise AlphaUndefined("every rating has the same value: with no variation alpha is undefined")
    return _Parts(np.asarray(rows), deltas, n, expected)


def _alpha_of(parts: _Parts, pairs: np.ndarray) -> float:
    i, j, w = pairs[:, 0].astype(int), pairs[:, 1].astype(int), pairs[:, 2]
    observed = float(np.sum(w * parts.deltas[i, j])) / parts.n
    return 1.0 - observed / parts.expected


def krippendorff_alpha(data: Sequence[Sequence[object]], level: str = "ordinal") -> float:
    """Krippendorff's alpha of `data`, a list of raters' lists of values (None where a rater
    did not rate a unit): 1 is perfect agreement, 0 what chance gives."""
    parts = _parts(data, level)
    return _alpha_of(parts, parts.pairs)


@dataclass(frozen=True)
class Agreement:
    """Alpha with its bootstrap interval and what Krippendorff's thresholds make of it."""

    alpha: float
    low: float
    high: float
    level: str
    raters: int
    units: int                  # units rated by two raters or more
    verdict: str                # reliable | tentative | unreliable
    below_tentative: float      # bootstrap probability that alpha is below 0.667

    def as_dict(self) -> dict:
        return asdict(self)


def verdict(alpha: float) -> str:
    """Krippendorff's reading: >= 0.8 reliable, >= 0.667 tentative conclusions only."""
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE else "unreliable"


def agreement(data: Sequence[Sequence[object]], level: str = "ordinal", confidence: float = 0.95,
              samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> Agreement:
    """Alpha and its bootstrap interval (Hayes & Krippendorff 2007): the pairs of values
    within units are drawn with replacement, as many as there are, and alpha recomputed
    against the same expected disagreement; bootstrapped alphas below −1 count as −1."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    parts = _parts(data, level)
    alpha = _alpha_of(parts, parts.pairs)
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(parts.pairs), size=(samples, len(parts.pairs)))
    i, j = parts.pairs[:, 0].astype(int), parts.pairs[:, 1].astype(int)
    contribution = parts.pairs[:, 2] * parts.deltas[i, j] / (parts.n * parts.expected)
    boot = np.maximum(-1.0, 1.0 - contribution[drawn].sum(axis=1))
    tail = (1 - confidence) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    raters = sum(any(v is not None for v in r) for r in data)
    units = sum(sum(r[u] is not None for r in data) >= 2 for u in range(len(data[0])))
    return Agreement(alpha, float(low), float(high), level, raters, units, verdict(alpha),
                     float(np.mean(boot < TENTATIVE)))


def rating_matrix(ratings: Sequence[dict], problem_ids: Sequence[int]) -> tuple[list[str], list[list[int | None]]]:
    """The raters and their rows over `problem_ids` from rating rows (problem_id, rater,
    severity): the shape krippendorff_alpha takes."""
    raters = sorted({r["rater"] for r in ratings})
    column = {pid: c for c, pid in enumerate(problem_ids)}
    rows: list[list[int | None]] = [[None] * len(problem_ids) for _ in raters]
    where = {name: i for i, name in enumerate(raters)}
    for r in ratings:
        if r["problem_id"] in column:
            rows[where[r["rater"]]][column[r["problem_id"]]] = int(r["severity"])
    return raters, rows


def severity_agreement(ratings: Sequence[dict], problem_ids: Sequence[int]) -> dict:
    """Alpha (ordinal) of the severity ratings, or why it cannot be given: the one summary
    the problems page and the report show."""
    raters, rows = rating_matrix(ratings, problem_ids)
    if len(raters) < 2:
        return {"alpha": None, "raters": len(raters),
                "caution": f"alpha needs at least two raters; {len(raters)} rated so far"}
    try:
        result = agreement(rows).as_dict()
    except AlphaUndefined as why:
        return {"alpha": None, "raters": len(raters), "caution": f"alpha is undefined: {why}"}
    return {**result, "caution": None}
