"""capture.js in Chromium, on pages of another origin: the demo's help-desk portal with the
snippet added, and a long single-page app under a strict Content-Security-Policy. Every
click arrives named by its element, on its URL, at its page position; a pushState route
change arrives as a URL change; nothing is sent while no session runs."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from flask import Flask, Response

from examples.helpdesk.portal import create_portal
from tests.conftest import MINIMAL_STUDY, write_study
from tests.web.conftest import LIVE_TOKEN, free_ports, serving

pytestmark = pytest.mark.timeout(180)

LONG_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Orders</title>
<script src="{lab}/static/capture.js" defer></script><script src="/app.js" defer></script></head>
<body><nav><a id="home" href="/">Home</a> <button id="go" type="button">Open order 42</button></nav>
<ul id="facets">{items}</ul><p>Footer text, not a control</p>
<label for="pw">Password</label><input id="pw" type="password">
<label for="q">Search</label><input id="q" type="text"></body></html>"""
APP_JS = """document.getElementById("go").addEventListener("click", function () {
  history.pushState({}, "", "/orders/42"); document.title = "Order 42"; });"""
POLICY = "default-src 'none'; script-src 'self' {lab}; connect-src {lab}; style-src 'none'; img-src 'none'"


@pytest.fixture
def ports() -> tuple[int, int, int]:
    return free_ports(3)


@pytest.fixture
def lab(tmp_path, ports):
    from web import create_app
    lab_port, portal_port, spa_port = ports
    origins = f'origins = ["http://127.0.0.1:{portal_port}", "http://127.0.0.1:{spa_port}"]'
    folder = write_study(tmp_path / "study", MINIMAL_STUDY.replace("fps = 10", "fps = 10\n" + origins))
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "test-secret", "LIVE_TOKEN": LIVE_TOKEN})
    store = app.extensions["uxlab"]["store"]
    with serving(app, lab_port) as url:
        yield url, store
    store.close()


@pytest.fixture
def portal(lab, ports):
    with serving(create_portal("A", capture=lab[0]), ports[1]) as url:
        yield url


@pytest.fixture
def spa(lab, ports):
    app = Flask("spa")
    items = "".join(f'<li><button type="button" data-testid="city-{i}">City {i}</button></li>' for i in range(120))

    @app.get("/")
    @app.get("/orders/<path:rest>")
    def page(rest: str = ""):
        return Response(LONG_PAGE.format(lab=lab[0], items=items),
                        headers={"Content-Security-Policy": POLICY.format(lab=lab[0])})

    @app.get("/app.js")
    def script():
        return Response(APP_JS, mimetype="text/javascript")

    with serving(app, ports[2]) as url:
        yield url


def wait_for(check: Callable[[], object], seconds: float = 20.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def rows(store, session_id: str, kind: str) -> list[dict]:
    return list(store.events.iterate(session_id, kinds=[kind]))


def test_nothing_is_sent_while_no_session_runs(chromium, lab, portal):
    context = chromium.new_context(bypass_csp=False)
    sent: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: sent.append(r.url) if "/capture/events" in r.url else None)
    try:
        with page.expect_response(lambda r: "/capture/pairing" in r.url) as first:
            page.goto(portal + "/")
        assert first.value.json() == {"session": None}
        page.click("text=Ticket status")
        page.fill("input[name=number]", "HD-1042")
        with page.expect_response(lambda r: "/capture/pairing" in r.url, timeout=10_000):
            pass   # the next poll: the page kept asking, and only asking
        assert sent == []
    finally:
        context.close()


