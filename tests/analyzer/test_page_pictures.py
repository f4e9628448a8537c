"""A page's picture from a real recording (analyzer/page_pictures.py): `uxlab record` records
Chromium on Xvfb, in an ordinary window (its toolbar above the page, the window away from
the screen's corner), showing a page taller than the window with capture.js on it; xdotool
clicks four coloured buttons, two of them only after scrolling down. The viewport's place on
the screen is found from the paired presses, and the page's picture is stitched from what
was seen: at each button's page box it shows the button's own colour, including below the
first screenful, and the page's heatmap is drawn on it.

Without a screen recorder's clicks (a remote session, or events alone) there is no picture,
and the figure says why."""
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time

import cv2
import numpy as np
import pytest
from flask import Flask
from werkzeug.serving import make_server

from analyzer.page_pictures import page_pictures, viewport_placement
from analyzer.url_screens import load_web, screen_heatmap_png
from examples.helpdesk.simulate import UXLAB, wait_for_session
from recorder.virtual_display import VirtualDisplay
from sessions.events import Action, EventKind
from sessions.study import load_study
from tests.conftest import write_study
from tests.web.conftest import free_ports
from tests.web.remote import until

pytestmark = [pytest.mark.timeout(240)]

SCREEN = (1280, 800)
WINDOW = (40, 30, 1160, 740)          # x, y, width, height of Chromium's window
PAGE_HEIGHT = 2600
# id: (page box x, y, w, h), RGB
BUTTONS = {
    "red": ((100, 120, 300, 120), (200, 40, 40)),
    "green": ((650, 420, 300, 120), (40, 160, 60)),
    "blue": ((200, 1500, 300, 120), (40, 70, 200)),
    "amber": ((600, 2300, 300, 120), (230, 170, 30)),
}
STUDY = """
title = "Page pictures"

[capture]
fps = 10
origins = ["http://127.0.0.1:*"]

[[task]]
id = "press"
prompt = "Press the coloured buttons."
time_limit = 120
"""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-translate", "--disable-features=Translate", "--noerrdialogs", "--password-store=basic",
         "--test-type", "--disable-smooth-scrolling",
         f"--window-position={WINDOW[0]},{WINDOW[1]}", f"--window-size={WINDOW[2]},{WINDOW[3]}"]


def product(lab: str) -> Flask:
    """The page under test: a tall page of four plain coloured buttons, with the snippet."""
    app = Flask("tall_page")
    buttons = "".join(
        f'<button id="{name}" style="position:absolute;left:{x}px;top:{y}px;width:{w}px;height:{h}px;'
        f'border:0;border-radius:0;background:rgb{rgb};color:#fff;font:24px sans-serif">{name}</button>'
        for name, ((x, y, w, h), rgb) in BUTTONS.items())

    @app.get("/")
    def page() -> str:
        return (f'<!doctype html><html><head><title>Tall page</title>'
                f'<script src="{lab}/static/capture.js" defer></script></head>'
                f'<body style="margin:0;background:#fff"><div style="position:relative;height:{PAGE_HEIGHT}px">'
                f"{buttons}</div></body></html>")
    return app


