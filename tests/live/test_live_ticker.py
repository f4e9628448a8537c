"""The live page's words, in headless system Chromium against a real `uxlab serve`: typed
text makes one ticker line and Enter is named, a note's #tag shows once, and the Listen
button has no character the machine's fonts cannot draw."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from recorder.live import LivePublisher
from sessions import events
from sessions.events import KeystrokeMode
from sessions.store import Store
from tests.live.clients import LIVE_TOKEN
from tests.live.test_live_page import log_in

pytestmark = pytest.mark.timeout(120)

# The characters of an element's text that no font here draws: each is drawn on a canvas
# in the element's font and compared with a code point no font has (a private-use one),
# which the browser draws as its missing-glyph box.
UNDRAWABLE = """(id) => {
    const el = document.getElementById(id), style = getComputedStyle(el);
    const canvas = document.createElement("canvas");
    canvas.width = 96; canvas.height = 64;
    const ctx = canvas.getContext("2d");
    const draw = (ch) => {
        ctx.clearRect(0, 0, 96, 64);
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        ctx.fillText(ch, 8, 44);
        return ctx.getImageData(0, 0, 96, 64).data.join();
    };
    const missing = draw("\\u{10FFFD}");
    return [...el.textContent].filter((ch) => ch.trim() && draw(ch) === missing);
}"""

# the ticker's lines, newest first, without the time each starts with
LINES = """() => [...document.querySelectorAll("#ticker li")].map(
    (li) => li.textContent.slice(li.querySelector(".when").textContent.length))"""


@pytest.fixture
def watched(package_server, chromium):
    """A recording session with sound and keystrokes kept in full, its publisher, and an observer's live page joined
    to it (the task the publisher announced is shown, so the join has been answered)."""
    store = Store(package_server.folder)
    session_id = store.sessions.create("P7", keystrokes=KeystrokeMode.FULL,
                                       device={"width": 320, "height": 200, "audio": True})
    publisher = LivePublisher(package_server.url, LIVE_TOKEN, session_id).start()
    publisher.state({"task": "first", "prompt": "Find the form", "started": 0.5, "paused": False, "t": 1.0})
    context = chromium.new_context()
    try:
        page = context.new_page()
        log_in(page, package_server.url, "otto")
        page.goto(f"{package_server.url}/live/{session_id}")
        expect(page.locator("#task")).to_have_text("Task: first", timeout=10_000)
        yield page, publisher
    finally:
        context.close()
        publisher.stop()
        store.close()


def test_typed_keys_make_one_line_and_enter_is_named(watched):
    page, publisher = watched
    typed = [events.key(2.0 + i / 10, "space" if c == " " else c, c) for i, c in enumerate("hi you")]
    publisher.events([*typed, events.key(2.8, "enter", "\n"), events.key(3.0, "o", "o"), events.key(3.1, "k", "k")])
    ticker = page.locator("#ticker li")
    expect(ticker).to_have_count(3)
    assert page.evaluate(LINES) == ['typed "ok"', "key enter", 'typed "hi you"']
    # a pause longer than a breath between keys starts a new line
    publisher.events([events.key(9.0, "x", "x")])
    expect(ticker).to_have_count(4)
    expect(ticker.first).to_contain_text('typed "x"')


def test_a_notes_tag_shows_once(watched):
    page, _ = watched
    page.fill("#notetext", "stuck on the form #observer, again")
    page.click("#noteform button")
    note = page.locator("#notes li")
    expect(note).to_have_count(1)
    expect(note.locator(".tag")).to_have_text("#observer")
    assert note.inner_text().count("#observer") == 1
    assert note.inner_text().endswith("stuck on the form #observer, again")


def test_the_listen_button_draws_every_character(watched):
    page, _ = watched
    listen = page.locator("#listen")
    expect(listen).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(UNDRAWABLE, "listen") == []
    expect(listen).to_have_text("Listen")
    # the speaker is drawn by the stylesheet, and changes once sound plays
    icon = "(id) => getComputedStyle(document.getElementById(id), '::before').backgroundImage"
    off = page.evaluate(icon, "listen")
    assert off.startswith('url("data:image/svg+xml')
    listen.click()
    expect(listen).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(UNDRAWABLE, "listen") == []
    assert page.evaluate(icon, "listen") not in (off, "none")
