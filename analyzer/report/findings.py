"""The report's findings: the issues ranked with a marked picture of where each happened,
observers' tagged notes, and click heatmaps per task and screen state."""
from __future__ import annotations

from html import escape

from analyzer.data.screen_names import ScreenNames
from analyzer.data.study_data import StudyData
from analyzer.heatmap import designs, heatmap_png, task_clicks
from analyzer.report.format import clock, image, plural
from analyzer.report.thumbnails import screen_thumbnail
from analyzer.top_issues import pending_flags, tagged_notes, untagged_notes
from sessions.store import Store

HEATMAP_STATES = 4          # per-screen heatmaps shown per task at most
DETAIL_LINES = 6            # occurrences listed under an issue before "and N more"
KIND_LABELS = {"moderator_error": "logged error", "error_screen": "error screen",
               "disagreement": "outcome check", "rage_clicks": "rage clicks", "dead_clicks": "dead clicks"}


def issues_section(store: Store, issues: list[dict], names: dict[str, str]) -> str:
    """The issues as cards, most widespread first, each with its screen and occurrences."""
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


def notes_section(store: Store, result: dict) -> str:
    """Tagged notes grouped by tag, quotes set as quotes, with what is left out said."""
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


def heatmaps_section(data: StudyData, result: dict) -> str:
    """Per task, a heatmap per clicked screen state (or one when there is only one); a state
    belongs to one design group, so two designs never share a picture."""
    figures, names = [], ScreenNames(data.store, data.sessions)
    for task in result["tasks"]:
        if not task["attempts"] and not task.get("interrupted"):
            continue
        states = [s for s in task_clicks(data, task["id"]).states if s["clicks"]]
        if len(states) > 1:
            shown = states[:HEATMAP_STATES]
            figures.append(f"<h3>{escape(task['id'])}</h3><p class='muted'>Clicks on {len(states)} different "
                           f"screens; the {len(shown)} most clicked are shown.</p><div class='grid'>")
            for s in shown:
                png = heatmap_png(data, task["id"], s["index"])
                figures.append(_heat_figure(task["id"], s, png, names.of_keyframe(s["session_id"], s["keyframe"])))
            figures.append("</div>")
        else:
            whole = None if len(designs(data, task_clicks(data, task["id"]))) <= 1 or not states else states[0]["index"]
            png = heatmap_png(data, task["id"], whole)
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
        design = f", design group {state['group']}" if state.get("group") else ""
        caption = (f"screen state {state['index']}{title}: {plural(state['clicks'], 'click')}, "
                   f"{plural(len(state['sessions']), 'session')}{design}")
        anchor = f' id="heat-{escape(task_id)}-{state["index"]}"'
    return (f"<figure{anchor}>{image(png, f'click heatmap of {task_id}', css='heat')}"
            f"<figcaption>{escape(caption)}</figcaption></figure>")
