"""Live and console pages in headless Chromium: a late observer sees what happened so far,
an observer's flag is not an error until confirmed, and a finished session says it is over."""
from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from recorder.live import LivePublisher
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN
from tests.live.test_live_page import log_in

STATE = {"task": "first", "prompt": "Do the first thing.", "attempt_id": None, "started": 0.5,
         "next_task": "second", "tasks_done": 0, "tasks_total": 2, "paused": False, "ended": False}


@pytest.fixture
def server(package_server):
    """The package's server: each test makes a session of its own on it."""
    return package_server


def test_a_late_observer_sees_the_story_so_far_and_the_end(server, chromium):
    store = Store(server.folder)
    session_id = store.sessions.create("P5", device={"width": 320, "height": 200})
    # what the recorder journalled before anyone watched: a press and its release, keys, a window
    store.events.append(session_id, [
        {"t": 1.0, "kind": "click", "x": 10, "y": 20, "button": "left", "pressed": 1},
        {"t": 1.1, "kind": "click", "x": 10, "y": 20, "button": "left", "pressed": 0},
        {"t": 2.0, "kind": "key", "key": "letter", "pressed": 1},
        {"t": 3.0, "kind": "window", "text": "Help desk - Chromium", "window": "chromium"}])
    publisher = LivePublisher(server.url, LIVE_TOKEN, session_id).start()
    context = chromium.new_context()
    try:
        page = context.new_page()
        log_in(page, server.url, "otto")
        page.goto(f"{server.url}/live/{session_id}")
        expect(page.locator("#conn")).to_have_text("Connected")
        ticker = page.locator("#ticker li")
        expect(ticker).to_have_count(3)
        assert ticker.all_inner_texts()[::-1] == ["0:01.0left click at 10, 20", "0:02.0key letter",
                                                 "0:03.0window: Help desk - Chromium"]
        # no screen yet: no broken image, a plain word
        assert page.locator("#screen").is_hidden()
        expect(page.locator("#waiting")).to_be_visible()
        publisher.offer(0.1, np.full((200, 320, 4), 90, np.uint8))
        expect(page.locator("#screen")).to_be_visible(timeout=5000)

        # an observer's flag is a question until confirmed
        page.fill("#notetext", "typed in the wrong field")
        page.click("#flag")
        flag = page.locator("#flags li")
        expect(flag).to_have_class("pending")
        expect(flag.locator(".status")).to_have_text("to confirm")

        publisher.state({**STATE, "ended": True})
        expect(page.locator("#waiting")).to_have_text("This session is over: nothing is being recorded.")
        expect(page.locator("#recorder")).to_have_text("session over")
        assert page.locator("#screen").is_hidden()
        assert page.locator("#live button:enabled, #live input:enabled").count() == 0
    finally:
        context.close()
        publisher.stop()
        store.close()


def test_live_and_console_pages_of_a_finished_session_say_it_is_over(server, chromium):
    store = Store(server.folder)
    session_id = store.sessions.create("P6")
    store.sessions.update(session_id, status="complete", duration=75.0)
    context = chromium.new_context()
    try:
        page = context.new_page()
        log_in(page, server.url, "rita")
        for path in (f"/live/{session_id}", f"/sessions/{session_id}/console"):
            page.goto(server.url + path)
            expect(page.locator("#session-over")).to_contain_text("This session is over")
            expect(page.locator("#session-over")).to_contain_text("complete, 1:15")
            main = page.locator("main")
            assert main.locator("button:enabled, input:enabled").count() == 0, path
            assert main.locator("img").count() == 0, path
            assert "recording" not in main.inner_text().lower().replace("nothing is being recorded", ""), path
            page.click("#session-over a:has-text('Replay it')")
            expect(page).to_have_url(f"{server.url}/sessions/{session_id}")
    finally:
        context.close()
        store.close()
