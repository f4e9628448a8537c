"""The publisher never holds up the recorder: with no server at all, offering frames and
events returns at once, the latest frame wins the slot and the rest are counted dropped."""
from __future__ import annotations

import numpy as np

from recorder.live import MAX_EVENTS_QUEUED, LivePublisher
from sessions import events
from tests.live.clients import free_port, wait_for


def test_frames_and_events_never_wait_for_an_absent_server():
    publisher = LivePublisher(f"http://127.0.0.1:{free_port()}", "token", "no-session").start()
    try:
        image = np.zeros((800, 1280, 4), np.uint8)
        for i in range(500):
            publisher.frame({"t": i / 10, "changed": 0.5}, image)
        assert (publisher.stats.frames_offered, publisher.stats.frames_dropped, publisher.stats.frames_sent) == (500, 499, 0)
        publisher.frame({"t": 99.0, "changed": 0.0}, image)    # an unchanged screen is not offered
        assert publisher.stats.frames_offered == 500
        publisher.events([events.move(1.0, 1, 2)] * (MAX_EVENTS_QUEUED + 10))
        assert publisher.stats.events_dropped == 10
        assert wait_for(lambda: publisher.live.last_error, timeout=5)   # it keeps trying, quietly
        assert not publisher.connected
    finally:
        publisher.stop(timeout=1)
    assert not publisher.live.thread.is_alive()
