"""The window source on a real Xvfb: titles as they change, and failures that are reported."""
from __future__ import annotations

import queue
import subprocess
import sys
import time

from recorder.sources.base import Lost
from recorder.sources.window import WindowSource


def _wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_an_unreachable_display_is_reported_not_kept_silently():
    lost: list[Lost] = []
    source = WindowSource(queue.SimpleQueue(), ":4242", on_lost=lost.append)
    before = time.monotonic()
    source.start()
    _wait_for(lambda: lost)
    source.stop(0.0)
    assert len(lost) == 1 and source.lost is lost[0]
    assert "4242" in lost[0].reason and before <= lost[0].at <= time.monotonic()


def test_it_reads_the_focused_window_of_the_display_it_was_given(display):
    raw: queue.SimpleQueue = queue.SimpleQueue()
    lost: list[Lost] = []
    source = WindowSource(raw, display.name, on_lost=lost.append)
    app = subprocess.Popen([sys.executable, "-c",
                            "import tkinter as tk; r = tk.Tk(className='probe'); r.title('Probe window');"
                            "r.after(100, r.focus_force); r.mainloop()"], env=display.env())
    try:
        source.start()
        seen = []
        def titled() -> bool:
            while not raw.empty():
                seen.append(raw.get())
            return any(item[2] == "Probe window" for item in seen)
        _wait_for(titled)
    finally:
        source.stop(0.0)
        app.kill()
        app.wait()
    assert lost == [] and source.lost is None
