"""A problem's page at 1400 px in Chromium: evidence stills inside their cards, the reel
player inside the page, and no style the Content-Security-Policy refuses."""
from __future__ import annotations

import pytest

from sessions.events import VIDEO_FILE
from sessions.problems import Problems
from tests.sessions.media_files import write_session_video
from tests.web.browser import log_in

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def problem_with_evidence(web_store, session_id):
    write_session_video(web_store.media.session_dir(session_id) / VIDEO_FILE, 8.0, audio=True)
    problems = Problems(web_store)
    pid = problems.create("Submit button hidden below the fold", author="rita", task="second")
    for t in (1.5, 4.5, 6.0):
        problems.add_evidence(pid, session_id, t, end=t + 1, author="rita", text="scrolls past it " * 4)
    return pid


def test_the_problem_page_fits_its_cards_and_the_window(page, live_server, problem_with_evidence, tmp_path):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
            or "Refused to apply" in m.text else None)
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__violations.push(e.violatedDirective + ' ' + (e.sample || e.blockedURI)));""")
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server)
    page.goto(f"{live_server}/problems/{problem_with_evidence}")
    page.wait_for_selector("#evidence .tile img")
    page.wait_for_function("[...document.querySelectorAll('#evidence img')].every(i => i.complete && i.naturalWidth)")
    outside = page.evaluate("""() => [...document.querySelectorAll('#evidence .tile')].flatMap(tile => {
        const t = tile.getBoundingClientRect();
        return [...tile.querySelectorAll('img, p, button')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.left < t.left - 0.5 || r.right > t.right + 0.5 || r.top < t.top - 0.5 || r.bottom > t.bottom + 0.5;
        }).map(el => el.tagName);
    })""")
    assert outside == []
    # the reel player, shown as the page shows a finished reel, stays inside its card and the window
    page.evaluate("document.getElementById('reelpreview').hidden = false")
    video = page.evaluate("""() => { const v = document.querySelector('#reelpreview video').getBoundingClientRect();
        const c = document.getElementById('reelpreview').getBoundingClientRect();
        return {right: v.right, card: c.right, width: document.documentElement.clientWidth,
                scroll: document.documentElement.scrollWidth}; }""")
    assert video["right"] <= video["card"] + 0.5 and video["card"] <= video["width"], video
    assert video["scroll"] <= video["width"], video
    page.screenshot(path=str(tmp_path / "problem.png"), full_page=True)
    refused += page.evaluate("window.__violations")
    page.goto(f"{live_server}/problems")
    page.wait_for_selector("#problems")
    refused += page.evaluate("window.__violations")
    assert refused == [], refused
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0
