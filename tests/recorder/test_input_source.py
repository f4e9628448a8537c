"""The input source on a real Xvfb: the listener runs in a child process on the display it was
given; a display that cannot be listened to is refused; a listener that dies is reported."""
from __future__ import annotations

import queue
import subprocess
import time

import pytest

from recorder.keys import KeyStroke
from recorder.sources.base import Lost
from recorder.sources.input import InputError, InputSource


def _take(raw: queue.SimpleQueue, want, timeout: float = 15.0) -> list[tuple]:
    items, deadline = [], time.monotonic() + timeout
    while not want(items):
        assert time.monotonic() < deadline, items
        try:
            items.append(raw.get(timeout=0.05))
        except queue.Empty:
            pass
    return items


def test_clicks_and_keys_of_the_given_display_arrive_stamped(display):
    raw: queue.SimpleQueue = queue.SimpleQueue()
    source = InputSource(raw, display.name)
    source.start()
    try:
        sent = time.monotonic()
        subprocess.run(["xdotool", "mousemove", "40", "50", "click", "1", "key", "a"],
                       env=display.env(), check=True)
        items = _take(raw, lambda got: any(i[0] == "key" and not i[2] for i in got))
    finally:
        source.stop(0.0)
    clicks = [i for i in items if i[0] == "click"]
    assert [(c[2], c[3], c[4], c[5]) for c in clicks] == [(40, 50, "left", True), (40, 50, "left", False)]
    keys = [i for i in items if i[0] == "key"]
    assert keys[0][2] is True and keys[0][3] == KeyStroke(None, "a", keys[0][3].code)
    assert all(sent - 0.5 <= i[1] <= time.monotonic() for i in items)  # the machine's monotonic clock
    assert source.pointer == (40, 50)


def test_a_display_that_cannot_be_listened_to_is_refused():
    with pytest.raises(InputError, match=":4243"):
        InputSource(queue.SimpleQueue(), ":4243").start()


def test_a_listener_that_dies_while_recording_is_reported(display):
    lost: list[Lost] = []
    source = InputSource(queue.SimpleQueue(), display.name, on_lost=lost.append)
    source.start()
    killed = time.monotonic()
    source._process.kill()  # the child this source started
    deadline = time.monotonic() + 10
    while not lost:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    source.stop(0.0)
    assert len(lost) == 1 and source.lost is lost[0] and "stopped" in lost[0].reason
    assert killed <= lost[0].at <= time.monotonic()
