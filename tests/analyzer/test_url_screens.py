"""Screens by URL: a path normalised by the study's patterns is one screen, a pushState is a
new screen state, each screen's clicks are only its own, at page coordinates, and a task's
success by URL and first click by element are computed from named clicks."""
from __future__ import annotations

import cv2
import numpy as np

from analyzer.url_screens import (
    clicks_by_screen,
    load_web,
    normalise,
    screen_heatmap,
    screen_heatmap_png,
    study_web_measures,
)
from sessions import events
from sessions.store import Store
from sessions.study import load_study
from tests.conftest import write_study

SITE = "http://shop.test"
STUDY = """
title = "Shop"
[capture]
origins = ["http://shop.test"]
screens = ["/orders/*"]
[[task]]
id = "export"
prompt = "Export order 42."
success_url = "/orders/[0-9]+/exported"
first_click = "link 'Orders'"
expected_path = ["/", "/orders", "/orders/*"]
"""


def button(name, y=10, interactive=True, role="button", tag="button"):
    return {"tag": tag, "role": role, "name": name, "selector": f"#{name.lower()}", "interactive": interactive,
            "page": [0, y, 80, 20], "view": [0, y, 80, 20]}


def record(store, participant, rows, outcome="success", end=30.0):
    sid = store.sessions.create(participant)
    attempt = store.attempts.start(sid, "export", 1.0)
    store.events.append(sid, rows)
    store.attempts.end(attempt, end, outcome)
    store.sessions.update(sid, status="complete")
    return sid


def test_a_path_pattern_makes_one_screen_and_drops_query_and_fragment():
    assert normalise(SITE + "/orders/42?tab=items#top", ("/orders/*",)) == "/orders/*"
    assert normalise(SITE + "/orders", ("/orders/*",)) == "/orders"
    assert normalise(SITE + "/orders/42/exported", ("/orders/*",)) == "/orders/42/exported"
    assert normalise(SITE + "/a/b/c", ("/a/**",)) == "/a/**"
    assert normalise(SITE) == "/"


def test_screens_clicks_and_task_measures(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    study = load_study(folder)
    store = Store(folder)
    try:
        sid = record(store, "P01", [
            events.page_url(1.5, SITE + "/", "Home"),
            events.page_click(2.0, 40, 15, SITE + "/", button("Orders", role="link", tag="a"), task="export"),
            events.page_url(2.5, SITE + "/orders", "Orders", "load"),
            events.page_url(2.6, SITE + "/orders", "Orders (3)", "title"),     # same screen
            events.page_scroll(3.0, SITE + "/orders", 0, 1200, 0, 1200),
            events.page_click(3.5, 30, 1250, SITE + "/orders", button("Order 42", y=1240), task="export"),
            events.page_url(3.6, SITE + "/orders/42", "Order 42", "push"),      # a single-page app's route
            events.page_click(4.0, 500, 300, SITE + "/orders/42", button("Total", 290, False, None, "p"), task="export"),
            events.page_click(4.5, 20, 60, SITE + "/orders/42", button("Export", 50), task="export"),
            events.page_url(5.0, SITE + "/orders/42/exported", "Done", "push"),
            events.click(4.5, 620, 400, task="export"),                        # the native recorder's pixel click
        ])
        web = load_web(store, sid, study.capture.web.screens)
        assert [(v.screen, v.how) for v in web.visits] == [("/", "load"), ("/orders", "load"),
                                                           ("/orders/*", "push"), ("/orders/42/exported", "push")]
        assert [c.label for c in web.clicks] == ["link 'Orders'", "button 'Order 42'", "p 'Total'", "button 'Export'"]
        (measure,) = study_web_measures(store, study)
        assert measure["path"] == ["/", "/orders", "/orders/*", "/orders/42/exported"]
        assert measure["success_url_seen"] == 5.0
        assert measure["first_click"] == {"t": 1.0, "label": "link 'Orders'", "screen": "/", "selector": "#orders",
                                          "hit": True}
        assert measure["clicks"] == 4 and [m["label"] for m in measure["misclicks"]] == ["p 'Total'"]
        by_screen = clicks_by_screen(store, study, "export")
        assert {k: [c.label for c in v] for k, v in by_screen.items()} == {
            "/": ["link 'Orders'"], "/orders": ["button 'Order 42'"], "/orders/*": ["p 'Total'", "button 'Export'"]}
        # the scrolled page's click is at its page position, on its own page's heatmap only
        density = screen_heatmap(by_screen["/orders"], 400, 1600, sigma=3)
        row, col = np.unravel_index(int(density.argmax()), density.shape)
        assert (col, row) == (30, 1250)
        assert screen_heatmap(by_screen["/"], 400, 1600, sigma=3)[1250, 30] == 0
        picture = cv2.imdecode(np.frombuffer(screen_heatmap_png(by_screen["/orders"], sigma=3), np.uint8),
                               cv2.IMREAD_COLOR)
        assert picture.shape[0] >= 1290                        # the whole scrolled page, not the window
        assert tuple(picture[1250, 30]) != (250, 250, 250)      # coloured where the click was
        assert tuple(picture[15, 40]) == (250, 250, 250)        # and not where "/" had its click
    finally:
        store.close()


def test_a_missed_first_click_and_no_success_url(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    study = load_study(folder)
    store = Store(folder)
    try:
        record(store, "P02", [events.page_url(1.5, SITE + "/", "Home"),
                              events.page_click(2.0, 5, 5, SITE + "/", button("Help", role="link", tag="a"))],
               outcome="gave_up")
        (measure,) = study_web_measures(store, study)
        assert measure["first_click"]["hit"] is False and measure["success_url_seen"] is None
    finally:
        store.close()
