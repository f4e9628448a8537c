"""End to end in headless system Chromium: log in, replay a recorded session, seek from the
timeline and from #t=, and fill in a SUS questionnaire."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.web.browser import log_in, wait_for_time
from tests.web.conftest import LIVE_TOKEN
from tests.web.recordings import CLICKS, SCREEN, colour_at
from tests.web.remote import until

pytestmark = pytest.mark.timeout(120)


def assert_not_blank(png: bytes) -> None:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 600
    colours = len(np.unique(image.reshape(-1, 3)[::7], axis=0))
    assert image.std() > 12 and colours > 40, (image.std(), colours)


def video_time(page) -> float:
    return page.evaluate("document.getElementById('video').currentTime")


def video_colour(page) -> tuple[int, int, int]:
    """The colour of the video frame on screen, read back through a canvas."""
    return tuple(page.evaluate("""() => {
        const v = document.getElementById('video');
        const c = document.createElement('canvas'); c.width = 16; c.height = 16;
        const ctx = c.getContext('2d'); ctx.drawImage(v, 0, 0, 16, 16);
        const d = ctx.getImageData(8, 8, 1, 1).data; return [d[0], d[1], d[2]];
    }"""))


def ripple_drawn_at(page, x: int, y: int) -> bool:
    """Whether the click ripple canvas has paint where screen pixel (x, y) is shown (the
    recorded session's screen is SCREEN)."""
    return page.evaluate(f"""() => {{
        const c = document.getElementById('ripples'), [width, height] = [{SCREEN[0]}, {SCREEN[1]}];
        const s = Math.min(c.width / width, c.height / height);
        const ox = (c.width - width * s) / 2, oy = (c.height - height * s) / 2;
        const d = c.getContext('2d').getImageData(ox + {x} * s - 3, oy + {y} * s - 3, 7, 7).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
        return false;
    }}""")


def assert_colour(page, t: float) -> None:
    page.wait_for_function("document.getElementById('video').readyState >= 2")
    got, want = video_colour(page), colour_at(t)
    assert all(abs(g - w) <= 30 for g, w in zip(got, want)), (t, got, want)


def test_log_in_replay_seek_and_screenshots(page, live_server, session_id, tmp_path):
    log_in(page, live_server)
    page.wait_for_selector("#summary table.tasks")
    assert page.locator("#sessions tbody tr").count() == 1
    dashboard = page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert_not_blank(dashboard)

    page.click(f"#sessions a[href='/sessions/{session_id}']")
    page.wait_for_selector("#replay.ready")
    page.wait_for_function("document.getElementById('video').readyState >= 2")
    assert page.locator(".tl-click").count() == len(CLICKS)
    assert page.locator(".tl-item.task.success").count() == 1
    assert page.locator(".tl-item.task.failure").count() == 1

    page.click("#play")
    page.wait_for_function("document.getElementById('video').currentTime > 0.4", timeout=10000)
    page.click("#play")
    assert page.evaluate("document.getElementById('video').paused")

    t, _, _ = CLICKS[1]
    page.click(f".tl-click[data-t='{t:.3f}']")
    wait_for_time(page, t)
    assert_colour(page, t)
    assert ripple_drawn_at(page, CLICKS[1][1], CLICKS[1][2])
    # a click in the event list seeks too
    page.click(".eventlist li.ev.click >> nth=2")
    wait_for_time(page, CLICKS[2][0])

    page.goto(f"{live_server}/sessions/{session_id}#t=5.6")
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, 5.6)
    assert_colour(page, 5.6)
    assert page.locator("#clock").inner_text().startswith("0:05.6")
    replay = page.screenshot(path=str(tmp_path / "replay.png"), full_page=True)
    assert_not_blank(replay)


def test_researcher_adds_a_tagged_note_at_the_current_time(page, live_server, session_id, web_store):
    # (reviewers are read-only unless the study allows reviewer notes: tests/web/test_access.py)
    log_in(page, live_server, "rita")
    page.goto(f"{live_server}/sessions/{session_id}#t=3.2")
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, 3.2)
    page.fill("#notetext", "Opens the wrong menu")
    page.fill("#notetags", "Navigation, confusion")
    page.click("#noteform button")
    page.wait_for_selector(".eventlist li.ev.note >> text=Opens the wrong menu")
    note = [n for n in web_store.notes.all(session_id) if n["text"] == "Opens the wrong menu"][0]
    assert note["author"] == "rita" and abs(note["t"] - 3.2) < 0.05
    assert note["tags"] == ["confusion", "navigation"]
    # tags are defined after the fact, on any note
    page.once("dialog", lambda dialog: dialog.accept("quote, Nav"))
    page.click(".eventlist li.ev.note:has-text('Looks for the submit button') button.tags")
    page.wait_for_selector(".eventlist li.ev.note >> text=[nav, quote]")
    older = [n for n in web_store.notes.all(session_id) if n["text"] == "Looks for the submit button"][0]
    assert older["tags"] == ["nav", "quote"]


