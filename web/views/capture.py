"""The capture endpoint: a web product's pages, carrying capture.js, send what was clicked,
on which URL and at which scroll, to the session being recorded (issue 21).

No login: the product's page is another site. It is let in only when all of these hold,
each checked here on every request: a session is recording; the request's Origin is one of
the study's `[capture] origins` (CORS answers, preflights included, go to those origins
only); the body carries that session's capture token, which only a page of an allowed
origin can read from the pairing answer; every event passes the contract's one gate
(`sessions.events.check_event`: a malformed event is refused and counted, never stored);
and the session's rate stays under its bound (429 beyond). The bound and the counts of
refused events live in the study's database (`store.capture_rates`), so they hold per
session whatever the number of server processes. The token stands in for a CSRF token, so
this blueprint is exempt from the form check.

    GET     /capture/pairing    {session, token, now, kinds, values} or {session: null};
                                ?join=<join token>: the remote participant's session
    POST    /capture/events     {session, token, events: [...]}: {stored, refused}
    OPTIONS both                answered for allowed origins only
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, jsonify, request

from sessions.errors import MalformedEvent, UxlabError
from sessions.events import (
    CAPTURE_KINDS,
    CAPTURE_TARGET_KEYS,
    ELEMENT_TEXT_CHARS,
    EventKind,
    KeystrokeMode,
    SessionStatus,
    UnknownKind,
    check_event,
    element_label,
)
from sessions.invitations import Source
from sessions.studyfile_capture import JOIN_PARAMETER
from sessions.tables.capture_rates import FLOOD, MALFORMED
from web import current

bp = Blueprint("capture", __name__)
MAX_BODY_BYTES = 256 * 1024    # a batch of a few hundred events is ~60 KB
MAX_BATCH = 500                # events per request
RATE_EVENTS = 200.0            # events per second a session may send, on average ...
RATE_BURST = 1000.0            # ... after a burst of this many (a page load, a fast scroll)
_FIELDS = ("t", "kind", "x", "y", "dx", "dy", "button", "key", "text")


@bp.record_once
def _exempt_from_csrf(state: Any) -> None:
    state.app.extensions["csrf"].exempt(bp)


def refused_events(session_id: str) -> dict[str, int]:
    """A session's refused events, over every server process of the study: malformed ones
    and those past the rate bound ({"malformed": n, "flood": n})."""
    return current.store().capture_rates.refused(session_id)


def capture_token(secret: str | bytes, session_id: str) -> str:
    """The session's capture token: derived from the app's secret, so nothing is stored and a
    token says nothing about another session."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"capture:{session_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _origin() -> str | None:
    """The request's Origin when the study allows it, else None."""
    origin = (request.headers.get("Origin") or "").lower()
    return origin if origin and current.study().capture.web.allows(origin) else None


def _answer(body: dict, status: int, origin: str | None) -> Response:
    response = jsonify(body)
    response.status_code = status
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


def _recording(join: str | None = None) -> dict | None:
    """The session a page pairs with: a remote participant's, named by their join link's
    token (the product's tab was opened with ?uxlab_join=...), else the one the lab's
    recorder is recording now (the newest, if more than one); None when it is not recording."""
    store = current.store()
    if join:
        invitation = store.invitations.open(join)   # a bad, revoked or expired link: one sentence
        session = store.sessions.get(invitation.session_id) if invitation.session_id else None
        return session if session and session["status"] == SessionStatus.RECORDING else None
    rows = [s for s in store.sessions.all(status=SessionStatus.RECORDING.value)
            if (s.get("source") or Source.NATIVE) == Source.NATIVE]
    return rows[0] if rows else None


def _running(session_id: Any) -> dict | None:
    """The session a batch names, when it is being recorded."""
    if not isinstance(session_id, str):
        return None
    try:
        session = current.store().sessions.get(session_id)
    except UxlabError:
        return None
    return session if session["status"] == SessionStatus.RECORDING else None


@bp.route("/capture/pairing", methods=["OPTIONS"])
@bp.route("/capture/events", methods=["OPTIONS"])
def preflight() -> Response:
    """A CORS preflight: answered with permission for an allowed origin only."""
    origin = _origin()
    if origin is None:
        return _answer({"error": "this origin may not send capture events to this study"}, 403, None)
    response = _answer({}, 204, origin)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.route("/capture/pairing")
def pairing() -> Response:
    """The running session, its token and the session clock, for a page of an allowed origin."""
    origin = _origin()
    if origin is None:
        return _answer({"error": "this origin may not send capture events to this study"}, 403, None)
    try:
        session = _recording(request.args.get("join"))
    except UxlabError as exc:
        return _answer({"session": None, "error": exc.message}, exc.status, origin)
    if session is None:
        return _answer({"session": None}, 200, origin)
    return _answer({"session": session["id"], "now": round(time.time() - session["started_at"], 3),
                    "token": capture_token(current_app.config["SECRET_KEY"], session["id"]),
                    # what the page may send, from the contract: the kinds' names, and whether
                    # a field's value may leave the page (the study keeps keystrokes in full)
                    "kinds": {EventKind(k).name: k for k in CAPTURE_KINDS},
                    "values": current.study().capture.keystrokes == KeystrokeMode.FULL}, 200, origin)


@bp.route("/capture/events", methods=["POST"])
def events() -> Response:
    """Store a batch of a page's events for the running session (see the module's rules)."""
    origin = _origin()
    if origin is None:
        return _answer({"error": "this origin may not send capture events to this study"}, 403, None)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _answer({"error": f"a batch is at most {MAX_BODY_BYTES // 1024} KB"}, 413, origin)
    try:   # sendBeacon posts text/plain (no preflight), so the body is parsed whatever its type
        body = json.loads(request.get_data(cache=False, as_text=True) or "null")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return _answer({"error": "the request needs a JSON object with a list of events"}, 400, origin)
    session = _running(body.get("session"))
    if session is None:
        return _answer({"error": "no session is being recorded for this page"}, 409, origin)
    expected = capture_token(current_app.config["SECRET_KEY"], session["id"])
    if not isinstance(body.get("token"), str) or not hmac.compare_digest(body["token"], expected):
        return _answer({"error": "the capture token does not belong to the running session"}, 403, origin)
    raw = body["events"]
    if len(raw) > MAX_BATCH:
        return _answer({"error": f"a batch holds at most {MAX_BATCH} events"}, 413, origin)
    now = time.time() - session["started_at"]
    store = current.store()
    if not store.capture_rates.take(session["id"], len(raw), rate=RATE_EVENTS, burst=RATE_BURST):
        store.capture_rates.refuse(session["id"], len(raw), FLOOD)
        return _answer({"error": "too many capture events for this session; some were dropped"}, 429, origin)
    mode = current.study().capture.keystrokes
    rows, refused, first_error = [], 0, None
    attempts = current.store().attempts.all(session["id"])
    for event in raw:
        try:
            rows.append(_row(event, now, mode, attempts))
        except (UnknownKind, MalformedEvent) as exc:
            refused += 1
            first_error = first_error or exc.message
    if rows:
        current.store().events.append(session["id"], rows)
    if refused:
        store.capture_rates.refuse(session["id"], refused, MALFORMED)
    answer: dict[str, Any] = {"stored": len(rows), "refused": refused}
    if first_error:
        answer["error"] = first_error
    return _answer(answer, 400 if refused and not rows else 200, origin)


def _row(event: Any, now: float, mode: str, attempts: list[dict]) -> dict:
    """A page's event as a stored row, checked by the contract; what the page typed into a
    field is kept only as the study's keystroke rule says, whatever the page sent."""
    if not isinstance(event, dict) or event.get("kind") not in CAPTURE_KINDS:
        raise UnknownKind("a page may send only capture events "
                          f"({', '.join(CAPTURE_KINDS)})")
    row: dict[str, Any] = {k: event.get(k) for k in _FIELDS}
    row["window"] = without_join_token(event.get("url"))
    t = row["t"]
    if isinstance(t, (int, float)) and not isinstance(t, bool) and t > now + 5:
        raise UnknownKind(f"an event's time {t!r} s is ahead of the session clock")
    target = event.get("target")
    if target is not None:
        if not isinstance(target, dict):
            raise UnknownKind("an event's target must describe its element")
        target = {k: (v[:ELEMENT_TEXT_CHARS] if isinstance(v, str) and k in ("name", "text") else v)
                  for k, v in target.items()}
        row["target"] = json.dumps(target, separators=(",", ":"))
    if row["kind"] == EventKind.PAGE_CLICK and isinstance(target, dict):
        row["text"] = element_label(target)
        row["pressed"] = 1
    if row["kind"] == EventKind.FIELD:
        secret = isinstance(target, dict) and str(target.get("type") or "").lower() == "password"
        if mode != KeystrokeMode.FULL or secret:
            row["text"] = None
    if row["kind"] == EventKind.URL and isinstance(row["text"], str):
        row["text"] = row["text"][:200]
    check_event(row)
    if isinstance(target, dict) and set(target) - set(CAPTURE_TARGET_KEYS):
        raise UnknownKind("an event's target has fields the contract does not define")
    row["task"] = _task_at(row["t"], attempts)
    return row


def without_join_token(url: Any) -> Any:
    """A page's URL without the join token a remote participant's tab was opened with: the
    study keeps only a hash of each token, so no URL stored or exported may carry one."""
    if not isinstance(url, str) or JOIN_PARAMETER not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:   # not a URL one can take apart: keep none of its query
        return url.split("?", 1)[0]
    # the other parameters stay exactly as the page wrote them
    query = "&".join(p for p in parts.query.split("&") if p.split("=", 1)[0] != JOIN_PARAMETER)
    return urlunsplit(parts._replace(query=query))


def _task_at(t: float, attempts: list[dict]) -> str | None:
    """The task running at session time `t`, if any."""
    for attempt in reversed(attempts):
        if attempt["started"] <= t and (attempt["ended"] is None or t <= attempt["ended"]):
            return attempt["task"]
    return None
