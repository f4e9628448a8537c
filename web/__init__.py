"""The web app: dashboard, replay, heatmaps, questionnaires and the moderator console.

`create_app` builds one app per study folder. It runs under `uxlab serve` (Werkzeug with
Flask-SocketIO in threading mode) or under gunicorn for a shared lab server:

    UXLAB_STUDY=my-study UXLAB_SECRET_KEY=... gunicorn -k gthread --threads 32 -w 1 'web:create_app()'

One worker per process: Socket.IO's long-polling needs each client to keep reaching the
same process. To use more processes, give each the same UXLAB_REDIS_URL (rooms are shared
through Redis) and put them behind a proxy with sticky sessions.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from sessions.events import CONSOLE_NAMESPACE
from sessions.recovery import open_writer
from sessions.study import load_study


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app for the study folder in config["STUDY_DIR"] (or $UXLAB_STUDY)."""
    config = dict(config or {})
    folder = config.pop("STUDY_DIR", None) or os.environ.get("UXLAB_STUDY")
    if not folder:
        raise RuntimeError("no study folder: pass STUDY_DIR or set UXLAB_STUDY")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("UXLAB_SECRET_KEY") or secrets.token_hex(32),
        SESSION_COOKIE_NAME="uxlab_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # behind TLS set UXLAB_SECURE_COOKIES=1; over plain http a Secure cookie never returns
        SESSION_COOKIE_SECURE=os.environ.get("UXLAB_SECURE_COOKIES") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        PAGE_SIZE=50,
        LOGIN_MAX_FAILURES=5,
        LOGIN_WINDOW_SECONDS=300,
    )
    app.config.update(config)
    app.extensions["uxlab"] = {"store": open_writer(folder), "study": load_study(folder)}

    from web import access, constants, errors
    constants.init_app(app)
    access.init_app(app)  # before CSRF: an anonymous client is refused before anything else
    CSRFProtect(app)
    errors.init_app(app)
    from web import qr
    qr.init_app(app)
    _register_blueprints(app)
    # with UXLAB_REDIS_URL, several server processes share rooms through Redis (see web/live.py)
    socketio = SocketIO(app, async_mode="threading", manage_session=False,
                        message_queue=os.environ.get("UXLAB_REDIS_URL") or None)
    from web.console_socket import ConsoleNamespace
    socketio.on_namespace(ConsoleNamespace(CONSOLE_NAMESPACE))
    from web import live
    live.init_app(app, socketio)
    app.extensions["uxlab"]["socketio"] = socketio
    return app


def _register_blueprints(app: Flask) -> None:
    from web import (auth, captions, console, dashboard, heatmaps, media, problems, questionnaire, replay,
                     screen_picker, search, sessions_admin)
    for module in (auth, dashboard, replay, heatmaps, questionnaire, console, media, problems, search, captions,
                   sessions_admin, screen_picker):
        app.register_blueprint(module.bp)