def pick(page, instrument: str, item: str, value: int, low: int) -> None:
    page.locator(f"#f-{instrument}-{item} label.point").nth(value - low).click()


def test_participant_fills_sus_after_a_validation_error(page, live_server, session_id, web_store):
    attempts = web_store.attempts.all(session_id)
    for a in attempts:
        web_store.answers.add(session_id, "seq", {"1": 6}, attempt_id=a["id"])
    token = web_store.sessions.get(session_id)["token"]
    page.goto(f"{live_server}/q/{token}")
    assert "/login" not in page.url
    page.wait_for_selector("#f-sus-1")
    responses = [4, 2, 5, 1, 4, 2, 5, 1, 4, 2]
    for item, value in enumerate(responses, start=1):
        if item != 7:  # leave one SUS item out
            pick(page, "sus", str(item), value, 1)
    pick(page, "umux_lite", "1", 6, 1)
    pick(page, "umux_lite", "2", 7, 1)
    pick(page, "nps", "1", 9, 0)
    page.click("button[type=submit]")
    page.wait_for_selector("#formerror")
    assert page.locator("fieldset.invalid").count() == 1
    assert page.locator("#f-sus-7.invalid .error").inner_text() == "Please answer this question."
    assert web_store.answers.all(session_id, "sus") == []
    assert page.locator("#f-sus-1 input[value='4']").is_checked()  # what was given is kept

    pick(page, "sus", "7", 5, 1)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Thank you!")
    sus = {a["item"]: a["value"] for a in web_store.answers.all(session_id, "sus")}
    assert sus == {str(i): float(v) for i, v in enumerate(responses, start=1)}
    assert {a["item"]: a["value"] for a in web_store.answers.all(session_id, "nps")} == {"1": 9.0}


def test_console_buttons_reach_the_recorder(page, live_server, web_store):
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import socketio

    from sessions.events import CONSOLE_NAMESPACE as NAMESPACE
    sid = web_store.sessions.create("P07")
    token = web_store.sessions.get(sid)["token"]
    ready = threading.Event()

    async def recorder():
        got = []
        client = socketio.AsyncClient(reconnection=False)
        client.on("command", lambda c: got.append(c), namespace=NAMESPACE)
        await client.connect(live_server, namespaces=[NAMESPACE], auth={"token": token, "live_token": LIVE_TOKEN}, wait_timeout=5)
        await client.call("state", {"task": "first", "attempt": None, "paused": False,
                                    "status": "recording", "t": 3.0}, namespace=NAMESPACE)
        ready.set()
        for _ in range(200):
            if len(got) == 2:
                break
            await asyncio.sleep(0.05)
        await client.disconnect()
        return got

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(asyncio.run, recorder())
        assert ready.wait(10)
        log_in(page, live_server)
        page.goto(f"{live_server}/sessions/{sid}/console")
        page.wait_for_selector("#conn >> text=Connected")
        page.wait_for_selector("#recstate >> text=task first")
        page.click("button.cmd[data-action=success]")
        page.fill("#markertext", "Reads the prompt twice")
        page.click("#markerform button")
        got = future.result(timeout=20)
    assert [(c["action"], c["text"], c["by"]) for c in got] == \
        [("success", None, "rita"), ("marker", "Reads the prompt twice", "rita")]
    page.wait_for_selector("#log >> text=rita sent success")


def test_play_cannot_be_pressed_before_the_replay_can_play(page, live_server, session_id):
    """The replay wires its Play button only once the timeline has come; a press before
    that used to be lost without a sign (the video did not even have its file yet)."""
    held = []
    page.route("**/timeline.json", lambda route: held.append(route))
    log_in(page, live_server)
    page.goto(f"{live_server}/sessions/{session_id}")
    # Playwright runs the route handler only while it is called: wait_for_timeout lets it
    until(lambda: held or page.wait_for_timeout(50), "the page never asked for its timeline")
    assert page.is_disabled("#play")
    held[0].continue_()
    page.wait_for_selector("#replay.ready")
    assert page.is_enabled("#play")
    page.click("#play")
    page.wait_for_function("document.getElementById('video').currentTime > 0.4", timeout=10000)
