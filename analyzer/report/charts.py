"""Report charts drawn with matplotlib (Agg, no display): every estimate with its interval
bar and its n, because a small-sample number without its interval misleads."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer import stats
from analyzer.stats import SUS_GRADES

# matplotlib is imported where a chart is drawn: the web app imports this module at start-up,
# and matplotlib costs ~0.4 s of CPU
if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Sauro (2011), "What is a good task-completion rate?": the average over ~1,200 usability tasks
COMPLETION_BENCHMARK = 0.78
INK, GRID = "#1f2933", "#d5dae1"
COLOURS = {"completion": "#2f7d4f", "time": "#2f5d8a", "seq": "#7a4f9a", "sus": "#a35a2a"}
GROUP_COLOURS = ("#2f5d8a", "#d08c2c")
TIME_AXIS_SPAN = 2.5     # the time axis reaches this many times the slowest task's estimate


@dataclass
class Bar:
    """One bar: its label, estimate and interval (None when n is too small for one)."""

    label: str
    estimate: float
    low: float | None
    high: float | None
    n: int


def _literal(text: str) -> str:
    """A researcher's own words drawn as typed: matplotlib would read `$...$` as math."""
    return text.replace("$", "\\$")


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure
    figure = Figure(figsize=(width, height))
    axes = figure.subplots()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#9aa5b1")
    axes.tick_params(colors=INK, labelsize=9)
    axes.xaxis.label.set_color(INK)
    axes.yaxis.label.set_color(INK)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _errors(bars: list[Bar]) -> np.ndarray:
    low = [b.estimate - b.low if b.low is not None else 0.0 for b in bars]
    high = [b.high - b.estimate if b.high is not None else 0.0 for b in bars]
    return np.array([low, high])


def _clipped(low: float | None, high: float | None, bottom: float,
             top: float) -> tuple[float | None, float | None]:
    """A t interval's limits kept on the rating scale (no mean can lie outside it)."""
    if low is None or high is None:
        return low, high
    return max(low, bottom), min(high, top)


