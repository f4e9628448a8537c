"""The participant's page: what it shows when, validation, and what it stores."""
from __future__ import annotations

import re

from tests.web.conftest import csrf_from
from web.instruments import SUS, validate
from web.participant_state import participant_state


def _state(app, web_store, sid):
    with app.app_context():
        return participant_state(web_store, app.extensions["uxlab"]["study"], web_store.sessions.get(sid))


def test_stages_follow_the_session(app, web_store):
    sid = web_store.sessions.create("P9")
    assert _state(app, web_store, sid)["stage"] == "waiting"
    first = web_store.attempts.start(sid, "first", 1.0)
    state = _state(app, web_store, sid)
    assert state["stage"] == "task" and state["prompt"] == "Do the first thing."
    web_store.attempts.end(first, 3.0, "success")
    state = _state(app, web_store, sid)
    assert state["stage"] == "post_task" and state["instruments"] == ["seq"] and state["attempt_id"] == first
    web_store.answers.add(sid, "seq", {"1": 5}, attempt_id=first)
    assert _state(app, web_store, sid)["stage"] == "waiting"
    second = web_store.attempts.start(sid, "second", 4.0)
    web_store.attempts.end(second, 6.0, "gave_up")
    web_store.answers.add(sid, "seq", {"1": 2}, attempt_id=second)
    state = _state(app, web_store, sid)
    assert state["stage"] == "post_session" and state["instruments"] == ["sus", "umux_lite", "nps"]


def test_at_the_end_every_unanswered_post_task_question_is_asked_naming_its_task(app, web_store):
    sid = web_store.sessions.create("P9")
    first = web_store.attempts.start(sid, "first", 1.0)
    web_store.attempts.end(first, 3.0, "success")
    second = web_store.attempts.start(sid, "second", 4.0)     # nobody answered the first SEQ
    web_store.attempts.end(second, 6.0, "gave_up")
    web_store.sessions.update(sid, status="complete")
    state = _state(app, web_store, sid)
    assert (state["stage"], state["attempt_id"], state["late"]) == ("post_task", second, False)
    web_store.answers.add(sid, "seq", {"1": 2}, attempt_id=second)
    state = _state(app, web_store, sid)
    assert (state["stage"], state["attempt_id"], state["task"], state["late"]) == ("post_task", first, "first", True)
    token = web_store.sessions.get(sid)["token"]
    page = app.test_client().get(f"/q/{token}").get_data(as_text=True)
    assert "About an earlier task, “first”: Do the first thing." in page
    web_store.answers.add(sid, "seq", {"1": 6}, attempt_id=first)
    assert _state(app, web_store, sid)["stage"] == "post_session"


def test_post_task_seq_is_stored_with_its_attempt(app, web_store):
    sid = web_store.sessions.create("P9")
    attempt = web_store.attempts.start(sid, "first", 1.0)
    web_store.attempts.end(attempt, 3.0, "success")
    token = web_store.sessions.get(sid)["token"]
    client = app.test_client()
    page = client.get(f"/q/{token}")
    assert page.status_code == 200 and "Overall, how difficult or easy" in page.text
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    bad = client.post(f"/q/{token}", data={"csrf_token": csrf_from(page.text), "key": key, "seq.1": "9"})
    assert bad.status_code == 400 and "Choose a value from 1 to 7." in bad.text
    assert web_store.answers.all(sid) == []
    ok = client.post(f"/q/{token}", data={"csrf_token": csrf_from(page.text), "key": key, "seq.1": "6"})
    assert ok.status_code == 302
    rows = web_store.answers.all(sid, "seq")
    assert [(r["item"], r["value"], r["attempt_id"]) for r in rows] == [("1", 6.0, attempt)]


def test_a_stale_form_changes_nothing(app, web_store):
    sid = web_store.sessions.create("P9")
    attempt = web_store.attempts.start(sid, "first", 1.0)
    web_store.attempts.end(attempt, 3.0, "success")
    token = web_store.sessions.get(sid)["token"]
    client = app.test_client()
    page = client.get(f"/q/{token}")
    response = client.post(f"/q/{token}", data={"csrf_token": csrf_from(page.text), "key": "post_task:999",
                                                "seq.1": "6"})
    assert response.status_code == 302 and web_store.answers.all(sid) == []


def test_unknown_tokens_get_404_and_no_login_page(app):
    client = app.test_client()
    for token in ("x" * 22, "short", "../../etc"):
        response = client.get(f"/q/{token}")
        assert response.status_code == 404


def test_sus_validation_needs_every_item_on_the_scale():
    answers = {f"sus.{i}": "3" for i in range(1, 11)}
    values, errors = validate([SUS], answers)
    assert errors == {} and values["sus"] == {str(i): 3 for i in range(1, 11)}
    for bad in ("", "0", "6", "2.5", "three"):
        values, errors = validate([SUS], {**answers, "sus.4": bad})
        assert list(errors) == ["sus.4"], bad


def test_sus_wording_is_brookes():
    # Brooke (1996), "SUS: a quick and dirty usability scale": odd items positive, even negative
    assert SUS.items[0].prompt == "I think that I would like to use this system frequently."
    assert SUS.items[9].prompt == "I needed to learn a lot of things before I could get going with this system."
    assert [i.high for i in SUS.items] == [5] * 10
