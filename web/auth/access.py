"""Who may see what: every endpoint needs a login unless it is listed as public here, and
role checks are a decorator on top. Refusing by default means a new route cannot be left
open by forgetting a decorator.

A login is the signed cookie's user name, the user's generation when the login began and
the time it was last used. It ends when the user logs out, changes or is given a new
password, or is removed (each moves the generation on, or deletes the user), and after
IDLE_MINUTES without a request.
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, session, url_for

from sessions.events import KEYFRAME_DIR, Role
from web import current

# the login page, static assets and the participant's own tokenised questionnaire
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "questionnaire.page", "questionnaire.state",
                              "questionnaire.submit"})
# the remote participant's join page and capture endpoint: each view checks its join token
PUBLIC_BLUEPRINTS = frozenset({"join", "capture"})
# what a user who must replace a one-time password may still reach
CHANGE_ENDPOINTS = frozenset({"auth.password", "auth.logout"})
# a finished session's video, sound and the study's exports: observers only when the study
# allows it (keyframe stills, which heatmaps show, and the replay's timeline, events, notes and
# transcript stay open to them)
DOWNLOAD_ENDPOINTS = frozenset({"media.file", "replay.voice", "dashboard.download_csv", "dashboard.report"})
# writing in replay: reviewers only when the study allows reviewer notes
NOTE_ENDPOINTS = frozenset({"replay.add_note", "replay.set_tags"})
LOGIN_KEYS = ("user", "generation", "seen")
SEEN_EVERY = 30.0   # seconds between refreshes of a login's last use (each rewrites the cookie)


def init_app(app: Flask) -> None:
    app.before_request(_gate)
    app.context_processor(lambda: {"current_user": current.user(), "can": can})


def wants_json() -> bool:
    return (request.path.endswith(".json") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def begin_login(cookie: MutableMapping[str, Any], user: dict) -> None:
    """Start a login in a fresh cookie (no fixation across the login)."""
    cookie.clear()
    cookie.update(user=user["name"], generation=int(user["generation"] or 0), seen=time.time())


def logged_in(cookie: MutableMapping[str, Any]) -> dict | None:
    """The user row of a login that is still valid, else None (the cookie is cleared)."""
    name = cookie.get("user")
    row = current.store().users.get(name) if isinstance(name, str) else None
    seen = cookie.get("seen")
    idle = current_app.config["IDLE_MINUTES"] * 60
    since = time.time() - seen if isinstance(seen, (int, float)) else None
    if row is None or cookie.get("generation") != int(row["generation"] or 0) or since is None or since > idle:
        for key in LOGIN_KEYS:   # the rest (an anonymous visitor's CSRF token) stays
            cookie.pop(key, None)
        return None
    if since > SEEN_EVERY:
        cookie["seen"] = time.time()
    return row


def _gate():
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    row = logged_in(session)
    if row is None:
        if request.method != "GET" or wants_json():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    g.user = {"name": row["name"], "role": row["role"], "must_change": bool(row["must_change"])}
    if g.user["must_change"] and request.endpoint not in CHANGE_ENDPOINTS:
        if request.method != "GET" or wants_json():
            abort(403, "Set your own password first.")
        return redirect(url_for("auth.password"))
    _study_rules(request.endpoint, g.user["role"])
    return None


def _study_rules(endpoint: str, role: str) -> None:
    """The study's [access] settings, on top of each view's roles."""
    rules = current.study().access
    still = endpoint == "media.file" and str((request.view_args or {}).get("relative", "")).startswith(
        KEYFRAME_DIR + "/")
    if role == Role.OBSERVER and endpoint in DOWNLOAD_ENDPOINTS and not still and not rules.observer_downloads:
        abort(403, "This study does not let observers download recordings.")
    if role == Role.REVIEWER and endpoint in NOTE_ENDPOINTS and not rules.reviewer_notes:
        abort(403, "Reviewers have read-only access in this study.")


def may_play_recordings() -> bool:
    """Whether the user may play and download recorded video and sound (the study decides
    for observers)."""
    user = current.user()
    if user is None:
        return False
    return user["role"] != Role.OBSERVER or current.study().access.observer_downloads


def can(*roles: str) -> bool:
    user = current.user()
    return user is not None and user["role"] in roles


def requires(*roles: str) -> Callable:
    """Allow a view only to users with one of `roles` (403 for the others)."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not can(*roles):
                abort(403)
            return view(*args, **kwargs)
        guarded.roles = roles  # type: ignore[attr-defined]  # read by the route-access tests
        return guarded
    return decorate
