"""A study's report as one self-contained HTML file, written to be sent to a stakeholder.

It opens with an executive summary (a one-line verdict per task, the study's SUS and NPS,
the top issues), then follows the ISO/IEC 25062 Common Industry Format: method
(participants, tasks, environment, measures), results (effectiveness, efficiency,
satisfaction, a comparison of two designs), the issues in detail with a picture of where
they happened, click heatmaps, and every attempt in an appendix. Every estimate carries its
95 % interval and its n; every piece of text a person typed is escaped.
"""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from analyzer import charts, stats
from analyzer.heatmap import render_heatmap, screen_states
from analyzer.questionnaires import latest_answers
from analyzer.report_format import clock, duration, estimate, image, number, percent, plural, table
from analyzer.report_style import STYLE
from analyzer.screen_names import ScreenNames
from analyzer.summary import Progress, analyze_study
from analyzer.thumbnails import screen_thumbnail
from analyzer.top_issues import find_issues, pending_flags, tagged_notes, untagged_notes
from sessions.model import ABANDONED_OUTCOMES
from sessions.store import Store
from sessions.study import Study

SUMMARY_ISSUES = 5          # issues listed in the executive summary
HEATMAP_STATES = 4          # per-screen heatmaps shown per task at most
DETAIL_LINES = 6            # occurrences listed under an issue before "and N more"
# the ends of each scale, to which displayed interval limits are clipped
SEQ, HUNDRED, ELEVEN, ERRORS = (1.0, 7.0), (0.0, 100.0), (0.0, 10.0), (0.0, float("inf"))
KIND_LABELS = {"moderator_error": "logged error", "error_screen": "error screen",
               "disagreement": "outcome check", "rage_clicks": "rage clicks", "dead_clicks": "dead clicks"}


def render_report(store: Store, study: Study, progress: Progress | None = None) -> str:
    """The whole report as one HTML string; nothing in it refers to another file."""
    result = analyze_study(store, study, progress=progress)
    rows = {s["id"]: s for s in store.sessions()}
    names = {s["id"]: s["participant"] for s in result["sessions"]}
    issues = find_issues(store, study, result)
    ltr = _recommend(store, result)
    body = "".join([
        _header(study, result, rows),
        _executive(result, issues, ltr),
        _method(study, result, rows),
        _results(result, ltr),
        _issues(store, issues, names),
        _notes(store, result),
        _heatmaps(store, study, result),
        _appendix(result),
    ])
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(study.title)}: usability test report</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


# -- measures the summary does not carry ---------------------------------------------------
def _attempts(result: dict, task_id: str) -> list[dict]:
    return [a for s in result["sessions"] for a in s["attempts"] if a["task"] == task_id]


def _errors(result: dict, task: dict) -> str:
    """Errors per attempt as a mean with its t interval."""
    counts = [a["errors"] for a in _attempts(result, task["id"])]
    if not counts:
        return '<span class="muted">–</span>'
    return number(stats.mean_interval(counts).as_dict(), len(counts), digits=2, scale=ERRORS)


def _abandonment(result: dict, task: dict) -> str:
    """Gave up, timed out or abandoned, as a proportion with its adjusted-Wald interval."""
    attempts = _attempts(result, task["id"])
    if not attempts:
        return '<span class="muted">–</span>'
    gone = sum(a["outcome"] in ABANDONED_OUTCOMES for a in attempts)
    return percent(stats.completion_interval(gone, len(attempts)).as_dict(), len(attempts))


def _nps_counts(nps: dict) -> str:
    return (f"{plural(nps['promoters'], 'promoter')}, {plural(nps['passives'], 'passive')}, "
            f"{plural(nps['detractors'], 'detractor')}")


def _recommend(store: Store, result: dict) -> dict | None:
    """Mean likelihood to recommend (0–10) with its t interval: the NPS itself is a difference
    of two proportions, so its spread is shown through the ratings it is computed from."""
    ids = {s["id"] for s in result["sessions"]}
    values = [items["1"] for items in latest_answers(store, "nps", ids).values() if "1" in items]
    return {**stats.mean_interval(values).as_dict(), "n": len(values)} if values else None


