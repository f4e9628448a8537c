"""Fixtures for the recorder (its Xvfb and target application come from tests/conftest.py):
a driver that runs `uxlab record` and sends real X input with xdotool, noting when each
input was sent; and waits on what the recorder stored, so a test never assumes how fast a
busy machine is."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from recorder.virtual_display import VirtualDisplay
from sessions.events import MarkerKind
from sessions.store import Store

UXLAB = Path(sys.executable).parent / "uxlab"


class Driver:
    """Runs `uxlab record` on the display and drives it like a moderator and a participant."""

    def __init__(self, display: VirtualDisplay, folder: Path) -> None:
        self.display, self.folder = display, folder
        self.process: subprocess.Popen | None = None
        self.stderr: list[str] = []
        self._started = threading.Event()

    def start(self, *args: str, wait: bool = True) -> None:
        self.process = subprocess.Popen(
            [str(UXLAB), "record", str(self.folder), "--participant", "P1", "--display",
             self.display.name, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if wait:
            self.wait_started()

    def wait_started(self, timeout: float = 60) -> None:
        # at a load of 30 on the 2 cores its imports and set-up alone took over 20 s
        assert self._started.wait(timeout), f"the recorder did not start: {self.stderr}"

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr.append(line)
            if line.startswith("recording session"):
                self._started.set()

    def xdotool(self, *args: str) -> float:
        """Run xdotool; returns the monotonic time halfway through the call."""
        before = time.monotonic()
        subprocess.run(["xdotool", *args], env=self.display.env(), check=True)
        return (before + time.monotonic()) / 2

    def key(self, combo: str) -> float:
        return self.xdotool("key", combo)

    def click(self, x: int, y: int) -> float:
        """Move, then press and release the left button; returns the time of the press."""
        self.xdotool("mousemove", str(x), str(y))
        before = time.monotonic()
        subprocess.run(["xdotool", "mousedown", "1"], env=self.display.env(), check=True)
        pressed = (before + time.monotonic()) / 2
        subprocess.run(["xdotool", "mouseup", "1"], env=self.display.env(), check=True)
        return pressed

    def type(self, text: str) -> float:
        return self.xdotool("type", "--delay", "20", text)

    def exited(self, timeout: float = 20) -> int:
        """Wait for the recorder to end and for its last words on stderr; its exit code."""
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)   # it stops at the end of the exited process's stderr
        return self.process.returncode

    def finish(self, timeout: float = 60) -> str:
        self.process.wait(timeout=timeout)
        out = self.process.stdout.read()
        assert self.process.returncode == 0, "".join(self.stderr)
        return out.strip()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        """Stop the recorder if it still runs and close its pipes."""
        if self.process is None:
            return
        self.kill()
        self._reader.join(timeout=10)   # it stops at the end of the exited process's stderr
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def wait_marker(store: Store, session_id: str, kind: MarkerKind, timeout: float = 30) -> dict:
    """The recorder's first stored `kind` marker, once it is there (it acts on a hotkey
    when it stores it), however busy the machine."""
    deadline = time.monotonic() + timeout
    while not (markers := store.markers.all(session_id, kind.value)):
        assert time.monotonic() < deadline, f"no {kind.value} marker after {timeout} s"
        time.sleep(0.02)
    return markers[0]


def wait_recorded(store: Store, session_id: str, t: float, timeout: float = 60) -> None:
    """Wait until the recorder says (by its journal's heartbeat) that it has recorded up to
    session time `t`: its own clock, not this process's guess of it."""
    deadline = time.monotonic() + timeout
    while (store.sessions.get(session_id)["duration"] or 0.0) < t:
        assert time.monotonic() < deadline, f"the recording did not reach {t} s in {timeout} s"
        time.sleep(0.02)


@pytest.fixture
def driver(display, study_dir):
    d = Driver(display, study_dir)
    yield d
    d.close()
