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


def test_the_first_recorded_frame_shows_the_recording_state(study_dir, display):
    """With --consent the recording starts at once; its first frame (also the heatmaps'
    background) must show the window as it is while recording, never "Not recording yet"."""
    import sys
    from pathlib import Path

    import numpy as np

    from recorder.prompt_window import HEIGHT, MARGIN, WIDTH
    from sessions.events import VIDEO_FILE
    from sessions.store import Store
    from tests.recorder.video_frames import decode, shown_at
    uxlab = str(Path(sys.executable).parent / "uxlab")
    result = subprocess.run([uxlab, "record", str(study_dir), "--participant", "P1", "--display", display.name,
                             "--consent", "--prompt", "window", "--duration", "3"],
                            capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr
    store = Store(study_dir)
    frames = decode(store.media.path(result.stdout.strip(), VIDEO_FILE))
    x = 1280 - WIDTH - MARGIN

    def prompt(image: np.ndarray) -> np.ndarray:
        return image[MARGIN:MARGIN + HEIGHT, x:x + WIDTH].astype(int)

    first, later = prompt(frames[0][1]), prompt(shown_at(frames, 2.5))
    assert first.mean() > 150                              # the window is there (pale yellow)
    assert np.abs(first - later).mean() < 4, np.abs(first - later).mean()   # "Not recording yet": ~10
