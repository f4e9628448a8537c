"""The window source on a real Xvfb: titles as they change, and failures that are reported."""
from __future__ import annotations

import queue
import subprocess
import sys
import time

from recorder.sources.window import WindowSource


def _wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_an_unreachable_display_is_reported_not_kept_silently():
    errors: list[BaseException] = []
    source = WindowSource(queue.SimpleQueue(), ":4242", on_error=errors.append)
    source.start()
    _wait_for(lambda: errors)
    source.stop()
    assert len(errors) == 1 and source.error is errors[0]
    assert "4242" in str(errors[0])


def test_it_reads_the_focused_window_of_the_display_it_was_given(display):
    raw: queue.SimpleQueue = queue.SimpleQueue()
    errors: list[BaseException] = []
    source = WindowSource(raw, display.name, on_error=errors.append)
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
        source.stop()
        app.kill()
        app.wait()
    assert errors == []
