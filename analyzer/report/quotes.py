"""The report's quotes: what participants said, as researchers marked it (#quote notes made
from the transcript), each with a link that opens the replay at that moment."""
from __future__ import annotations

from html import escape
from urllib.parse import quote as url_quote

from analyzer.report.format import clock, plural
from analyzer.top_issues import task_at
from sessions.store import Store
from sessions.transcripts import QUOTE_TAG, Transcripts


def quotes_section(store: Store, result: dict, replay_base: str = "") -> str:
    """#quote notes of the counted sessions, in recording order, each linked to its replay
    on the lab server at `replay_base` (without one the report links nowhere outside itself)."""
    sessions = {s["id"]: s for s in result["sessions"]}
    items = []
    for q in Transcripts(store).quotes():
        session = sessions.get(q["session_id"])
        if session is None:  # a pilot or excluded session is counted nowhere
            continue
        moment = f"{clock(q['t'])} in the replay"
        if replay_base:
            link = f"{replay_base.rstrip('/')}/sessions/{url_quote(q['session_id'])}#t={q['t']:.1f}"
            moment = f'<a href="{escape(link)}">{moment}</a>'
        task = task_at(session["attempts"], q)
        items.append(
            f'<li><blockquote>{escape(q["text"])}</blockquote><p class="muted">{escape(q["participant"])}, '
            f'{escape(task or "between tasks")}, {moment}'
            f' · quoted by {escape(q["author"] or "?")}</p></li>')
    if not items:
        body = (f'<p class="muted">No quotes yet: select words in a replay\'s transcript and '
                f'press “Quote” (a note tagged #{QUOTE_TAG}).</p>')
    else:
        body = f'<p class="muted">{plural(len(items), "quote")}</p><ul class="notes quotes">{"".join(items)}</ul>'
    return f'<section id="quotes"><h2>In participants\' words</h2>{body}</section>'
