"""Logging in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from web import current
from web.accounts import authenticate
from web.login_limits import LoginLimiter

bp = Blueprint("auth", __name__)


def _limiter() -> LoginLimiter:
    ext = current_app.extensions["uxlab"]
    if "login_limiter" not in ext:
        ext["login_limiter"] = LoginLimiter(current_app.config["LOGIN_MAX_FAILURES"],
                                            current_app.config["LOGIN_WINDOW_SECONDS"])
    return ext["login_limiter"]


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
            session.clear()  # a fresh session: no fixation across the login
            session.permanent = True
            session["user"] = user["name"]
            return redirect(_safe_next(request.form.get("next")))
    return render_template("login.html", error=error, next=request.values.get("next", "")), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
