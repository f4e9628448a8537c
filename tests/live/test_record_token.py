"""`uxlab record --live` with a wrong token stops before recording; with the right one it
records and streams (a real server, a real recorder on Xvfb)."""
from __future__ import annotations

import subprocess

import pytest

from sessions.store import Store
from tests.live.clients import LIVE_TOKEN, UXLAB

pytestmark = pytest.mark.timeout(120)


def record(folder, display, url: str, token: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(UXLAB), "record", str(folder), "--participant", "P1", "--display", display.name,
                           "--consent", "--prompt", "none", "--duration", "1", "--live", url, "--token", token],
                          capture_output=True, text=True, timeout=90)


def test_a_wrong_token_stops_before_recording(server, live_study, display):
    wrong = record(live_study, display, server.url, "not-the-token")
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (f"error: the live server at {server.url} refused the token "
                                    "(wrong live token); nothing was recorded")
    assert Store(live_study).sessions.all() == []
    right = record(live_study, display, server.url, LIVE_TOKEN)
    assert right.returncode == 0, right.stderr
    assert "refused" not in right.stderr
    assert [s["id"] for s in Store(live_study).sessions.all()] == [right.stdout.strip()]


def test_an_unreachable_server_only_warns(live_study, display):
    result = record(live_study, display, "http://127.0.0.1:9", LIVE_TOKEN)
    assert result.returncode == 0, result.stderr
    assert "warning: cannot reach the live server at http://127.0.0.1:9" in result.stderr
