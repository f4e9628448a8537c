"""Element capture beside a native recording (issue 21, done when): `uxlab record` records
Chromium on Xvfb showing the demo's portal with the snippet added, driven by xdotool like a
person. Every click in the events export names its element; success by URL and first click
by element are computed; each URL's heatmap holds only that page's clicks, and each page's
picture is cut from the screen video; the native recorder's pixel clicks are still there,
and are not counted twice."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from analyzer.page_pictures import page_pictures
from analyzer.url_screens import clicks_by_screen, normalise, study_web_measures
from examples.helpdesk.layout import (
    FORM,
    HEIGHT,
    NAV,
    SERVICES_MENU,
    STATUS_FORM,
    WIDTH,
    centre,
)
from examples.helpdesk.portal import create_portal
from examples.helpdesk.simulate import (
    HERE,
    UXLAB,
    Driver,
    start_browser,
    wait_for_session,
)
from recorder.virtual_display import VirtualDisplay
from sessions.events import Action, EventKind
from sessions.export import timeline
from sessions.study import load_study
from tests.web.conftest import free_ports
from tests.web.remote import until

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def study_text() -> str:
    """The demo's study script (it allows the portal's origin on any port, and names success
    by URL), with find-help's first click named by element instead of a rectangle."""
    text = (HERE / "study.toml").read_text()
    assert 'origins = ["http://127.0.0.1:*"]' in text and 'success_url = "/ticket/sent"' in text
    text = text.replace('id = "find-help"\n', 'id = "find-help"\nsuccess_url = "/ticket/new$"\n', 1)
    return text.replace('first_click = [350, 20, 140, 44]      # the Services menu (A) or the Get help link (B)',
                        "first_click = \"link 'Services ▾'\"", 1)


def test_a_native_recording_of_the_portal_with_the_snippet(tmp_path):
    from web import create_app
    lab_port, portal_port = free_ports(2)
    portal, lab = f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{lab_port}"
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copytree(HERE / "screens", folder / "screens")
    (folder / "study.toml").write_text(study_text())
    study = load_study(folder)
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "e2e-secret"})
    store = app.extensions["uxlab"]["store"]
    servers = [make_server("127.0.0.1", lab_port, app, threaded=True),
               make_server("127.0.0.1", portal_port, create_portal("A", capture=lab), threaded=True)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with VirtualDisplay(WIDTH, HEIGHT) as display, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            browser = start_browser(display, portal + "/", Path(profile))
            said = (tmp_path / "recorder.err").open("w")
            recorder = subprocess.Popen(
                [str(UXLAB), "record", str(folder), "--participant", "P01", "--group", "A", "--display",
                 display.name, "--consent", "--prompt", "none", "--again", "--audio", "none"],
                env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=said, text=True)
            try:
                session = wait_for_session(store, "P01", set(), recorder)
                # the page asks for a session every few seconds: it has paired once it said its URL
                until(lambda: store.events.count(session, EventKind.URL.value), "the page's pairing", 30)
                time.sleep(1.0)  # the recorder's input listeners settle (field note 2)
                driver = Driver(display, study.hotkeys)
                driver.run([
                    ("hotkey", Action.NEXT_TASK), ("wait", 0.8),
                    ("click", centre(NAV["services"])), ("wait", 0.7), ("click", centre(SERVICES_MENU["hardware"])),
                    ("wait", 1.5), ("hotkey", Action.SUCCESS), ("wait", 0.5),
                    ("hotkey", Action.NEXT_TASK), ("wait", 0.8),
                    ("click", centre(FORM["subject"])), ("type", "Charger broken"),
                    ("click", centre(FORM["submit"])), ("wait", 1.5), ("hotkey", Action.SUCCESS), ("wait", 0.5),
                    ("hotkey", Action.NEXT_TASK), ("wait", 0.8),
                    ("click", centre(NAV["status"])), ("wait", 1.0), ("click", centre(STATUS_FORM["number"])),
                    ("type", "HD-1042"), ("click", centre(STATUS_FORM["check"])), ("wait", 1.5),
                    ("hotkey", Action.SUCCESS), ("wait", 0.5), ("hotkey", Action.END),
                ])
                recorder.wait(timeout=60)
            finally:
                if recorder.poll() is None:
                    recorder.terminate()
                    recorder.wait(timeout=30)
                browser.terminate()
                browser.wait(timeout=30)
                said.close()
    finally:
        for server in servers:
            server.shutdown()
    assert recorder.returncode == 0, (tmp_path / "recorder.err").read_text()
    rows = list(timeline(store, session))
    page_clicks = [r for r in rows if r["kind"] == EventKind.PAGE_CLICK]
    assert len(page_clicks) == 7
    for click in page_clicks:            # every click in the export names its element
        element = json.loads(click["target"])
        assert click["text"] and element["selector"] and element["tag"], click
    assert [c["text"] for c in page_clicks] == [
        "link 'Services ▾'", "link 'Hardware requests'", "textbox 'Subject'", "button 'Send ticket'",
        "link 'Ticket status'", "textbox 'HD-0000'", "button 'Check'"]
    # the native recorder's pixel clicks are kept beside them, as clicks
    assert sum(r["kind"] == EventKind.CLICK for r in rows) >= 7
    measures = {m["task"]: m for m in study_web_measures(store, study)}
    assert measures["find-help"]["first_click"]["hit"] is True
    assert measures["find-help"]["success_url_seen"] is not None
    assert measures["submit-ticket"]["success_url_seen"] is not None
    assert measures["submit-ticket"]["path"] == ["/ticket/new", "/ticket/sent"]
    for screen, clicks in clicks_by_screen(store, study).items():   # each page's heatmap: its clicks only
        assert {c.screen for c in clicks} == {screen}
    assert set(clicks_by_screen(store, study)) == {"/", "/ticket/new", "/ticket/sent", "/status"}
    # each page's picture is cut from the screen video where the browser's viewport was
    # (the whole screen, in kiosk mode): the portal's bar, and each pressed button's colour
    pictures = page_pictures(store, study, sorted(clicks_by_screen(store, study)))
    for screen, picture in pictures.items():
        assert picture.image is not None, (screen, picture.why)
        assert mean_rgb(picture.image, (600, 2, 40, 30)) == pytest.approx((0x24, 0x3B, 0x6B), abs=16), screen
    for click in page_clicks:
        element = json.loads(click["target"])
        if element["tag"] == "button":   # "Send ticket", "Check": plain green
            screen = normalise(click["window"], study.capture.web.screens)
            x, y, _, _ = element["page"]
            assert mean_rgb(pictures[screen].image, (x + 6, y + 6, 24, 10)) == pytest.approx(
                (0x2D, 0x7A, 0x3E), abs=16), click["text"]
    store.close()


def mean_rgb(image, box) -> tuple[float, float, float]:
    x, y, w, h = box
    b, g, r = image[y:y + h, x:x + w].reshape(-1, 3).mean(axis=0)
    return float(r), float(g), float(b)
