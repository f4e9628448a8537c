"""Every page in Chromium under its own Content-Security-Policy: no console error, no page
error, no refused script or style, and no name left on the page's global scope by the page
scripts (they are ES modules importing web/static/common.js; only the vendored Socket.IO
client's `io` is global)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sessions.problems import Problems
from sessions.transcripts import Segment, Transcripts, Word
from tests.web.conftest import PASSWORDS
from tests.web.recordings import record_session

pytestmark = pytest.mark.timeout(180)

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
# names a classic script would have made global: every top-level declaration of a page script
TOP_LEVEL = re.compile(r"^(?:export\s+)?(?:async\s+)?(?:const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)",
                       re.MULTILINE)
VENDORED = {"io"}
# the global scope's own names, read in the page: a name a script declares with const or let
# at top level is global without being a property of window, so each is asked for by name too
GLOBALS = "() => Object.getOwnPropertyNames(window)"


def script_names() -> set[str]:
    """The top-level names of every page script in web/static (the vendored client aside)."""
    names: set[str] = set()
    for path in STATIC.glob("*.js"):
        names.update(TOP_LEVEL.findall(path.read_text()))
    return names


@pytest.fixture
def pages(web_store, session_id) -> list[tuple[str, str | None]]:
    """(path, a selector that shows the page's scripts have done their work) for every page."""
    words = (Word(4.0, 4.3, "where"), Word(4.3, 4.6, "is"), Word(4.6, 5.0, "it"))
    Transcripts(web_store).replace(session_id, [Segment(4.0, 5.0, "participant", words)], "test")
    problems = Problems(web_store)
    problem = problems.create("Submit button hidden", author="rita", task="second")
    problems.add_evidence(problem, session_id, 5.0, end=7.0, author="rita", text="scrolls past it")
    running = record_session(web_store, "P02", status="recording")
    token = web_store.sessions.get(session_id)["token"]
    invitation, _ = web_store.invitations.create("P03", actor="rita")
    return [
        ("/", "#summary h2"), (f"/sessions/{session_id}", "#transcript.ready"),
        (f"/sessions/{session_id}/console", None), ("/heatmaps", None), ("/heatmaps/first", None),
        ("/problems", None), (f"/problems/{problem}", None), ("/problems/candidates", None),
        ("/search?q=where", None), ("/audit", None), ("/live", None),
        (f"/live/{running}", "#conn:text('Connected')"), (f"/sessions/{running}/console", "#conn:text('Connected')"),
        ("/account/password", None), (f"/q/{token}", None), (f"/join/{invitation}", None),
        ("/no-such-page", None),
    ]


def test_every_page_runs_clean_and_leaks_no_global(chromium, live_server, pages):
    names = sorted(script_names())
    assert {"formatTime", "follow", "esc", "postJSON"} <= set(names)   # the scan reads the scripts
    context = chromium.new_context(bypass_csp=False, viewport={"width": 1440, "height": 900})
    problems: list[str] = []
    try:
        page = context.new_page()
        empty = live_server + "/static/app.css"   # the same origin's window, with no script run
        page.goto(empty)
        blank = set(page.evaluate(GLOBALS))
        blank |= set(lexical(page, names))   # on the window's prototypes (EventTarget's `when`)
        # what the stylesheet's window says is no page's (Chromium asks it for /favicon.ico, a 404)
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
                if page.url != empty and is_error(m, page.url) else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.goto(live_server + "/login")
        page.fill("input[name=name]", "rita")
        page.fill("input[name=password]", PASSWORDS["rita"][1])
        page.click("button.primary")
        page.wait_for_selector("#sessions")
        leaks: dict[str, list[str]] = {}
        for path, ready in pages:
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            if ready:
                page.wait_for_selector(ready, timeout=30_000)
            own = set(page.evaluate(GLOBALS)) - blank - VENDORED
            leaked = sorted(own | set(lexical(page, [n for n in names if n not in blank])))
            if leaked:
                leaks[path] = leaked
    finally:
        context.close()
    assert not leaks, leaks
    assert not problems, "\n".join(problems)


def is_error(message, url: str) -> bool:
    """A console error, other than the error page's own status (its 404 is the page's point)."""
    own_status = message.text.startswith("Failed to load resource") and message.location.get("url") == url
    return message.type == "error" and not own_status


def lexical(page, names: list[str]) -> list[str]:
    """The names among `names` that the page's global scope defines, other than an element
    reached by its id. A <script> of the page asking would be refused by the policy, so
    Playwright evaluates the `typeof`s itself (its evaluation is not subject to the policy):
    one array expression of global code asks for every name in one round trip, with no local
    name of its own that could hide a global one."""
    if not names:
        return []
    asked = ", ".join(f"typeof {n} !== 'undefined' && !({n} instanceof Element || {n} instanceof HTMLCollection)"
                      for n in names)
    return [n for n, defined in zip(names, page.evaluate(f"[{asked}]"), strict=True) if defined]
