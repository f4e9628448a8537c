"""The replay page in headless Chromium: time fields, session actions and what a
researcher reads on it."""
from __future__ import annotations

import pytest

from tests.web.browser import log_in, wait_for_time

pytestmark = pytest.mark.timeout(120)


def test_typing_in_a_prefilled_time_field_replaces_the_offered_time(page, live_server, session_id):
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


def test_a_pending_flag_is_not_shown_as_an_error(page, live_server, session_id, web_store):
    web_store.markers.add(session_id, 6.5, "error", text="typed in the wrong field", author="otto",
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


def test_the_replay_reads_well_on_a_1440_by_900_screen(chromium, live_server, session_id, as_role, web_store):
    sid = session_id
    web_store.answers.add(sid, "sus", {str(i): v for i, v in enumerate([4, 2, 5, 1, 4, 2, 5, 1, 4, 2], 1)})
    first = web_store.attempts.all(sid, "first")[0]
    web_store.answers.add(sid, "seq", {"1": 6}, attempt_id=first["id"])
    client, token = as_role("researcher")
    assert client.post(f"/sessions/{sid}/redact", data={"csrf_token": token, "start": "5", "end": "6.5",
                                                       "reason": "e-mail address visible"}).status_code == 200
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server)
        page.goto(f"{live_server}/sessions/{sid}")
        page.wait_for_selector("#replay.ready")
        # the video, its controls and the whole timeline on the first screen
        timeline = page.locator(".timeline").bounding_box()
        assert timeline["y"] + timeline["height"] <= 900, timeline
        assert page.locator("#video").bounding_box()["height"] >= 240
        # the 1 s before the first task is collapsed to a sliver
        tracks = page.locator("#timeline").bounding_box()
        sliver = page.locator("#timeline .collapsed").bounding_box()
        assert sliver["width"] <= 0.05 * tracks["width"]
        task = page.locator(".tl-item.task.success").bounding_box()
        assert abs(task["x"] - (tracks["x"] + sliver["width"])) <= 2
        # the redacted stretch shows, with its reason
        redacted = page.locator("#timeline .redacted")
        assert redacted.count() == 1 and "e-mail address visible" in redacted.get_attribute("title")
        # zoom doubles the tracks and keeps working as a seek bar
        width = tracks["width"]
        page.click("#zoomin")
        assert page.inner_text("#zoomlevel") == "2×"
        assert abs(page.locator("#timeline").bounding_box()["width"] - 2 * width) <= 2
        page.click("#zoomout")
        assert abs(page.locator("#timeline").bounding_box()["width"] - width) <= 2
        # answers as a researcher reads them
        answers = page.inner_text("#answers")
        assert "I thought the system was easy to use." in answers
        assert "after first" in answers and "Overall, how difficult or easy was the task to complete?" in answers
        assert page.inner_text("#sus-score").startswith("SUS score 85.0")
    finally:
        context.close()
