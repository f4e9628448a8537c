"""The live page in headless system Chromium: log in, open a running session, see the
screen image update, a click ripple, a note typed on the page stored for replay, and an
observer's error flag confirmed from the moderator console."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from playwright.sync_api import expect

from recorder.live import LivePublisher
from sessions import events
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, USERS, wait_for


def log_in(page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", USERS[name][1])
    page.click("button.primary")
    page.wait_for_url(lambda u: "/login" not in u)


@pytest.fixture
def server(package_server):
    """The package's server: each test makes a session of its own on it."""
    return package_server


def test_the_live_page_shows_the_screen_as_it_changes(server, chromium):
    store = Store(server.folder)
    session_id = store.sessions.create("P5", device={"width": 320, "height": 200})
    publisher = LivePublisher(server.url, LIVE_TOKEN, session_id).start()
    stop = threading.Event()

    def screen_changes() -> None:
        shade = 0
        while not stop.wait(0.15):
            shade = (shade + 37) % 256
            publisher.offer(shade / 100, np.full((200, 320, 4), shade, np.uint8))

    changer = threading.Thread(target=screen_changes, daemon=True)
    observer = chromium.new_context()
    moderator = chromium.new_context()
    try:
        page = observer.new_page()
        log_in(page, server.url, "otto")
        page.goto(f"{server.url}/live/{session_id}")
        expect(page.locator("#conn")).to_have_text("Connected")
        changer.start()
        screen = page.locator("#screen")
        expect(screen).not_to_have_attribute("data-seq", "0", timeout=5000)
        first = int(screen.get_attribute("data-seq"))
        page.wait_for_function(f"document.getElementById('screen').dataset.seq > {first + 2}", timeout=5000)
        # a new src is set at once and decoded a moment later: wait for the picture itself
        page.wait_for_function("document.getElementById('screen').naturalWidth === 320", timeout=5000)

        publisher.events([events.click(1.0, 160, 100)])
        expect(page.locator(".ripple")).to_have_count(1, timeout=3000)
        expect(page.locator("#ticker")).to_contain_text("left click at 160, 100")

        page.fill("#notetext", "lost in the settings #nav")
        page.click("#noteform button")
        expect(page.locator("#notes")).to_contain_text("lost in the settings")
        expect(page.locator("#notes .tag")).to_have_text("#nav")

        # an observer's error flag waits on the moderator console until a researcher confirms it
        page.fill("#notetext", "opened the wrong form")
        page.click("#flag")
        console = moderator.new_page()
        log_in(console, server.url, "rita")
        console.goto(f"{server.url}/sessions/{session_id}/console")
        pending = console.locator("#live-flags li.pending")
        expect(pending).to_contain_text("opened the wrong form")
        pending.get_by_role("button", name="Confirm").click()
        expect(console.locator("#live-flags li.confirmed")).to_have_count(1)
        expect(page.locator("#flags li.confirmed")).to_contain_text("opened the wrong form")
    finally:
        stop.set()
        observer.close()
        moderator.close()
        publisher.stop()
    note = wait_for(lambda: store.notes.all(session_id))[0]
    assert (note["author"], note["tags"]) == ("otto", ["nav"])
    flag = store.markers.all(session_id, "error")[0]
    assert (flag["author"], flag["text"], flag["status"]) == ("otto", "opened the wrong form", "confirmed")
    store.close()
