"""The ISO/IEC 25062 Common Industry Format (CIF) usability test report, as HTML; the same
document goes to Word through analyzer.report.cif_docx.

The report is built once as a list of blocks (headings, paragraphs, tables, images) and
written by either writer, so the HTML and the .docx cannot differ. Its numbers come from the
analysis `uxlab analyze --json` prints (analyzer.summary), formatted, never recomputed. What
no session can know (the product, the facility, the objectives) comes from study.toml's
[report] table and the participants' attributes; a section with nothing to say says so,
because the standard expects every section to be there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from importlib.metadata import PackageNotFoundError, version

from analyzer.findings import problem_list
from analyzer.report import charts
from analyzer.report.style import STYLE
from analyzer.summary import Progress, analyze_study
from sessions.store import Store
from sessions.study import Study

NOT_STATED = "Not stated in study.toml [report] {field}."
SEVERITY_WORDS = {1: "cosmetic", 2: "minor", 3: "major", 4: "critical"}
QUESTIONNAIRES = {
    "seq": "Single Ease Question (Sauro & Dumas 2009): one item after each task, 'Overall, how difficult or "
           "easy was the task to complete?', 1 very difficult to 7 very easy.",
    "sus": "System Usability Scale (Brooke 1996): ten alternating positive and negative statements, "
           "1 strongly disagree to 5 strongly agree, scored 0-100.",
    "umux_lite": "UMUX-Lite (Lewis, Utesch & Maher 2013): two statements on capabilities and ease, 1-7.",
    "nps": "Likelihood to recommend (Net Promoter Score, Reichheld 2003): one item, 0-10.",
    "csat": "Customer satisfaction: one item, 1-5.",
    "ces": "Customer effort: agreement that the task was easy, 1-7.",
}


@dataclass
class Block:
    """One piece of the document: a heading (h1-h3), a paragraph (p, or note for a section
    with nothing to say), a table or an image."""

    kind: str
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    data: bytes | None = None
    anchor: str = ""


# -- numbers, formatted the same way in every writer -----------------------------------------
def pct(i: dict | None, n: int | None = None) -> str:
    """A proportion with its 95 % interval and n: "75 % (95 % CI 41–93 %, n = 8)"."""
    if not i:
        return "–"
    count = f", n = {n}" if n is not None else ""
    if i.get("low") is None:
        return f"{i['estimate'] * 100:.0f} % (n = {n}, too few for an interval)" if n is not None else \
            f"{i['estimate'] * 100:.0f} %"
    return f"{i['estimate'] * 100:.0f} % (95 % CI {i['low'] * 100:.0f}–{i['high'] * 100:.0f} %{count})"


def num(i: dict | None, n: int, unit: str = "", digits: int = 1, low_bound: float | None = None) -> str:
    """A mean (or geometric mean) with its interval and n; a lower limit below what the
    measure can be is shown at that bound."""
    if not i:
        return "–"
    value = i["estimate"] if "estimate" in i else i["mean"]
    if i.get("low") is None:
        return f"{value:.{digits}f}{unit} (n = {n}, too few for an interval)"
    low = i["low"] if low_bound is None else max(low_bound, i["low"])
    return f"{value:.{digits}f}{unit} (95 % CI {low:.{digits}f}–{i['high']:.{digits}f}{unit}, n = {n})"


def _uxlab_version() -> str:
    try:
        return version("uxlab")
    except PackageNotFoundError:
        return "(development)"


def _stated(report: dict, key: str) -> Block:
    text = report.get(key)
    return Block("p", text) if text else Block("note", NOT_STATED.format(field=key))


# -- the document ------------------------------------------------------------------------
def cif_blocks(study: Study, result: dict, findings: dict, sessions: list[dict],
               attributes: dict[str, dict[str, str]], comparison: dict | None = None) -> list[Block]:
    """Every section of the CIF, in the standard's order."""
    report = study.standards.report
    product = report.get("product") or study.title
    dates = sorted((s.get("started_wall") or "")[:10] for s in sessions if s.get("started_wall"))
    tested = "no sessions recorded" if not dates else dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    people = sorted({s["participant"] for s in result["sessions"]})
    blocks = [
        Block("title", "Common Industry Format usability test report", anchor="title"),
        Block("p", f"Product: {product}" + (f", version {report['version']}" if report.get("version") else "")),
        Block("p", "Conforms to ISO/IEC 25062, Common Industry Format (CIF) for usability test reports."),
        Block("p", f"Tested: {report.get('date') or tested}. Report written {datetime.now(UTC).strftime('%Y-%m-%d')} with uxlab "
                   f"{_uxlab_version()}."),
        Block("p", f"Organisation: {report['organisation']}" if report.get("organisation") else
              NOT_STATED.format(field="organisation")),
        Block("p", f"Contact: {report['contact']}" if report.get("contact") else NOT_STATED.format(field="contact")),
        Block("pagebreak"),
    ]
    blocks += _executive(study, result, findings, product, people)
    blocks += [Block("h1", "2 Introduction", anchor="introduction"), Block("h2", "2.1 Full product description"),
               _stated(report, "product"), Block("h2", "2.2 Test objectives"), _stated(report, "objectives")]
    blocks += _method(study, result, sessions, attributes, people)
    blocks += _results(study, result, findings, comparison)
    blocks += _appendices(study, result)
    return blocks


