"""Closing a Socket.IO client is prompt on both servers the app runs on: Werkzeug's (`uxlab
serve --dev` and the web tests' server) and `uxlab serve`'s gunicorn. The client's close
sends its WebSocket close frame and then waits, up to websocket-client's 3 s, for the server
to answer it or drop the connection; its own read thread takes the server's answer, so the
wait ends only when the server drops the connection. Werkzeug kept a WebSocket's connection
open for a next request, and every close there took the full 3 s (the recorder's stop, a
live observer's, a join page's socket in the tests)."""
from __future__ import annotations

import time

import pytest

from recorder.live import check_live_token
from sessions.events import LIVE_NAMESPACE
from tests.live.clients import LIVE_TOKEN, SECRET_KEY, InOrderClient
from tests.web.conftest import serving

pytestmark = pytest.mark.timeout(120)

PROMPT = 2.5   # seconds; a close that waits out websocket-client's close timeout takes 3.0
TRIES = 3      # which of the client's threads takes the server's answer is a race: close thrice


@pytest.fixture(scope="module")
def werkzeug_server(tmp_path_factory):
    """The app on Werkzeug's threaded server, as `uxlab serve --dev` and tests/web run it."""
    from tests.conftest import write_study
    from web import create_app
    folder = write_study(tmp_path_factory.mktemp("close") / "study")
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": SECRET_KEY, "LIVE_TOKEN": LIVE_TOKEN})
    with serving(app) as url:
        yield url
    app.extensions["uxlab"]["store"].close()


def closing_time(url: str, transports: list[str]) -> float:
    """Seconds the slowest of TRIES connected clients' disconnect() takes (a token check's
    connection on /live)."""
    return max(one_closing_time(url, transports) for _ in range(TRIES))


def one_closing_time(url: str, transports: list[str]) -> float:
    client = InOrderClient(reconnection=False)
    client.connect(url, namespaces=[LIVE_NAMESPACE], auth={"live_token": LIVE_TOKEN, "check": True},
                   transports=transports, wait_timeout=10)
    try:
        assert client.connected and client.eio.current_transport == "websocket"
        started = time.monotonic()
        client.disconnect()
        return time.monotonic() - started
    finally:
        if client.connected:
            client.disconnect()


@pytest.mark.parametrize("transports", [["websocket"], ["polling", "websocket"]], ids=["websocket", "upgraded"])
def test_a_client_closes_promptly_on_werkzeug(werkzeug_server, transports):
    took = closing_time(werkzeug_server, transports)
    assert took < PROMPT, f"disconnect took {took:.2f} s"


def test_a_client_closes_promptly_on_gunicorn(package_server):
    took = closing_time(package_server.url, ["websocket"])
    assert took < PROMPT, f"disconnect took {took:.2f} s"


def test_the_recorders_token_check_closes_promptly_on_werkzeug(werkzeug_server):
    """`uxlab record --live` checks its token with a connection it closes at once."""
    for _ in range(TRIES):
        started = time.monotonic()
        assert check_live_token(werkzeug_server, LIVE_TOKEN) == (True, "")
        took = time.monotonic() - started
        assert took < PROMPT, f"the check took {took:.2f} s"
