"""A page's picture from a remote session (analyzer/page_pictures.py, issue 21 point 2).

In a real Chromium a participant joins, consents and shares the product's own tab: the
product page is open (from the join page's "Open ..." address) when they share, and
Chromium's `--auto-select-tab-capture-source-by-title` picks that tab, so the shared video is
the rendered page itself. The page has four coloured buttons on a tall page, two of them
pressed only after scrolling down. Once the session is built, the page's picture shows each
button's colour at its page box, placed with no recorder presses at all (offset 0, scale
video width / viewport width).

A shared screen or window cannot show a real page here (Chromium's fake screen is a test
pattern), so its placement is tested on values: the window's screen place and chrome, as
capture.js sends them, put the viewport in the video, and numbers that disagree give no
picture and say why."""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server

from analyzer.page_pictures import (
    Geometry,
    Viewport,
    page_pictures,
    shared_placement,
    window_geometry,
)
from sessions.events import EventKind
from sessions.media.browser_assembly import MAX_WIDTH
from sessions.study import load_study
from tests.analyzer.test_page_pictures import BUTTONS, near, patch, product
from tests.conftest import CHROMIUM_ARGS, write_study
from tests.web.conftest import free_ports
from tests.web.remote import join_attribute, until

pytestmark = pytest.mark.timeout(120)

TITLE = "Tall page"          # the product page's title (tests/analyzer/test_page_pictures.py)
VIEWPORT = (1100, 700)       # not the fake screen's 16:9, so a wrongly shared screen would show
STUDY = """
title = "Remote page pictures"

[capture]
fps = 10
origins = ["http://127.0.0.1:{port}"]
product_url = "http://127.0.0.1:{port}/"

[[task]]
id = "press"
prompt = "Press the coloured buttons."
time_limit = 120

[questionnaires]
post_task = []
post_session = []
"""


def test_a_shared_product_tab_gives_its_pages_picture(tmp_path, chromium):
    from web import create_app
    lab_port, page_port = free_ports(2)
    folder = write_study(tmp_path / "study", STUDY.replace("{port}", str(page_port)))
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "remote-pictures-secret"})
    store = app.extensions["uxlab"]["store"]
    lab = make_server("127.0.0.1", lab_port, app, threaded=True)
    shop = make_server("127.0.0.1", page_port, product(f"http://127.0.0.1:{lab.server_port}"), threaded=True)
    for server in (lab, shop):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    token, _ = store.invitations.create("P21", actor="rita")
    # no fake picker: the real one, told to pick the product's tab by its title
    browser = chromium.browser_type.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", f"--auto-select-tab-capture-source-by-title={TITLE}"])
    try:
        context = browser.new_context(viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]},
                                      permissions=["microphone"])
        join = context.new_page()
        join.goto(f"http://127.0.0.1:{lab.server_port}/join/{token}")
        join.check("#consent")
        join.click("#agree")
        join.wait_for_selector("#share:enabled")
        # the product's tab must be open to be shared: the participant opens the join page's
        # product address first (its link shows only once something is shared)
        page = context.new_page()
        page.goto(join.get_attribute("#product-link", "href") or "")
        assert page.title() == TITLE
        join.click("#share")
        join_attribute(join, "stage", "ready")
        assert join.get_attribute("#join", "data-surface") == "browser"
        join.click("#start")
        join_attribute(join, "stage", "task")
        (session,) = store.sessions.all()
        sid = session["id"]
        until(lambda: store.events.count(sid, EventKind.VIEWPORT.value), "the product's tab paired")

        def scrolled() -> int:
            rows = list(store.events.iterate(sid, kinds=[EventKind.PAGE_SCROLL.value]))
            return int(rows[-1]["y"]) if rows else 0

        for name, ((_, y, _, h), _) in BUTTONS.items():
            target = max(0, y + h + 40 - VIEWPORT[1])
            if target != scrolled():
                page.evaluate("y => window.scrollTo(0, y)", target)
                until(lambda wanted=target: scrolled() == wanted, f"the scroll to {target} stored")
            page.click(f"#{name}")
        until(lambda: store.events.count(sid, EventKind.PAGE_CLICK.value) == len(BUTTONS), "the clicks stored")
        join.click("#done")
        until(lambda: join.get_attribute("#join", "data-ended") == "1", "the session ended", 30)
        context.close()
    finally:
        browser.close()
    try:
        session = until(lambda: (s := store.sessions.get(sid))["device"].get("built") and s,
                        "the media built", 60)
        device = session["device"]
        assert device["surface"] == "browser" and device["width"] == VIEWPORT[0]
        (row,) = store.events.rows(sid, [EventKind.VIEWPORT.value], ("x", "y", "text"))
        # capture.js's window place passes the contract and reads back as this headless window
        geometry = window_geometry(row[2])
        assert geometry is not None and geometry.ratio == 1.0 and geometry.window[2] >= VIEWPORT[0]
        placement, why = shared_placement(device, [Viewport(int(row[0]), int(row[1]), geometry)])
        assert placement is not None, why
        assert (placement.x, placement.y, placement.scale) == (0.0, 0.0, 1.0)

        study = load_study(folder)
        picture = page_pictures(store, study, ["/"])["/"]
        assert picture.image is not None and picture.seen is not None, picture.why
        assert picture.sessions == [sid] and "drawn on the page" in picture.caption
        clicks = list(store.events.iterate(sid, kinds=[EventKind.PAGE_CLICK.value]))
        for click in clicks:
            element = json.loads(click["target"])
            box = tuple(element["page"])
            want = BUTTONS[element["selector"][1:]][1]
            assert picture.seen[box[1]:box[1] + box[3], box[0]:box[0] + box[2]].all(), box
            assert near(patch(picture.image, box), want), (element["selector"], patch(picture.image, box), want)
            # placed to the pixel: the box's far corner is the button's, just outside it is the page's
            x, y, w, h = box
            assert near(patch(picture.image, (x + w - 56, y + h - 40, 0, 0)), want), (element["selector"], "corner")
            for outside in ((x - 56, y + 8), (x + 8, y - 40), (x + w + 8, y + h - 40), (x + 8, y + h + 8)):
                assert near(patch(picture.image, (*outside, 0, 0)), (255, 255, 255)), (element["selector"], outside)
        assert near(patch(picture.image, (1000, 1000, 60, 40)), (255, 255, 255))   # the page between
    finally:
        for server in (lab, shop):
            server.shutdown()
        store.close()


