"""A study's report as one self-contained HTML file, written to be sent to a stakeholder.

It opens with an executive summary (a one-line verdict per task, the study's SUS and NPS,
the top issues), then follows the ISO/IEC 25062 Common Industry Format: method
(participants, tasks, environment, measures), results (effectiveness, efficiency,
satisfaction, a comparison of two designs), the issues in detail with a picture of where
they happened, click heatmaps, and every attempt in an appendix. Every estimate carries its
95 % interval and its n; every piece of text a person typed is escaped.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from html import escape

from analyzer.data.study_data import load_study_data
from analyzer.findings import problem_list
from analyzer.report import charts
from analyzer.report.comparison import comparison_section
from analyzer.report.findings import heatmaps_section, issues_section, notes_section
from analyzer.report.format import duration, number, percent, plural, table
from analyzer.report.paths import paths_section
from analyzer.report.problems import problems_section
from analyzer.report.quotes import quotes_section
from analyzer.report.results import (
    ELEVEN,
    HUNDRED,
    SEQ,
    appendix_section,
    errors_cell,
    group_time,
    nps_counts,
    recommend,
    results_section,
)
from analyzer.report.style import STYLE
from analyzer.summary import Progress, analyze_study
from analyzer.top_issues import find_issues
from sessions.events import SessionStatus
from sessions.store import Store
from sessions.study import Study

SUMMARY_ISSUES = 5          # issues listed in the executive summary


def render_report(store: Store, study: Study, progress: Progress | None = None, *, replay_base: str = "",
                  comparison: dict | None = None) -> str:
    """The whole report as one HTML string; nothing in it refers to another file (its quotes
    link to the replay on the lab server at `replay_base`, when given). `comparison`
    (analyzer.compare) adds the section "compared with round A" after the results."""
    data = load_study_data(store, study, progress=progress)   # every session read once
    result = analyze_study(store, study, data=data)
    rows = {s.id: s.session for s in data.sessions}
    names = {s["id"]: s["participant"] for s in result["sessions"]}
    issues = find_issues(store, study, result, data)
    ltr = recommend(store, result)
    body = "".join([
        _header(study, result, rows),
        problems_section(store, problem_list(store)),
        _executive(result, issues, ltr),
        _method(study, result, rows, store.participants.all()),
        results_section(result, ltr),
        comparison_section(comparison) if comparison else "",
        issues_section(store, issues, names),
        quotes_section(store, result, replay_base),
        notes_section(store, result),
        heatmaps_section(data, result),
        paths_section(store, study),
        appendix_section(result),
    ])
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(study.title)}: usability test report</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


# -- header and executive summary ---------------------------------------------------------
def _header(study: Study, result: dict, rows: dict) -> str:
    """Title, sample and dates; sessions that did not finish are counted, not hidden."""
    dates = sorted(rows[s["id"]]["started_wall"][:10] for s in result["sessions"] if rows[s["id"]].get("started_wall"))
    span = "no sessions yet" if not dates else dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    people = len({s["participant"] for s in result["sessions"]})
    unfinished = Counter(s["status"] for s in result["sessions"] if s["status"] != SessionStatus.COMPLETE)
    statuses = "".join(f" ({count} {escape(status)})" for status, count in sorted(unfinished.items()))
    return (f'<header><p class="kicker">Usability test report</p><h1>{escape(study.title)}</h1>'
            f'<p class="meta">{plural(people, "participant")} · {plural(len(result["sessions"]), "session")}'
            f'{statuses} · {plural(len(study.tasks), "task")} · tested {escape(span)} · generated {made} by uxlab</p>'
            f'<nav><a href="#problems">Problems</a><a href="#summary">Summary</a><a href="#method">Method</a><a href="#results">Results</a>'
            f'<a href="#issues">Issues</a><a href="#quotes">Quotes</a><a href="#notes">Notes</a><a href="#heatmaps">Heatmaps</a>'
            f'<a href="#attempts">Attempts</a></nav></header>')


def _verdict(task: dict) -> tuple[str, str]:
    """Completion against the 78 % average of ~1,200 tasks (Sauro 2011), judged by the interval:
    a verdict only when the whole interval lies on one side of it."""
    c = task["completion"]
    benchmark = charts.COMPLETION_BENCHMARK
    if not c:
        return "none", "not attempted"
    if c["low"] >= benchmark:
        return "good", "above average"
    if c["high"] < benchmark:
        return "bad", "below average"
    return "unsure", "inconclusive"


def _task_line(result: dict, task: dict) -> str:
    tone, label = _verdict(task)
    head = (f'<div class="verdict"><strong>{escape(task["id"])}</strong>'
            f'<span class="badge {tone}">{escape(label)}</span></div>')
    lost = task.get("interrupted", 0)
    lost_note = f" ({plural(lost, 'attempt')} interrupted by the recorder, not counted)" if lost else ""
    if not task["attempts"]:
        return f'<li>{head}<div>Nobody has attempted it yet{lost_note}.</div></li>'
    parts = [f'{task["successes"]} of {task["attempts"]} attempts succeeded: '
             f'{percent(task["completion"], task["attempts"])}{lost_note}']
    if task["time_success"]:
        parts.append(f'successful attempts took {number(task["time_success"], task["successes"], " s")}')
    parts.append(f"errors per attempt {errors_cell(result, task)}")
    if task["seq"]:
        parts.append(f'ease (SEQ, 1–7) {number(task["seq"], task["seq"]["n"], scale=SEQ)}')
    return f"<li>{head}<div>{'; '.join(parts)}.</div></li>"


VERDICT_NOTE = ('<p class="note">Verdicts compare each task\'s completion interval with the 78 % average '
                'completion of ~1,200 usability tasks (Sauro 2011): <em>above</em> or <em>below average</em> '
                'only when the whole 95 % interval lies on that side, otherwise <em>inconclusive</em> '
                '(more participants would narrow the interval).</p>')


def _headline_satisfaction(result: dict, ltr: dict | None) -> str:
    q = result["questionnaires"]
    cards = []
    if q["sus"]:
        s = q["sus"]
        cards.append(f'<div class="card"><p class="label">SUS (0–100)</p><p class="big">{s["mean"]:.1f}'
                     f' <span class="grade">{escape(s["grade"])}</span></p><p>{number(s, s["n"], scale=HUNDRED)}</p>'
                     f'<p class="muted">{s["percentile"]:.0f}th percentile; 68 is average</p></div>')
    if q["nps"]:
        n = q["nps"]
        cards.append(f'<div class="card"><p class="label">Net Promoter Score</p><p class="big">{n["score"]:+.0f}</p>'
                     f'<p>{nps_counts(n)} '
                     f'(n = {n["n"]})</p><p class="muted">likelihood to recommend (0–10) '
                     f'{number(ltr, ltr["n"], scale=ELEVEN) if ltr else "–"}</p></div>')
    if q["umux_lite"]:
        u = q["umux_lite"]
        cards.append(f'<div class="card"><p class="label">UMUX-Lite (0–100)</p><p class="big">{u["mean"]:.1f}</p>'
                     f'<p>{number(u, u["n"], scale=HUNDRED)}</p><p class="muted">SUS equivalent {u["sus_equivalent"]:.1f}</p></div>')
    cards += _cx_cards(q)
    return f'<div class="cards">{"".join(cards)}</div>' if cards else \
        '<p class="muted">No post-session questionnaires answered yet.</p>'


def _cx_cards(q: dict) -> list[str]:
    """CSAT and CES cards, when the study asked them."""
    cards = []
    if q.get("csat"):
        c = q["csat"]
        cards.append(f'<div class="card"><p class="label">CSAT (top two of 5)</p><p class="big">'
                     f'{c["mean"] * 100:.0f} %</p><p>{c["satisfied"]} of {c["n"]} satisfied; 95 % CI '
                     f'{c["low"] * 100:.0f}–{c["high"] * 100:.0f} %</p></div>')
    if q.get("ces"):
        c = q["ces"]
        limits = f'95 % CI {c["low"]:.1f}–{c["high"]:.1f}' if c["low"] is not None else f'n = {c["n"]}'
        cards.append(f'<div class="card"><p class="label">CES (1–7)</p><p class="big">{c["mean"]:.1f}</p>'
                     f'<p>{limits}</p><p class="muted">{c["agreeing"]} of {c["n"]} agree it was easy '
                     f'({c["agree"]["estimate"] * 100:.0f} %)</p></div>')
    return cards


def _executive(result: dict, issues: list[dict], ltr: dict | None) -> str:
    tasks = "".join(_task_line(result, t) for t in result["tasks"])
    top = "".join(f'<li><a href="#issue-{i["rank"]}">{escape(i["title"])}</a> '
                  f'<span class="muted">— {len(i["participants"])} of {i["of"]} participants, '
                  f'{plural(i["occurrences"], "occurrence")}</span></li>' for i in issues[:SUMMARY_ISSUES])
    top_html = f"<ol>{top}</ol>" if top else '<p class="muted">No issues found in the recorded sessions.</p>'
    return (f'<section id="summary"><h2>Executive summary</h2><h3>Tasks</h3><ul class="verdicts">{tasks}</ul>'
            f"{VERDICT_NOTE}"
            f"<h3>Satisfaction</h3>{_headline_satisfaction(result, ltr)}"
            f"{_comparison_line(result)}<h3>Top issues</h3>{top_html}</section>")


def _comparison_line(result: dict) -> str:
    """Per task, what the two designs' completion and times say, in one sentence each."""
    comparison = result["comparison"]
    if not comparison:
        return ""
    a, b = comparison["groups"]
    lines = []
    for t in comparison["tasks"]:
        parts = []
        if t["completion"]:
            c = t["completion"]
            parts.append(f"{escape(a)} {c[a]['successes']}/{c[a]['n']} vs {escape(b)} {c[b]['successes']}/"
                         f"{c[b]['n']} succeeded, p = {c['p']:.3f} ({_significance(c['p'])})")
        if t["time"]:
            tm = t["time"]
            parts.append(f"successful attempts took {group_time(result, t, a)} vs {group_time(result, t, b)}, "
                         f"p = {tm['p']:.3f} ({_significance(tm['p'])})")
        if parts:
            lines.append(f"<li><strong>{escape(t['id'])}</strong>: {'; '.join(parts)}</li>")
    return (f"<h3>Designs compared: {escape(a)} vs {escape(b)}</h3><ul>{''.join(lines)}</ul>"
            if lines else "")


