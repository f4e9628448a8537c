"""Report sections for standardised results: SUM per task and for the study, with the
specification limits it was measured against, so a reader can judge the limits too. Both
the usual report and the Common Industry Format report (analyzer.report.cif) show it."""
from __future__ import annotations

from html import escape

from analyzer.report.format import percent, table

NAMES = {"completion": "completion", "time": "time on task", "satisfaction": "satisfaction (SEQ)",
         "errors": "errors per opportunity"}


def _component(c: dict | None) -> str:
    if c is None:
        return '<span class="muted">too few</span>'
    return percent(c, c["n"])


def sum_section(result: dict, heading: str = "h3") -> str:
    """SUM's table: each task's SUM and its measures as percentages, then the study's."""
    s = result.get("sum")
    if not s:
        return ""
    rows = []
    for t in s["tasks"]:
        c = t["components"] or {}
        spec = (f'{t["time_spec"]:g} s ({escape(t["time_spec_from"])})'
                + (f', {c["errors"]["opportunities"]} error opportunities' if c.get("errors") else ""))
        rows.append([f'<strong>{escape(t["id"])}</strong>',
                     percent(t["sum"], t["n"]) if t["sum"] else f'<span class="muted">{escape(t["caution"] or "–")}</span>',
                     *(_component(c.get(k)) if k in c else "–" for k in ("completion", "time", "satisfaction", "errors")),
                     spec])
    overall = (f'<p>The study\'s SUM, the mean of its tasks\' SUMs: {percent(s["study"], len(s["tasks"]))}'
               f'{". " + escape(s["caution"]) if s["caution"] else ""}.</p>' if s["study"] else
               '<p class="muted">No task has enough data for a SUM yet.</p>')
    return (f'<div id="sum"><{heading}>Single Usability Metric (SUM)</{heading}>'
            f'<p class="lead">Each measure as the share of the way it meets its specification (Sauro &amp; '
            f'Kindlund 2005): completion as it stands; time and satisfaction as Φ(z), z the distance of the '
            f'mean from its limit in standard deviations; errors as 1 − errors per opportunity. SUM averages '
            f'them (without error opportunities, the three-measure SUM). Satisfaction specification: '
            f'{s["satisfaction_spec"]:g} on SEQ\'s 1–7 scale.</p>'
            + table(["task", "SUM", "completion", "time", "satisfaction", "errors", "specification"], rows)
            + overall + "</div>")
