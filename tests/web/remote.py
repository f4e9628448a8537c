"""What the remote-session browser tests share: small studies, the participant's own
Chromium with fake devices, the way in (consent, share), and waits on the join page's data
attributes (with the poll under them, which other tests use too). The attributes are read
with get_attribute, which needs no eval: the join page keeps its real
Content-Security-Policy in these tests."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

ONE_TASK_STUDY = """
title = "Remote study"

[capture]
fps = 10

[[task]]
id = "first"
prompt = "Do the first thing."
time_limit = 120

[questionnaires]
post_task = []
post_session = []
"""
CAMERA_STUDY = """
title = "Remote study with a camera"

[capture]
fps = 10
camera = true

[[task]]
id = "look"
prompt = "Look around the page."
time_limit = 120

[questionnaires]
post_task = []
post_session = []
"""
# the browser grants every device without asking (left out to see a refusal)
FAKE_UI = "--use-fake-ui-for-media-stream"
# a fake camera and microphone, and the whole (fake) screen when the page asks to share
FAKE_DEVICES = ["--use-fake-device-for-media-stream", "--auto-select-desktop-capture-source=Entire screen"]


def participant_browser(chromium: Any, *, grant: bool = True, extra: tuple[str, ...] = ()) -> Any:
    """A Chromium of the participant's own beside the session's one, from the same Playwright
    (a second sync_playwright cannot run beside it), with fake devices."""
    from tests.conftest import CHROMIUM_ARGS
    args = CHROMIUM_ARGS + FAKE_DEVICES + ([FAKE_UI] if grant else []) + list(extra)
    return chromium.browser_type.launch(executable_path="/usr/bin/chromium", args=args)


def until(check: Callable[[], Any], what: str | Callable[[], str], timeout: float = 20.0) -> Any:
    """Poll `check` until it gives something true, and return it; fail saying `what` (a
    callable is asked at the end, so the message says how things stood then)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(0.05)
    return value


def join_attribute(page: Any, name: str, wanted: str, timeout: float = 20.0) -> None:
    """Wait for the join page's data-<name> to read `wanted`; fail with what the page said."""
    until(lambda: page.get_attribute("#join", f"data-{name}") == wanted,
          lambda: f"data-{name} is {page.get_attribute('#join', f'data-{name}')!r}, not {wanted!r}; "
                  f"the page says {page.text_content('#problem')!r}", timeout)


def join_and_share(browser: Any, base: str, token: str) -> Any:
    """The participant's way in, on their own browser: open the link, consent, share the
    screen; returns the join page once the session has begun (stage "ready")."""
    page = browser.new_context(bypass_csp=False).new_page()
    page.goto(f"{base}/join/{token}")
    page.check("#consent")
    page.click("#agree")
    page.wait_for_selector("#share:not([disabled])")
    page.click("#share")
    join_attribute(page, "stage", "ready")
    return page
