"""Search the study: words in every session's transcript and notes, each hit linking to
the replay at that moment."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from analyzer.url_screens import find_clicks
from sessions.errors import UxlabError
from sessions.events import ROLES
from sessions.transcripts import MARK_END, MARK_START, Transcripts
from web import current
from web.auth.access import requires

bp = Blueprint("search", __name__)
MAX_QUERY = 200


def _parts(snippet: str) -> list[tuple[str, bool]]:
    """A highlighted snippet as (text, matched) pieces, for the template to escape."""
    parts = []
    for i, chunk in enumerate(snippet.split(MARK_START)):
        if i == 0:
            parts.append((chunk, False))
            continue
        matched, _, rest = chunk.partition(MARK_END)
        parts += [(matched, True), (rest, False)]
    return [p for p in parts if p[0]]


def _hits(query: str) -> list[dict]:
    hits = Transcripts(current.store()).search(query)
    for hit in hits:
        hit["parts"] = _parts(hit.pop("snippet"))
    for click in find_clicks(current.store(), query):   # what was clicked, by its element's name
        click["parts"] = [(f"clicked {click.pop('label')}", True)]
        hits.append(click)
    for hit in hits:
        hit["replay"] = url_for("replay.page", session_id=hit["session"]) + f"#t={hit['t']:.1f}"
    return hits


@bp.route("/search")
@requires(*ROLES)
def page():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    hits, error = [], None
    if query:
        try:
            hits = _hits(query)
        except UxlabError as exc:
            error = exc.message
    return render_template("search/search.html", query=query, hits=hits, error=error), 400 if error else 200


@bp.route("/search.json")
@requires(*ROLES)
def api():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    try:
        hits = _hits(query)
    except UxlabError as exc:
        return jsonify({"error": exc.message}), exc.status
    for hit in hits:
        hit["text_marked"] = [[text, matched] for text, matched in hit.pop("parts")]
    return jsonify({"query": query, "hits": hits})
