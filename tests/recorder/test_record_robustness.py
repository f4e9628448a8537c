"""What the recorder promises when things go wrong or private: kill -9 loses at most the
last ~0.5 s of events and ~2 s of video, a privacy pause records nothing at all, and a
full disk stops the recording with a clear message, keeping what was written."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sessions.events import VIDEO_FILE, EventKind
from sessions.recovery import open_writer
from sessions.store import Store
from tests.conftest import write_study
from tests.recorder.video_frames import decode

UXLAB = str(Path(sys.executable).parent / "uxlab")
BENCH = Path(__file__).resolve().parents[2] / "bench" / "capture.py"


def test_kill_9_leaves_a_recovered_session_with_nearly_everything(driver, target_app, study_dir):
    driver.start("--consent", "--prompt", "none")
    driver.key("ctrl+alt+n")
    clicks = []
    for i in range(12):
        clicks.append(driver.click(100 + 20 * i, 300))
        driver.xdotool("sleep", "0.3")
    killed = time.monotonic()
    driver.kill()

    store = open_writer(study_dir)  # opening the folder to write recovers the session
    session = store.sessions.all()[0]
    assert session["status"] == "recovered"
    [attempt] = store.attempts.all(session["id"])
    assert attempt["outcome"] == "interrupted" and attempt["ended"] >= attempt["started"]

    presses = [e for e in store.events.iterate(session["id"], kinds=[EventKind.CLICK]) if e["pressed"]]
    offset = presses[0]["t"] - clicks[0]
    killed_at = killed + offset  # session time of the kill
    assert len(presses) >= sum(1 for c in clicks if c + offset <= killed_at - 0.5)
    assert [e["x"] for e in presses] == [100 + 20 * i for i in range(len(presses))]

    video = store.media.path(session["id"], VIDEO_FILE)
    frames = decode(video)  # the file was never closed, yet it decodes
    assert frames[0][0] == 0.0
    assert frames[-1][0] >= killed_at - 2.0, (frames[-1][0], killed_at)
    assert store.frames.all(session["id"])[-1]["t"] >= killed_at - 0.5


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
    [pause] = store.markers.all(session_id, "pause")
    [resume] = store.markers.all(session_id, "resume")
    assert abs((resume["t"] - pause["t"]) - (resumed - paused)) < 0.2
    inside = [e for e in store.events.iterate(session_id) if pause["t"] <= e["t"] <= resume["t"]]
    assert inside == []
    assert [f for f in store.frames.all(session_id) if pause["t"] <= f["t"] <= resume["t"]] == []
    video = decode(store.media.path(session_id, "screen.mp4"))
    assert [t for t, _ in video if pause["t"] <= t <= resume["t"]] == [], (
        pause["t"], resume["t"], [t for t, _ in video], [f["t"] for f in store.frames.all(session_id)])
    clicks = [(e["x"], e["y"]) for e in store.events.iterate(session_id, kinds=[EventKind.CLICK]) if e["pressed"]]
    assert clicks == [(100, 100), (300, 300)]
    [attempt] = store.attempts.all(session_id)
    assert abs(attempt["paused"] - (resume["t"] - pause["t"])) < 1e-6


def test_a_full_disk_stops_the_recording_with_a_clear_message_and_keeps_what_was_written(
        small_disk, display):
    study = write_study(small_disk / "study")
    Store(study).close()
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 1500 * 1024)  # leaves ~400 KB free
    scene = subprocess.Popen([sys.executable, str(BENCH), "--scene"], env=display.env(),
                             stdout=subprocess.PIPE, text=True)  # a 30 fps animation fills it fast
    assert scene.stdout.readline().strip() == "ready"
    try:
        result = subprocess.run([UXLAB, "record", str(study), "--participant", "P1", "--display",
                                 display.name, "--consent", "--prompt", "none", "--duration", "30"],
                                capture_output=True, text=True, timeout=60)
    finally:
        scene.kill()
        scene.wait()
        scene.stdout.close()
    assert result.returncode == 2
    assert "error: recording stopped: the disk is full" in result.stderr, result.stderr[-400:]
    assert "what was written before is kept" in result.stderr and "Traceback" not in result.stderr
    filler.unlink()
    store = open_writer(study)  # with room again, the folder opens and the session is closed
    [session] = store.sessions.all()
    assert session["status"] in ("aborted", "recovered")
    frames = decode(store.media.path(session["id"], VIDEO_FILE))
    assert len(frames) >= 5 and len(store.frames.all(session["id"])) >= 5


def test_a_disk_that_fills_during_a_task_stops_everything_in_one_sentence(small_disk, display, driver):
    """The attempt is running when the disk fills: its end cannot be stored either, yet every
    part stops, the moderator reads one line, and what was written before is kept."""
    study = write_study(small_disk / "study")
    Store(study).close()
    driver.folder = study
    (small_disk / "filler").write_bytes(b"\0" * 1500 * 1024)  # leaves ~400 KB free
    driver.start("--consent", "--prompt", "none", "--duration", "30")
    driver.key("ctrl+alt+n")
    probe, deadline = Store(study, read_only=True), time.monotonic() + 20
    while not probe.attempts.all():  # the attempt is stored while there is room
        assert time.monotonic() < deadline, "".join(driver.stderr)
        time.sleep(0.05)
    driver.click(100, 100)
    while not probe.events.count(probe.attempts.all()[0]["session_id"], EventKind.CLICK):
        assert time.monotonic() < deadline, "".join(driver.stderr)
        time.sleep(0.05)
    probe.close()
    scene = subprocess.Popen([sys.executable, str(BENCH), "--scene"], env=display.env(),
                             stdout=subprocess.PIPE, text=True)  # a 30 fps animation fills it fast
    try:
        assert scene.stdout.readline().strip() == "ready"
        code = driver.exited(timeout=60)
    finally:
        scene.kill()
        scene.wait()
        scene.stdout.close()
    stderr = "".join(driver.stderr)
    assert code == 2, stderr[-600:]
    assert "Traceback" not in stderr, stderr[-1500:]
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: recording stopped: the disk is full; what was written before is kept"], stderr
    (small_disk / "filler").unlink()
    store = open_writer(study)  # with room again, the folder opens and the session is closed
    [session] = store.sessions.all()
    assert session["status"] in ("aborted", "recovered")
    [attempt] = store.attempts.all(session["id"])
    assert attempt["outcome"] in ("interrupted", "abandoned") and attempt["ended"] is not None
    presses = [(e["x"], e["y"]) for e in store.events.iterate(session["id"], kinds=[EventKind.CLICK]) if e["pressed"]]
    assert presses == [(100, 100)]  # written before the disk filled, and kept
    video = decode(store.media.path(session["id"], VIDEO_FILE))  # never closed, yet it decodes
    assert len(video) >= 2 and len(store.frames.all(session["id"])) >= 2


def test_a_store_error_at_the_end_stops_every_part_and_says_one_line(driver, target_app, study_dir):
    """The database refuses the running attempt's end (a real SQLite error, from a trigger):
    the recorder still stops its listeners, screen and journal, closes the video and says
    one `error:` line, exit 2."""
    driver.start("--consent", "--prompt", "none", "--duration", "4")
    driver.key("ctrl+alt+n")
    deadline = time.monotonic() + 20
    while not Store(study_dir, read_only=True).attempts.all():
        assert time.monotonic() < deadline, "".join(driver.stderr)
        time.sleep(0.05)
    store = Store(study_dir)
    store.db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON attempts "
                     "BEGIN SELECT RAISE(ABORT, 'attempts are read-only here'); END")
    driver.click(100, 100)
    code = driver.exited(timeout=30)
    stderr = "".join(driver.stderr)
    assert code == 2, stderr
    assert "Traceback" not in stderr, stderr[-1500:]
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: recording stopped: attempts are read-only here; "
                      "what was written before is kept"], stderr
    [session] = store.sessions.all()
    assert session["status"] == "aborted" and session["duration"] >= 4
    clicks = [e for e in store.events.iterate(session["id"], kinds=[EventKind.CLICK]) if e["pressed"]]
    assert [(e["x"], e["y"]) for e in clicks] == [(100, 100)]
    frames = decode(store.media.path(session["id"], VIDEO_FILE))
    assert frames[-1][0] >= 3.5
