"""A study's report as one self-contained HTML file (images embedded), laid out after the
ISO/IEC 25062 Common Industry Format: effectiveness, efficiency and satisfaction per task,
each with the method that produced it and its confidence interval."""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from html import escape

from analyzer import charts
from analyzer.heatmap import render_heatmap
from analyzer.summary import Progress, analyze_study
from sessions.store import Store
from sessions.study import Study

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{margin-bottom:0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
img{max-width:100%;border:1px solid #ddd}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1em}
"""


def _img(png: bytes | None, alt: str) -> str:
    if not png:
        return f'<p class="muted">{escape(alt)}: no data yet.</p>'
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _pct(interval: dict | None) -> str:
    if not interval:
        return "–"
    text = f"{interval['estimate'] * 100:.0f} %"
    return text + (f" ({interval['low'] * 100:.0f}–{interval['high'] * 100:.0f})" if interval["low"] is not None else "")


def _num(interval: dict | None, unit: str = "", digits: int = 1) -> str:
    if not interval:
        return "–"
    value = interval.get("estimate", interval.get("mean"))
    text = f"{value:.{digits}f}{unit}"
    if interval.get("low") is not None:
        text += f" ({interval['low']:.{digits}f}–{interval['high']:.{digits}f})"
    return text


def _plain(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else escape(str(value))


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _summary(result: dict) -> str:
    rows = [[escape(t["id"]), _pct(t["completion"]), _plain(t["errors_per_attempt"]),
             _pct({"estimate": t["abandonment_rate"], "low": None}) if t["abandonment_rate"] is not None else "–",
             _num(t["time_success"], " s"), _plain(t["median_time"], 1), _num(t["seq"], "", 2)]
            for t in result["tasks"]]
    task_table = _table(["task", "effectiveness: completion (95 % CI)", "errors per attempt", "abandonment",
                         "efficiency: time on task, successes (95 % CI)", "median time (s)",
                         "satisfaction: SEQ mean (95 % CI)"], rows)
    q = result["questionnaires"]
    study_rows = []
    if q["sus"]:
        study_rows.append(["SUS", _num(q["sus"]), f"grade {escape(q['sus']['grade'])}, "
                           f"{q['sus']['percentile']:.0f}th percentile", str(q["sus"]["n"])])
    if q["umux_lite"]:
        study_rows.append(["UMUX-Lite", _num(q["umux_lite"]),
                           f"SUS equivalent {q['umux_lite']['sus_equivalent']:.1f}", str(q["umux_lite"]["n"])])
    if q["nps"]:
        n = q["nps"]
        study_rows.append(["NPS", f"{n['score']:.0f}", f"{n['promoters']} promoters, {n['passives']} passives, "
                           f"{n['detractors']} detractors", str(n["n"])])
    satisfaction = _table(["questionnaire", "mean (95 % CI)", "interpretation", "participants"], study_rows) \
        if study_rows else '<p class="muted">No post-session questionnaires answered yet.</p>'
    return f"<h2>Summary of results</h2>{task_table}<h3>Satisfaction (post-session)</h3>{satisfaction}"


def _details(result: dict) -> str:
    rows = [[escape(t["id"]), escape(t["prompt"]), str(t["attempts"]), str(t["successes"]),
             _pct(t["first_click_success"]), _plain(t["clicks_per_attempt"], 1), str(t["rage_clicks"]),
             str(t["dead_clicks"]), str(t["disagreements"])] for t in result["tasks"]]
    return "<h2>Tasks</h2>" + _table(["task", "prompt", "attempts", "successes", "first-click success",
                                      "clicks per attempt", "rage clicks", "dead clicks", "disagreements"], rows)


def _comparison(result: dict) -> str:
    comparison = result["comparison"]
    if not comparison:
        return ""
    a, b = comparison["groups"]
    rows = []
    for t in comparison["tasks"]:
        c, tm = t["completion"], t["time"]
        rows.append([escape(t["id"]),
                     f"{c[a]['successes']}/{c[a]['n']} vs {c[b]['successes']}/{c[b]['n']}, p = {c['p']:.3f}" if c else "–",
                     f"{tm[a]['estimate']:.1f} s vs {tm[b]['estimate']:.1f} s, p = {tm['p']:.3f}" if tm else "–"])
    return (f"<h2>Comparison: {escape(a)} vs {escape(b)}</h2>"
            + _table(["task", "completion (N−1 two-proportion test)", "time of successes (Welch's t on log times)"], rows))


def _participants(result: dict) -> str:
    rows = []
    for s in result["sessions"]:
        for a in s["attempts"]:
            first = a["first_click"]
            rows.append([escape(s["participant"]), escape(s["group"] or "–"), escape(a["task"]), escape(a["outcome"]),
                         f"{a['time']:.1f}", str(a["errors"]), str(a["clicks"]), str(a["keystrokes"]),
                         str(a["rage_clicks"]), str(a["dead_clicks"]),
                         "–" if not first else f"{first['t']:.1f} s" + ("" if first["hit"] is None else (" hit" if first["hit"] else " miss")),
                         escape(a["disagreement"] or "")])
    return "<h2>Attempts</h2>" + _table(["participant", "group", "task", "outcome", "time (s)", "errors", "clicks",
                                         "keys", "rage", "dead", "first click", "disagreement"], rows)


METHOD = """<h2>Method</h2><ul>
<li>Completion: successes / attempts with the adjusted-Wald (Agresti–Coull) 95 % interval (Sauro &amp; Lewis).</li>
<li>Time on task: attempt start to end minus privacy pauses; geometric mean with a t interval on ln(time).</li>
<li>Errors: confirmed moderator-logged errors plus appearances of the study's error screens (template matching).</li>
<li>Abandonment: attempts given up, timed out or abandoned over attempts.</li>
<li>SUS per Brooke (1996), graded on the Sauro–Lewis curved scale, percentile from a normal model (mean 68, sd 12.5);
UMUX-Lite per Lewis, Utesch &amp; Maher (2013) with SUS equivalent 0.65 × UMUX-Lite + 22.9; NPS = % promoters − % detractors.</li>
<li>Rage click: ≥ 3 clicks within 1 s inside 30 px. Dead click: no screen change within 1 s of a click.
Disagreement: the success screen appeared in an attempt the moderator did not mark a success.</li>
<li>Group comparisons: N−1 two-proportion test (Campbell 2007) and Welch's t test on log times; two-sided p.</li></ul>"""


def render_report(store: Store, study: Study, progress: Progress | None = None) -> str:
    """The whole report as one HTML string; nothing in it refers to another file."""
    result = analyze_study(store, study, progress=progress)
    tasks = result["tasks"]
    heatmaps = "".join(f"<figure><figcaption>{escape(t['id'])}</figcaption>"
                       f"{_img(render_heatmap(store, study, t['id']), 'click heatmap of ' + t['id'])}</figure>"
                       for t in tasks if t["attempts"])
    participants = len({s["participant"] for s in result["sessions"]})
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(study.title)}: usability report</title>
<style>{STYLE}</style></head><body>
<h1>{escape(study.title)}</h1>
<p class="muted">Usability test report · {len(result['sessions'])} sessions, {participants} participants,
{len(tasks)} tasks · generated {made} by uxlab</p>
{_summary(result)}
<h2>Charts</h2><div class="grid">
{_img(charts.completion_chart(tasks), 'completion rates')}
{_img(charts.time_chart(tasks), 'times on task')}
{_img(charts.sus_chart(result['questionnaires']['sus']), 'SUS scores')}</div>
{_details(result)}
{_comparison(result)}
<h2>Click heatmaps</h2><div class="grid">{heatmaps or '<p class="muted">No attempts yet.</p>'}</div>
{_participants(result)}
{METHOD}
</body></html>
"""
