"""The participant's prompt window, a real Tk window on Xvfb: before consent it never says
that anything is being recorded."""
from __future__ import annotations

import subprocess
import threading
import time

import pytest

from recorder.prompt_window import CONSENT_TITLE, PROMPT_TITLE, PromptWindow

pytestmark = pytest.mark.timeout(60)


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_nothing_says_recording_until_the_recording_starts(display, monkeypatch):
    monkeypatch.setenv("DISPLAY", display.name)
    window = PromptWindow(1280)
    window.start()
    try:
        subprocess.run(["xdotool", "search", "--sync", "--name", PROMPT_TITLE], env=display.env(),
                       check=True, capture_output=True, timeout=20)
        cancel = threading.Event()
        asking = threading.Thread(target=window.ask_consent, args=("redacted", cancel), daemon=True)
        asking.start()
        subprocess.run(["xdotool", "search", "--sync", "--name", CONSENT_TITLE], env=display.env(),
                       check=True, capture_output=True, timeout=20)
        assert "recording" not in " ".join(window.shown).lower().replace("not recording", "")
        assert window.shown[0] == "Not recording yet"
        cancel.set()
        asking.join(timeout=5)
        # the recorder's first state, sent once recording has begun
        window.state({"task": None, "prompt": None, "tasks_done": 0, "tasks_total": 2,
                      "paused": False, "ended": False})
        wait_for(lambda: window.shown[0] == "Recording")
    finally:
        window.close()
