"""Web fixtures: an app on a real study folder with one user per role, logged-in test
clients, a real HTTP server in a thread, and headless system Chromium."""
from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import password_hash
from tests.web.recordings import record_session

PASSWORDS = {"rita": ("researcher", "rita-password"), "otto": ("observer", "otto-password"),
             "vera": ("reviewer", "vera-password")}
ROLE_USER = {role: name for name, (role, _) in PASSWORDS.items()}

LIVE_TOKEN = "lab-live-token"


@pytest.fixture(scope="session")
def template_code(tmp_path_factory):
    """Jinja's bytecode cache for the run: every app compiled each template it rendered
    afresh (~0.05 s a page); a template whose source changed is compiled again."""
    from jinja2 import FileSystemBytecodeCache
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


@pytest.fixture
def app(study_dir, template_code):
    from web import create_app
    application = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "test-secret",
                              "LIVE_TOKEN": LIVE_TOKEN})
    application.jinja_env.bytecode_cache = template_code
    store = application.extensions["uxlab"]["store"]
    for name, (role, password) in PASSWORDS.items():
        store.users.add(name, role, password_hash(password))
    yield application
    store.close()


@pytest.fixture
def web_store(app):
    return app.extensions["uxlab"]["store"]


@pytest.fixture
def session_id(web_store):
    return record_session(web_store)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, role: str) -> str:
    """Log a test client in as the user with `role`; returns a CSRF token for later posts."""
    name = ROLE_USER[role]
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "name": name,
                                           "password": PASSWORDS[name][1]})
    assert response.status_code == 302, response.text
    return csrf_from(client.get("/").text)


@pytest.fixture
def as_role(app):
    """as_role("reviewer") -> (client, csrf token)."""
    def make(role: str):
        client = app.test_client()
        return client, login(client, role)
    return make


def run_async(coro):
    """Run a coroutine to the end in its own thread: Playwright's sync API keeps an event
    loop running in the main thread once a browser test has started."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> tuple[int, ...]:
    """`count` distinct free ports: each socket stays bound until all are chosen, since two
    free_port() calls in a row can be handed the same port (a run lost a test to that)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return tuple(s.getsockname()[1] for s in sockets)
    finally:
        for s in sockets:
            s.close()


@contextmanager
def serving(app, port: int | None = None) -> Iterator[str]:
    """The app on a real threaded HTTP server (websockets included), Werkzeug's, as `uxlab
    serve --dev` runs it, on `port` or a free one; gives its base URL while it serves."""
    server = make_server("127.0.0.1", free_port() if port is None else port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app on a real threaded HTTP server (websockets included); yields its base URL."""
    with serving(app) as url:
        yield url