def patch(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """The mean RGB of a box's corner, 8 px in from its edges (clear of the button's label)."""
    x, y = box[0] + 8, box[1] + 8
    bgr = image[y:y + 24, x:x + 40].reshape(-1, 3).mean(axis=0)
    return int(bgr[2]), int(bgr[1]), int(bgr[0])


def near(found: tuple[int, int, int], want: tuple[int, int, int], tolerance: int = 24) -> bool:
    return max(abs(a - b) for a, b in zip(found, want)) <= tolerance


class Participant:
    """xdotool on the display, aiming at the page's elements through the viewport's place
    on the screen (found by a first press on the page's background)."""

    def __init__(self, display: VirtualDisplay, store, session: str, hotkeys: dict[str, str]) -> None:
        self.env, self.store, self.session, self.hotkeys = display.env(), store, session, hotkeys
        self.origin = (0, 0)
        self.step: int | None = None      # page pixels a wheel notch scrolls

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=30)

    def page_clicks(self) -> list[dict]:
        return list(self.store.events.iterate(self.session, kinds=[EventKind.PAGE_CLICK.value]))

    def scroll(self) -> tuple[int, int]:
        rows = list(self.store.events.iterate(self.session, kinds=[EventKind.PAGE_SCROLL.value]))
        return (int(rows[-1]["x"]), int(rows[-1]["y"])) if rows else (0, 0)

    def press(self, x: int, y: int) -> None:
        """Click at a screen point."""
        self.xdotool("mousemove", "--sync", str(x), str(y))
        time.sleep(0.25)    # a hand settles before it clicks
        self.xdotool("click", "1")

    def calibrate(self) -> None:
        x, y = WINDOW[0] + WINDOW[2] // 2, WINDOW[1] + WINDOW[3] - 60   # on the page's background
        self.press(x, y)
        row = until(self.page_clicks, "the page's click", 10)[0]
        self.origin = (x - row["x"], y - row["y"])

    def show(self, name: str, viewport: tuple[int, int]) -> None:
        """Scroll with the wheel until the button is wholly in the viewport: one notch to
        learn how far a notch goes, then as many as it takes at once."""
        (_, y, _, h), _ = BUTTONS[name]
        target = y + h + 40 - viewport[1]
        while self.scroll()[1] < target:
            before = self.scroll()[1]
            notches = 1 if self.step is None else max(1, -(-(target - before) // self.step))
            self.xdotool("click", "--repeat", str(notches), "--delay", "40", "5")
            until(lambda was=before, n=notches: self.scroll()[1] >= min(target, was + (self.step or 1) * n),
                  "the page's scroll", 10)
            if self.step is None:
                self.step = self.scroll()[1] - before

    def press_button(self, name: str) -> None:
        (x, y, w, h), _ = BUTTONS[name]
        scroll = self.scroll()
        self.press(self.origin[0] + x + w // 2 - scroll[0], self.origin[1] + y + h // 2 - scroll[1])


def test_a_recorded_pages_picture_is_stitched_from_what_was_seen(tmp_path):
    from web import create_app
    folder = write_study(tmp_path / "study", STUDY)
    study = load_study(folder)
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "pictures-secret"})
    store = app.extensions["uxlab"]["store"]
    lab_port, page_port = free_ports(2)
    servers = [make_server("127.0.0.1", lab_port, app, threaded=True),
               make_server("127.0.0.1", page_port, product(f"http://127.0.0.1:{lab_port}"), threaded=True)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with VirtualDisplay(*SCREEN) as display, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            browser = subprocess.Popen(["chromium", *FLAGS, f"--user-data-dir={profile}",
                                        f"http://127.0.0.1:{page_port}/"], env=display.env(),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            said = (tmp_path / "recorder.err").open("w")
            recorder = subprocess.Popen(
                [str(UXLAB), "record", str(folder), "--participant", "P01", "--display", display.name,
                 "--consent", "--prompt", "none", "--again", "--audio", "none"],
                env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=said, text=True)
            try:
                session = wait_for_session(store, "P01", set(), recorder)
                until(lambda: store.events.count(session, EventKind.VIEWPORT.value), "the page's pairing", 60)
                time.sleep(1.0)  # the recorder's input listeners settle (field note 2)
                viewport = next(store.events.iterate(session, kinds=[EventKind.VIEWPORT.value]))
                size = (int(viewport["x"]), int(viewport["y"]))
                person = Participant(display, store, session, study.hotkeys)
                person.xdotool("key", "--clearmodifiers", study.hotkeys[Action.NEXT_TASK])
                person.calibrate()
                for name in BUTTONS:
                    person.show(name, size)
                    person.press_button(name)
                until(lambda: len(person.page_clicks()) == 1 + len(BUTTONS), "the page's clicks", 10)
                person.xdotool("key", "--clearmodifiers", study.hotkeys[Action.END])
                recorder.wait(timeout=60)
            finally:
                if recorder.poll() is None:
                    recorder.terminate()
                    recorder.wait(timeout=30)
                browser.terminate()
                browser.wait(timeout=30)
                said.close()
        assert recorder.returncode == 0, (tmp_path / "recorder.err").read_text()
        clicks = load_web(store, session).clicks
        assert [c.element.get("selector") for c in clicks[1:]] == [f"#{n}" for n in BUTTONS]
        assert scroll_below(clicks[-1]) >= 1500          # the last buttons were pressed scrolled down

        presses = [(float(r[0]), float(r[1]), float(r[2])) for r in store.events.rows(
            session, [EventKind.CLICK.value], ("t", "x", "y"), presses_only=True)]
        placement = viewport_placement(presses, clicks)
        assert placement is not None and placement.scale == 1.0 and placement.pairs == len(clicks)
        assert (round(placement.x), round(placement.y)) == person.origin
        assert placement.y > WINDOW[1] + 20              # the toolbar sits above the page

        picture = page_pictures(store, study, ["/"])["/"]
        assert picture.image is not None and picture.seen is not None, picture.why
        assert picture.sessions == [session] and "drawn on the page" in picture.caption
        assert picture.image.shape[0] >= BUTTONS["amber"][0][1] + BUTTONS["amber"][0][3]
        for click in clicks[1:]:
            box = tuple(click.element["page"])
            want = BUTTONS[click.element["selector"][1:]][1]
            assert picture.seen[box[1]:box[1] + box[3], box[0]:box[0] + box[2]].all(), box
            assert near(patch(picture.image, box), want), (click.label, patch(picture.image, box), want)
        assert near(patch(picture.image, (1000, 1000, 60, 40)), (255, 255, 255))   # the page between

        drawn = cv2.imdecode(np.frombuffer(screen_heatmap_png(clicks, picture=picture.image, seen=picture.seen),
                                           np.uint8), cv2.IMREAD_COLOR)
        for name in ("red", "amber"):      # box corners, far from the clicks' density
            box, want = BUTTONS[name]
            assert near(patch(drawn, box), want), (name, patch(drawn, box))
    finally:
        for server in servers:
            server.shutdown()
        store.close()


def scroll_below(click) -> int:
    return int(click.element["page"][1] - click.element["view"][1])


def test_no_recorder_clicks_means_no_picture_and_says_why(tmp_path):
    from sessions import events
    from sessions.store import Store
    from tests.analyzer.test_paths import visit
    from tests.analyzer.test_url_screens import SITE, record
    from tests.analyzer.test_url_screens import STUDY as WEB_STUDY
    folder = write_study(tmp_path / "s", WEB_STUDY)
    store = Store(folder)
    try:
        record(store, "P01", [events.viewport(1.55, SITE + "/", 1280, 800), *visit("/", "/orders", "/orders/42")])
        pictures = page_pictures(store, load_study(folder), ["/orders", "/nowhere"])
        assert pictures["/orders"].image is None
        assert "no clicks from a screen recorder" in pictures["/orders"].caption
        assert "outlined instead" in pictures["/orders"].caption
        assert pictures["/nowhere"].image is None
        assert "no session showed this page" in pictures["/nowhere"].caption
    finally:
        store.close()


def test_the_moments_a_page_was_seen_at_a_known_scroll(tmp_path):
    from analyzer.page_pictures import REST, session_samples
    from sessions import events
    from sessions.store import Store
    from tests.analyzer.test_url_screens import SITE, button
    folder = write_study(tmp_path / "s", STUDY)
    store = Store(folder)
    try:
        sid = store.sessions.create("P01")
        lower = {**button("Low", y=1400), "view": [0, 900, 80, 20]}      # pressed 500 px down
        store.events.append(sid, [
            events.page_url(1.0, SITE + "/", "Home"), events.viewport(1.01, SITE + "/", 1000, 700),
            events.page_scroll(2.0, SITE + "/", 0, 500, 0, 500),
            events.page_click(2.2, 5, 1405, SITE + "/", lower),
            events.page_url(3.0, SITE + "/next", "Next"), events.page_scroll(3.1, SITE + "/next", 0, 80, 0, 80)])
        found = [(round(s.t, 3), s.screen, s.scroll, s.size) for s in session_samples(store, sid, ())]
        assert found == [
            (1.0 + REST, "/", (0, 0), (1000, 700)),           # the load, settled
            (2.15, "/", (0, 500), (1000, 700)),               # the scroll, cut short by the press
            (2.15, "/", (0, 500), (1000, 700)),               # the press, just before it
            (3.1 + REST, "/next", (0, 80), (1000, 700)),      # a load whose scroll came at once
        ]
    finally:
        store.close()


def test_the_viewport_is_placed_where_the_presses_agree():
    from analyzer.url_screens import WebClick

    def click(t, x, y, scroll=(0, 0)):
        element = {"page": [x - 5, y - 5, 10, 10], "view": [x - 5 - scroll[0], y - 5 - scroll[1], 10, 10]}
        return WebClick(t, "/", "http://shop.test/", x, y, "button 'Go'", element, None)

    points = [(100, 100), (900, 150), (300, 600), (1000, 640), (500, 300)]
    clicks = [click(1.0 + i, x, y + 400, scroll=(0, 400)) for i, (x, y) in enumerate(points)]
    # the recorder saw each press 0.1 s later, the viewport 40 px right of and 117 px below the
    # screen's corner; then the window moved, and two presses disagree
    presses = [(1.1 + i, 40 + x, 117 + y) for i, (x, y) in enumerate(points)]
    clicks += [click(7.0, 200, 200), click(8.0, 600, 500)]
    presses += [(7.1, 500.0, 400.0), (8.1, 900.0, 700.0)]
    placement = viewport_placement(presses, clicks)
    assert placement is not None
    assert (placement.x, placement.y, placement.scale, placement.pairs) == (40, 117, 1.0, 5)
    assert placement.lag == pytest.approx(0.1)
    assert placement.holds_at(2.4) and not placement.holds_at(7.6)
    # a device pixel ratio of 1.5: screen pixels are 1.5 page pixels
    scaled = [(1.1 + i, 40 + 1.5 * x, 117 + 1.5 * y) for i, (x, y) in enumerate(points)]
    placement = viewport_placement(scaled, clicks[:5])
    assert placement is not None and placement.scale == 1.5 and (placement.x, placement.y) == (40, 117)
    assert viewport_placement(presses[:1], clicks[:1]) is None                  # one pair proves nothing
    assert viewport_placement([(p[0] + 1.0, p[1], p[2]) for p in presses], clicks) is None  # none in time
