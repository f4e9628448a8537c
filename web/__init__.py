"""The web app: dashboard, replay, heatmaps, questionnaires and the moderator console.

`create_app` builds one app per study folder, its settings assembled once from defaults,
the environment and the given mapping (web/settings.py). `uxlab serve` runs it under
gunicorn's gevent worker (WebSocket through simple-websocket); for a hand-made deployment:

    UXLAB_STUDY=my-study UXLAB_SECRET_KEY=... gunicorn -k gevent -w 1 'web:create_app()'

The app runs on gevent when the server has patched the standard library for it, and on
threads otherwise (the development server, tests).

More than one process needs the same UXLAB_REDIS_URL and UXLAB_SECRET_KEY: rooms, the login
limiter and the console's recorder state are then shared through Redis.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from sessions.events import CALL_NAMESPACE, CONSOLE_NAMESPACE
from sessions.recovery import open_writer
from sessions.study import load_study
from web.settings import assemble


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app for the study folder in config["STUDY_DIR"] (or $UXLAB_STUDY)."""
    # Socket.IO and CSRF are imported here, not at the top: `uxlab serve` imports this package
    # before gunicorn's gevent worker patches the standard library, and the Socket.IO client
    # libraries keep references to ssl that gevent could then no longer patch
    from flask_socketio import SocketIO
    from flask_wtf.csrf import CSRFProtect
    settings = assemble(config, os.environ)
    app = Flask(__name__)
    app.config.update(settings)
    folder = app.config["STUDY_DIR"]
    app.extensions["uxlab"] = {"store": open_writer(folder), "study": load_study(folder)}

    from web import constants, errors
    from web.auth import access, headers
    from web.live import shared_state
    app.extensions["uxlab"]["shared"] = shared_state.connect(app.config["REDIS_URL"])
    constants.init_app(app)
    headers.init_app(app)
    access.init_app(app)  # before CSRF: an anonymous client is refused before anything else
    CSRFProtect(app)
    errors.init_app(app)
    from web import qr
    qr.init_app(app)
    from web import view_cache
    view_cache.init_app(app)
    _register_blueprints(app)
    from web.live import namespace as live
    from web.live.payloads import MAX_MESSAGE_BYTES
    from web.load_limit import LoadLimit
    app.wsgi_app = LoadLimit(  # type: ignore[method-assign]  # Flask's documented way to wrap it
        app.wsgi_app, app.config["MAX_REQUESTS"], app.config["QUEUE_SECONDS"])
    # with a Redis URL, several server processes share rooms through Redis (see web/live/namespace.py);
    # the transport's message limit is the live frame limit plus room for the packet around it
    app.config["ASYNC_MODE"] = app.config["ASYNC_MODE"] or _async_mode()
    socketio = SocketIO(app, async_mode=app.config["ASYNC_MODE"], manage_session=False,
                        message_queue=app.config["REDIS_URL"] or None,
                        max_http_buffer_size=MAX_MESSAGE_BYTES)
    socketio.on("connect", namespace="/")(_refuse_default_namespace)
    from web.live.console import ConsoleNamespace
    socketio.on_namespace(ConsoleNamespace(CONSOLE_NAMESPACE))
    from web.live.call_signal import CallNamespace
    socketio.on_namespace(CallNamespace(CALL_NAMESPACE))   # the moderator's call with a remote participant
    live.init_app(app, socketio)
    if app.config["ASYNC_MODE"] == "threading":   # on threads, as Werkzeug serves it (`uxlab serve --dev`, tests)
        app.wsgi_app = _closing_websockets(app.wsgi_app)  # type: ignore[method-assign]
    app.extensions["uxlab"]["socketio"] = socketio
    return app


def _async_mode() -> str:
    """gevent when the server patched the standard library for it (gunicorn -k gevent)."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("threading") else "threading"


def _closing_websockets(wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
    """Drop a WebSocket's connection once Werkzeug's server has served it to its end.

    Werkzeug keeps the connection open for a next request after a WebSocket ends, and a
    python-socketio client's close waits for the connection to drop: websocket-client waits
    up to 3 s for the answer to its close frame, which the client's own read thread takes.
    Every close of a recorder, an observer or a join socket took those 3 s on `uxlab serve
    --dev` and the web tests' server; gunicorn (`uxlab serve`) drops the connection itself."""
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            return wsgi_app(environ, start_response)
        except ConnectionError:   # how engineio ends a WebSocket on Werkzeug (or a client gone)
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:   # already gone
                    pass
            raise
    return app


def _refuse_default_namespace(auth=None) -> bool:
    """Nothing is served on `/`: a client must name /live or /console, whose checks apply."""
    return False


def _register_blueprints(app: Flask) -> None:
    from web.auth import views as auth
    from web.views import (
        captions,
        console,
        dashboard,
        heatmaps,
        media,
        problems,
        questionnaire,
        replay,
        screen_picker,
        search,
        sessions_admin,
    )
    for module in (auth, dashboard, replay, heatmaps, questionnaire, console, media, problems, search, captions,
                   sessions_admin, screen_picker):
        app.register_blueprint(module.bp)
    from web.views import join
    app.register_blueprint(join.bp)
    from web.views import corrections
    app.register_blueprint(corrections.bp)
    from web.views import capture
    app.register_blueprint(capture.bp)
    from web.views import invitations
    app.register_blueprint(invitations.bp)
