"""The heatmap pages: one design group at a time, hot spots looked up in fractions of the
picture, the study's sessions read once and reused until its database changes; and the
dashboard's task table with interrupted attempts and unmatched screens."""
from __future__ import annotations

import re
import subprocess
import sys

from sessions.events import MarkerKind
from sessions.recovery import open_writer
from sessions.store import Store
from tests.web.recordings import CLICKS, SCREEN, record_session
from web import view_cache


def _two_designs(web_store) -> tuple[str, str]:
    a, b = record_session(web_store, "P01"), record_session(web_store, "P02")
    web_store.sessions.update(a, group_name="A")
    web_store.sessions.update(b, group_name="B")
    return a, b


def test_one_design_group_at_a_time(as_role, web_store):
    a, b = _two_designs(web_store)
    client, _ = as_role("reviewer")
    page = client.get("/heatmaps/first").text
    assert re.search(r'<a class="active" href="/heatmaps/first\?group=A">group A</a>', page), "the first by default"
    assert 'href="/heatmaps/first?group=B"' in page and "group=A" in page.split('id="heatmap"')[1]
    t, x, y = CLICKS[0]
    near = client.get(f"/heatmaps/first/clicks.json?group=B&fx={x / SCREEN[0]}&fy={y / SCREEN[1]}").json
    assert [(r["session_id"], r["participant"]) for r in near] == [(b, "P02")]
    near = client.get(f"/heatmaps/first/clicks.json?fx={x / SCREEN[0]}&fy={y / SCREEN[1]}").json
    assert [r["session_id"] for r in near] == [a]
    png = client.get("/heatmaps/first/heatmap.png?group=B")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    assert client.get("/heatmaps/first/heatmap.png?group=C").status_code == 404


def test_the_page_reuses_its_reading_until_the_study_changes(app, as_role, web_store):
    sid = record_session(web_store)
    client, _ = as_role("reviewer")
    assert "Screen 0 · 1 clicks" in client.get("/heatmaps/first").text
    views = app.extensions["uxlab"]["views"]["heatmaps"]
    data = views.kept[("data", None)].value
    png = client.get("/heatmaps/first/heatmap.png").data
    assert client.get("/heatmaps/first").status_code == 200
    assert views.kept[("data", None)].value is data, "the second visit reads no session again"
    assert client.get("/heatmaps/first/heatmap.png").data == png
    # a new session (written by another process, as the recorder does) shows at the next visit
    other = Store(web_store.folder)
    record_session(other, "P02")
    other.close()
    assert "Screen 0 · 2 clicks" in client.get("/heatmaps/first").text
    assert views.kept[("data", None)].value is not data
    assert sid


def test_while_a_session_is_recorded_the_reading_stands_a_few_seconds(app, as_role, web_store, monkeypatch):
    record_session(web_store)
    live = web_store.sessions.create("P02")          # being recorded: it writes all the time
    client, _ = as_role("reviewer")
    assert "Screen 0 · 1 clicks" in client.get("/heatmaps/first").text
    views = app.extensions["uxlab"]["views"]["heatmaps"]
    data = views.kept[("data", None)].value
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 3600.0)
    web_store.markers.add(live, 1.0, MarkerKind.MARKER.value, text="the recorder writes on")
    assert client.get("/heatmaps/first").status_code == 200
    assert views.kept[("data", None)].value is data, "a live recording does not make each view re-read"
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 0.0)
    record_session(web_store, "P03")
    assert "Screen 0 · 2 clicks" in client.get("/heatmaps/first").text


def test_the_task_table_says_how_many_attempts_were_interrupted(as_role, web_store):
    record_session(web_store)
    crashed = web_store.sessions.create("P02")
    web_store.attempts.start(crashed, "first", 1.0)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    web_store.sessions.update(crashed, pid=dead.pid)
    open_writer(web_store.folder).close()       # a writer opening the study recovers the session
    client, _ = as_role("reviewer")
    html = client.get("/summary").text
    row = html.split("<strong>first</strong>")[1].split("</tr>")[0]
    assert '<td class="num">1<div class="muted small interrupted">+1 interrupted</div></td>' in row
    assert "1 of 1" in row


