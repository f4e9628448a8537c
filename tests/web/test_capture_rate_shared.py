"""The capture endpoint's rate bound holds per session across server processes (issue 21,
point 6): two apps on one study folder (as two gunicorn workers, or two servers, are) share
one bound, so a page flooding both is refused past it, and the refusals are counted once,
for the session, whichever process refused them."""
from __future__ import annotations

import threading

from tests.conftest import write_study
from tests.web.test_capture_endpoint import STUDY, click, pair, send


def test_a_flood_split_over_two_apps_meets_one_bound(tmp_path, monkeypatch):
    from web import create_app
    from web.views import capture
    # a small bucket with no refill while the flood runs, so the bound is exact whatever the
    # machine's speed (the refill itself: tests/sessions/test_capture_rates.py)
    burst, size = 200.0, 100
    monkeypatch.setattr(capture, "RATE_EVENTS", 0.0)
    monkeypatch.setattr(capture, "RATE_BURST", burst)
    folder = write_study(tmp_path / "study", STUDY)
    apps = [create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "shared-secret"}) for _ in range(2)]
    stores = [a.extensions["uxlab"]["store"] for a in apps]
    try:
        session = stores[0].sessions.create("P01")
        token = pair(apps[0].test_client()).get_json()["token"]
        assert pair(apps[1].test_client()).get_json()["token"] == token
        batch = [click(t=1.0 + i / 1000) for i in range(size)]
        rounds = 4                     # per thread: 8 × 100 events, four times one bucket
        statuses: list[int] = []
        lock = threading.Lock()

        def flood(app) -> None:
            client = app.test_client()
            for _ in range(rounds):
                status = send(client, {"session": session, "token": token, "events": batch}).status_code
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=flood, args=(apps[i % 2],)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(statuses) == 2 * rounds and set(statuses) <= {200, 429}, statuses
        stored = stores[1].events.count(session)
        accepted = statuses.count(200) * size
        assert stored == accepted
        # one bucket for both: its burst, never a burst each
        assert stored == burst, statuses
        refused = statuses.count(429) * size
        assert refused == 2 * rounds * size - burst
        for app in apps:              # counted once, and seen alike by both processes
            with app.app_context():
                from web.views.capture import refused_events
                assert refused_events(session) == {"malformed": 0, "flood": refused}
        # another session has a bound of its own
        other = stores[1].sessions.create("P02")
        other_token = pair(apps[1].test_client()).get_json()["token"]
        assert send(apps[1].test_client(), {"session": other, "token": other_token, "events": batch}).status_code == 200
    finally:
        for store in stores:
            store.close()

