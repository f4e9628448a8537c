"""What the recorder promises when things go wrong or private: kill -9 loses at most the
last ~0.5 s of events and ~2 s of video, and a privacy pause records nothing at all."""
from __future__ import annotations

import time

from sessions.store import Store
from tests.recorder.video_frames import decode


def test_kill_9_leaves_a_recovered_session_with_nearly_everything(driver, target_app, study_dir):
    driver.start("--consent", "--prompt", "none")
    driver.key("ctrl+alt+n")
    clicks = []
    for i in range(12):
        clicks.append(driver.click(100 + 20 * i, 300))
        driver.xdotool("sleep", "0.3")
    killed = time.monotonic()
    driver.kill()

    store = Store(study_dir)  # opening the folder recovers the session
    session = store.sessions()[0]
    assert session["status"] == "recovered"
    [attempt] = store.attempts(session["id"])
    assert attempt["outcome"] == "abandoned" and attempt["ended"] >= attempt["started"]

    presses = [e for e in store.iter_events(session["id"], kinds=["click"]) if e["pressed"]]
    offset = presses[0]["t"] - clicks[0]
    killed_at = killed + offset  # session time of the kill
    assert len(presses) >= sum(1 for c in clicks if c + offset <= killed_at - 0.5)
    assert [e["x"] for e in presses] == [100 + 20 * i for i in range(len(presses))]

    video = store.media.path(session["id"], "screen.mp4")
    frames = decode(video)  # the file was never closed, yet it decodes
    assert frames[0][0] == 0.0
    assert frames[-1][0] >= killed_at - 2.0, (frames[-1][0], killed_at)
    assert store.frames(session["id"])[-1]["t"] >= killed_at - 0.5


def test_a_privacy_pause_records_no_frames_and_no_events(driver, target_app, study_dir):
    driver.start("--consent", "--prompt", "none")
    driver.key("ctrl+alt+n")
    driver.click(100, 100)
    driver.xdotool("sleep", "0.3")
    paused = driver.key("ctrl+alt+p")
    driver.xdotool("sleep", "0.3")
    driver.click(200, 200)          # changes the screen while paused
    driver.type("secret")
    driver.xdotool("click", "4")    # a scroll
    driver.click(250, 250)
    driver.xdotool("sleep", "0.3")
    resumed = driver.key("ctrl+alt+p")
    driver.xdotool("sleep", "0.3")
    driver.click(300, 300)
    driver.key("ctrl+alt+s")
    driver.key("ctrl+alt+q")
    session_id = driver.finish()

    store = Store(study_dir)
    [pause] = store.markers(session_id, "pause")
    [resume] = store.markers(session_id, "resume")
    assert abs((resume["t"] - pause["t"]) - (resumed - paused)) < 0.2
    inside = [e for e in store.iter_events(session_id) if pause["t"] <= e["t"] <= resume["t"]]
    assert inside == []
    assert [f for f in store.frames(session_id) if pause["t"] <= f["t"] <= resume["t"]] == []
    video = decode(store.media.path(session_id, "screen.mp4"))
    assert [t for t, _ in video if pause["t"] <= t <= resume["t"]] == [], (
        pause["t"], resume["t"], [t for t, _ in video], [f["t"] for f in store.frames(session_id)])
    clicks = [(e["x"], e["y"]) for e in store.iter_events(session_id, kinds=["click"]) if e["pressed"]]
    assert clicks == [(100, 100), (300, 300)]
    [attempt] = store.attempts(session_id)
    assert abs(attempt["paused"] - (resume["t"] - pause["t"])) < 1e-6
