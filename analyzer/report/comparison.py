"""The round-against-round comparison (analyzer.compare) as a chart and a report section,
"compared with round A": what improved, what did not, which problems went away."""
from __future__ import annotations

from html import escape

import numpy as np

from analyzer.report.charts import GROUP_COLOURS, INK, _figure, _png
from analyzer.report.format import image, table


def comparison_chart(comparison: dict) -> bytes | None:
    """Completion per task, round A beside round B, with each round's rate and the p of the
    N−1 two-proportion test under the task's name."""
    rows = [t for t in comparison["tasks"] if t["completion"]]
    if not rows:
        return None
    a, b = comparison["rounds"]
    figure, axes = _figure(7.2, 0.8 * max(len(rows), 2) + 1.4)
    y = np.arange(len(rows))
    axes.barh(y - 0.2, [t["completion"]["a"] * 100 for t in rows], height=0.38, color=GROUP_COLOURS[0],
              label=a)
    axes.barh(y + 0.2, [t["completion"]["b"] * 100 for t in rows], height=0.38, color=GROUP_COLOURS[1],
              label=b)
    axes.set_yticks(y, [f'{t["id"]}\np = {t["completion"]["p"]:.3f}' for t in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.set_xlabel("completion rate (%)")
    axes.set_title(f"Completion: {a} against {b}", loc="left", fontsize=11, color=INK,
                   fontweight="bold")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    return _png(figure)


def _pct(d: dict | None) -> str:
    if not d:
        return '<span class="muted">too few to compare</span>'
    return (f'{d["a"] * 100:.0f} % → {d["b"] * 100:.0f} %: {d["difference"] * 100:+.0f} points '
            f'<span class="ci">95 % CI {d["low"] * 100:+.0f} to {d["high"] * 100:+.0f}'
            + (f', p = {d["p"]:.3f}' if "p" in d else "") + "</span>")


def _time(d: dict | None) -> str:
    if not d:
        return '<span class="muted">too few to compare</span>'
    return (f'{d["a"]:.1f} s → {d["b"]:.1f} s ({d["difference"]:+.1f} s), ratio {d["ratio"]:.2f} '
            f'<span class="ci">95 % CI {d["ratio_low"]:.2f}–{d["ratio_high"]:.2f}, p = {d["p"]:.3f}</span>')


def _mean(d: dict | None, digits: int = 1) -> str:
    if not d:
        return '<span class="muted">too few to compare</span>'
    return (f'{d["a"]:.{digits}f} → {d["b"]:.{digits}f} ({d["difference"]:+.{digits}f}) '
            f'<span class="ci">95 % CI {d["low"]:+.{digits}f} to {d["high"]:+.{digits}f}, p = {d["p"]:.3f}</span>')


def comparison_section(comparison: dict) -> str:
    """The comparison as a report section: tasks, SUS and SUM, then the problems."""
    a, b = comparison["rounds"]
    rows = [[f'<strong>{escape(t["id"])}</strong>', escape(t["verdict"]), _pct(t["completion"]), _time(t["time"]),
             _mean(t["seq"], 2), _pct(t["sum"])] for t in comparison["tasks"]]
    skipped = "".join(f'<li><strong>{escape(t["id"])}</strong>: {escape(t["why"])}, not compared</li>'
                      for t in comparison["not_compared"])
    problems = comparison["problems"]

    def listed(items: list[dict], empty: str) -> str:
        if not items:
            return f'<span class="muted">{empty}</span>'
        return "; ".join(f'#{p["id"]} {escape(p["title"])}' for p in items)

    persisting = "; ".join(f'#{p["a"]["id"]} {escape(p["a"]["title"])} (now #{p["b"]["id"]})'
                           for p in problems["persisting"]) or '<span class="muted">none</span>'
    return (f'<section id="comparison"><h2>Compared with {escape(a)}</h2>'
            f'<p class="lead">{escape(b)} minus {escape(a)}: completion by the N−1 two-proportion test '
            f'(adjusted-Wald interval of the difference), times of successful attempts by Welch\'s t on log times '
            f'(the ratio of geometric means), SEQ and SUS by Welch\'s t; "improved" needs p &lt; 0.05.</p>'
            + image(comparison_chart(comparison), "completion in both rounds", css="chart")
            + table(["task", "verdict", "completion", "time, successes", "SEQ", "SUM"], rows)
            + (f"<ul>{skipped}</ul>" if skipped else "")
            + f'<p>SUS: {_mean(comparison["sus"])}. Study SUM: {_pct(comparison["sum"])}.</p>'
            + f'<h3>Problems</h3><ul><li>gone: {listed(problems["gone"], "none")}</li>'
              f'<li>persisting: {persisting}</li><li>new: {listed(problems["new"], "none")}</li></ul></section>')