def test_the_dashboard_warns_of_a_screen_that_matched_in_no_session(app, as_role, web_store, study_dir):
    import cv2
    import numpy as np

    from sessions.study import load_study
    record_session(web_store)
    (study_dir / "screens").mkdir()
    checker = (np.indices((60, 80)).sum(axis=0) // 6 % 2 * 255).astype(np.uint8)
    cv2.imwrite(str(study_dir / "screens" / "oops.png"), cv2.merge([checker] * 3))
    text = (study_dir / "study.toml").read_text().replace(
        'prompt = "Do the first thing."', 'prompt = "Do the first thing."\nerror_screens = ["screens/oops.png"]')
    (study_dir / "study.toml").write_text(text)
    app.extensions["uxlab"]["study"] = load_study(study_dir)
    client, _ = as_role("reviewer")
    html = client.get("/summary").text
    assert re.search(r"The error screen <code>screens/oops.png</code> of task <strong>first</strong> matched in "
                     r"no session", html)


def test_per_page_heatmaps_hold_one_pages_clicks_drawn_on_its_picture(as_role, web_store):
    import cv2
    import numpy as np

    from sessions import events
    from tests.web.recordings import colour_at
    sid = record_session(web_store)
    site = "http://shop.test"

    def press(t, page_xy, scroll, url, task):
        x, y = page_xy
        element = {"tag": "button", "role": "button", "name": "Go", "selector": "#go", "interactive": True,
                   "page": [x - 40, y - 20, 80, 40], "view": [x - 40 - scroll[0], y - 20 - scroll[1], 80, 40]}
        return events.page_click(t, x, y, site + url, element, task=task)

    # the page's side of the recorder's presses at 2.5 s (640, 400) and 4.25 s (100, 700): the
    # viewport sits 80 px below the screen's top; /a was pressed scrolled 300 px down
    web_store.events.append(sid, [
        events.page_url(1.1, site + "/a", "A", task="first"), events.viewport(1.12, site + "/a", 1280, 720, task="first"),
        press(2.5, (640, 620), (0, 300), "/a", "first"),
        events.page_url(3.0, site + "/b", "B", task="first"),
        press(3.5, (1000, 150), (0, 0), "/b", "first"),
        press(4.25, (100, 620), (0, 0), "/b", "second")])
    client, _ = as_role("reviewer")
    page = client.get("/heatmaps/first").text
    assert "<code>/a</code> · 1 click" in page and "<code>/b</code> · 1 click" in page
    page = client.get("/heatmaps/first?url=/a").text
    assert "/heatmaps/first/page.png?url=/a" in page and "drawn on the page as the screen video showed it" in page
    png = client.get("/heatmaps/first/page.png?url=/a")
    assert png.status_code == 200 and png.mimetype == "image/png"
    drawn = cv2.imdecode(np.frombuffer(png.data, np.uint8), cv2.IMREAD_COLOR)

    def rgb(x, y):
        return [int(v) for v in drawn[y, x][::-1]]

    def close(found, want):
        return max(abs(a - b) for a, b in zip(found, want)) <= 20

    assert close(rgb(100, 100), colour_at(1.5))     # the page at rest after its load, unscrolled
    assert close(rgb(100, 900), colour_at(2.45))    # below it, what the press 300 px down showed
    assert close(rgb(1000, 150), colour_at(1.5))    # /b's click is not on /a's heatmap
    assert not close(rgb(640, 620), colour_at(2.45))  # /a's is
    height, width = drawn.shape[:2]
    near = client.get(f"/heatmaps/first/page_clicks.json?url=/a&fx={640 / width}&fy={620 / height}").json
    assert [(r["session_id"], r["participant"], r["into_task"]) for r in near] == [(sid, "P01", 1.5)]
    missing = client.get("/heatmaps/first?url=/nowhere")
    assert missing.status_code == 404 and "no clicks on page &#39;/nowhere&#39; in this task" in missing.text
    assert client.get("/heatmaps/first/page.png").status_code == 400
