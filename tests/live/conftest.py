"""Live fixtures: a study with one user per role served by a real `uxlab serve`, stopped by
its pid (the Xvfb and its application come from tests/conftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sessions.store import Store
from tests.live.clients import Server, add_users


@pytest.fixture
def live_study(study_dir: Path) -> Path:
    add_users(study_dir)
    return study_dir


@pytest.fixture
def server(live_study: Path):
    running = Server(live_study).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a module's tests that need no recorder: it starts in ~2 s."""
    from tests.conftest import write_study
    folder = write_study(tmp_path_factory.mktemp("live") / "study")
    add_users(folder)
    running = Server(folder).start()
    yield running
    running.stop()


@pytest.fixture
def running(server):
    """A session row that is recording (its recorder pid is this test process), on whichever
    `server` the module uses."""
    store = Store(server.folder)
    session_id = store.sessions.create("P9")
    yield store, session_id
    store.close()
