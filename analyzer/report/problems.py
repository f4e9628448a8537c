"""The report's opening: the researchers' problem list by severity × reach, each with its
ratings, a still of the screen and links to the moments in the replay; then the discovery
statistics (how much the study has probably found, and how many participants more would
find the rest)."""
from __future__ import annotations

from html import escape

from analyzer.report import charts
from analyzer.report.format import clock, image, plural, table
from analyzer.report.thumbnails import screen_thumbnail
from sessions.store import Store

EVIDENCE_LINKS = 6


def problems_section(store: Store, findings: dict) -> str:
    """Problems first: what a stakeholder should fix, most severe and widespread first."""
    problems = findings["problems"]
    if not problems:
        return ('<section id="problems"><h2>Problems</h2><p class="muted">No problems recorded yet: '
                'researchers add them from the replay or confirm candidates on the Problems page.</p></section>')
    cards = "".join(_card(store, p) for p in problems)
    return (f'<section id="problems"><h2>Problems</h2><p class="lead">Ordered by severity (the median of '
            f'independent ratings, 1 cosmetic to 4 critical) times reach (participants who met the problem '
            f'among those who attempted its task, with the 95 % adjusted-Wald interval).</p>{cards}'
            f'{agreement_text(findings)}</section>' + discovery_section(findings))


VERDICTS = {"reliable": "reliable (alpha of 0.8 or more): the severities can be reported",
            "tentative": "tentative (alpha from 0.667 to 0.8): severities allow tentative conclusions only",
            "unreliable": "unreliable (alpha below 0.667): discuss the ratings before reporting severities"}


def agreement_text(findings: dict) -> str:
    """Krippendorff's alpha of the severity ratings, what it means, and what to discuss."""
    a = findings.get("agreement")
    if not a:
        return ""
    if a["alpha"] is None:
        text = f'<p class="caution">Agreement among severity raters: {escape(a["caution"])}.</p>'
    else:
        text = (f'<p>Agreement among severity raters: Krippendorff\'s alpha (ordinal) <b>{a["alpha"]:.2f}</b> '
                f'<span class="ci">95 % bootstrap CI {a["low"]:.2f}–{a["high"]:.2f}, {a["raters"]} raters, '
                f'{plural(a["units"], "problem")} rated twice or more</span>: {VERDICTS[a["verdict"]]}.</p>')
    split = [p for p in findings["problems"] if p["severity"]["disagreement"]]
    if split:
        text += ('<p>For discussion, raters differ by two steps or more on: '
                 + "; ".join(f'#{p["id"]} {escape(p["title"])} ('
                             + ", ".join(f'{escape(r["rater"])} {r["severity"]}' for r in p["ratings"]) + ")"
                             for p in split) + '.</p>')
    return f'<div id="agreement">{text}</div>'



def _card(store: Store, p: dict) -> str:
    sev = p["severity"]
    severity = ("unrated" if sev["median"] is None else
                f'severity {sev["median"]:g} ({escape(sev["label"])}), {plural(sev["n"], "rating")}, spread {sev["spread"]}')
    if sev["disagreement"]:
        severity += ' · <b class="warn">raters disagree</b>'
    reach = ""
    if p["reach"]:
        reach = (f'{len(p["participants"])} of {p["of"]} participants ({escape(", ".join(p["participants"]))}), '
                 f'95 % CI {p["reach"]["low"] * 100:.0f}–{p["reach"]["high"] * 100:.0f} %')
    links = "".join(
        f'<li><a href="{escape(e["replay"])}">{escape(e["participant"] or e["session_id"])} at {clock(e["t"])}</a>'
        f'{" – " + escape(e["text"]) if e["text"] else ""}</li>' for e in p["evidence"][:EVIDENCE_LINKS])
    more = len(p["evidence"]) - EVIDENCE_LINKS
    if more > 0:
        links += f'<li class="muted">and {more} more</li>'
    first = p["evidence"][0] if p["evidence"] else None
    still = screen_thumbnail(store, {"session_id": first["session_id"], "keyframe": first["keyframe"]}) \
        if first and first["keyframe"] else None
    picture = f'<figure class="thumb">{image(still, "screen of problem " + str(p["id"]), "image/jpeg", "thumb")}</figure>' \
        if still else ""
    tasks = escape(", ".join(p["tasks"]) or "no task")
    return (f'<article class="issue" id="problem-{p["id"]}"><div class="issue-text">'
            f'<p class="kind">#{p["id"]} · {tasks}</p><h3>{escape(p["title"])}</h3>'
            f'<p class="reach">{severity}</p><p class="reach">{reach}</p>'
            f'{"<p>" + escape(p["description"]) + "</p>" if p["description"] else ""}'
            f'<ul>{links}</ul></div>{picture}</article>')


def discovery_section(findings: dict) -> str:
    d, curve = findings["discovery"], findings["curve"]
    if not d or d["p_observed"] is None:
        return ""
    rows = [("observed discovery rate p", f'{d["p_observed"]:.2f}'),
            ("adjusted p (Lewis 2001: deflation and Good–Turing)", f'{d["p_adjusted"]:.2f}'),
            ("problems seen (N), seen by one participant only (N1)", f'{d["problems_seen"]}, {d["seen_once"]}'),
            ("problems these tasks probably reveal", f'{d["problems_estimated"]:.1f}'),
            ("probably still undiscovered", f'{d["undiscovered"]:.1f}')]
    text = ""
    if curve:
        rows.append((f'participants for {curve["goal"] * 100:.0f} % discovery at this p', str(curve["needed"])))
        text = (f'<p>With {d["participants"]} participants the study has probably seen {curve["now"] * 100:.0f} % of '
                f'the problems these tasks reveal to participants like these at this rate.</p>'
                + image(charts.discovery_chart(curve, d["participants"]), "discovery curve"))
    matrix = table(["participant"] + [f"#{p['id']}" for p in findings["problems"]],
                   [[escape(person)] + ["●" if cell else "" for cell in row]
                    for person, row in zip(findings["participants"], findings["matrix"])])
    caution = findings.get("discovery_caution")
    warning = f'<p class="caution">Caution: {escape(caution)}.</p>' if caution else ""
    return (f'<section id="discovery"><h2>Discovery</h2>{warning}'
            f'{table(["measure", "value"], [[escape(a), b] for a, b in rows])}{text}'
            f'<h3>Participant × problem</h3>{matrix}</section>')