def _executive(study: Study, result: dict, findings: dict, product: str, people: list[str]) -> list[Block]:
    tasks = result["tasks"]
    rows = [[t["id"], pct(t["completion"], t["attempts"]), num(t["time_success"], t["successes"], " s"),
             pct(_task_sum(result, t["id"]), t["attempts"])] for t in tasks]
    sus = result["questionnaires"]["sus"]
    study_sum = result["sum"]["study"] if result.get("sum") else None
    lines = [Block("h1", "1 Executive summary", anchor="summary"),
             Block("p", f"{product} was tested by {len(people)} participant{'s' if len(people) != 1 else ''} in "
                        f"{len(result['sessions'])} session{'s' if len(result['sessions']) != 1 else ''} on "
                        f"{len(study.tasks)} task{'s' if len(study.tasks) != 1 else ''}, each attempt recorded "
                        f"(screen, input and voice) and measured for effectiveness, efficiency and satisfaction."),
             Block("table", head=["task", "completion", "time on task (successes)", "SUM"], rows=rows)]
    summary = []
    if sus:
        summary.append(f"SUS {num(sus, sus['n'])}, grade {sus['grade']}")
    if study_sum:
        summary.append(f"the study's SUM {pct(study_sum)}")
    lines.append(Block("p", "; ".join(summary) + "." if summary else "No satisfaction questionnaire answered yet."))
    top = findings["problems"][:5]
    if top:
        lines.append(Block("p", "Problems found, most severe and widespread first: " + "; ".join(
            f"#{p['id']} {p['title']} ({_severity(p)}, {len(p['participants'])} of {p['of']} participants)"
            for p in top) + "."))
    else:
        lines.append(Block("note", "No problems recorded yet."))
    return lines


def _severity(p: dict) -> str:
    median = p["severity"]["median"]
    return "unrated" if median is None else f"severity {median:g}, {p['severity']['label']}"


def _task_sum(result: dict, task_id: str) -> dict | None:
    if not result.get("sum"):
        return None
    return next((t["sum"] for t in result["sum"]["tasks"] if t["id"] == task_id), None)


