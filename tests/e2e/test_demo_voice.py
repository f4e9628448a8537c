"""The demo's think-aloud, end to end as `make demo` runs it: the confused participant (P02,
who opens Software, asks where to ask for a charger, rage-clicks and gives up) is recorded
speaking into the virtual microphone, `uxlab transcribe` transcribes with the accurate
default engine, `uxlab search` finds "charger" where it was said, and the confusion she
voiced is a candidate problem."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sessions.store import Store

UXLAB = str(Path(sys.executable).with_name("uxlab"))

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def uxlab(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo(p02_recording) -> Path:
    """P02's study folder, recorded by `examples.helpdesk.simulate --only P02` and then
    transcribed by `uxlab transcribe` (both in tests/e2e/conftest.py)."""
    run = p02_recording.simulate
    assert run.returncode == 0, run.stderr[-3000:]
    assert "recorded P02 (design A)" in run.stdout
    (transcribed,) = p02_recording.follow_ups
    assert transcribed.returncode == 0, transcribed.stderr
    assert "warning" not in transcribed.stderr, transcribed.stderr   # whisper ran, no fallback
    return p02_recording.folder


def test_the_demo_is_transcribed_by_whisper_and_search_finds_charger(demo):
    store = Store(demo)
    (session,) = store.sessions.all()
    find_help = next(a for a in store.attempts.all(session["id"]) if a["task"] == "find-help")
    hits = json.loads(uxlab("search", str(demo), "charger", "--json").stdout)
    said = [h for h in hits if h["kind"] == "transcript"]
    assert said, hits
    hit = said[0]
    assert (hit["participant"], hit["task"], hit["who"]) == ("P02", "find-help", "participant")
    assert find_help["started"] <= hit["t"] <= find_help["ended"]
    assert "charger" in hit["text"].lower() and hit["text"][0].isupper()   # Whisper's own casing
    segments = store.db.execute("SELECT DISTINCT engine FROM segments").fetchall()
    assert segments == [("whisper",)]


def test_the_confused_participant_is_a_candidate_problem(demo):
    candidates = json.loads(uxlab("candidates", str(demo), "--json").stdout)
    confused = [c for c in candidates if c["kind"] == "confusion"]
    assert confused, [c["kind"] for c in candidates]
    assert confused[0]["task"] == "find-help" and confused[0]["participants"] == ["P02"]
