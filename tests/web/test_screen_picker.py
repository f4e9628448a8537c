"""Screens from the replay: an area of a paused frame kept as a task's success or error
screen or first-click target; study.toml is edited in place and the analysis follows."""
from __future__ import annotations

import json

import cv2
import pytest

from tests.web.browser import log_in, wait_for_time
from tests.web.recordings import SCREEN, colour_at


def _second_task_errors(client) -> str:
    body = client.get("/summary").text.split('<table class="data tasks">')[1].split("</table>")[0]
    row = [r for r in body.split("<tr>") if "<strong>second</strong>" in r][0]
    return row.split('<td class="num">')[3].split("</td>")[0]   # attempts, time, errors


def post(client, token, session_id, **body):
    return client.post(f"/sessions/{session_id}/screens", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "X-CSRFToken": token,
                                "Accept": "application/json"})


def test_an_area_becomes_an_error_screen_and_the_table_follows(as_role, session_id, study_dir, web_store):
    client, token = as_role("researcher")
    assert _second_task_errors(client) == "0.00"
    response = post(client, token, session_id, t=6.2, x=200, y=150, w=400, h=300, task="second", kind="error")
    assert response.status_code == 201, response.text
    assert response.json["screen"] == "screens/second-error.png"
    image = cv2.imread(str(study_dir / "screens/second-error.png"))
    assert image.shape[:2] == (300, 400)                      # screen pixels, not video pixels
    assert all(abs(int(v) - w) <= 12 for v, w in zip(image[150, 200][::-1], colour_at(6.2)))
    assert 'error_screens = ["screens/second-error.png"]' in (study_dir / "study.toml").read_text()
    assert _second_task_errors(client) == "1.00"              # analysed again: one error screen seen
    success = post(client, token, session_id, t=2.5, x=0, y=0, w=SCREEN[0], h=SCREEN[1], task="first", kind="success")
    assert success.status_code == 201 and (study_dir / "screens/first-success.png").is_file()
    target = post(client, token, session_id, x=600, y=380, w=80, h=40, task="first", kind="first_click")
    assert target.status_code == 201 and target.json["screen"] is None
    text = (study_dir / "study.toml").read_text()
    assert 'success_screen = "screens/first-success.png"' in text and "first_click = [600, 380, 80, 40]" in text
    assert [e["action"] for e in web_store.audit.all(session_id)] == ["screen_error", "screen_success", "screen_first_click"]


def test_refusals(as_role, session_id, study_dir):
    before = (study_dir / "study.toml").read_text()
    reviewer, token = as_role("reviewer")
    assert post(reviewer, token, session_id, t=1, x=0, y=0, w=10, h=10, task="first", kind="error").status_code == 403
    client, token = as_role("researcher")
    cases = [({"task": "nope", "kind": "error"}, 404), ({"task": "first", "kind": "banner"}, 400),
             ({"task": "first", "kind": "error", "w": 2, "h": 2}, 400),
             ({"task": "first", "kind": "error", "x": SCREEN[0] + 5}, 400),
             ({"task": "first", "kind": "error", "t": 99}, 400)]
    for change, status in cases:
        body = {"t": 1.0, "x": 10, "y": 10, "w": 50, "h": 50, **change}
        response = post(client, token, session_id, **body)
        assert response.status_code == status, (change, response.text)
    assert (study_dir / "study.toml").read_text() == before
    assert not (study_dir / "screens").exists() or not list((study_dir / "screens").iterdir())


@pytest.mark.timeout(120)
def test_drag_a_rectangle_on_a_paused_replay_and_see_the_task_table_change(page, live_server, session_id, study_dir):
    log_in(page, live_server)
    page.wait_for_selector("#summary table.tasks")
    assert "0.00" in page.inner_text("#summary table.tasks tr:has-text('second')")
    page.goto(f"{live_server}/sessions/{session_id}#t=6.2")
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, 6.2)
    assert page.locator("#screenform").is_hidden()
    page.click("#pickarea")
    assert page.evaluate("document.getElementById('video').paused")
    page.wait_for_selector(".pick-layer")
    stage = page.locator("#replay .stage").bounding_box()
    assert stage["y"] > -2   # scrolled into view (to a fraction of a pixel)
    # the 1280x800 screen is letterboxed in the stage: screen pixel (x, y) is drawn at
    scale = min(stage["width"] / SCREEN[0], stage["height"] / SCREEN[1])
    left = stage["x"] + (stage["width"] - SCREEN[0] * scale) / 2
    top = stage["y"] + (stage["height"] - SCREEN[1] * scale) / 2
    page.mouse.move(left + 200 * scale, top + 150 * scale)
    page.mouse.down()
    page.mouse.move(left + 400 * scale, top + 300 * scale, steps=5)
    page.mouse.move(left + 600 * scale, top + 450 * scale, steps=5)
    page.mouse.up()
    page.wait_for_selector("#screenform:not([hidden])")
    page.select_option("#screenform select[name=task]", "second")
    page.select_option("#screenform select[name=kind]", "error")
    page.click("#screenform button.primary")
    page.wait_for_selector("#screensaved >> text=Saved screens/second-error.png as an error screen of task second")
    image = cv2.imread(str(study_dir / "screens/second-error.png"))
    assert abs(image.shape[1] - 400) <= 3 and abs(image.shape[0] - 300) <= 3
    page.goto(f"{live_server}/")
    page.wait_for_selector("#summary table.tasks")
    assert "1.00" in page.inner_text("#summary table.tasks tr:has-text('second')")
