"""Ending a login ends its live sockets (issue 22, item 2): an observer watching /live who logs
out in another tab, whose password changes, or who is removed by `uxlab user remove` from
another process is disconnected within LOGIN_DEADLINE and receives no frame afterwards, on
one `uxlab serve` and on two sharing rooms through Redis. A second observer, still logged
in, keeps receiving frames: it is the clock that says frames went on being sent."""
from __future__ import annotations

import http.cookiejar
import itertools
import re
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable

import numpy as np
import pytest

from recorder.live import LivePublisher
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, USERS, UXLAB, Observer, Server, wait_for
from web.auth.accounts import add_user

LOGIN_DEADLINE = 2.0   # the re-check interval (1 s) with room for a busy machine
MORE_FRAMES = 6        # frames the other observer receives while the ended one must get none
OTTO_PASSWORD = USERS["otto"][1]
_numbers = itertools.count(1)


def _new_observer(folder) -> str:
    """An observer of the calling test's own: ending its login (a new password, a removal)
    touches no other test's user on the module's server(s)."""
    name = f"otto{next(_numbers)}"
    store = Store(folder)
    add_user(store, name, "observer", OTTO_PASSWORD)
    store.close()
    return name


class Tab:
    """A browser tab's login through the real form, with its own cookie jar."""

    def __init__(self, url: str, name: str, password: str) -> None:
        self.url, self.name = url, name
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        form = {"csrf_token": self._token("/login"), "name": name, "password": password}
        self.opener.open(f"{url}/login", data=urllib.parse.urlencode(form).encode()).close()

    def cookie(self) -> str:
        return "uxlab_session=" + next(c.value for c in self.jar if c.name == "uxlab_session")

    def _token(self, path: str) -> str:
        with self.opener.open(f"{self.url}{path}") as page:
            return re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)

    def post(self, path: str, fields: dict) -> int:
        form = {"csrf_token": self._token("/account/password"), **fields}
        with self.opener.open(f"{self.url}{path}", data=urllib.parse.urlencode(form).encode()) as answer:
            return answer.status


def _log_out(tab: Tab, folder) -> None:
    assert tab.post("/logout", {}) == 200   # redirected to the login page


def _change_password(tab: Tab, folder) -> None:
    new = "otto-brand-new-password"
    assert tab.post("/account/password", {"current": OTTO_PASSWORD, "new": new, "repeat": new}) == 200


def _remove(tab: Tab, folder) -> None:
    done = subprocess.run([str(UXLAB), "user", "remove", str(folder), tab.name], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


class Frames:
    """Offers a changing screen to a publisher ten times a second until stopped."""

    def __init__(self, publisher: LivePublisher) -> None:
        self.publisher, self.stop = publisher, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        t = 0.0
        while not self.stop.wait(0.1):
            t += 0.1
            self.publisher.offer(round(t, 1), np.full((90, 160, 4), int(t * 10) % 250, np.uint8))

    def end(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def _watch_then_end(servers: list[Server], end: Callable[[Tab, object], None]) -> None:
    """The recorder publishes to the first server, both observers watch on the last one, and
    the login is ended through the first: across processes when there are two."""
    folder = servers[0].folder
    name = _new_observer(folder)
    store = Store(folder)
    session_id = store.sessions.create("P5")
    publisher = LivePublisher(servers[0].url, LIVE_TOKEN, session_id).start()
    frames = Frames(publisher)
    watcher = servers[-1].url
    tab = Tab(servers[0].url, name, OTTO_PASSWORD)
    otto = Observer(watcher, tab.cookie()).connect()
    olga = Observer(watcher, Tab(watcher, "olga", USERS["olga"][1]).cookie()).connect()
    gone = threading.Event()
    otto.client.on("disconnect", lambda *args: gone.set(), namespace="/live")
    try:
        assert wait_for(lambda: publisher.connected, timeout=10)
        assert otto.join(session_id)["ok"] and olga.join(session_id)["ok"]
        assert wait_for(lambda: len(otto.of("frame")) >= 3, timeout=10), "the observer never got frames"
        end(tab, folder)   # returns once the store has the change
        assert gone.wait(LOGIN_DEADLINE), f"still connected {LOGIN_DEADLINE} s after the login ended"
        after = len(otto.of("frame"))
        seen = len(olga.of("frame"))
        assert wait_for(lambda: len(olga.of("frame")) >= seen + MORE_FRAMES, timeout=10)
        assert len(otto.of("frame")) == after, "frames reached a socket whose login had ended"
    finally:
        frames.end()
        otto.close()
        olga.close()
        publisher.stop()
        store.close()


@pytest.mark.parametrize("end", [_log_out, _change_password, _remove], ids=["logout", "password", "removed"])
def test_an_ended_login_loses_its_live_socket(package_server, end):
    _watch_then_end([package_server], end)


@pytest.mark.parametrize("end", [_log_out, _remove], ids=["logout", "removed"])
def test_an_ended_login_loses_its_socket_on_another_process(redis_servers, end):
    _watch_then_end(redis_servers, end)