def _hbars(bars: list[Bar], xlabel: str, colour: str, xlim: tuple[float, float] | None,
           fmt: str, title: str) -> tuple[Figure, Any]:
    figure, axes = _figure(7.2, 0.62 * max(len(bars), 2) + 1.3)
    y = np.arange(len(bars))
    left = xlim[0] if xlim else 0.0
    axes.barh(y, [b.estimate - left for b in bars], color=colour, alpha=0.85, height=0.6, left=left)
    axes.errorbar([b.estimate for b in bars], y, xerr=_errors(bars), fmt="none", ecolor=INK, capsize=5, lw=1.4)
    axes.set_yticks(y, [f"{b.label}\nn = {b.n}" for b in bars])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.set_title(title, loc="left", fontsize=11, color=INK, fontweight="bold")
    if xlim:
        axes.set_xlim(*xlim)
    right = axes.get_xlim()[1]
    for i, b in enumerate(bars):
        end = b.high if b.high is not None else b.estimate
        note = fmt.format(b.estimate) + ("" if b.low is not None else " (no interval: n too small)")
        axes.text(min(end + 0.015 * right, right), i, " " + note, va="center", fontsize=8.5, color=INK,
                  clip_on=False)
    axes.grid(axis="x", color=GRID, lw=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def completion_chart(tasks: list[dict]) -> bytes | None:
    """Completion rate per task with its adjusted-Wald 95 % interval and the 78 % average."""
    rows = [t for t in tasks if t["completion"]]
    if not rows:
        return None
    bars = [Bar(t["id"], t["completion"]["estimate"] * 100, t["completion"]["low"] * 100,
                t["completion"]["high"] * 100, t["attempts"]) for t in rows]
    figure, axes = _hbars(bars, "completion rate (%) with 95 % adjusted-Wald interval", COLOURS["completion"],
                          (0, 118), "{:.0f} %", "Effectiveness: task completion")
    axes.set_xticks(range(0, 101, 20))
    axes.axvline(COMPLETION_BENCHMARK * 100, color="#b83232", ls="--", lw=1.2)
    axes.text(COMPLETION_BENCHMARK * 100, 1.0, " 78 % average", transform=axes.get_xaxis_transform(),
              fontsize=8, color="#b83232", va="bottom")
    return _png(figure)


def time_chart(tasks: list[dict]) -> bytes | None:
    """Geometric mean time of successful attempts with its 95 % interval (t on log times).

    With two or three times the interval can run to hours; the axis stops at a few times the
    slowest estimate so the other tasks stay readable, and a cut interval ends in an arrow
    labelled with its real upper limit.
    """
    rows = [t for t in tasks if t["time_success"]]
    if not rows:
        return None
    bars = [Bar(t["id"], t["time_success"]["estimate"], t["time_success"]["low"], t["time_success"]["high"],
                t["successes"]) for t in rows]
    cap = min(max((b.high if b.high is not None else b.estimate) for b in bars),
              TIME_AXIS_SPAN * max(b.estimate for b in bars))
    shown = [Bar(b.label, b.estimate, b.low, None if b.high is None else min(b.high, cap), b.n) for b in bars]
    figure, axes = _hbars(shown, "time on task of successful attempts (s): geometric mean, 95 % interval",
                          COLOURS["time"], (0, cap * 1.3), "{:.1f} s", "Efficiency: time on task")
    for i, (b, drawn) in enumerate(zip(bars, shown)):
        if b.high is not None and drawn.high is not None and b.high > drawn.high:
            axes.plot([cap], [i], marker=">", color=INK, markersize=7, clip_on=False)
            axes.text(cap, i + 0.32, f"interval runs to {b.high:,.0f} s", fontsize=7.5, color=INK, ha="right")
    return _png(figure)


def seq_chart(tasks: list[dict]) -> bytes | None:
    """Mean Single Ease Question rating per task (1 very difficult – 7 very easy), t interval."""
    rows = [t for t in tasks if t["seq"]]
    if not rows:
        return None
    bars = [Bar(t["id"], t["seq"]["estimate"], *_clipped(t["seq"]["low"], t["seq"]["high"], 1, 7), t["seq"]["n"])
            for t in rows]
    figure, axes = _hbars(bars, "SEQ rating, 1 = very difficult … 7 = very easy (mean, 95 % t interval)",
                          COLOURS["seq"], (1, 8.2), "{:.1f}", "Satisfaction: ease per task (SEQ)")
    axes.set_xticks(range(1, 8))
    return _png(figure)


def sus_chart(sus: dict | None) -> bytes | None:
    """Participants' SUS scores over the curved grading scale, with the mean and its interval."""
    if not sus:
        return None
    figure, axes = _figure(7.2, 2.8)
    bounds = [100.0] + [low for low, _ in SUS_GRADES]
    for (low, grade), high, shade in zip(SUS_GRADES, bounds, np.linspace(0.97, 0.8, len(SUS_GRADES))):
        axes.axvspan(low, high, color=str(shade), lw=0)
        if high - low >= 3:          # the narrow plus/minus bands would only overprint each other
            axes.text((low + high) / 2, 0.97, grade, ha="center", va="top", fontsize=7.5, color="#52606d",
                      transform=axes.get_xaxis_transform())
    scores = list(sus["scores"].values())
    counts, _, _ = axes.hist(scores, bins=np.arange(0, 102.5, 2.5), color=COLOURS["sus"], alpha=0.9)
    top = float(max(counts.max(), 1))
    axes.axvline(68, color="#b83232", ls="--", lw=1.2)
    axes.text(68.5, top * 1.02, "68 average", fontsize=7.5, color="#b83232", va="bottom")
    # the mean and its interval above the distribution, apart from the grade bands
    level = top * 1.3
    if sus["low"] is not None:
        low, high = max(sus["low"], 0.0), min(sus["high"], 100.0)
        axes.errorbar([sus["mean"]], [level], xerr=[[sus["mean"] - low], [high - sus["mean"]]], fmt="o",
                      color=INK, capsize=5, lw=1.6, markersize=6)
    else:
        axes.plot([sus["mean"]], [level], "o", color=INK, markersize=6)
    axes.set_ylim(0, top * 1.55)
    axes.set_xlim(0, 100)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(f"SUS score (bars: participants; dot: mean {sus['mean']:.1f}, grade {sus['grade']}, "
                    f"with its 95 % interval; n = {sus['n']})")
    axes.set_ylabel("participants")
    axes.set_title("Satisfaction: System Usability Scale", loc="left", fontsize=11, color=INK, fontweight="bold")
    return _png(figure)


def comparison_chart(comparison: dict | None) -> bytes | None:
    """Completion per task for the two groups side by side, each with its adjusted-Wald interval."""
    if not comparison:
        return None
    rows = [t for t in comparison["tasks"] if t["completion"]]
    if not rows:
        return None
    groups = comparison["groups"]
    figure, axes = _figure(7.2, 0.9 * max(len(rows), 2) + 1.3)
    y = np.arange(len(rows))
    height = 0.36
    for g, (group, colour) in enumerate(zip(groups, GROUP_COLOURS)):
        bars = []
        for t in rows:
            c = t["completion"][group]
            interval = stats.completion_interval(c["successes"], c["n"])
            low, high = interval.low or 0.0, interval.high or 0.0   # a completion interval always has both
            bars.append(Bar(group, interval.estimate * 100, low * 100, high * 100, c["n"]))
        offset = y + (g - 0.5) * height
        axes.barh(offset, [b.estimate for b in bars], height=height * 0.9, color=colour, alpha=0.85,
                  label=f"group {_literal(group)}")
        axes.errorbar([b.estimate for b in bars], offset, xerr=_errors(bars), fmt="none", ecolor=INK,
                      capsize=3, lw=1.2)
        for yy, b in zip(offset, bars):
            axes.text((b.high or b.estimate) + 1.5, yy, f"{b.estimate:.0f} % (n = {b.n})", va="center", fontsize=8, color=INK)
    axes.set_yticks(y, [t["id"] for t in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 125)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("completion rate (%) with 95 % adjusted-Wald interval")
    axes.set_title(f"Completion by design: {_literal(groups[0])} vs {_literal(groups[1])}", loc="left", fontsize=11, color=INK,
                   fontweight="bold")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    axes.grid(axis="x", color=GRID, lw=0.8)
    axes.set_axisbelow(True)
    return _png(figure)


def discovery_figure(curve: dict, participants: int) -> Figure:
    """The discovery curve 1 − (1 − p_adj)^n, with the study's sample and the goal marked:
    how much of what these tasks can reveal the study has probably seen."""
    figure, axes = _figure(6.0, 3.2)
    n, found = curve["n"], [100 * v for v in curve["discovered"]]
    axes.plot(n, found, color=COLOURS["completion"], linewidth=2)
    axes.axhline(100 * curve["goal"], color=GRID, linestyle="--", linewidth=1)
    axes.text(n[-1], 100 * curve["goal"] + 1.5, f"{curve['goal'] * 100:.0f} % goal: n = {curve['needed']}",
              ha="right", fontsize=8, color=INK)
    if participants:
        axes.scatter([participants], [100 * curve["now"]], color=COLOURS["sus"], zorder=3)
        axes.annotate(f"this study: n = {participants}, {curve['now'] * 100:.0f} %",
                      (participants, 100 * curve["now"]), textcoords="offset points", xytext=(8, -14),
                      fontsize=8, color=INK)
    axes.set_xlim(1, n[-1])
    from matplotlib.ticker import MaxNLocator
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))   # people come in whole numbers
    axes.set_ylim(0, 102)
    axes.set_xlabel("participants")
    axes.set_ylabel("problems discovered (%)")
    axes.set_title(f"Discovery of problems with p = {curve['p']:.2f} (adjusted)", fontsize=10, color=INK)
    return figure


def discovery_chart(curve: dict, participants: int) -> bytes:
    """The discovery curve as a PNG."""
    return _png(discovery_figure(curve, participants))
