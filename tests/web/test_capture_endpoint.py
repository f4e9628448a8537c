"""The capture endpoint's rules, one test each (issue 21, point 6): events are stored only
for a running session, from an allowed origin, with that session's token; each event goes
through the contract (a malformed one is refused and counted, never stored); a session's
rate is bounded (429 beyond)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import MINIMAL_STUDY, write_study
from tests.web.conftest import LIVE_TOKEN

ORIGIN = "http://127.0.0.1:5001"
STUDY = MINIMAL_STUDY.replace("fps = 10", f'fps = 10\norigins = ["{ORIGIN}"]\nkeystrokes = "redacted"')


@pytest.fixture
def app(tmp_path):
    from web import create_app
    folder = write_study(tmp_path / "study", STUDY)
    application = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "test-secret", "LIVE_TOKEN": LIVE_TOKEN})
    yield application
    application.extensions["uxlab"]["store"].close()


@pytest.fixture
def store(app):
    return app.extensions["uxlab"]["store"]


@pytest.fixture
def running(store):
    return store.sessions.create("P01")


def click(t=1.0, **target):
    element = {"tag": "button", "role": "button", "name": "Export", "text": "Export", "selector": "#export",
               "interactive": True, "page": [10, 900, 80, 30], "view": [10, 100, 80, 30], **target}
    return {"t": t, "kind": "page_click", "x": 40, "y": 910, "button": "left", "url": ORIGIN + "/orders",
            "target": element}


def pair(client, origin=ORIGIN):
    return client.get("/capture/pairing", headers={"Origin": origin})


def send(client, body, origin=ORIGIN):
    return client.post("/capture/events", data=json.dumps(body), content_type="text/plain",
                       headers={"Origin": origin})


def test_pairing_names_the_running_session_and_its_clock(client_for, running):
    client = client_for()
    answer = pair(client)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    body = answer.get_json()
    assert body["session"] == running and len(body["token"]) == 32 and body["values"] is False
    assert body["kinds"]["PAGE_CLICK"] == "page_click" and len(body["kinds"]) == 5
    assert 0 <= body["now"] < 60


def test_an_allowed_page_stores_named_clicks(client_for, store, running):
    client = client_for()
    token = pair(client).get_json()["token"]
    answer = send(client, {"session": running, "token": token, "events": [click()]})
    assert answer.status_code == 200, answer.text
    assert answer.get_json() == {"stored": 1, "refused": 0}
    rows = list(store.events.iterate(running, kinds=["page_click"]))
    assert [(r["x"], r["y"], r["text"], r["window"]) for r in rows] == [(40, 910, "button 'Export'", ORIGIN + "/orders")]
    assert json.loads(rows[0]["target"])["selector"] == "#export"


def test_no_running_session_stores_nothing(client_for, store):
    client = client_for()
    assert pair(client).get_json() == {"session": None}
    stopped = store.sessions.create("P01")
    store.sessions.update(stopped, status="complete")
    answer = send(client, {"session": stopped, "token": "x" * 32, "events": [click()]})
    assert answer.status_code == 409
    assert store.events.count(stopped) == 0


def test_a_wrong_origin_is_refused_preflight_included(client_for, store, running):
    client = client_for()
    assert pair(client, "http://evil.example").status_code == 403
    assert "Access-Control-Allow-Origin" not in pair(client, "http://evil.example").headers
    token = pair(client).get_json()["token"]
    assert send(client, {"session": running, "token": token, "events": [click()]},
                origin="http://evil.example").status_code == 403
    assert send(client, {"session": running, "token": token, "events": [click()]}, origin="").status_code == 403
    refused = client.options("/capture/events", headers={"Origin": "http://evil.example",
                                                        "Access-Control-Request-Method": "POST"})
    allowed = client.options("/capture/events", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    assert allowed.status_code == 204 and allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert store.events.count(running) == 0


def test_a_wrong_token_is_refused(client_for, store, running):
    client = client_for()
    other = store.sessions.create("P02")   # the newer session is the running one now
    token_of_other = pair(client).get_json()["token"]
    assert pair(client).get_json()["session"] == other
    for body in ({"session": other, "token": "0" * 32, "events": [click()]},
                 {"session": other, "events": [click()]},
                 {"session": running, "token": token_of_other, "events": [click()]}):
        answer = send(client, body)
        assert answer.status_code in (403, 409), body
    assert store.events.count(other) == 0 and store.events.count(running) == 0


def test_a_malformed_event_is_refused_counted_and_never_stored(client_for, app, store, running):
    client = client_for()
    token = pair(client).get_json()["token"]
    bad = [
        {"t": 1.0, "kind": "click", "x": 1, "y": 1, "url": ORIGIN},           # a native kind
        {"t": -1, "kind": "page_click", "x": 1, "y": 1, "url": ORIGIN, "target": click()["target"]},
        {**click(), "x": 1.5},                                                # not whole pixels
        {**click(), "target": "button"},                                      # no description
        {**click(), "target": {**click()["target"], "secret": "x"}},          # not in the contract
        {**click(), "url": None},
        {"t": 2.0, "kind": "url", "url": ORIGIN + "/", "key": "teleport"},
        {**click(), "t": 10_000.0},                                           # ahead of the clock
        "click",
    ]
    answer = send(client, {"session": running, "token": token, "events": [click(), *bad]})
    assert answer.status_code == 200
    assert answer.get_json()["stored"] == 1 and answer.get_json()["refused"] == len(bad)
    assert answer.get_json()["error"]
    only_bad = send(client, {"session": running, "token": token, "events": bad[:2]})
    assert only_bad.status_code == 400 and only_bad.get_json()["refused"] == 2
    assert store.events.count(running) == 1
    from web.views.capture import refused_events
    with app.app_context():
        assert refused_events(running) == {"malformed": len(bad) + 2, "flood": 0}


def test_a_flood_is_bounded_per_session(client_for, store, running):
    from web.views.capture import MAX_BATCH, RATE_BURST
    client = client_for()
    token = pair(client).get_json()["token"]
    batch = [click(t=1.0 + i / 1000) for i in range(MAX_BATCH)]
    statuses = [send(client, {"session": running, "token": token, "events": batch}).status_code
                for _ in range(int(RATE_BURST // MAX_BATCH) + 3)]
    assert statuses[0] == 200 and 429 in statuses
    assert store.events.count(running) <= RATE_BURST + MAX_BATCH   # what refilled meanwhile at most
    other = store.sessions.create("P02")   # another session has its own bound
    other_token = pair(client).get_json()["token"]
    assert send(client, {"session": other, "token": other_token, "events": batch}).status_code == 200


def test_field_values_follow_the_keystroke_rule(client_for, store, running):
    client = client_for()
    token = pair(client).get_json()["token"]
    field = {"t": 1.0, "kind": "field", "key": "change", "url": ORIGIN + "/", "text": "my secret words",
             "target": {"tag": "input", "type": "text", "selector": "#q", "name": "Search"}}
    assert send(client, {"session": running, "token": token, "events": [field]}).status_code == 200
    assert [r["text"] for r in store.events.iterate(running, kinds=["field"])] == [None]


def test_a_password_never_leaves_even_in_full_mode(tmp_path):
    from web import create_app
    folder = write_study(tmp_path / "full", STUDY.replace('keystrokes = "redacted"', 'keystrokes = "full"'))
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "s", "LIVE_TOKEN": LIVE_TOKEN})
    store = app.extensions["uxlab"]["store"]
    try:
        running = store.sessions.create("P01")
        client = app.test_client()
        token = pair(client).get_json()["token"]
        typed = {"t": 1.0, "kind": "field", "key": "change", "url": ORIGIN + "/", "text": "kept words",
                 "target": {"tag": "input", "type": "text", "selector": "#q"}}
        secret = {**typed, "text": "hunter2", "target": {"tag": "input", "type": "password", "selector": "#pw"}}
        assert send(client, {"session": running, "token": token, "events": [typed, secret]}).status_code == 200
        assert [r["text"] for r in store.events.iterate(running, kinds=["field"])] == ["kept words", None]
    finally:
        store.close()


@pytest.fixture
def client_for(app):
    return app.test_client


def test_a_remote_participants_tab_pairs_through_their_join_link(client_for, store):
    lab_session = store.sessions.create("P01")                 # the lab's recorder, recording too
    token, _ = store.invitations.create("P03", actor="rita")
    client = client_for()
    unknown = client.get("/capture/pairing?join=" + "x" * 22, headers={"Origin": ORIGIN})
    assert unknown.status_code == 404 and unknown.get_json()["session"] is None and unknown.get_json()["error"]
    pending = client.get(f"/capture/pairing?join={token}", headers={"Origin": ORIGIN})
    assert pending.get_json() == {"session": None}            # no consent given yet: nothing runs
    remote, _ = store.invitations.begin(store.invitations.open(token), keystrokes="redacted", device={})
    paired = client.get(f"/capture/pairing?join={token}", headers={"Origin": ORIGIN}).get_json()
    assert paired["session"] == remote["id"] != lab_session
    assert pair(client).get_json()["session"] == lab_session   # the lab's page still pairs with the lab
    answer = send(client, {"session": remote["id"], "token": paired["token"], "events": [click()]})
    assert answer.status_code == 200 and store.events.count(remote["id"]) == 1
    assert store.events.count(lab_session) == 0
    store.invitations.end(remote["id"], 30.0)
    assert send(client, {"session": remote["id"], "token": paired["token"], "events": [click()]}).status_code == 409
