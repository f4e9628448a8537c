"""Live fixtures: a study with one user per role served by a real `uxlab serve`, stopped by
its pid (the Xvfb and its application come from tests/conftest.py)."""
from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sessions.store import Store
from tests.live.clients import Server, add_users, free_port, wait_for


@pytest.fixture
def live_study(study_dir: Path) -> Path:
    add_users(study_dir)
    return study_dir


@pytest.fixture
def server(live_study: Path):
    running = Server(live_study).start()
    yield running
    running.stop()


def started_on_a_study(tmp_path_factory, name: str) -> Server:
    """A server started on a fresh two-task study with the test users."""
    from tests.conftest import write_study
    folder = write_study(tmp_path_factory.mktemp(name) / "study")
    add_users(folder)
    return Server(folder).start()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a module's tests that need no recorder: it starts in ~2 s."""
    running = started_on_a_study(tmp_path_factory, "live")
    yield running
    running.stop()


@pytest.fixture(scope="package")
def package_server(tmp_path_factory):
    """One server for the modules of tests/live whose tests leave it as they found it: each
    makes or records a session of its own, only hostile adds notes by rita, and the logins
    ended are olga's (each test logs her in afresh) and those of observers made for the test
    (login_ends_sockets). Access, call signal, declared events, hostile, live audio, live
    history, live page, live ticker, login ends sockets, observe and slow observer share its
    start and stop (each server costs 2-10 s to start and stop, by the machine's load)."""
    running = started_on_a_study(tmp_path_factory, "live-package")
    yield running
    running.stop()


@pytest.fixture(scope="package")
def redis_url(tmp_path_factory):
    """A real redis-server for the package's tests, stopped by its pid."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (run `make setup`)")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ping = ["redis-cli", "-p", str(port), "ping"]
    assert wait_for(lambda: subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG",
                    timeout=10)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=5)


def start_all(servers: list[Server]) -> list[Server]:
    """Start servers side by side: each spends seconds importing the app before it answers."""
    with ThreadPoolExecutor(len(servers)) as pool:
        started = [pool.submit(server.start) for server in servers]
    failed = [future.exception() for future in started if future.exception() is not None]
    if failed:
        stop_all(servers)
        raise failed[0]
    return servers


def stop_all(servers: list[Server]) -> None:
    """Stop servers side by side: each takes a second or two to end its worker."""
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(Server.stop, servers))


@pytest.fixture(scope="package")
def redis_servers(tmp_path_factory, redis_url):
    """Two `uxlab serve` processes of one study sharing rooms, limits and state through one
    Redis, for the package's tests (call_seats_shared, login_ends_sockets, redis): each makes its own session,
    ends only the login of an observer of its own, and locks out only rita, whom no other
    test of theirs logs in as."""
    from tests.conftest import write_study
    folder = write_study(tmp_path_factory.mktemp("scaled") / "study")
    add_users(folder)
    env = {"UXLAB_REDIS_URL": redis_url}
    pair = start_all([Server(folder, env=env), Server(folder, env=env)])
    yield pair
    stop_all(pair)


@pytest.fixture
def running(server):
    """A session row that is recording (its recorder pid is this test process), on whichever
    `server` the module uses."""
    store = Store(server.folder)
    session_id = store.sessions.create("P9")
    yield store, session_id
    store.close()
