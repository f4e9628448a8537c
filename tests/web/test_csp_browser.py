"""The pages work under their own Content-Security-Policy, as a user's Chromium enforces
it: no script, style or image of theirs is refused."""
from __future__ import annotations

from tests.web.conftest import PASSWORDS


def test_pages_run_under_the_policy(chromium, live_server, session_id):
    context = chromium.new_context(bypass_csp=False, viewport={"width": 1440, "height": 900})
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(live_server + "/")
        page.fill("input[name=name]", "rita")
        page.fill("input[name=password]", PASSWORDS["rita"][1])
        page.click("button.primary")
        page.wait_for_selector("#sessions")
        page.wait_for_selector("#summary h2", timeout=30_000)   # loaded by the dashboard's script
        page.goto(f"{live_server}/sessions/{session_id}")
        page.wait_for_selector("#replay.ready", timeout=30_000)
        for path in ("/heatmaps/first", "/live", "/account/password"):
            page.goto(live_server + path)
            page.wait_for_load_state("load")
    finally:
        context.close()
    assert refused == []