def test_portal_clicks_arrive_named_on_their_urls(chromium, lab, portal):
    url, store = lab
    session = store.sessions.create("P01")
    attempt = store.attempts.start(session, "first", 0.0)
    context = chromium.new_context(bypass_csp=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.goto(portal + "/")
        page.click("text=Services ▾")
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.click("text=Hardware requests")
        page.click("input[name=subject]")
        page.keyboard.type("Charger broken")
        page.click("textarea")
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.click("text=Send ticket")
        page.click("h1")                      # not a control: a misclick
        clicks = wait_for(lambda: (c := rows(store, session, "page_click")) and len(c) >= 6 and c)
    finally:
        context.close()
    assert errors == []
    labels = [c["text"] for c in clicks]
    assert labels == ["link 'Services ▾'", "link 'Hardware requests'", "textbox 'Subject'",
                      "textbox 'What happened?'", "button 'Send ticket'", "heading 'Thank you'"]
    targets = [json.loads(c["target"]) for c in clicks]
    assert [t["interactive"] for t in targets] == [True] * 5 + [False]
    assert all(t["selector"] and len(t["page"]) == 4 for t in targets)
    assert [c["window"].removeprefix(portal) for c in clicks] == ["/", "/", "/ticket/new", "/ticket/new",
                                                                  "/ticket/new", "/ticket/sent?number=HD-1042"]
    assert all(c["task"] == "first" for c in clicks)
    times = [c["t"] for c in clicks]
    assert times == sorted(times) and 0 < times[0] < 60
    urls = [(u["window"].removeprefix(portal), u["key"]) for u in rows(store, session, "url")]
    assert urls[:3] == [("/", "load"), ("/ticket/new", "load"), ("/ticket/sent?number=HD-1042", "load")]
    fields = rows(store, session, "field")
    assert fields and all(f["text"] is None for f in fields)    # redacted: no value left the page
    assert rows(store, session, "viewport")[0]["x"] == 1280
    store.attempts.end(attempt, 30.0, "success")


def test_a_scrolled_single_page_app_under_a_strict_policy(chromium, lab, spa):
    url, store = lab
    session = store.sessions.create("P01")
    context = chromium.new_context(bypass_csp=False, viewport={"width": 1000, "height": 600})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.goto(spa + "/")
        page.click("#go")                                        # pushState to /orders/42
        city = page.locator("[data-testid=city-100]")
        city.scroll_into_view_if_needed()
        city.click()
        scrolled = page.evaluate("() => window.scrollY")   # where the click found the page
        box = city.bounding_box()
        assert scrolled > 1000 and box is not None
        page.fill("#pw", "hunter2")
        page.fill("#q", "lyon")
        page.locator("#q").press("Tab")
        clicks = wait_for(lambda: (c := rows(store, session, "page_click")) and len(c) >= 2 and c)
        wait_for(lambda: len(rows(store, session, "field")) >= 3)
        final = page.evaluate("() => window.scrollY")
        wait_for(lambda: (r := rows(store, session, "page_scroll")) and abs(r[-1]["y"] - final) <= 1)
    finally:
        context.close()
    assert problems == []
    go, lyon = clicks[0], clicks[1]
    assert go["text"] == "button 'Open order 42'" and go["window"] == spa + "/"
    assert lyon["text"] == "button 'City 100'" and lyon["window"] == spa + "/orders/42"
    target = json.loads(lyon["target"])
    assert target["selector"] == 'button[data-testid="city-100"]'
    # the click is at its page position: the viewport point plus the scroll
    assert abs(lyon["y"] - (box["y"] + box["height"] / 2 + scrolled)) <= 2
    assert target["page"][1] - target["view"][1] == pytest.approx(scrolled, abs=1)
    changes = [(u["window"].removeprefix(spa), u["key"], u["text"]) for u in rows(store, session, "url")]
    assert ("/orders/42", "push", "Orders") in changes or ("/orders/42", "push", "Order 42") in changes
    assert all(f["text"] is None for f in rows(store, session, "field"))


def test_a_remote_participants_tab_keeps_its_join_link_across_pages(chromium, lab, spa):
    url, store = lab
    lab_session = store.sessions.create("P01")
    token, _ = store.invitations.create("P03", actor="rita")
    remote, _ = store.invitations.begin(store.invitations.open(token), keystrokes="redacted", device={})
    context = chromium.new_context(bypass_csp=False)
    page = context.new_page()
    try:
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.goto(f"{spa}/?uxlab_join={token}")
        page.click("#go")
        with page.expect_response(lambda r: "/capture/pairing" in r.url):
            page.click("#home")                                   # a new page, with no token in its URL
        page.click("#go")
        clicks = wait_for(lambda: (c := rows(store, remote["id"], "page_click")) and len(c) >= 3 and c)
    finally:
        context.close()
    assert [c["text"] for c in clicks] == ["button 'Open order 42'", "link 'Home'", "button 'Open order 42'"]
    assert store.events.count(lab_session) == 0
