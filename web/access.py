"""Who may see what: every endpoint needs a login unless it is listed as public here, and
role checks are a decorator on top. Refusing by default means a new route cannot be left
open by forgetting a decorator."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, g, redirect, request, session, url_for

from web import current

# the login page, static assets and the participant's own tokenised questionnaire
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "questionnaire.page", "questionnaire.state",
                              "questionnaire.submit"})


def init_app(app: Flask) -> None:
    app.before_request(_gate)
    app.context_processor(lambda: {"current_user": current.user(), "can": can})


def wants_json() -> bool:
    return (request.path.endswith(".json") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def _gate():
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    name = session.get("user")
    row = current.store().user(name) if name else None
    if row is None:
        session.pop("user", None)
        if request.method != "GET" or wants_json():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    g.user = {"name": row["name"], "role": row["role"]}
    return None


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
        guarded.roles = roles
        return guarded
    return decorate