def _method(study: Study, result: dict, sessions: list[dict], attributes: dict[str, dict[str, str]],
            people: list[str]) -> list[Block]:
    report = study.standards.report
    names = list(study.standards.attributes)
    groups = sorted({s["group"] for s in result["sessions"] if s["group"]})
    blocks = [Block("h1", "3 Method", anchor="method"), Block("h2", "3.1 Participants"),
              Block("p", f"{len(people)} participant{'s' if len(people) != 1 else ''} took part"
                         + (f", in the groups {', '.join(groups)}" if groups else "") + ". Pilot and excluded "
                         "sessions are kept but counted nowhere.")]
    if people:
        rows = []
        for person in people:
            own = [s for s in result["sessions"] if s["participant"] == person]
            mine = attributes.get(person, {})
            rows.append([person, own[0]["group"] or "–", *(mine.get(k, "–") for k in names), str(len(own))])
        blocks.append(Block("table", head=["participant", "group", *(n.replace("_", " ") for n in names), "sessions"],
                            rows=rows))
        if not any(attributes.get(p) for p in people):
            blocks.append(Block("note", "No participant attributes recorded: set them with `uxlab participant DIR "
                                        "P01 --set key=value` or import a screener's CSV."))
    else:
        blocks.append(Block("note", "No sessions recorded yet."))
    screens = sorted({f"{d['width']}×{d['height']}" for d in (s.get("device") or {} for s in sessions)
                      if isinstance(d, dict) and d.get("width") and d.get("height")})
    task_rows = [[t.id, t.prompt, f"{t.time_limit:g} s" if t.time_limit else "none",
                  "moderator, checked against the success screen" if t.success_screen else
                  "window title" if t.success_title else "moderator's judgement"] for t in study.tasks]
    blocks += [Block("h2", "3.2 Context of product use in the test"), _stated(report, "context_of_use"),
               Block("h3", "3.2.1 Tasks"),
               Block("table", head=["task", "task scenario given to participants", "time limit", "success criterion"],
                     rows=task_rows),
               Block("h3", "3.2.2 Test facility"), _stated(report, "facility"),
               Block("h3", "3.2.3 Participant's computing environment"), _stated(report, "environment"),
               Block("p", f"Screens recorded: {', '.join(screens) or 'size not recorded'} pixels, at up to "
                          f"{study.capture.fps:g} frames per second."),
               Block("h3", "3.2.4 Test administrator tools"),
               _stated(report, "equipment"),
               Block("p", f"uxlab {_uxlab_version()} recorded the screen, every click, scroll and key press "
                          f"({study.capture.keystrokes} keystrokes) and the voices on one clock; the moderator "
                          f"started and ended each task and logged errors with hotkeys."),
               Block("h2", "3.3 Experimental design"), _stated(report, "design"),
               Block("p", "Each participant attempted the tasks in the order listed in 3.2.1"
                          + (f"; the groups {', '.join(groups)} used different designs" if groups else "") + "."),
               Block("h3", "Procedure and participant general instructions"),
               Block("p", "The instructions participants were given are in Appendix B.") if report.get("instructions")
               else Block("note", NOT_STATED.format(field="instructions")),
               Block("h2", "3.4 Usability metrics"),
               Block("p", "Effectiveness: completion rate (successes / attempts, adjusted-Wald 95 % interval); errors "
                          "per attempt (confirmed moderator-logged errors and appearances of the study's error "
                          "screens, t interval); assists are not recorded by uxlab and are reported as such."),
               Block("p", "Efficiency: time on task (start to end of an attempt, privacy pauses left out), the "
                          "geometric mean with a t interval on log times; no interval from fewer than three times."),
               Block("p", "Satisfaction: " + "; ".join(
                   QUESTIONNAIRES[q].split(":")[0] for q in (*study.questionnaires.post_task,
                                                             *study.questionnaires.post_session)
                   if q in QUESTIONNAIRES) + " (Appendix A)."),
               Block("p", f"Single Usability Metric (Sauro & Kindlund 2005): completion, time against each task's "
                          f"specification limit, satisfaction against {study.standards.sum.satisfaction:g} on SEQ's "
                          f"1–7 scale (and errors per opportunity where study.toml gives opportunities), each as a "
                          f"percentage, averaged.")]
    return blocks


def _results(study: Study, result: dict, findings: dict, comparison: dict | None) -> list[Block]:
    tasks = result["tasks"]
    performance = [[t["id"], str(t["attempts"]), pct(t["completion"], t["attempts"]),
                    num(t.get("errors_interval"), t["attempts"], digits=2, low_bound=0.0), "not recorded",
                    num(t["time_success"], t["successes"], " s"),
                    num(t["time_all"], sum(1 for s in result["sessions"] for a in s["attempts"]
                                           if a["task"] == t["id"] and a["outcome"] != "interrupted" and a["time"] > 0),
                        " s")] for t in tasks]
    seq = [[t["id"], num(t["seq"], t["seq"]["n"], low_bound=1.0) if t["seq"] else "–"] for t in tasks]
    q = result["questionnaires"]
    post = []
    if q["sus"]:
        post.append(["SUS (0–100)", num(q["sus"], q["sus"]["n"], low_bound=0.0),
                     f"grade {q['sus']['grade']}, percentile {q['sus']['percentile']:.0f}"])
    if q["umux_lite"]:
        post.append(["UMUX-Lite (0–100)", num(q["umux_lite"], q["umux_lite"]["n"], low_bound=0.0),
                     f"SUS equivalent {q['umux_lite']['sus_equivalent']:.1f}"])
    if q["nps"]:
        post.append(["NPS (−100 to 100)", f"{q['nps']['score']:.0f} (n = {q['nps']['n']})", ""])
    blocks = [Block("h1", "4 Results", anchor="results"), Block("h2", "4.1 Data analysis"),
              Block("p", "Attempts a recorder failure interrupted are counted in neither completion nor "
                         "abandonment; pilot and excluded sessions are left out. Every estimate carries its 95 % "
                         "interval and its n, and is the same number `uxlab analyze --json` gives."),
              Block("h2", "4.2 Presentation of the results"), Block("h3", "Performance results"),
              Block("image", "completion rate per task", data=charts.completion_chart(tasks)),
              Block("table", head=["task", "attempts", "completion", "errors per attempt", "assists",
                                   "time on task, successes", "time on task, all attempts"], rows=performance,
                    anchor="performance"),
              Block("h3", "Satisfaction results"),
              Block("table", head=["task", "SEQ (1–7)"], rows=seq, anchor="seq")]
    blocks.append(Block("table", head=["questionnaire", "score", ""], rows=post, anchor="post-session") if post
                  else Block("note", "No post-session questionnaire answered yet."))
    blocks += _sum_blocks(result)
    blocks += _problem_blocks(findings)
    if comparison:
        blocks += _comparison_blocks(comparison)
    return blocks