# -- header and executive summary ---------------------------------------------------------
def _header(study: Study, result: dict, rows: dict) -> str:
    dates = sorted(rows[s["id"]]["started_wall"][:10] for s in result["sessions"] if rows[s["id"]].get("started_wall"))
    span = "no sessions yet" if not dates else dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    people = len({s["participant"] for s in result["sessions"]})
    return (f'<header><p class="kicker">Usability test report</p><h1>{escape(study.title)}</h1>'
            f'<p class="meta">{plural(people, "participant")} · {plural(len(result["sessions"]), "session")} · '
            f'{plural(len(study.tasks), "task")} · tested {escape(span)} · generated {made} by uxlab</p>'
            f'<nav><a href="#summary">Summary</a><a href="#method">Method</a><a href="#results">Results</a>'
            f'<a href="#issues">Issues</a><a href="#notes">Notes</a><a href="#heatmaps">Heatmaps</a>'
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
    if not task["attempts"]:
        return f'<li>{head}<div>Nobody has attempted it yet.</div></li>'
    parts = [f'{task["successes"]} of {task["attempts"]} attempts succeeded: '
             f'{percent(task["completion"], task["attempts"])}']
    if task["time_success"]:
        parts.append(f'successful attempts took {number(task["time_success"], task["successes"], " s")}')
    parts.append(f"errors per attempt {_errors(result, task)}")
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
                     f'<p>{_nps_counts(n)} '
                     f'(n = {n["n"]})</p><p class="muted">likelihood to recommend (0–10) '
                     f'{number(ltr, ltr["n"], scale=ELEVEN) if ltr else "–"}</p></div>')
    if q["umux_lite"]:
        u = q["umux_lite"]
        cards.append(f'<div class="card"><p class="label">UMUX-Lite (0–100)</p><p class="big">{u["mean"]:.1f}</p>'
                     f'<p>{number(u, u["n"], scale=HUNDRED)}</p><p class="muted">SUS equivalent {u["sus_equivalent"]:.1f}</p></div>')
    return f'<div class="cards">{"".join(cards)}</div>' if cards else \
        '<p class="muted">No post-session questionnaires answered yet.</p>'


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
    comparison = result["comparison"]
    if not comparison:
        return ""
    a, b = comparison["groups"]
    lines = []
    for t in comparison["tasks"]:
        if not t["completion"]:
            continue
        c = t["completion"]
        verdict = "a significant difference" if c["p"] < 0.05 else "no significant difference"
        lines.append(f"<li><strong>{escape(t['id'])}</strong>: {escape(a)} {c[a]['successes']}/{c[a]['n']} vs "
                     f"{escape(b)} {c[b]['successes']}/{c[b]['n']} succeeded, p = {c['p']:.3f} ({verdict})</li>")
    return (f"<h3>Designs compared: {escape(a)} vs {escape(b)}</h3><ul>{''.join(lines)}</ul>"
            if lines else "")