def _significance(p: float) -> str:
    return "a significant difference" if p < 0.05 else "no significant difference"


# -- method (ISO/IEC 25062 §5.2) ----------------------------------------------------------
def _method(study: Study, result: dict, rows: dict, attributes: dict[str, dict[str, str]]) -> str:
    # the participants' attributes (uxlab participant) that anyone here has, in study.toml's order
    named = [a for a in study.standards.attributes if any(a in attributes.get(s["participant"], {})
                                                          for s in result["sessions"])]
    people = [[escape(s["participant"]), escape(s["group"] or "–"),
               *(escape(attributes.get(s["participant"], {}).get(a, "–")) for a in named), escape(s["status"]),
               escape((rows[s["id"]].get("started_wall") or "")[:16].replace("T", " ")),
               duration(s["duration"]), str(len(s["attempts"]))] for s in result["sessions"]]
    participants = table(["participant", "group", *(a.replace("_", " ") for a in named), "session status",
                          "started (UTC)", "duration", "attempts"],
                         people) if people else '<p class="muted">No sessions recorded yet.</p>'
    tasks = [[f"<strong>{escape(t.id)}</strong>", escape(t.prompt),
              f"{t.time_limit:.0f} s" if t.time_limit else "none",
              "moderator, checked against the success screen" if t.success_screen else "moderator's judgement",
              plural(len(t.error_screens), "error screen") if t.error_screens else "–"] for t in study.tasks]
    return (f'<section id="method"><h2>Method</h2><h3>Participants</h3>{participants}'
            f"<h3>Tasks</h3>{table(['task', 'what participants were asked', 'time limit', 'success', 'errors'], tasks)}"
            f"<h3>Environment</h3>{_environment(study, result, rows)}<h3>Measures</h3>{MEASURES}</section>")