def _sum_blocks(result: dict) -> list[Block]:
    s = result.get("sum")
    if not s:
        return []
    rows = []
    for t in s["tasks"]:
        c = t["components"] or {}
        spec = f"{t['time_spec']:g} s ({t['time_spec_from']})" + (
            f", {c['errors']['opportunities']} error opportunities" if c.get("errors") else "")
        rows.append([t["id"], pct(t["sum"], t["n"]) if t["sum"] else (t["caution"] or "–"),
                     *(pct(c[k], c[k]["n"]) if c.get(k) else ("too few" if k in c else "–")
                       for k in ("completion", "time", "satisfaction", "errors")), spec])
    return [Block("h3", "Single Usability Metric (SUM)"),
            Block("table", head=["task", "SUM", "completion", "time", "satisfaction", "errors", "specification"],
                  rows=rows, anchor="sum"),
            Block("p", f"The study's SUM: {pct(s['study'])}." if s["study"] else
                  "No task has enough data for a SUM yet.")]


def _problem_blocks(findings: dict) -> list[Block]:
    blocks = [Block("h3", "Problems and their severity")]
    problems = findings["problems"]
    if not problems:
        return blocks + [Block("note", "No problems recorded yet.")]
    rows = [[f"#{p['id']}", p["title"], ", ".join(p["tasks"]) or "–", _severity(p),
             f"{len(p['participants'])} of {p['of']}" if p["of"] else "–"] for p in problems]
    blocks.append(Block("table", head=["problem", "title", "tasks", "severity (median rating)", "participants"],
                        rows=rows, anchor="problems"))
    a = findings.get("agreement")
    if a and a["alpha"] is not None:
        blocks.append(Block("p", f"Agreement among severity raters: Krippendorff's alpha (ordinal) {a['alpha']:.2f} "
                                 f"(95 % bootstrap CI {a['low']:.2f}–{a['high']:.2f}, {a['raters']} raters, "
                                 f"{a['units']} problem{'s' if a['units'] != 1 else ''} rated twice or more): {a['verdict']} (0.8 or more reliable, "
                                 f"0.667 or more tentative)."))
    elif a:
        blocks.append(Block("note", f"Agreement among severity raters: {a['caution']}."))
    if findings.get("discovery_caution"):
        blocks.append(Block("note", f"Caution: problem discovery {findings['discovery_caution']}."))
    return blocks


def _comparison_blocks(c: dict) -> list[Block]:
    a, b = c["rounds"]

    def diff(d: dict | None, scale: float = 100, unit: str = " points") -> str:
        if not d:
            return "too few to compare"
        return (f"{d['difference'] * scale:+.0f}{unit} (95 % CI {d['low'] * scale:+.0f} to {d['high'] * scale:+.0f})"
                + (f", p = {d['p']:.3f}" if "p" in d else ""))

    rows = [[t["id"], t["verdict"], diff(t["completion"]),
             f"ratio {t['time']['ratio']:.2f} (95 % CI {t['time']['ratio_low']:.2f}–{t['time']['ratio_high']:.2f}), "
             f"p = {t['time']['p']:.3f}" if t["time"] else "too few to compare", diff(t["sum"])] for t in c["tasks"]]
    gone = "; ".join(f"#{p['id']} {p['title']}" for p in c["problems"]["gone"]) or "none"
    new = "; ".join(f"#{p['id']} {p['title']}" for p in c["problems"]["new"]) or "none"
    blocks = [Block("h3", f"Compared with {a}"),
              Block("table", head=["task", "verdict", "completion", "time, successes", "SUM"], rows=rows,
                    anchor="comparison")]
    blocks += [Block("p", f"{t['id']}: {t['why']}, not compared.") for t in c["not_compared"]]
    blocks.append(Block("p", f"Problems gone since {a}: {gone}. New in {b}: {new}."))
    return blocks


