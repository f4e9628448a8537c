"""Mouse and keyboard input of one X display, from pynput listeners in a child process
(recorder.sources.input_listener), so the display is an option of the recording and never
a change to this process's environment. It follows the Source protocol of
recorder/sources/base.py."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

from recorder.keys import KeyStroke
from recorder.sources.base import Lost, OnLost, ignore_loss
from sessions.events import EventKind

START_TIMEOUT = 20.0  # seconds for the listener process to import pynput and connect


class InputError(RuntimeError):
    """The input of the display cannot be listened to."""


class InputSource:
    """Listens to `display`'s mouse and keyboard, feeding one unbounded queue (events are
    never dropped) with (kind, monotonic time, *fields) tuples.

    `pointer` always holds the latest pointer position (every move, not the sampled ones), so
    the screen source can draw the cursor where it really is. A listener that dies while
    recording is reported to `on_lost` once (input stops being recorded; the moderator must
    know). It starts before the session clock, so that no input after t=0 is missed; it has
    no clock of its own, and the input processor keeps nothing stamped after the end.
    """

    def __init__(self, raw: queue.SimpleQueue, display: str, on_lost: OnLost = ignore_loss) -> None:
        self.raw, self.display, self.on_lost = raw, display, on_lost
        self.lost: Lost | None = None
        self._stopping = False
        self._listening = False  # the listener said "ready"
        self.pointer: tuple[int, int] | None = None
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display}  # the child's environment only
        # stderr to a file, not a pipe: a pipe nobody reads would stall the listener once full
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "recorder.sources.input_listener"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._reader = threading.Thread(target=self._read, name="input", daemon=True)
        self._reader.start()
        if not self._ready.wait(START_TIMEOUT) or not self._listening:
            problem = self._problem()
            self.stop(0.0)
            raise InputError(f"cannot listen to the input of display {self.display}: {problem}")

    def _problem(self) -> str:
        process = self._started()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the listener did not start in time"
        self._stderr.seek(0)
        lines = self._stderr.read().strip().splitlines()
        return lines[-1] if lines else f"the listener exited with {process.returncode}"

    def _started(self) -> subprocess.Popen:
        """The listener process, which exists from `start()` on."""
        if self._process is None:
            raise InputError("the input source was not started")
        return self._process

    def stop(self, t_end: float = 0.0) -> None:
        """Stop listening and pass on every input the listener had already seen (`t_end`
        is the processor's to apply: these stamps are not yet session time)."""
        process = self._process
        if process is None:
            return
        self._stopping = True
        if process.poll() is None:
            try:
                if process.stdin is not None:
                    process.stdin.close()  # the listener's signal to stop
            except OSError:
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        for stream in (process.stdin, process.stdout, self._stderr):
            if stream is not None:
                stream.close()

    def _read(self) -> None:
        stdout = self._started().stdout
        if stdout is None:   # never: the listener's stdout is a pipe
            return
        try:
            self._pass_on(stdout)
        except ValueError:
            if stdout.closed:  # stop() closed the pipe while a read was pending
                return
            raise
        if self._listening and not self._stopping:
            self.lost = Lost(time.monotonic(), f"the input listener of display {self.display} stopped")
            self.on_lost(self.lost)
        self._ready.set()  # the listener ended (or never started): start() looks at why

    def _pass_on(self, lines) -> None:
        put = self.raw.put
        for line in lines:
            item = json.loads(line)
            if item == "ready":
                self._listening = True
                self._ready.set()
                continue
            kind = EventKind(item[0])
            if kind == EventKind.KEY:
                put((kind, item[1], item[2], KeyStroke(*item[3])))
                continue
            if kind == EventKind.MOVE:
                self.pointer = (item[2], item[3])
            put((kind, *item[1:]))