SCREEN_TEXT = '{"screen":[1280,800],"window":[40,30,1160,740],"dpr":1}'


def test_a_shared_screen_or_window_places_the_viewport_by_the_windows_place():
    # a 1280×800 screen at ratio 1: the window's 8 px side frame and a 105 px toolbar
    screen = window_geometry(SCREEN_TEXT)
    assert screen == Geometry((1280, 800), (40, 30, 1160, 740), 1.0)
    view = [Viewport(1144, 627, screen)]
    placement, _ = shared_placement({"surface": "monitor", "width": 1280, "height": 800}, view)
    assert placement is not None and (placement.x, placement.y, placement.scale) == (48, 135, 1.0)
    # a 1440×900 screen at ratio 2 is 2880×1800 device pixels, rebuilt 1920 wide
    retina = [Viewport(1200, 713, Geometry((1440, 900), (100, 50, 1200, 800), 2.0))]
    placement, _ = shared_placement({"surface": "monitor", "width": MAX_WIDTH, "height": 1200}, retina)
    assert placement is not None
    assert (placement.x, placement.y, placement.scale) == pytest.approx((100 * 4 / 3, 137 * 4 / 3, 4 / 3))
    # a shared window at ratio 1.5: the video is the window, the viewport under its toolbar
    window = [Viewport(1200, 713, Geometry((1920, 1080), (300, 100, 1200, 800), 1.5))]
    placement, _ = shared_placement({"surface": "window", "width": 1800, "height": 1200}, window)
    assert placement is not None and (placement.x, placement.y, placement.scale) == (0, 130.5, 1.5)


@pytest.mark.parametrize("device, viewports, why", [
    # Chromium's fake 1280×720 screen is not the 1280×800 screen the page is on
    ({"surface": "monitor", "width": 1280, "height": 720}, [Viewport(1144, 627, window_geometry(SCREEN_TEXT))],
     "is not the size the page's window gives (1280×800)"),
    ({"surface": "monitor", "width": 1280, "height": 800},
     [Viewport(1144, 627, Geometry((1280, 800), (1320, 30, 1160, 740), 1.0))], "not wholly on the shared screen"),
    ({"surface": "monitor", "width": 1280, "height": 800}, [Viewport(1144, 627)], "did not say where its window"),
    ({"surface": "monitor", "width": 1280, "height": 800},
     [Viewport(1144, 627, window_geometry(SCREEN_TEXT)),
      Viewport(1144, 627, Geometry((1280, 800), (80, 30, 1160, 740), 1.0))], "moved or changed"),
    ({"surface": "browser", "width": 1280, "height": 720}, [Viewport(1100, 700)], "another tab was shared"),
    ({"surface": "browser", "width": 1100, "height": 700}, [Viewport(1100, 700), Viewport(900, 700)],
     "changed size"),
    ({"surface": "browser", "surfaces": ["browser", "monitor"], "width": 1100, "height": 700},
     [Viewport(1100, 700)], "shared a browser and then a monitor"),
    ({"width": 1100, "height": 700}, [Viewport(1100, 700)], "is not known"),
    ({"surface": "browser"}, [Viewport(1100, 700)], "no screen video"),
])
def test_numbers_that_disagree_give_no_placement_and_say_why(device, viewports, why):
    placement, reason = shared_placement(device, viewports)
    assert placement is None and why in reason


@pytest.mark.parametrize("text", [None, "", "{", "[]", '{"screen":[1280],"window":[0,0,1,1],"dpr":1}',
                                  '{"screen":[1280,800],"window":[0,0,0,1],"dpr":1}',
                                  '{"screen":[1280,800],"window":[0,0,9,9],"dpr":true}',
                                  '{"screen":"ab","window":[0,0,9,9],"dpr":1}'])
def test_a_viewport_events_text_that_is_no_window_is_ignored(text):
    assert window_geometry(text) is None
