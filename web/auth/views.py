"""Logging in and out, and changing one's own password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from sessions.errors import UxlabError
from web import current
from web.auth.access import begin_login
from web.auth.accounts import authenticate, change_password
from web.auth.login_limits import LoginLimiter
from web.live.login_sweep import logins_ended

bp = Blueprint("auth", __name__)


def _limiter() -> LoginLimiter:
    config = current_app.config
    return LoginLimiter(current_app.extensions["uxlab"]["shared"], config["LOGIN_MAX_FAILURES"],
                        config["LOGIN_MAX_ADDRESS_FAILURES"], config["LOGIN_WINDOW_SECONDS"])


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot be used to redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:64]
        address = request.remote_addr or "?"
        wait = _limiter().retry_after(address, name)
        if wait:
            abort(429, f"Too many failed logins; try again in {int(wait) + 1} seconds.")
        user = authenticate(current.store(), name, request.form.get("password", ""))
        if user is None:
            _limiter().failed(address, name)
            error = "Wrong name or password."
        else:
            _limiter().succeeded(address, name)
            begin_login(session, user)
            session.permanent = True
            if user["must_change"]:
                return redirect(url_for("auth.password"))
            return redirect(_safe_next(request.form.get("next")))
    return render_template("auth/login.html", error=error, next=request.values.get("next", "")), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends this user's logins everywhere, so a copied cookie is worth nothing afterwards."""
    current.store().users.end_logins(current.login()["name"])
    logins_ended()   # this user's live sockets end now, in every server process
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password; a one-time password must be replaced here first. Other
    logins of the user end; this one goes on."""
    user, error = current.user(), None
    if request.method == "POST":
        try:
            change_password(current.store(), user["name"], request.form.get("current", ""),
                            request.form.get("new", ""), request.form.get("repeat", ""))
        except UxlabError as exc:
            error = exc.message
        else:
            logins_ended()
            begin_login(session, current.store().users.get(user["name"]))
            session.permanent = True
            return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", error=error,
                           must_change=user["must_change"]), (400 if error else 200)
