"""A remote participant's product tab, opened from their join page, pairs with their session
(issue 21, "the same flow in a remote session"): in Chromium with fake devices, the
participant joins, consents, shares the screen and starts a task; the join page's
"Open <product>" link opens the product under test (a small shop carrying capture.js, of
another origin) with the join token, and the clicks there, on two pages, are stored on the
remote session with their elements' names, URLs and the running task."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import CHROMIUM_ARGS, write_study
from tests.web.conftest import free_port

pytestmark = pytest.mark.timeout(180)

STUDY = """
title = "Remote shop study"

[capture]
fps = 10
origins = ["http://127.0.0.1:{port}"]
product_url = "http://127.0.0.1:{port}/?from=study"
product_name = "the shop"

[[task]]
id = "buy"
prompt = "Buy a teapot."
time_limit = 120

[questionnaires]
post_task = ["seq"]
"""
SHOP = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<script src="{lab}/static/capture.js" defer></script></head>
<body><h1>{title}</h1>{body}</body></html>"""


@pytest.fixture
def shop_port() -> int:
    return free_port()


@pytest.fixture
def study_dir(tmp_path, shop_port):
    return write_study(tmp_path / "study", STUDY.replace("{port}", str(shop_port)))


@pytest.fixture
def shop(live_server, shop_port) -> Iterator[str]:
    """The product under test on its own origin; its pages load capture.js from the lab."""
    app = Flask("shop")

    @app.get("/")
    def home():
        return SHOP.format(lab=live_server, title="Teapots", body='<button id="add" type="button">Add to basket</button>'
                           ' <a id="checkout" href="/checkout">Checkout</a>')

    @app.get("/checkout")
    def checkout():
        return SHOP.format(lab=live_server, title="Checkout", body='<button id="pay" type="button">Pay now</button>')

    server = make_server("127.0.0.1", shop_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{shop_port}"
    server.shutdown()
    thread.join(timeout=5)


def wait_for(check: Callable[[], object], what: str, seconds: float = 20.0) -> object:
    deadline = time.monotonic() + seconds
    while not (value := check()):
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)
    return value


def test_the_product_tab_from_the_join_page_sends_named_clicks_to_the_remote_session(
        chromium, live_server, shop, web_store):
    token, _ = web_store.invitations.create("P11", actor="rita")
    browser = chromium.browser_type.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--auto-select-desktop-capture-source=Entire screen"])
    try:
        context = browser.new_context(bypass_csp=False)
        join = context.new_page()
        join.goto(f"{live_server}/join/{token}")
        assert join.locator("#product-link").is_hidden()          # not before consent and sharing
        join.check("#consent")
        join.click("#agree")
        join.wait_for_selector("#share:enabled")
        join.click("#share")
        wait_for(lambda: join.get_attribute("#join", "data-stage") == "ready", "the first task offered")
        link = join.locator("#product-link")
        assert link.is_visible() and link.text_content() == "Open the shop"
        assert link.get_attribute("href") == f"{shop}/?from=study&uxlab_join={token}"
        join.click("#start")
        wait_for(lambda: join.get_attribute("#join", "data-stage") == "task", "the task started")
        (session,) = web_store.sessions.all()

        with context.expect_page() as opened:
            link.click()
        product = opened.value
        # capture.js reports the page it paired on: the tab is paired with this session
        wait_for(lambda: list(web_store.events.iterate(session["id"], kinds=["url"])), "the shop's tab paired")
        product.click("#add")
        product.click("#checkout")
        wait_for(lambda: any(u["window"] == f"{shop}/checkout"
                             for u in web_store.events.iterate(session["id"], kinds=["url"])),
                 "the checkout page paired (the token kept for the tab, not in its URL)")
        product.click("#pay")
        clicks = wait_for(lambda: (c := list(web_store.events.iterate(session["id"], kinds=["page_click"])))
                          and len(c) >= 3 and c, "three clicks stored")
        assert join.text_content("#problem") == ""
        context.close()
    finally:
        browser.close()

    assert session["source"] == "browser" and session["participant"] == "P11"
    assert [c["text"] for c in clicks] == ["button 'Add to basket'", "link 'Checkout'", "button 'Pay now'"]
    # the join token is not kept in any stored URL (the study keeps only its hash)
    assert [c["window"] for c in clicks] == [f"{shop}/?from=study"] * 2 + [f"{shop}/checkout"]
    assert not [e for e in web_store.events.iterate(session["id"]) if token in (e["window"] or "")]
    assert [c["task"] for c in clicks] == ["buy"] * 3                 # on the session clock, inside the attempt
    (attempt,) = web_store.attempts.all(session["id"])
    assert all(attempt["started"] < c["t"] for c in clicks)
    assert len(web_store.sessions.all()) == 1


@pytest.mark.parametrize("url, stored", [
    ("https://shop.example/?uxlab_join=abc", "https://shop.example/"),
    ("https://shop.example/a?x=a+b%20c&uxlab_join=abc&y=1#top", "https://shop.example/a?x=a+b%20c&y=1#top"),
    ("https://shop.example/a?my_uxlab_join=1", "https://shop.example/a?my_uxlab_join=1"),
    ("https://[::1/?uxlab_join=abc", "https://[::1/"),
    (None, None),
])
def test_a_stored_url_never_keeps_a_join_token(url, stored):
    from web.views.capture import without_join_token
    assert without_join_token(url) == stored
