"""The replay page in headless Chromium: time fields, session actions and what a
researcher reads on it."""
from __future__ import annotations

import pytest

from tests.web.test_browser import log_in, page, wait_for_time  # noqa: F401  (the page fixture)

pytestmark = pytest.mark.timeout(120)


def test_typing_in_a_prefilled_time_field_replaces_the_offered_time(page, live_server, session_id):  # noqa: F811
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{session_id}#t=3.2")
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, 3.2)
    start = page.locator("#redactform input[name=start]")
    start.click()
    assert start.input_value() == "3.2"          # the current time is offered
    page.keyboard.type("2")
    assert start.input_value() == "2"            # and typing replaces it
    page.keyboard.press("Tab")
    end = page.locator("#redactform input[name=end]")
    assert end.input_value() == "3.2"
    page.keyboard.type("5.5")
    assert end.input_value() == "5.5"
    page.keyboard.type("0")                      # later keys edit as usual
    assert end.input_value() == "5.50"
    clip_start = page.locator("form[action$='/clip'] input[name=start]")
    clip_start.click()
    page.keyboard.type("1")
    assert clip_start.input_value() == "1"


def test_a_pending_flag_is_not_shown_as_an_error(page, live_server, session_id, web_store):  # noqa: F811
    web_store.add_marker(session_id, 6.5, "error", text="typed in the wrong field", author="otto",
                         status="pending")
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{session_id}")
    page.wait_for_selector("#replay.ready")
    flag = page.locator(".eventlist li.ev.flag")
    assert flag.count() == 1 and "typed in the wrong field (to confirm)" in flag.inner_text()
    assert page.locator(".tl-flag.pending").count() == 1
    # the moderator's confirmed error is still an error
    assert page.locator(".tl-error.confirmed").count() == 1
    assert page.locator(".eventlist li.ev.error").count() == 1
