"""The camera, recorded for real: `uxlab record --camera` with an FFmpeg test source as the
camera, read back with PyAV: small, on the session clock, nothing during a privacy pause."""
from __future__ import annotations

import subprocess
import time

import av

from sessions.events import CAMERA_FILE
from sessions.store import Store
from tests.recorder.conftest import UXLAB

CAMERA = "lavfi:testsrc2=size=640x480:rate=15"


def test_the_camera_is_recorded_small_on_the_session_clock_and_paused(driver, target_app, study_dir):
    driver.start("--consent", "--camera", CAMERA)
    time.sleep(1.5)
    driver.key("ctrl+alt+p")
    time.sleep(1.5)
    driver.key("ctrl+alt+p")
    time.sleep(1.5)
    driver.key("ctrl+alt+q")
    sid = driver.finish()

    store = Store(study_dir)
    session = store.sessions.get(sid)
    assert session["device"]["camera"] == {"file": CAMERA_FILE, "width": 480, "height": 360,
                                           "spec": CAMERA}
    with av.open(str(store.media.path(sid, CAMERA_FILE))) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (480, 360)
        assert stream.codec_context.name == "h264"
        times = [float(f.time) for f in container.decode(stream)]
    assert times[0] == 0.0 and times[-1] >= session["duration"] - 0.5
    pause, resume = (m["t"] for m in store.markers.all(sid) if m["kind"] in ("pause", "resume"))
    assert not [t for t in times if pause + 0.01 < t < resume - 0.01]
    steady = [t for t in times if resume + 0.3 < t < session["duration"] - 0.3]
    assert len(steady) >= 0.5 * 15 * (session["duration"] - 0.6 - resume)   # the camera's pace


def test_a_camera_that_cannot_be_opened_is_refused_before_anything_is_recorded(display, study_dir):
    for spec, message in (("/dev/video9", 'error: no camera "/dev/video9"'),
                          ("missing.mp4", 'error: no camera "missing.mp4"')):
        done = subprocess.run([str(UXLAB), "record", str(study_dir), "--participant", "P1",
                               "--display", display.name, "--consent", "--camera", spec],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].startswith(message), done.stderr
    assert Store(study_dir).sessions.all() == []
