"""The camera, recorded for real: `uxlab record --camera` with an FFmpeg test source as the
camera, read back with PyAV: small, on the session clock, nothing during a privacy pause."""
from __future__ import annotations

import logging
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import av

from recorder.clock import SessionClock
from recorder.sources.camera import CameraCapture, open_camera
from sessions.events import CAMERA_FILE, MarkerKind
from sessions.store import Store
from tests.recorder.conftest import UXLAB, wait_marker, wait_recorded

CAMERA = "lavfi:testsrc2=size=640x480:rate=15"


def test_the_camera_is_recorded_small_on_the_session_clock_and_paused(driver, target_app, study_dir):
    driver.start("--consent", "--camera", CAMERA)
    store = Store(study_dir)
    [session] = store.sessions.all()
    sid = session["id"]
    wait_recorded(store, sid, 1.0)   # some camera before the pause
    driver.key("ctrl+alt+p")
    paused = wait_marker(store, sid, MarkerKind.PAUSE)["t"]
    wait_recorded(store, sid, paused + 1.0)   # a second of pause the camera must not show
    driver.key("ctrl+alt+p")
    resumed = wait_marker(store, sid, MarkerKind.RESUME)["t"]
    wait_recorded(store, sid, resumed + 1.5)   # long enough after it to measure the pace
    driver.key("ctrl+alt+q")
    assert driver.finish() == sid

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
    assert (pause, resume) == (paused, resumed)
    assert not [t for t in times if pause + 0.01 < t < resume - 0.01]
    steady = [t for t in times if resume + 0.3 < t < session["duration"] - 0.3]
    assert len(steady) >= 0.5 * 15 * (session["duration"] - 0.6 - resume)   # the camera's pace


def test_a_camera_that_cannot_be_opened_is_refused_before_anything_is_recorded(display, study_dir):
    cases = (("/dev/video9", 'error: no camera "/dev/video9"'), ("missing.mp4", 'error: no camera "missing.mp4"'))

    def record(spec: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(UXLAB), "record", str(study_dir), "--participant", "P1",
                               "--display", display.name, "--consent", "--camera", spec],
                              capture_output=True, text=True, timeout=60)

    with ThreadPoolExecutor(len(cases)) as pool:   # side by side: each spends a second importing
        runs = list(pool.map(record, [spec for spec, _ in cases]))
    for (_, message), done in zip(cases, runs, strict=True):
        assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].startswith(message), done.stderr
    assert Store(study_dir).sessions.all() == []


def test_a_live_output_that_fails_is_dropped_and_the_camera_goes_on_being_written(tmp_path, caplog):
    reader = open_camera(CAMERA)
    first = reader.read()
    offered: list[float] = []

    def fails_second_time(t: float, bgr) -> None:
        offered.append(t)
        if len(offered) == 2:
            raise RuntimeError("the live output broke")

    clock = SessionClock()
    camera = CameraCapture(reader, first, tmp_path / CAMERA_FILE, clock, paused=lambda t: False,
                           on_frame=fails_second_time)
    with caplog.at_level(logging.WARNING):
        camera.start()
        deadline = time.monotonic() + 20
        while camera.frames < 30:   # two seconds of pictures at the camera's pace
            assert time.monotonic() < deadline, f"the camera stopped after {camera.frames} frames"
            time.sleep(0.02)
        camera.stop(clock.now())
    assert len(offered) == 2 and camera.lost is None
    with av.open(str(tmp_path / CAMERA_FILE)) as container:
        assert len(list(container.decode(video=0))) >= 30
    said = [r for r in caplog.records if "live output failed" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno >= logging.WARNING, caplog.records
