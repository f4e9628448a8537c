"""Replay and search name the element a web page's click was on: the replay's event list
says "clicked button 'Submit ticket'", its timeline shows each URL change as a screen
change, and search finds the click by the element's name. A desktop click the recorder
named through AT-SPI is listed and found the same way ("clicked push button 'Save'")."""
from __future__ import annotations

import pytest

from recorder.accessibility.resolver import click_target
from sessions import events
from tests.web.browser import log_in

pytestmark = pytest.mark.timeout(120)

SITE = "http://portal.test"
SUBMIT = {"tag": "button", "role": "button", "name": "Submit ticket", "selector": "#submit", "interactive": True,
          "page": [240, 560, 200, 50], "view": [240, 560, 200, 50]}


SAVE = {"role": "push button", "name": "Save", "page": [20, 20, 160, 60], "view": [20, 20, 160, 60],
        "interactive": True}


@pytest.fixture
def web_session(web_store, session_id):
    target, label = click_target(SAVE)   # as the recorder stores a desktop click it named
    web_store.events.append(session_id, [
        events.page_url(1.0, SITE + "/", "Home"),
        events.page_url(2.0, SITE + "/ticket/new", "New ticket", "push"),
        events.page_click(3.0, 340, 585, SITE + "/ticket/new", SUBMIT, task="first"),
        {**events.click(4.0, 100, 50, target=target), "text": label},
    ])
    return session_id


def test_the_timeline_json_and_search_name_the_element(as_role, web_session):
    client, _ = as_role("researcher")
    data = client.get(f"/sessions/{web_session}/timeline.json").get_json()
    assert data["page_clicks"] == [[3.0, "button 'Submit ticket'", SITE + "/ticket/new"]]
    named = [row for row in data["clicks"] if row[-1] is not None]   # the others are pixel clicks
    assert named == [[4.0, 100, 50, "left", 0, "push button 'Save'"]] and len(data["clicks"]) > 1
    assert [row[1] for row in data["urls"]] == [SITE + "/", SITE + "/ticket/new"]
    found = client.get("/search.json?q=submit ticket").get_json()["hits"]
    clicks = [h for h in found if h["kind"] == "page_click"]
    assert len(clicks) == 1 and clicks[0]["t"] == 3.0 and clicks[0]["task"] == "first"
    assert clicks[0]["text_marked"] == [["clicked button 'Submit ticket'", True]]
    assert clicks[0]["replay"].endswith(f"/sessions/{web_session}#t=3.0")
    assert not [h for h in client.get("/search.json?q=export").get_json()["hits"] if h["kind"] == "page_click"]
    page = client.get("/search?q=Submit").text
    assert "clicked button &#39;Submit ticket&#39;" in page
    desktop = [h for h in client.get("/search.json?q=save").get_json()["hits"] if h["kind"] == "click"]
    assert [(h["t"], h["text_marked"]) for h in desktop] == [(4.0, [["clicked push button 'Save'", True]])]


def test_the_replay_lists_the_named_click_and_the_screen_changes(page, live_server, web_session):
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{web_session}")
    page.wait_for_selector("#replay.ready")
    listed = page.locator(".eventlist li").all_inner_texts()
    assert any("clicked button 'Submit ticket'" in line for line in listed)
    assert any("clicked push button 'Save'" in line for line in listed)
    assert sum("screen: " + SITE in line for line in listed) == 2
    assert page.locator(".tl-screen").count() == 2 and page.locator(".tl-click.page").count() == 1
