"""`uxlab record` as a moderator meets it: consent first, clear refusals that record
nothing, --virtual, and SIGTERM ending the session cleanly."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sessions.store import Store
from tests.recorder.video_frames import decode

UXLAB = str(Path(sys.executable).parent / "uxlab")


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, "record", *args], capture_output=True, text=True, timeout=60, **kwargs)


def sessions_in(folder: Path) -> list[dict]:
    return Store(folder).sessions.all()


def _attempts(folder: Path) -> list[dict]:
    store = Store(folder, read_only=True)
    try:
        return store.attempts.all()
    finally:
        store.close()


@pytest.mark.parametrize("args, message", [
    (["--prompt", "none"], "consent is required"),
    (["--consent", "--display", ":7", "--virtual"], "exclude each other"),
    (["--consent", "--prompt", "none", "--display", ":4242"], "cannot open display :4242"),
])
def test_refusals_are_one_sentence_and_record_nothing(study_dir, display, args, message):
    args = args if "--display" in args else [*args, "--display", display.name]
    result = run(str(study_dir), "--participant", "P1", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert sessions_in(study_dir) == []


def test_a_broken_study_or_a_missing_one_is_refused(tmp_path):
    result = run(str(tmp_path), "--participant", "P1", "--consent")
    assert result.returncode == 2 and "not a study folder" in result.stderr
    (tmp_path / "study.toml").write_text('title = "x"\n[capture]\nfps = 99\n[[task]]\nid="a"\nprompt="b"\n')
    result = run(str(tmp_path), "--participant", "P1", "--consent", "--virtual")
    assert result.returncode == 2 and "line 3" in result.stderr and "fps" in result.stderr


def _answer_consent(display, x_offset: int, timeout: float = 20) -> None:
    """Wait for the consent window, then click one of its two buttons until the window goes
    (a click that comes before the window takes input is simply made again)."""
    env = display.env()

    def showing() -> bool:
        return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "uxlab consent"], env=env,
                              capture_output=True).returncode == 0
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "uxlab consent"], env=env,
                   check=True, capture_output=True, timeout=timeout)
    deadline = time.monotonic() + timeout
    while showing():
        assert time.monotonic() < deadline, "the consent window did not take the click"
        subprocess.run(["xdotool", "mousemove", str(360 + x_offset), "340", "click", "1"], env=env, check=True)
        answered = time.monotonic() + 1.0
        while showing() and time.monotonic() < answered:
            time.sleep(0.05)


def test_declining_consent_on_screen_records_nothing(driver, study_dir, display):
    driver.start(wait=False)
    _answer_consent(display, 400)  # "I do not agree"
    assert driver.exited(timeout=20) == 2
    assert any("did not consent" in line for line in driver.stderr)
    assert sessions_in(study_dir) == []


def test_consent_given_on_screen_starts_the_recording(driver, study_dir, display):
    driver.start("--duration", "1.5", wait=False)
    _answer_consent(display, 100)  # "I agree"
    session_id = driver.finish()
    session = Store(study_dir).sessions.get(session_id)
    assert session["consent"] == 1 and session["status"] == "complete"
    assert session["duration"] == 1.5


def test_virtual_records_its_own_1080p_display(study_dir):
    result = run(str(study_dir), "--participant", "P9", "--group", "redesign", "--virtual", "--consent",
                 "--prompt", "none", "--duration", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("DISPLAY=:")
    session = Store(study_dir).sessions.get(result.stdout.strip())
    device = session["device"]
    assert (device["width"], device["height"], device["video"]) == (1920, 1080, "screen.mp4")
    assert session["group_name"] == "redesign" and session["participant"] == "P9"
    assert abs(decode(Path(study_dir, "media", session["id"], "screen.mp4"))[-1][0] - 1.0) < 0.05


def test_sigterm_ends_the_session_cleanly(driver, study_dir):
    driver.start("--consent", "--prompt", "none")
    driver.key("ctrl+alt+n")
    deadline = time.monotonic() + 20    # SIGTERM once the task has started
    while not _attempts(study_dir):
        assert time.monotonic() < deadline, "ctrl+alt+n started no task"
        time.sleep(0.05)
    driver.process.send_signal(signal.SIGTERM)
    session_id = driver.finish()
    store = Store(study_dir)
    assert store.sessions.get(session_id)["status"] == "complete"
    [attempt] = store.attempts.all(session_id)
    assert attempt["outcome"] == "abandoned"
    assert abs(attempt["ended"] - store.sessions.get(session_id)["duration"]) < 1e-6
    assert decode(store.media.path(session_id, "screen.mp4"))


def test_ctrl_c_while_consent_is_asked_records_nothing(driver, study_dir, display):
    driver.start(wait=False)
    subprocess.run(["xdotool", "search", "--sync", "--name", "uxlab consent"], env=display.env(),
                   check=True, capture_output=True, timeout=20)
    driver.process.send_signal(signal.SIGINT)
    driver.process.wait(timeout=20)
    assert driver.process.returncode == 2
    assert sessions_in(study_dir) == []
