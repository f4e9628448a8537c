"""The camera picture-in-picture on the replay page, in headless Chromium: it shows the
camera file, follows the screen video through seek and play, can be dragged and hidden."""
from __future__ import annotations

from tests.web.browser import log_in
from tests.web.recordings import FRAMES, record_session, write_video

CAMERA = (160, 120)


def camera_session(store) -> str:
    sid = record_session(store, "P09")
    # the camera shows the same colour sequence, so its frame at any time is known
    write_video(store.media.session_dir(sid) / "camera.mp4", FRAMES, CAMERA)
    device = store.sessions.get(sid)["device"]
    store.sessions.update(sid, device={**device, "camera": {"file": "camera.mp4", "width": CAMERA[0],
                                                           "height": CAMERA[1], "spec": "lavfi:test"}})
    return sid


def pip_time(page) -> float:
    return page.evaluate("document.querySelector('#pip video').currentTime")


def test_the_camera_follows_the_video_and_can_be_moved_and_hidden(page, live_server, web_store):
    sid = camera_session(web_store)
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));""")
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{sid}")
    pip = page.locator("#pip")
    pip.wait_for(state="visible")
    box = pip.bounding_box()   # the camera's own shape, with no inline style the policy refuses
    assert abs(box["width"] / box["height"] - CAMERA[0] / CAMERA[1]) < 0.03, box
    assert page.evaluate("window.__violations") == [] and page.locator("style").count() == 0
    page.wait_for_function("document.querySelector('#pip video').readyState >= 1")

    page.evaluate("document.getElementById('video').currentTime = 5.2")
    page.wait_for_function("Math.abs(document.querySelector('#pip video').currentTime - 5.2) < 0.15")
    page.click("#play")
    page.wait_for_function("document.getElementById('video').currentTime > 6")
    assert not page.evaluate("document.querySelector('#pip video').paused")
    drift = page.evaluate("Math.abs(document.querySelector('#pip video').currentTime"
                          " - document.getElementById('video').currentTime)")
    assert drift < 0.2
    page.click("#play")

    before = pip.bounding_box()
    page.mouse.move(before["x"] + 20, before["y"] + 30)
    page.mouse.down()
    page.mouse.move(before["x"] + 20 - 200, before["y"] + 30 + 60, steps=8)
    page.mouse.up()
    after = pip.bounding_box()   # moved by what the pointer moved: 200 left, 60 down
    assert abs(after["x"] - (before["x"] - 200)) < 3 and abs(after["y"] - (before["y"] + 60)) < 3

    page.click("#pip .pip-hide")
    assert not pip.is_visible()
    page.click("#pip-show")
    assert pip.is_visible()


def test_a_session_without_camera_has_no_picture_in_picture(page, live_server, web_store):
    sid = record_session(web_store)
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{sid}")
    page.wait_for_selector("#video")
    assert page.locator("#pip").count() == 0 and page.locator("#pip-show").count() == 0
