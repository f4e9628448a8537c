"""Session management from the web: researchers mark, rename and delete sessions; pilot
and excluded sessions stay listed, greyed and filterable; the audit page shows each change."""
from __future__ import annotations

import pytest

from tests.web.browser import log_in
from tests.web.recordings import record_session


def test_only_researchers_manage_sessions(as_role, session_id, web_store):
    for role in ("observer", "reviewer"):
        client, token = as_role(role)
        for action, data in (("inclusion", {"inclusion": "pilot"}), ("rename", {"participant": "X"}),
                             ("delete", {"confirm": "P01"})):
            response = client.post(f"/sessions/{session_id}/{action}", data={"csrf_token": token, **data})
            assert response.status_code == 403, (role, action)
        assert client.get("/audit").status_code == 403
        assert 'id="session-actions"' not in client.get(f"/sessions/{session_id}").text
    assert web_store.sessions.get(session_id)["inclusion"] == "included" and web_store.audit.all() == []


def test_marks_show_in_the_list_greyed_and_filterable(as_role, web_store):
    kept, dropped = record_session(web_store, "P01"), record_session(web_store, "P02")
    client, token = as_role("researcher")
    response = client.post(f"/sessions/{dropped}/inclusion",
                           data={"csrf_token": token, "inclusion": "excluded", "reason": "tablet crashed"})
    assert response.status_code == 302 and f"/sessions/{dropped}" in response.location
    html = client.get("/").text
    assert html.count('class="not-counted excluded"') == 1
    assert 'title="tablet crashed">excluded</span>' in html
    only = client.get("/?inclusion=excluded").text
    assert f"/sessions/{dropped}" in only and f"/sessions/{kept}" not in only
    counted = client.get("/?inclusion=included").text
    assert f"/sessions/{kept}" in counted and f"/sessions/{dropped}" not in counted
    assert "tablet crashed" in client.get("/audit").text


def test_bad_requests_change_nothing(as_role, session_id, web_store):
    client, token = as_role("researcher")
    cases = [("inclusion", {"inclusion": "excluded"}, 400, "say why"),
             ("inclusion", {"inclusion": "sometimes"}, 400, "choose one of"),
             ("rename", {"participant": ""}, 400, "participant id must be"),
             ("delete", {"confirm": "P99"}, 400, "type the participant id")]
    for action, data, status, message in cases:
        response = client.post(f"/sessions/{session_id}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == status and message in response.text, (action, response.text[:300])
    response = client.post("/sessions/nope/inclusion", data={"csrf_token": token, "inclusion": "pilot"})
    assert response.status_code == 404
    assert web_store.sessions.get(session_id)["inclusion"] == "included" and web_store.audit.all() == []


@pytest.mark.timeout(120)
def test_researcher_excludes_renames_and_deletes_in_the_browser(page, live_server, web_store):
    sid = record_session(web_store, "P01")
    other = record_session(web_store, "P02")
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{sid}")
    page.select_option("#inclusionform select[name=inclusion]", "excluded")
    page.fill("#inclusionform input[name=reason]", "fire alarm")
    page.click("#inclusionform button")
    page.wait_for_selector("#actiondone >> text=Marked excluded.")
    assert page.locator(".page-head .inclusion.excluded").inner_text() == "excluded"
    page.fill("#renameform input[name=participant]", "P11")
    page.fill("#renameform input[name=group]", "redesign")
    page.click("#renameform button")
    page.wait_for_selector(".page-head h1 >> text=P11")
    assert web_store.sessions.get(sid)["group_name"] == "redesign"

    page.goto(f"{live_server}/")
    row = page.locator("#sessions tbody tr.not-counted")
    assert row.count() == 1 and "P11" in row.inner_text()
    colour = row.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour != "rgba(0, 0, 0, 0)"   # greyed
    page.select_option("select[name=inclusion]", "included")
    page.click(".filters button")
    page.wait_for_selector("#sessions tbody tr")
    assert page.locator("#sessions tbody tr").count() == 1 and "P02" in page.inner_text("#sessions tbody")

    page.goto(f"{live_server}/sessions/{other}")
    page.fill("#deleteform input[name=confirm]", "P02")
    page.click("#deleteform button")
    page.wait_for_selector("#sessions")
    assert web_store.sessions.count() == 1
    page.click("header a:has-text('Audit')")
    page.wait_for_selector("#audit")
    actions = page.locator("#audit tbody tr td:nth-child(3)").all_inner_texts()
    assert actions == ["delete session", "rename session", "mark excluded"]
    assert "fire alarm" in page.inner_text("#audit")
