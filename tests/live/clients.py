"""Real processes and clients for the live tests: `uxlab serve` and `uxlab record` as
subprocesses stopped by their pid, an HTTP login that returns the session cookie, and a
python-socketio observer that keeps what it receives."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import engineio
import socketio

from recorder.virtual_display import stop_process
from sessions.events import LIVE_SERVER_EVENTS, LiveEvent

UXLAB = Path(sys.executable).parent / "uxlab"
LIVE_TOKEN = "live-token-for-tests"
SECRET_KEY = "live-test-secret"
USERS = {"rita": ("researcher", "rita-password"), "otto": ("observer", "otto-password"),
         "olga": ("observer", "olga-password"), "vera": ("reviewer", "vera-password")}


class _InOrderEngineIO(engineio.Client):
    """Engine.IO's sync client hands each message to a thread of its own, and a binary event
    comes as several messages (its placeholder, then its attachments): two such threads can
    take one event's attachment for the next event's header, and the client fails with
    "invalid literal for int() with base 10: b'\\xff'" (python-socketio issue 403, FIELD-NOTES
    trap 8). Here messages are handled on the read thread, in the order they came."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    """A sync Socket.IO client that decodes binary events in order (see _InOrderEngineIO);
    its handlers run on its read thread, so they must not wait on the server."""

    def _engineio_client_class(self):
        return _InOrderEngineIO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def add_users(folder: Path) -> None:
    from sessions.store import Store
    from tests.conftest import password_hash
    store = Store(folder)
    for name, (role, password) in USERS.items():
        if store.users.get(name) is None:
            store.users.add(name, role, password_hash(password))
    store.close()


class Server:
    """`uxlab serve FOLDER` on a free port; restartable on the same port."""

    def __init__(self, folder: Path, port: int | None = None, env: dict | None = None) -> None:
        self.folder, self.port = folder, port or free_port()
        self.env = {**os.environ, "UXLAB_LIVE_TOKEN": LIVE_TOKEN, "UXLAB_SECRET_KEY": SECRET_KEY,
                    **(env or {})}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.process = subprocess.Popen([str(UXLAB), "serve", str(self.folder), "--port", str(self.port)],
                                        env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not wait_for(self._listening, timeout=90):   # importing the app is slow on a busy machine
            self.stop()
            raise RuntimeError(f"uxlab serve did not start on {self.port}")
        return self

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"uxlab serve exited: {self.process.stderr.read().decode()[-2000:]}")
        # gunicorn's master listens before its worker has built the app: wait for an answer
        try:
            with urllib.request.urlopen(f"{self.url}/login", timeout=5) as page:
                return page.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            close_pipes(self.process)
        self.process = None


def close_pipes(process: subprocess.Popen) -> None:
    """Close what a finished child's pipes left open (an open pipe is a ResourceWarning)."""
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def login(url: str, name: str) -> str:
    """Log in through the real form; returns the Cookie header value of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "name": name, "password": USERS[name][1]}).encode()
    opener.open(f"{url}/login", data=form)  # a wrong password answers 401, which raises
    cookies = {c.name: c.value for c in jar}
    return f"uxlab_session={cookies['uxlab_session']}"


class Observer:
    """A python-socketio client on /live that records every message it receives."""

    KINDS = tuple(e.value for e in LIVE_SERVER_EVENTS if e != LiveEvent.SNAPSHOT)   # all sent to observers

    def __init__(self, url: str, cookie: str | None, *, reconnect: bool = False) -> None:
        self.url, self.cookie = url, cookie
        self.received: dict[str, list] = {kind: [] for kind in self.KINDS}
        self.client = InOrderClient(reconnection=reconnect, reconnection_delay=0.2,
                                    reconnection_delay_max=1)
        for kind in self.KINDS:
            self.client.on(kind, self._keeper(kind), namespace="/live")
        self.session_id: str | None = None
        self.client.on("connect", self._rejoin, namespace="/live")
        self.lock = threading.Lock()

    def _keeper(self, kind: str):
        def keep(data=None):
            with self.lock:
                self.received[kind].append(data)
        return keep

    def _rejoin(self) -> None:
        if self.session_id:
            self.client.start_background_task(self.join, self.session_id)

    def connect(self) -> "Observer":
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.client.connect(self.url, namespaces=["/live"], headers=headers, transports=["websocket"],
                            wait_timeout=5)
        return self

    def join(self, session_id: str) -> dict:
        self.session_id = session_id
        return self.client.call("join", {"session": session_id}, namespace="/live", timeout=5)

    def call(self, event: str, data: dict) -> dict:
        return self.client.call(event, data, namespace="/live", timeout=5)

    def of(self, kind: str) -> list:
        with self.lock:
            return list(self.received[kind])

    def clicks(self) -> list[dict]:
        return self.events_of("click")

    def events_of(self, kind: str) -> list[dict]:
        return [e for batch in self.of("events") for e in batch["events"] if e["kind"] == kind]

    def close(self) -> None:
        self.client.disconnect()


class Recorder:
    """`uxlab record` on a display, streaming live; the session id is read from the store."""

    def __init__(self, folder: Path, display, url: str, *extra: str, participant: str = "P1") -> None:
        self.folder = folder
        # a participant per test where tests share a study: a second session of one needs --again
        self.process = subprocess.Popen(
            [str(UXLAB), "record", str(folder), "--participant", participant, "--display", display.name,
             "--consent", "--prompt", "none", "--live", url, "--token", LIVE_TOKEN, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stderr: list[str] = []
        self.session_id = ""
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._started.wait(30):
            self.kill()  # a recorder that never started must not outlive its test
            raise AssertionError(f"the recorder did not start: {self.stderr}")

    def _read(self) -> None:
        # The id is taken from the line that announces it: the questionnaire link (or a warning)
        # may follow it before the test looks, so the last line is not always that one.
        for line in self.process.stderr:
            self.stderr.append(line)
            started = re.match(r"recording session (\S+)", line)
            if started and not self._started.is_set():
                self.session_id = started.group(1)
                self._started.set()

    def end(self, timeout: float = 30) -> None:
        self.process.terminate()  # SIGTERM ends the session cleanly
        self.process.wait(timeout=timeout)
        self._close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        self._reader.join(timeout=10)   # it stops at the end of the exited process's stderr
        close_pipes(self.process)