def _appendices(study: Study, result: dict) -> list[Block]:
    used = [*study.questionnaires.post_task, *study.questionnaires.post_session]
    blocks = [Block("h1", "5 Appendices", anchor="appendices"), Block("h2", "Appendix A: Questionnaires")]
    blocks += [Block("p", QUESTIONNAIRES[q]) for q in used if q in QUESTIONNAIRES]
    blocks += [Block("p", f"Custom item {c.id} ({c.type}{f', 1–{c.points}' if c.type == 'likert' else ''}): {c.prompt}")
               for c in study.questionnaires.custom]
    if not used and not study.questionnaires.custom:
        blocks.append(Block("note", "No questionnaires were used."))
    report = study.standards.report
    blocks += [Block("h2", "Appendix B: Participant instructions"), _stated(report, "instructions"),
               Block("p", "Task instructions were the task scenarios of 3.2.1, shown one at a time.")]
    rows = [[s["participant"], a["task"], a["outcome"].replace("_", " "), f"{a['time']:.1f}", str(a["errors"]),
             "–" if a["seq_rating"] is None else f"{a['seq_rating']:g}"]
            for s in result["sessions"] for a in s["attempts"]]
    blocks.append(Block("h2", "Appendix C: Every attempt"))
    blocks.append(Block("table", head=["participant", "task", "outcome", "time (s)", "errors", "SEQ"], rows=rows)
                  if rows else Block("note", "No attempts yet."))
    return blocks


# -- HTML writer -------------------------------------------------------------------------
CIF_STYLE = """
.title-page{min-height:60vh;border-bottom:3px solid var(--ink);margin-bottom:2rem;padding-top:8vh}
.title-page h1{font-size:2.4rem}
.nothing{color:var(--muted);font-style:italic}
h1{font-size:1.6rem;margin-top:2.4rem;border-bottom:1px solid var(--line)}
h2{font-size:1.2rem;border:0;margin-top:1.6rem}
@media print{.title-page{page-break-after:always;min-height:90vh}}
"""


def render_cif_html(blocks: list[Block], title: str) -> str:
    """The blocks as one self-contained HTML page."""
    import base64
    out, in_title = [], False
    for b in blocks:
        anchor = f' id="{escape(b.anchor)}"' if b.anchor else ""
        if b.kind == "title":
            out.append(f'<section class="title-page"{anchor}><p class="kicker">ISO/IEC 25062</p>'
                       f"<h1>{escape(b.text)}</h1>")
            in_title = True
        elif b.kind == "pagebreak":
            if in_title:
                out.append("</section>")
                in_title = False
        elif b.kind in ("h1", "h2", "h3"):
            out.append(f"<{b.kind}{anchor}>{escape(b.text)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{escape(b.text)}</p>")
        elif b.kind == "note":
            out.append(f'<p class="nothing">{escape(b.text)}</p>')
        elif b.kind == "table":
            head = "".join(f"<th>{escape(h)}</th>" for h in b.head)
            body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            out.append(f"<table{anchor}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif b.kind == "image":
            out.append(f'<img class="chart" alt="{escape(b.text)}" src="data:image/png;base64,'
                       f'{base64.b64encode(b.data).decode()}">' if b.data else
                       f'<p class="nothing">{escape(b.text)}: no data yet.</p>')
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}: Common Industry Format report</title><style>{STYLE}{CIF_STYLE}</style></head>"
            f"<body><main>{''.join(out)}</main></body></html>\n")


def cif_report(store: Store, study: Study, comparison: dict | None = None,
               progress: Progress | None = None) -> list[Block]:
    """The CIF blocks of a study read from its store (the analysis `uxlab analyze --json`
    prints, the problem list, the sessions and the participants' attributes)."""
    result = analyze_study(store, study, progress=progress)
    return cif_blocks(study, result, problem_list(store), store.sessions.all(), store.participants.all(), comparison)
