"""The study, store and user a request works with, looked up on the app rather than kept
in module globals, so two apps (two studies) can live in one process."""
from __future__ import annotations

from flask import current_app, g
from flask_socketio import SocketIO

from sessions.store import Store
from sessions.study import Study


def store() -> Store:
    return current_app.extensions["uxlab"]["store"]


def study() -> Study:
    return current_app.extensions["uxlab"]["study"]


def socketio() -> SocketIO:
    return current_app.extensions["uxlab"]["socketio"]


def user() -> dict | None:
    """The logged-in user of this request (name, role), or None."""
    return g.get("user")


def login() -> dict:
    """The logged-in user of a view behind the access gate (web/auth/access.py), which lets
    no request without a login reach it."""
    found = g.get("user")
    if found is None:
        raise RuntimeError("a view that needs a login was reached without one")
    return found
