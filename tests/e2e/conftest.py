"""What the end-to-end tests share: the demo's simulated participants P01 (test_demo.py) and
P02 (test_demo_voice.py), each recorded by `examples.helpdesk.simulate` into a study folder
of its own, as `make demo` records them.

A recording mostly waits on its participant's pace (a person's pauses, typing, speech), so
the two are made side by side in the background, each on its own virtual display and
microphone, from the package's first test on: they record while the tests before theirs
run, and each module's fixture waits only for what is not yet done. The commands a module
runs on its recording before its tests (P02's `uxlab transcribe`) follow it there too.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UXLAB = str(Path(sys.executable).with_name("uxlab"))
# each participant, and the uxlab commands run on the study folder once it is recorded
FOLLOW_UPS: dict[str, tuple[tuple[str, ...], ...]] = {"P01": (), "P02": (("transcribe",),)}
SIMULATE_SECONDS, FOLLOW_UP_SECONDS = 240, 180


@dataclass
class Recording:
    """One participant's simulated session: its study folder, the simulate run that recorded
    it, and the follow-up commands' runs (none when the recording failed)."""

    folder: Path
    simulate: subprocess.CompletedProcess
    follow_ups: list[subprocess.CompletedProcess]


def _start(command: list[str]) -> subprocess.Popen:
    """A command leading its own process group, its output read when it ends."""
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)


def _finish(process: subprocess.Popen, seconds: float) -> subprocess.CompletedProcess:
    """Wait for a started command; past `seconds` its whole group (its display, browser,
    recorder and servers) is killed and the timeout raised."""
    try:
        stdout, stderr = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _display_up(pid: int) -> bool:
    """Whether process `pid` has started an Xvfb child whose display is accepting clients."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue   # a process that ended while being read
        if parent == pid and command[0].endswith(b"Xvfb") and len(command) > 1:
            return Path(f"/tmp/.X11-unix/X{command[1].decode().lstrip(':')}").exists()
    return False


def _record(process: subprocess.Popen, folder: Path, participant: str) -> Recording:
    simulate = _finish(process, SIMULATE_SECONDS)
    follow_ups = [] if simulate.returncode else [_finish(_start([UXLAB, *args, str(folder)]), FOLLOW_UP_SECONDS)
                                                 for args in FOLLOW_UPS[participant]]
    return Recording(folder, simulate, follow_ups)


class DemoRecordings:
    """The participants' recordings under way; `result(participant)` waits for one.

    Each recording's display is up before the next one starts: a virtual display takes the
    first free display number, and two started at the same moment could both take it."""

    def __init__(self, root: Path, participants: list[str]) -> None:
        self.pool = ThreadPoolExecutor(max(1, len(participants)), thread_name_prefix="demo-recording")
        self.runs: dict[str, Future[Recording]] = {}
        for participant in participants:
            folder = root / participant / "demo-study"
            process = _start([sys.executable, "-m", "examples.helpdesk.simulate", str(folder), "--only", participant])
            deadline = time.monotonic() + 60
            while process.poll() is None and not _display_up(process.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.runs[participant] = self.pool.submit(_record, process, folder, participant)

    def result(self, participant: str) -> Recording:
        return self.runs[participant].result()


def wanted(session: pytest.Session) -> list[str]:
    """The participants whose recording (fixture `<id>_recording`) a test of this run uses."""
    return [participant for participant in FOLLOW_UPS
            if any(f"{participant.lower()}_recording" in getattr(item, "fixturenames", ()) for item in session.items)]


@pytest.fixture(scope="package")
def demo_recordings(request, tmp_path_factory) -> DemoRecordings:
    """The recordings this run's tests use, started (by the autouse fixture below) when the
    package's first test starts."""
    recordings = DemoRecordings(tmp_path_factory.mktemp("demo-recordings"), wanted(request.session))
    yield recordings
    recordings.pool.shutdown(wait=True)


@pytest.fixture(scope="package")
def p01_recording(demo_recordings) -> Recording:
    """P01, who wanders into Resources first (tests/e2e/test_demo.py)."""
    return demo_recordings.result("P01")


@pytest.fixture(scope="package")
def p02_recording(demo_recordings) -> Recording:
    """P02, who is confused, says so and gives up; transcribed (tests/e2e/test_demo_voice.py)."""
    return demo_recordings.result("P02")


@pytest.fixture(scope="package", autouse=True)
def _record_the_demo_early(request) -> None:
    """Start the recordings with the package's first test when a test of this run uses them
    (a run of another e2e file alone records nothing, of one demo module only its participant)."""
    if wanted(request.session):
        request.getfixturevalue("demo_recordings")
