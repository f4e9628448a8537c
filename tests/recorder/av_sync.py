"""The click-beep scene, for the A/V sync test and bench/audio.py: `uxlab record` records a
window that changes colour and beeps on each click; in the file, each beep's onset in the
sound is compared with the first video frame that shows the new colour."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from tests.pulse import decode_audio
from tests.recorder.target_app import COLOURS

ROOT = Path(__file__).resolve().parents[2]
UXLAB = Path(sys.executable).parent / "uxlab"
STUDY = """
title = "A/V sync"
[capture]
fps = 30
audio = "vmic"
[[task]]
id = "click"
prompt = "Click."
"""
POINT = (400, 300)   # inside the beeping window, away from the pointer's arrow


def record_click_beeps(display, folder: Path, pulse_env: dict, clicks: int = 10,
                       gap: float = 0.7) -> tuple[Path, str, list[float]]:
    """Record `clicks` click-beeps; returns the video path, the session id and, for each
    colour change, how late after its beep the application drew it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.toml").write_text(STUDY)
    env = {**os.environ, **display.env(), **pulse_env, "PULSE_SINK": "vmic_sink",
           "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen([sys.executable, "-m", "tests.recorder.beep_app"], env=env,
                           stdout=subprocess.PIPE, text=True)
    recorder = reader = None
    try:
        assert app.stdout.readline().strip() == "ready"
        recorder = subprocess.Popen([str(UXLAB), "record", str(folder), "--participant", "S",
                                     "--display", display.name, "--consent", "--prompt", "none"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = threading.Event()
        lines: list[str] = []

        def read() -> None:
            for line in recorder.stderr:
                lines.append(line)
                if line.startswith("recording session"):
                    started.set()
        # this thread alone reads stderr: communicate() would read and close it under it
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert started.wait(30), "".join(lines)
        xdo = lambda *args: subprocess.run(["xdotool", *args], env=env, check=True)  # noqa: E731
        xdo("mousemove", str(POINT[0] + 200), str(POINT[1] + 150))
        for _ in range(clicks):
            time.sleep(gap)
            xdo("mousedown", "1")
            xdo("mouseup", "1")
        time.sleep(gap)
        xdo("key", "ctrl+alt+q")
        recorder.wait(timeout=60)        # stdout is one line: the pipe cannot fill meanwhile
        sid = recorder.stdout.read().strip()
        reader.join(timeout=10)          # it ends at the exited recorder's end of stderr
        assert recorder.returncode == 0, "".join(lines)
    finally:
        for process in (recorder, app):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        said = app.stdout.read().split()
        app.stdout.close()
        if reader is not None:
            reader.join(timeout=10)
        if recorder is not None:
            recorder.stdout.close()
            recorder.stderr.close()
    late = [float(value) for word, value in zip(said[::2], said[1::2]) if word == "late"]
    return folder / "media" / sid / "screen.mp4", sid, late


def colour_changes(video: Path) -> list[float]:
    """Times of the first frame showing each next colour of the window."""
    import av
    wanted = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in COLOURS[1:]]
    times, index = [], 0
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            if index >= len(wanted):
                break
            x, y = POINT
            patch = frame.to_ndarray(format="rgb24")[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
            colour = np.median(patch, axis=0)
            if all(abs(a - b) <= 24 for a, b in zip(colour, wanted[index])):
                times.append(float(frame.time))
                index += 1
    return times


def beep_onsets(video: Path, quiet: float = 0.3, level: float = 0.1) -> list[float]:
    """Times where the sound rises above `level` after at least `quiet` seconds below it."""
    rate, samples = decode_audio(video)
    step = rate // 1000   # 1 ms
    envelope = np.abs(samples[: len(samples) // step * step]).reshape(-1, step).max(axis=1)
    onsets, last_loud = [], -1e9
    for i in np.flatnonzero(envelope > level):
        t = i / 1000
        if t - last_loud >= quiet:
            onsets.append(t)
        last_loud = t
    return onsets


def sync_errors(video: Path, late: list[float] | None = None) -> tuple[list[float], list[float], list[float]]:
    """(beep onset − first colour frame) for each click, with the two lists of times. `late`
    (record_click_beeps's) is how late the application drew each change after its beep: the
    scene's own delay, added back so that only the recorder's error is left."""
    changes, onsets = colour_changes(video), beep_onsets(video)
    errors = []
    for index, change in enumerate(changes):
        nearest = min(onsets, key=lambda t: abs(t - change), default=None)
        if nearest is not None:
            drawn_late = late[index] if late is not None and index < len(late) else 0.0
            errors.append(nearest - change + drawn_late)
    return errors, changes, onsets
