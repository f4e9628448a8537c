"""A virtual X display (Xvfb) for recording where there is no screen, and for tests.

The display number is checked free before Xvfb starts (its lock file and socket), and the
server is stopped by its pid, so parallel runs never share or kill each other's display.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


class DisplayError(RuntimeError):
    pass


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate a child and reap it, killing it if it does not end within `timeout`."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free(number: int) -> bool:
    return not (Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists())


def _lock_owner(number: int) -> int | None:
    """The pid an X server wrote in the display's lock file, if it has written one yet."""
    try:
        return int(Path(f"/tmp/.X{number}-lock").read_text().strip())
    except (OSError, ValueError):
        return None


class VirtualDisplay:
    """Xvfb on the first free display from `first`; use as a context manager."""

    def __init__(self, width: int = 1920, height: int = 1080, depth: int = 24, first: int = 90) -> None:
        self.width, self.height, self.depth, self.first = width, height, depth, first
        self.process: subprocess.Popen | None = None
        self.name = ""

    def start(self) -> "VirtualDisplay":
        if shutil.which("Xvfb") is None:
            raise DisplayError("Xvfb is not installed (run `make setup` or apt-get install xvfb)")
        for number in range(self.first, self.first + 200):
            if not _free(number):
                continue
            process = subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", f"{self.width}x{self.height}x{self.depth}",
                 "-nolisten", "tcp", "-ac", "+extension", "RECORD", "+extension", "XTEST"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready(number, process):
                self.process, self.name = process, f":{number}"
                return self
            process.kill()
            process.wait()
        raise DisplayError("no free X display number for Xvfb")

    @staticmethod
    def _wait_ready(number: int, process: subprocess.Popen, timeout: float = 10.0) -> bool:
        """Whether this Xvfb serves the display. Two starts that found one number free at once
        both see the winner's socket, and the loser's Xvfb may not have exited yet: the display
        is ours only when its lock file names our process."""
        socket_path = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # lost a race for this number; try the next
            owner = _lock_owner(number)
            if owner is not None and owner != process.pid:
                return False  # another Xvfb holds it
            if socket_path.exists() and owner == process.pid:
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def env(self) -> dict[str, str]:
        """The environment for a program that should run on this display."""
        return {**os.environ, "DISPLAY": self.name}

    def __enter__(self) -> "VirtualDisplay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
