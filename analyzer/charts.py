"""Report charts drawn with matplotlib (Agg, no display): every estimate with its interval
bar, because a small-sample number without its interval misleads."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from analyzer.stats import SUS_GRADES


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _bars(labels: list[str], estimates: list[float], lows: list, highs: list, xlabel: str,
          xmax: float | None, colour: str) -> bytes:
    figure = Figure(figsize=(7, 0.55 * max(len(labels), 2) + 1))
    axes = figure.subplots()
    y = np.arange(len(labels))
    low_err = [e - lo if lo is not None else 0 for e, lo in zip(estimates, lows)]
    high_err = [hi - e if hi is not None else 0 for e, hi in zip(estimates, highs)]
    axes.barh(y, estimates, color=colour, alpha=0.8)
    axes.errorbar(estimates, y, xerr=[low_err, high_err], fmt="none", ecolor="black", capsize=5)
    axes.set_yticks(y, labels)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    if xmax is not None:
        axes.set_xlim(0, xmax)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def completion_chart(tasks: list[dict]) -> bytes | None:
    """Completion rate per task with its adjusted-Wald 95 % interval."""
    rows = [t for t in tasks if t["completion"]]
    if not rows:
        return None
    return _bars([t["id"] for t in rows], [t["completion"]["estimate"] * 100 for t in rows],
                 [t["completion"]["low"] * 100 for t in rows], [t["completion"]["high"] * 100 for t in rows],
                 "completion rate (%), 95 % adjusted-Wald interval", 100, "#3a7d44")


def time_chart(tasks: list[dict]) -> bytes | None:
    """Geometric mean time of successful attempts with its 95 % interval (t on log times)."""
    rows = [t for t in tasks if t["time_success"]]
    if not rows:
        return None
    return _bars([t["id"] for t in rows], [t["time_success"]["estimate"] for t in rows],
                 [t["time_success"]["low"] for t in rows], [t["time_success"]["high"] for t in rows],
                 "time on task, successful attempts (s): geometric mean, 95 % interval", None, "#2f5d8a")


def sus_chart(sus: dict | None) -> bytes | None:
    """Participants' SUS scores over the curved grading scale, with the mean and its interval."""
    if not sus:
        return None
    figure = Figure(figsize=(7, 2.6))
    axes = figure.subplots()
    bounds = [100.0] + [low for low, _ in SUS_GRADES]
    for (low, grade), high, shade in zip(SUS_GRADES, bounds, np.linspace(0.95, 0.75, len(SUS_GRADES))):
        axes.axvspan(low, high, color=str(shade), lw=0)
        axes.text((low + high) / 2, 0.92, grade, ha="center", va="top", fontsize=7, transform=axes.get_xaxis_transform())
    scores = list(sus["scores"].values())
    axes.hist(scores, bins=np.arange(0, 102.5, 2.5), color="#8a4f2f")
    axes.axvline(sus["mean"], color="black", lw=2)
    if sus["low"] is not None:
        axes.axvspan(sus["low"], sus["high"], color="black", alpha=0.12)
    axes.set_xlim(0, 100)
    axes.set_xlabel(f"SUS score (mean {sus['mean']:.1f}, grade {sus['grade']})")
    axes.set_ylabel("participants")
    return _png(figure)
