"""Kept views while a session is being recorded: a replay's data stands a few seconds
against the recorder's writes, and a change made through the app shows at once."""
from __future__ import annotations

from sessions.events import MarkerKind
from sessions.store import Store
from tests.web.recordings import record_session
from web import view_cache


def test_a_replay_stands_against_a_recording_but_not_against_the_apps_own_change(as_role, web_store, monkeypatch):
    sid = record_session(web_store)
    live = web_store.sessions.create("P02")        # being recorded: it writes all the time
    client, token = as_role("researcher")
    monkeypatch.setattr(view_cache, "RUNNING_EVERY", 3600.0)
    first = client.get(f"/sessions/{sid}/timeline.json")
    assert first.status_code == 200
    before = [n["text"] for n in first.json["notes"]]
    recorder = Store(web_store.folder)            # another process writes, as a recorder does
    recorder.markers.add(live, 1.0, MarkerKind.MARKER.value, text="the recorder writes on")
    recorder.markers.add(sid, 1.0, MarkerKind.MARKER.value, text="written behind the app's back")
    recorder.close()
    kept = client.get(f"/sessions/{sid}/timeline.json").json
    assert kept == first.json, "within RUNNING_EVERY the kept replay stands"
    added = client.post(f"/sessions/{sid}/notes", json={"t": 1.0, "text": "seen at once"},
                        headers={"X-CSRFToken": token})
    assert added.status_code == 201
    now = client.get(f"/sessions/{sid}/timeline.json").json
    assert sorted(n["text"] for n in now["notes"]) == sorted([*before, "seen at once"])
    assert "written behind the app's back" in [m["text"] for m in now["markers"]]
    for response in (first, added):
        response.close()


def test_without_a_recording_every_change_shows_at_once(as_role, web_store):
    sid = record_session(web_store)
    client, _ = as_role("reviewer")
    before = [m["text"] for m in client.get(f"/sessions/{sid}/timeline.json").json["markers"]]
    other = Store(web_store.folder)
    other.markers.add(sid, 1.0, MarkerKind.MARKER.value, text="a later marker")
    other.close()
    after = [m["text"] for m in client.get(f"/sessions/{sid}/timeline.json").json["markers"]]
    assert sorted(after) == sorted([*before, "a later marker"])
