"""The demo pipeline end to end, as `make demo` runs it, with one short participant: the
portal in Chromium on Xvfb driven by xdotool while `uxlab record` captures it, then
`uxlab analyze`, `uxlab report` and `uxlab serve`, checked in a real browser.

With UXLAB_SCREENSHOTS=DIR set, the dashboard, replay and report screenshots are also
written to DIR: the README's pictures come from this test.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from sessions.store import Store

UXLAB = str(Path(sys.executable).with_name("uxlab"))
PASSWORD = "demo-pass-1234"

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(p01_recording) -> Path:
    """P01's study folder, recorded by `examples.helpdesk.simulate --only P01` (tests/e2e/conftest.py)."""
    run = p01_recording.simulate
    assert run.returncode == 0, run.stderr[-3000:]
    assert "recorded P01 (design A)" in run.stdout
    return p01_recording.folder


def uxlab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([UXLAB, *args], capture_output=True, text=True, input=stdin, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def uxlab_side_by_side(*commands: tuple[str, ...]) -> list[str]:
    """Run several uxlab commands at once (each spends seconds importing and analysing on a
    core of its own); their outputs, each command having succeeded."""
    with ThreadPoolExecutor(len(commands)) as pool:
        return [result.stdout for result in pool.map(lambda args: uxlab(*args), commands)]


@pytest.fixture(scope="module")
def analysis(demo) -> dict:
    """`uxlab analyze --json` of the demo study, read by the tests that check its numbers."""
    return json.loads(uxlab("analyze", str(demo), "--json").stdout)


def test_the_recorded_session_is_complete_and_redacted(demo):
    store = Store(demo)
    (session,) = store.sessions.all()
    assert (session["participant"], session["group_name"], session["status"]) == ("P01", "A", "complete")
    assert [(a["task"], a["outcome"]) for a in store.attempts.all(session["id"])] == [
        ("find-help", "success"), ("submit-ticket", "success"), ("check-status", "success")]
    keys = list(store.events.iterate(session["id"], kinds=["key"]))
    assert len(keys) > 20 and all(k["text"] is None and k["key"] in ("letter", "space", "digit", "punctuation")
                                  for k in keys)
    assert store.media.path(session["id"], "screen.mp4").stat().st_size > 10_000


def test_the_participant_thinks_aloud(demo):
    """Each task's spoken line is in the session's sound track (espeak-ng, virtual microphone)."""
    from tests.pulse import decode_audio, loud_spans
    store = Store(demo)
    (session,) = store.sessions.all()
    assert session["device"]["audio"][0]["speaker"] == "participant"
    rate, samples = decode_audio(store.media.path(session["id"], "screen.mp4"))
    spans = loud_spans(samples, rate)
    for attempt in store.attempts.all(session["id"]):   # a line starts as each task starts
        assert any(attempt["started"] - 0.2 <= a <= attempt["started"] + 2.0 for a, _ in spans), (attempt, spans)


def test_analysis_finds_what_the_participant_did(analysis):
    result = analysis
    (session,) = result["sessions"]
    find, submit, status = session["attempts"]
    # P01 first opened Resources, a page that does not exist: the error screen was seen,
    # the moderator logged it, and it counts once; the first click missed the Services menu
    assert find["error_screens"] and find["moderator_errors"] == 1 and find["errors"] == 1
    assert find["first_click"]["hit"] is False
    # the ticket confirmation was found on screen, agreeing with the moderator's success
    assert submit["success_screen_seen"] is not None and submit["disagreement"] is None
    assert submit["keystrokes"] == len("Broken charger") + len("My laptop charger stopped working.")
    assert status["first_click"]["hit"] is True
    # P01 answered 4,2,4,1,4,2,4,2,4,2: odd items 5 x (4 - 1) = 15, even items
    # (5 - 2) + (5 - 1) + 3 x (5 - 2) = 16, and Brooke's rule gives (15 + 16) x 2.5
    assert result["questionnaires"]["sus"]["mean"] == 77.5
    tasks = {t["id"]: t for t in result["tasks"]}
    assert tasks["submit-ticket"]["completion"]["estimate"] == 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def served(demo):
    uxlab("user", "add", str(demo), "demo", "--role", "researcher", stdin=PASSWORD + "\n")
    port = _free_port()
    server = subprocess.Popen([UXLAB, "serve", str(demo), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _listening(port):
        assert server.poll() is None and time.monotonic() < deadline, "uxlab serve did not start"
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def _check_screenshot(png: bytes, name: str) -> None:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[0] >= 600 and image.shape[1] >= 1000
    colours = len(np.unique(image.reshape(-1, 3)[::5], axis=0))
    assert image.std() > 12 and colours > 40, (name, image.std(), colours)
    target = os.environ.get("UXLAB_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / f"{name}.png").write_bytes(png)


def test_dashboard_replay_and_report_in_a_browser(demo, served, chromium):
    # the report is written while the browser checks the dashboard and the replay
    report = ThreadPoolExecutor(1)
    written = report.submit(uxlab, "report", str(demo), "-o", str(demo / "report.html"))
    session_id = Store(demo).sessions.all()[0]["id"]
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(served + "/")
        page.fill("input[name=name]", "demo")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.wait_for_selector("#sessions")
        assert "P01" in page.inner_text("#sessions")
        page.wait_for_function("document.getElementById('summary').innerText.includes('find-help')")
        _check_screenshot(page.screenshot(full_page=True), "dashboard")

        page.goto(f"{served}/sessions/{session_id}#t=10")
        page.wait_for_function("document.getElementById('video').readyState >= 2")
        page.wait_for_function("Math.abs(document.getElementById('video').currentTime - 10) < 0.1")
        assert "submit-ticket" in page.content()
        _check_screenshot(page.screenshot(), "replay")

        written.result()
        page.goto((demo / "report.html").as_uri())
        assert "Help-desk portal redesign" in page.inner_text("h1")
        loaded = page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert loaded and page.evaluate("document.images.length") >= 3
        _check_screenshot(page.screenshot(), "report")
    finally:
        context.close()
        report.shutdown(wait=True)


def test_the_demo_studys_iso_25062_report_holds_the_analysis_numbers(demo, analysis, tmp_path):
    """The Common Industry Format report of the recorded demo, in HTML and Word: every section
    of the standard, and its performance table's cells equal `uxlab analyze --json`'s."""
    import docx

    from tests.analyzer.test_cif import SECTIONS, _ci, _table
    html_path, word_path = tmp_path / "cif.html", tmp_path / "cif.docx"
    uxlab_side_by_side(*(("report", str(demo), "--format", "cif", "-o", str(out)) for out in (html_path, word_path)))
    html, word = html_path.read_text(encoding="utf-8"), docx.Document(str(word_path))
    word_headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    from html import unescape
    assert [s for s in SECTIONS if s not in unescape(html) or s not in word_headings] == []
    performance = _table(html, "performance")
    for task in analysis["tasks"]:
        row = performance[task["id"]]
        assert row[1] == str(task["attempts"])
        assert row[2] == _ci(task["completion"], 100, 0, " %", task["attempts"])