# -- method (ISO/IEC 25062 §5.2) ----------------------------------------------------------
def _method(study: Study, result: dict, rows: dict) -> str:
    people = [[escape(s["participant"]), escape(s["group"] or "–"), escape(s["status"]),
               escape((rows[s["id"]].get("started_wall") or "")[:16].replace("T", " ")),
               duration(s["duration"]), str(len(s["attempts"]))] for s in result["sessions"]]
    participants = table(["participant", "group", "session status", "started (UTC)", "duration", "attempts"],
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


# -- results (ISO/IEC 25062 §5.3) ---------------------------------------------------------
def _results(result: dict, ltr: dict | None) -> str:
    tasks = result["tasks"]
    effectiveness = table(
        ["task", "completion", "errors per attempt", "abandonment", "first click on target"],
        [[f"<strong>{escape(t['id'])}</strong>", percent(t["completion"], t["attempts"]), _errors(result, t),
          _abandonment(result, t),
          percent(t["first_click_success"], t["first_click_success"]["n"]) if t["first_click_success"] else "–"]
         for t in tasks])
    efficiency = table(
        ["task", "successful attempts: geometric mean", "median", "all attempts: geometric mean"],
        [[f"<strong>{escape(t['id'])}</strong>", number(t["time_success"], t["successes"], " s"),
          "–" if t["median_time"] is None else f"{t['median_time']:.1f} s (n = {t['successes']})",
          number(t["time_all"], len([a for a in _attempts(result, t["id"]) if a["time"] > 0]), " s")]
         for t in tasks])
    seq = table(["task", "SEQ (1–7)"], [[f"<strong>{escape(t['id'])}</strong>",
                                         number(t["seq"], t["seq"]["n"], scale=SEQ) if t["seq"] else "–"] for t in tasks])
    return (f'<section id="results"><h2>Results</h2>'
            f'<h3>Effectiveness</h3>{image(charts.completion_chart(tasks), "completion rate per task", css="chart")}'
            f"{effectiveness}"
            f'<h3>Efficiency</h3>{image(charts.time_chart(tasks), "time on task per task", css="chart")}{efficiency}'
            f'<h3>Satisfaction</h3>{image(charts.seq_chart(tasks), "SEQ per task", css="chart")}{seq}'
            f'{image(charts.sus_chart(result["questionnaires"]["sus"]), "SUS scores", css="chart")}'
            f"{_questionnaires(result, ltr)}{_comparison(result)}</section>")


def _questionnaires(result: dict, ltr: dict | None) -> str:
    q, rows = result["questionnaires"], []
    if q["sus"]:
        s = q["sus"]
        rows.append(["SUS (0–100)", number(s, s["n"], scale=HUNDRED), f"grade {escape(s['grade'])}, {s['percentile']:.0f}th percentile"])
    if q["umux_lite"]:
        u = q["umux_lite"]
        rows.append(["UMUX-Lite (0–100)", number(u, u["n"], scale=HUNDRED), f"SUS equivalent {u['sus_equivalent']:.1f}"])
    if q["nps"]:
        n = q["nps"]
        rows.append(["NPS (−100…100)", f'<span class="est">{n["score"]:+.0f}</span> <span class="muted">n = {n["n"]}</span>',
                     _nps_counts(n)])
    if ltr:
        rows.append(["likelihood to recommend (0–10)", number(ltr, ltr["n"], scale=ELEVEN), "the ratings behind the NPS"])
    return table(["questionnaire", "score", "interpretation"], rows) if rows else \
        '<p class="muted">No post-session questionnaires answered yet.</p>'


def _comparison(result: dict) -> str:
    comparison = result["comparison"]
    if not comparison:
        return ""
    a, b = comparison["groups"]
    rows = []
    for t in comparison["tasks"]:
        rows.append([f"<strong>{escape(t['id'])}</strong>", _group_completion(t, a), _group_completion(t, b),
                     f"p = {t['completion']['p']:.3f}" if t["completion"] else "–",
                     _group_time(result, t, a), _group_time(result, t, b),
                     f"p = {t['time']['p']:.3f}" if t["time"] else "too few successes"])
    head = ["task", f"completion {a}", f"completion {b}", "N−1 test",
            f"time {a}", f"time {b}", "Welch's t"]
    return (f"<h3>Comparison of designs: {escape(a)} vs {escape(b)}</h3>"
            f"{image(charts.comparison_chart(comparison), 'completion by design', css='chart')}{table(head, rows)}"
            f'<p class="note">p values are two-sided: the N−1 two-proportion test for completion, Welch\'s t '
            f"test on log times for the times of successful attempts; below 0.05 the designs differ.</p>")


def _group_completion(task: dict, group: str) -> str:
    if not task["completion"]:
        return "–"
    c = task["completion"][group]
    return percent(stats.completion_interval(c["successes"], c["n"]).as_dict(), c["n"])


def _group_time(result: dict, task: dict, group: str) -> str:
    if not task["time"]:
        return "–"
    n = sum(1 for s in result["sessions"] if s["group"] == group for a in s["attempts"]
            if a["task"] == task["id"] and a["outcome"] == "success" and a["time"] > 0)
    return number(task["time"][group], n, " s")


# -- issues and notes ---------------------------------------------------------------------
def _issues(store: Store, issues: list[dict], names: dict[str, str]) -> str:
    if not issues:
        return '<section id="issues"><h2>Issues</h2><p class="muted">No issues found.</p></section>'
    cards = "".join(_issue_card(store, issue, names) for issue in issues)
    return (f'<section id="issues"><h2>Issues</h2><p class="lead">Ranked by how many participants met each '
            f"issue, then by how often it happened. Rings mark where on the screen.</p>{cards}</section>")


def _issue_card(store: Store, issue: dict, names: dict[str, str]) -> str:
    thumb = screen_thumbnail(store, issue["screen"], issue["points"])
    picture = ""
    if thumb:
        name = issue["screen"].get("name")
        caption = f"<figcaption>on “{escape(name)}”</figcaption>" if name else ""
        alt = f"screen of issue {issue['rank']}"
        picture = f'<figure class="thumb">{image(thumb, alt, "image/jpeg", "thumb")}{caption}</figure>'
    where = ""
    if issue["screen"] and issue["screen"].get("state") is not None:
        where = (f' · <a href="#heat-{escape(issue["task"])}-{issue["screen"]["state"]}">'
                 f'screen state {issue["screen"]["state"]} heatmap</a>')
    details = "".join(f"<li>{_detail(issue['kind'], d, names)}</li>" for d in issue["details"][:DETAIL_LINES])
    more = len(issue["details"]) - DETAIL_LINES
    if more > 0:
        details += f'<li class="muted">and {more} more</li>'
    return (f'<article class="issue" id="issue-{issue["rank"]}"><div class="issue-text">'
            f'<p class="kind">#{issue["rank"]} · {escape(KIND_LABELS[issue["kind"]])}</p>'
            f'<h3>{escape(issue["title"])}</h3><p class="reach">{len(issue["participants"])} of {issue["of"]} '
            f'participants ({escape(", ".join(issue["participants"]))}) · '
            f'{plural(issue["occurrences"], "occurrence")}{where}</p><ul>{details}</ul></div>{picture}</article>')


def _detail(kind: str, d: dict, names: dict[str, str]) -> str:
    who = f"<b>{escape(names.get(d['session_id'], d['session_id']))}</b> at {clock(d['t'])}"
    if kind == "rage_clicks":
        return f"{who}: {d['clicks']} clicks within a second at ({d['x']}, {d['y']})"
    if kind == "dead_clicks":
        return f"{who}: click at ({d['x']}, {d['y']}), nothing changed for a second"
    if kind == "error_screen":
        return f"{who}: the error screen came into view"
    if kind == "disagreement":
        return f"{who}: success screen seen, attempt marked {escape(d['outcome'] or 'without outcome')}"
    text = f": “{escape(d['text'])}”" if d.get("text") else ""
    author = f" <span class='muted'>({escape(d['author'])})</span>" if d.get("author") else ""
    return f"{who}{text}{author}"


def _notes(store: Store, result: dict) -> str:
    by_tag = tagged_notes(store, result)
    untagged, pending = untagged_notes(store, result), pending_flags(store, result)
    groups = []
    for tag, notes in by_tag.items():
        items = "".join(
            f'<li><blockquote>{escape(n["text"])}</blockquote><p class="muted">{escape(n["participant"])}, '
            f'{escape(n["task"] or "between tasks")}, {clock(n["t"])} · noted by {escape(n["author"] or "?")}</p></li>'
            for n in notes)
        groups.append(f'<div class="tag-group"><h3><span class="tag">#{escape(tag)}</span> '
                      f'<span class="muted">{plural(len(notes), "note")}</span></h3><ul class="notes">{items}</ul></div>')
    footer = []
    if untagged:
        footer.append(f"{plural(untagged, 'untagged note')} can be read on the sessions' replay pages.")
    if pending:
        verb = "awaits" if pending == 1 else "await"
        footer.append(f"{plural(pending, 'observer error flag')} still {verb} the moderator's confirmation and "
                      f"{'is' if pending == 1 else 'are'} not counted as errors.")
    tail = f'<p class="muted">{" ".join(footer)}</p>' if footer else ""
    content = "".join(groups) or '<p class="muted">No tagged notes yet.</p>'
    return f'<section id="notes"><h2>What observers noted</h2>{content}{tail}</section>'


# -- heatmaps and appendix ----------------------------------------------------------------
def _heatmaps(store: Store, study: Study, result: dict) -> str:
    figures, names = [], ScreenNames(store)
    for task in result["tasks"]:
        if not task["attempts"]:
            continue
        states = [s for s in screen_states(store, study, task["id"]) if s["clicks"]]
        if len(states) > 1:
            shown = states[:HEATMAP_STATES]
            figures.append(f"<h3>{escape(task['id'])}</h3><p class='muted'>Clicks on {len(states)} different "
                           f"screens; the {len(shown)} most clicked are shown.</p><div class='grid'>")
            for s in shown:
                png = render_heatmap(store, study, task["id"], s["index"])
                figures.append(_heat_figure(task["id"], s, png, names.of_keyframe(s["session_id"], s["keyframe"])))
            figures.append("</div>")
        else:
            png = render_heatmap(store, study, task["id"])
            clicks = states[0]["clicks"] if states else 0
            name = names.of_keyframe(states[0]["session_id"], states[0]["keyframe"]) if states else None
            figures.append(f"<h3>{escape(task['id'])}</h3><div class='grid'>"
                           f"{_heat_figure(task['id'], states[0] if states else None, png, name, clicks)}</div>")
    body = "".join(figures) or '<p class="muted">No attempts yet.</p>'
    return (f'<section id="heatmaps"><h2>Click heatmaps</h2><p class="lead">Where participants clicked during '
            f"each task, across all sessions, over the screen they saw (one picture per screen state).</p>"
            f"{body}</section>")


def _heat_figure(task_id: str, state: dict | None, png: bytes, name: str | None,
                 clicks: int | None = None) -> str:
    if state is None:
        caption = f"{plural(clicks or 0, 'click')}"
        anchor = ""
    else:
        title = f" “{name}”" if name else ""
        caption = (f"screen state {state['index']}{title}: {plural(state['clicks'], 'click')}, "
                   f"{plural(len(state['sessions']), 'session')}")
        anchor = f' id="heat-{escape(task_id)}-{state["index"]}"'
    return (f"<figure{anchor}>{image(png, f'click heatmap of {task_id}', css='heat')}"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _appendix(result: dict) -> str:
    rows = []
    for s in result["sessions"]:
        for a in s["attempts"]:
            first = a["first_click"]
            first_text = "–" if not first else f"{first['t']:.1f} s" + (
                "" if first["hit"] is None else (" on target" if first["hit"] else " off target"))
            rows.append([escape(s["participant"]), escape(s["group"] or "–"), escape(a["task"]),
                         f'<span class="outcome {escape(a["outcome"])}">{escape(a["outcome"].replace("_", " "))}</span>',
                         f"{a['time']:.1f}", str(a["errors"]), str(a["clicks"]), str(a["keystrokes"]),
                         str(a["rage_clicks"]), str(a["dead_clicks"]), first_text,
                         "—" if a["seq_rating"] is None else f"{a['seq_rating']:g}",
                         "success screen seen" if a["disagreement"] else ""])
    content = table(["participant", "group", "task", "outcome", "time (s)", "errors", "clicks", "keys", "rage",
                     "dead", "first click", "SEQ", "check"], rows, "compact") if rows else \
        '<p class="muted">No attempts yet.</p>'
    return f'<section id="attempts"><h2>Appendix: every attempt</h2>{content}</section>'
