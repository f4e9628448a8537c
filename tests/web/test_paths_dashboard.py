"""The dashboard's summary shows each task's click paths, expected-path departures and
misclicks when the product's pages sent capture events, and nothing of them otherwise."""
from __future__ import annotations

import pytest

from sessions import events
from tests.analyzer.test_url_screens import SITE, STUDY, button
from tests.conftest import write_study
from tests.web.conftest import LIVE_TOKEN, PASSWORDS, login


@pytest.fixture
def app(tmp_path):
    from web import create_app
    from web.auth.accounts import add_user
    folder = write_study(tmp_path / "study", STUDY)
    application = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "test-secret", "LIVE_TOKEN": LIVE_TOKEN})
    store = application.extensions["uxlab"]["store"]
    for name, (role, password) in PASSWORDS.items():
        add_user(store, name, role, password)
    yield application
    store.close()


def record(store, participant, pages, outcome):
    sid = store.sessions.create(participant)
    attempt = store.attempts.start(sid, "export", 1.0)
    rows = []
    for i, page in enumerate(pages):
        rows.append(events.page_url(1.5 + i, SITE + page, page))
        rows.append(events.page_click(1.7 + i, 5, 5, SITE + page, button("Go", interactive=page != "/help")))
    store.events.append(sid, rows)
    store.attempts.end(attempt, 20.0, outcome)
    store.sessions.update(sid, status="complete", duration=20.0)


def test_summary_shows_paths_departures_and_misclicks(app):
    store = app.extensions["uxlab"]["store"]
    client = app.test_client()
    login(client, "researcher")
    assert "Click paths" not in client.get("/summary").text     # no capture events yet
    record(store, "P01", ["/", "/orders", "/orders/42"], "success")
    record(store, "P02", ["/", "/help", "/orders/7"], "failure")
    page = client.get("/summary").text
    assert "Click paths" in page
    assert "/ → /orders → /orders/*" in page and "/ → /help → /orders/*" in page
    assert "1 of 2 followed the expected path" in page
    assert "P02 to <code>/help</code> instead of <code>/orders</code>" in page
    assert "0.50 per attempt: button &#39;Go&#39; on <code>/help</code>" in page
