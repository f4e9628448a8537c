"""The dashboard during a recording: the analysis of finished sessions is reused while only
the sessions being recorded change; those are measured again at most every RUNNING_EVERY
seconds; any other change re-analyses the study."""
from __future__ import annotations

from tests.web.recordings import record_session
from web import view_cache
from web.views import dashboard


def _summary(app) -> dict:
    with app.app_context():
        return dashboard.current_summary()


def _by_id(result: dict) -> dict:
    return {s["id"]: s for s in result["sessions"]}


def test_only_the_running_session_is_measured_again(app, web_store, monkeypatch):
    finished = record_session(web_store)
    running = web_store.sessions.create("P2")
    attempt = web_store.attempts.start(running, "first", 1.0)
    first = _summary(app)
    assert [a["outcome"] for a in _by_id(first)[running]["attempts"]] in ([], [None])

    # the recorder writes on: within RUNNING_EVERY the last result stands as it is
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 3600.0)
    web_store.events.append(running, [{"t": 2.0, "kind": "click", "x": 5, "y": 5, "button": "left", "pressed": 1}])
    web_store.attempts.end(attempt, 3.0, "success")
    assert _summary(app) is first

    # past it, the running session alone is measured again: the finished one is reused as is
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 0.0)
    second = _summary(app)
    assert _by_id(second)[running]["attempts"][0]["outcome"] == "success"
    assert _by_id(second)[finished] is _by_id(first)[finished]
    assert [t for t in second["tasks"] if t["id"] == "first"][0]["successes"] == 2

    # a change outside the running sessions (here: the recording ends) re-analyses everything
    web_store.sessions.update(running, status="complete", duration=4.0)
    third = _summary(app)
    assert _by_id(third)[finished] is not _by_id(first)[finished]
    assert _by_id(third)[finished] == _by_id(first)[finished]
    assert _by_id(third)[running]["status"] == "complete"


def test_an_answer_to_a_finished_session_is_seen_during_a_recording(app, web_store, monkeypatch):
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 0.0)
    finished = record_session(web_store)
    running = web_store.sessions.create("P2")
    web_store.attempts.start(running, "first", 1.0)
    assert _summary(app)["questionnaires"]["sus"] is None or _summary(app)["questionnaires"]["sus"]["n"] == 0
    web_store.answers.add(finished, "sus", {str(i): 3 for i in range(1, 11)})
    sus = _summary(app)["questionnaires"]["sus"]
    assert sus is not None and sus["n"] == 1
