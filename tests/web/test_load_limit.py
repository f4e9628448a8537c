"""Bounded work: past MAX_REQUESTS page requests at once, a request waits at most
QUEUE_SECONDS and is then told 503 with Retry-After, instead of hanging."""
from __future__ import annotations

import threading
import time

from tests.web.conftest import login


def test_a_request_past_the_limit_gets_a_503_quickly(study_dir):
    from web import create_app
    from web.auth.accounts import add_user
    app = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "s", "MAX_REQUESTS": 1, "QUEUE_SECONDS": 0.2})
    add_user(app.extensions["uxlab"]["store"], "rita", "researcher", "rita-password")
    inside, release = threading.Event(), threading.Event()

    def slow():
        inside.set()
        release.wait(60)
        return "done"
    app.add_url_rule("/slow-for-test", "slow_for_test", slow)
    client = app.test_client()
    login(client, "researcher")
    first: list = []
    worker = threading.Thread(target=lambda: first.append(client.get("/slow-for-test")))
    worker.start()
    try:
        assert inside.wait(60)
        busy = app.test_client().get("/login")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
        assert b"busy" in busy.data
    finally:
        release.set()
        worker.join(60)
    assert first[0].status_code == 200
    assert app.test_client().get("/login").status_code == 200   # the slot is given back


def test_waiting_requests_are_served_in_their_order_of_arrival():
    from web.load_limit import FairSlots
    slots = FairSlots(1)
    assert slots.acquire(1.0)
    served: list[int] = []
    threads = []
    for n in range(5):
        def wait_turn(n=n):
            assert slots.acquire(60)
            served.append(n)
            slots.release()
        thread = threading.Thread(target=wait_turn)
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 30
        while len(slots.waiting) < n + 1:       # in the queue before the next one comes
            assert time.monotonic() < deadline
            time.sleep(0.005)
    slots.release()
    for thread in threads:
        thread.join(60)
    assert served == [0, 1, 2, 3, 4]
    assert slots.free == 1 and not slots.waiting   # every slot handed back, nobody left queued


def test_a_wait_that_runs_out_gives_up_its_place():
    from web.load_limit import FairSlots
    slots = FairSlots(1)
    assert slots.acquire(1.0)
    assert not slots.acquire(0.05)
    assert not slots.waiting
    slots.release()
    assert slots.acquire(0.0)
