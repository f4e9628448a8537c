"""Detection that sees a small message, on a real recording: `uxlab record` on Xvfb records
a page that shows an inline 300x20 px error message for one second and changes nothing else
(far below the change that stores a keyframe); the analysis counts it as that error screen,
and a configured screen that never showed is warned about."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from analyzer.summary import analyze_study
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.message_app import MESSAGE
from tests.conftest import write_study
from tests.recorder.conftest import UXLAB, Driver
from tests.web.remote import until

APP = Path(__file__).with_name("message_app.py")
STUDY = """
title = "Sign-up form"

[[task]]
id = "signup"
prompt = "Sign up."
success_screen = "screens/welcome.png"
error_screens = ["screens/inline-error.png"]
"""


def _grab(display, region: tuple[int, int, int, int]) -> np.ndarray:
    import mss
    x, y, w, h = region
    with mss.MSS(display=display.name) as sct:
        shot = np.array(sct.grab({"left": x, "top": y, "width": w, "height": h}))
    return cv2.cvtColor(shot, cv2.COLOR_BGRA2BGR)


def _is_red(image: np.ndarray) -> bool:
    b, g, r = (float(c) for c in image[:, :, :3].reshape(-1, 3).mean(axis=0))
    return r > 120 and g < 110 and b < 110


@pytest.fixture
def form_app(display):
    process = subprocess.Popen([sys.executable, str(APP)], env=display.env(), stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_an_inline_message_shown_for_a_second_counts_as_its_error_screen(display, form_app, tmp_path):
    folder = write_study(tmp_path / "signup", STUDY)
    screens = folder / "screens"
    screens.mkdir()
    checker = (np.indices((120, 160)).sum(axis=0) // 10 % 2 * 255).astype(np.uint8)
    cv2.imwrite(str(screens / "welcome.png"), cv2.merge([checker, 255 - checker, checker]))
    driver = Driver(display, folder)
    # the researcher's screenshot of the message, taken while it shows
    driver.click(100, 560)
    until(lambda: _is_red(_grab(display, MESSAGE)), "the message shown", 10)
    cv2.imwrite(str(screens / "inline-error.png"), _grab(display, MESSAGE))
    until(lambda: not _is_red(_grab(display, MESSAGE)), "the message gone", 10)
    try:
        driver.start("--consent", "--prompt", "none")
        driver.key("ctrl+alt+n")
        driver.xdotool("sleep", "0.8")
        driver.click(100, 560)                 # the message shows for 1 s
        driver.xdotool("sleep", "2")
        driver.key("ctrl+alt+g")
        driver.xdotool("sleep", "0.3")
        driver.key("ctrl+alt+q")
        session_id = driver.finish()
    finally:
        driver.close()

    # the command line's analysis runs while this process checks the stored frames and its own
    with ThreadPoolExecutor(1) as pool:
        command = pool.submit(subprocess.run, [str(UXLAB), "analyze", str(folder)], capture_output=True,
                              text=True, timeout=120)
        store = Store(folder)
        frames = store.frames.all(session_id)
        crops = [f for f in frames if f["crop"]]
        assert crops, "the small change was stored as a crop of its region"
        x, y, w, h = MESSAGE
        assert any(r[0] <= x and r[1] <= y and r[0] + r[2] >= x + w and r[1] + r[3] >= y + h
                   for r in (c["region"] for c in crops))
        result = analyze_study(store, load_study(folder))
        [attempt] = result["sessions"][0]["attempts"]
        assert len(attempt["error_screens"]) == 1 and attempt["errors"] == 1
        shown = attempt["error_screens"][0] - attempt["started"]
        assert 0.5 < shown < 2.5, "found when it showed, after the click"
        assert result["unmatched_screens"] == [{"task": "signup", "kind": "success",
                                                "screen": "screens/welcome.png"}]
        cli = command.result()
    assert cli.returncode == 0, cli.stderr
    assert "warning: the success screen screens/welcome.png of task signup matched in no session" in cli.stderr
    assert "inline-error" not in cli.stderr
