"""Fixtures shared by every test package: study folders on real files, a real Xvfb."""
from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from recorder.virtual_display import VirtualDisplay

TARGET_APP = Path(__file__).parent / "recorder" / "target_app.py"
MINIMAL_STUDY = """
title = "Test study"

[capture]
fps = 10

[[task]]
id = "first"
prompt = "Do the first thing."
time_limit = 60

[[task]]
id = "second"
prompt = "Do the second thing."
time_limit = 60

[questionnaires]
post_task = ["seq"]
post_session = ["sus", "umux_lite", "nps"]
"""


def write_study(folder: Path, text: str = MINIMAL_STUDY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.toml").write_text(textwrap.dedent(text))
    return folder


@functools.cache
def password_hash(password: str) -> str:
    """One real scrypt hash per test password for the whole run: each costs ~0.1 s of CPU and
    the web and live fixtures add three or four users to every study they make (a login still
    checks its password against the hash)."""
    from werkzeug.security import generate_password_hash
    return generate_password_hash(password)


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A valid two-task study folder with no sessions yet."""
    return write_study(tmp_path / "study")


@pytest.fixture
def store(study_dir: Path):
    from sessions.store import Store
    s = Store(study_dir)
    yield s
    s.close()


# the system Chromium, flags as the field notes found them (no network, no sandbox as root)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def chromium():
    """One headless system Chromium for the whole run.

    Playwright's sync API keeps an asyncio loop in the main thread while it runs, and a
    second sync_playwright() beside it fails: every browser test shares this one.
    """
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield _TestBrowser(browser)
        browser.close()


class _TestBrowser:
    """The browser, whose pages let Playwright's own string predicates run: the app's
    Content-Security-Policy forbids eval, which `wait_for_function("...")` uses. Pass
    bypass_csp=False to see a page exactly as a user's browser enforces the policy."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("bypass_csp", True)
        return self._browser.new_context(**options)

    def new_page(self, **options):
        options.setdefault("bypass_csp", True)
        return self._browser.new_page(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def page(chromium):
    """A fresh browser context and page at a desktop size, closed after the test."""
    context = chromium.new_context(viewport={"width": 1440, "height": 960})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs: a real disk that really fills up (needs root to mount)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def display():
    """A fresh 1280x800 Xvfb per test: recordings must not see each other's windows."""
    with VirtualDisplay(1280, 800, first=140) as virtual:
        yield virtual


@pytest.fixture
def target_app(display):
    """A window at the top-left 800x600 of the display that changes colour on every left click."""
    process = subprocess.Popen([sys.executable, str(TARGET_APP)], env=display.env(),
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


@pytest.fixture(scope="session")
def xvfb():
    """A 1280x800 Xvfb for the whole test run, stopped by its pid at the end."""
    with VirtualDisplay(1280, 800) as display:
        yield display


@pytest.fixture(scope="session")
def pulse():
    """A user-mode PulseAudio with two virtual microphones, `vmic` (the participant's) and
    `vmod` (the moderator's), for the whole run; this process and the recorders it starts
    reach it through PULSE_SERVER. Stopped by its pid."""
    import os

    from tests.pulse import VirtualPulse
    daemon = VirtualPulse(("vmic", "vmod")).start()
    saved = {k: os.environ.get(k) for k in daemon.env}
    os.environ.update(daemon.env)
    yield daemon
    daemon.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