def _environment(study: Study, result: dict, rows: dict) -> str:
    screens = sorted({f"{d['width']}×{d['height']}" for d in (rows[s["id"]].get("device") or {} for s in result["sessions"])
                      if d.get("width") and d.get("height")})
    return (f"<p>Each session was recorded on the participant's screen ({escape(', '.join(screens) or 'size not recorded')} "
            f"pixels) at up to {study.capture.fps:g} frames per second, with every click, scroll and "
            f"key press ({escape(study.capture.keystrokes)} keystrokes) on the same clock. The moderator "
            f"started and ended each task and logged errors with hotkeys; observers and reviewers added "
            f"tagged notes.</p>")


MEASURES = """<ul class="measures">
<li><b>Effectiveness.</b> Completion: successes / attempts with the adjusted-Wald (Agresti–Coull) 95 %
interval (Sauro &amp; Lewis, <i>Quantifying the User Experience</i>), judged against the 78 % average
completion of ~1,200 usability tasks (Sauro 2011). Errors: confirmed moderator-logged errors plus
appearances of the study's error screens (template matching); errors per attempt with a t interval.
Abandonment: attempts given up, timed out or abandoned over attempts (adjusted-Wald interval).</li>
<li><b>Efficiency.</b> Time on task: from the start to the end of an attempt minus privacy pauses;
the geometric mean with a t interval on ln(time), which Sauro &amp; Lewis recommend for small samples
of skewed task times, and the median.</li>
<li><b>Satisfaction.</b> SEQ (Single Ease Question, 1–7) after each task, mean with t interval. SUS per
Brooke (1996), graded on the Sauro–Lewis curved scale, percentile from a normal model (mean 68,
sd 12.5). UMUX-Lite per Lewis, Utesch &amp; Maher (2013), SUS equivalent 0.65 × UMUX-Lite + 22.9.
NPS = % promoters (9–10) − % detractors (0–6).</li>
<li><b>Detected trouble.</b> Rage click: ≥ 3 clicks within 1 s inside 30 px. Dead click: no screen
change within 1 s of a click. Outcome check: the success screen appeared in an attempt the moderator
did not mark a success (reported, never overridden).</li>
<li><b>Comparisons.</b> Completion with the N−1 two-proportion test (Campbell 2007), times of
successful attempts with Welch's t test on log times; two-sided p, significant below 0.05.</li>
</ul>"""
