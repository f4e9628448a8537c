"""Virtual displays started side by side (the demo's recordings and a test's browser, in one
run) each get a display of their own: one that lost the race for a number must not take the
winner's display for its own, or it would vanish when the winner stops."""
from __future__ import annotations

import subprocess
import threading

from recorder.virtual_display import VirtualDisplay


def test_displays_started_at_once_are_each_their_own():
    displays = [VirtualDisplay(64, 64, first=150) for _ in range(6)]
    go = threading.Barrier(len(displays))

    def start(display: VirtualDisplay) -> None:
        go.wait()
        display.start()

    threads = [threading.Thread(target=start, args=(d,)) for d in displays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        names = [d.name for d in displays]
        assert len(set(names)) == len(names) and "" not in names, names
        for display in displays:   # each answers on its own display, with its own server running
            assert display.process is not None and display.process.poll() is None, display.name
            subprocess.run(["xdotool", "getdisplaygeometry"], env=display.env(), check=True, timeout=10,
                           capture_output=True)
    finally:
        for display in displays:
            display.stop()
