"""Live fixtures: a study with one user per role served by a real `uxlab serve`, a private
Xvfb with a real application on it, all stopped by their pid."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recorder.virtual_display import VirtualDisplay
from tests.live.clients import Server, add_users

TARGET_APP = Path(__file__).parents[1] / "recorder" / "target_app.py"


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
def display():
    with VirtualDisplay(1280, 800, first=170) as virtual:
        yield virtual


@pytest.fixture
def target_app(display):
    """A window at the top-left 800x600 that changes colour on every left click."""
    process = subprocess.Popen([sys.executable, str(TARGET_APP)], env=display.env(),
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    yield process
    process.kill()
    process.wait()
