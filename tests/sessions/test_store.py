"""The store on real SQLite files: round trips, streaming, validation, safe media paths."""
from __future__ import annotations

import sqlite3

import pytest

from sessions import events
from sessions.errors import NotFound, UxlabError
from sessions.events import EventKind
from sessions.media.files import MediaPathError
from sessions.schema import SCHEMA_VERSION
from sessions.store import MalformedEvent, Store, StoreError, UnknownSession


def test_a_new_folder_gets_a_wal_database_at_the_current_schema(study_dir, store):
    conn = sqlite3.connect(study_dir / "uxlab.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "attempts", "events", "frames", "markers", "notes", "answers", "users", "audit"} <= tables


def test_session_round_trip(store):
    sid = store.sessions.create("P01", group="B", consent=True, device={"width": 1920, "height": 1080},
                                started_at=1_700_000_000.0)
    store.sessions.update(sid, status="complete", duration=93.5)
    reopened = Store(store.folder)
    row = reopened.sessions.get(sid)
    assert (row["participant"], row["group_name"], row["status"], row["duration"]) == ("P01", "B", "complete", 93.5)
    assert row["device"] == {"width": 1920, "height": 1080}
    assert row["consent"] == 1 and row["started_wall"] == "2023-11-14T22:13:20+00:00"
    assert reopened.sessions.by_token(row["token"])["id"] == sid
    assert reopened.sessions.by_token("nope") is None


def test_attempts_markers_notes_answers_round_trip(store):
    sid = store.sessions.create("P02")
    a1 = store.attempts.start(sid, "first", 1.5)
    store.attempts.end(a1, 20.25, "success", paused=3.0)
    a2 = store.attempts.start(sid, "second", 21.0)
    store.markers.add(sid, 22.0, "error", text="wrong menu", author="mod", attempt_id=a2)
    flag = store.markers.add(sid, 23.0, "error", author="obs", attempt_id=a2, status="pending")
    store.markers.set_status(flag, "confirmed")
    store.attempts.end(a2, 30.0, "gave_up")
    note = store.notes.add(sid, 24.0, "  Hesitates at the menu  ", "obs", tags=["#quote", "#quote"])
    store.notes.set_tags(note, ["#error", "#quote"])
    store.answers.add(sid, "seq", {"1": 6}, attempt_id=a1)
    store.answers.add(sid, "comments", {"comments": "Nice"})

    assert [(a["task"], a["seq"], a["outcome"], a["paused"]) for a in store.attempts.all(sid)] == [
        ("first", 1, "success", 3.0), ("second", 2, "gave_up", 0.0)]
    assert [m["status"] for m in store.markers.all(sid, "error")] == ["confirmed", "confirmed"]
    (stored,) = store.notes.all(sid)
    assert stored["text"] == "Hesitates at the menu" and stored["tags"] == ["#error", "#quote"]
    answers = store.answers.all(sid)
    assert [(a["questionnaire"], a["value"], a["text"], a["attempt_id"]) for a in answers] == [
        ("seq", 6.0, None, a1), ("comments", None, "Nice", None)]


def test_events_stream_in_time_order_across_pages(store):
    sid = store.sessions.create("P03")
    other = store.sessions.create("P04")
    # appended out of order, in several batches, with ties in t
    clicks = [events.click((i * 7919) % 1000 / 10, i, 2 * i) for i in range(1000)]
    store.events.append(sid, clicks[:400])
    store.events.append(sid, clicks[400:])
    store.events.append(other, [events.move(0.0, 1, 1)])
    streamed = list(store.events.iterate(sid, batch=64))
    assert len(streamed) == 1000 == store.events.count(sid)
    assert [e["t"] for e in streamed] == sorted(e["t"] for e in clicks)
    assert {e["x"] for e in streamed} == set(range(1000))
    window = list(store.events.iterate(sid, start=10.0, end=20.0, batch=7))
    assert window and all(10.0 <= e["t"] <= 20.0 for e in window)
    assert len(window) == sum(1 for e in clicks if 10.0 <= e["t"] <= 20.0)
    assert list(store.events.iterate(sid, kinds=[EventKind.MOVE])) == []


def test_iter_events_does_not_load_everything(store):
    sid = store.sessions.create("P05")
    store.events.append(sid, (events.move(i / 100, i, i) for i in range(20_000)))
    stream = store.events.iterate(sid, batch=500)
    first = next(stream)
    assert first["t"] == 0.0
    assert stream.gi_frame is not None  # a live generator, paging on demand


def test_malformed_event_changes_nothing(store):
    sid = store.sessions.create("P06")
    with pytest.raises(StoreError, match="time in seconds"):
        store.events.append(sid, [events.click(1.0, 1, 1), {"t": "soon", "kind": EventKind.CLICK}])
    assert store.events.count(sid) == 0


def test_an_unknown_event_kind_is_refused_and_changes_nothing(store):
    sid = store.sessions.create("P06")
    with pytest.raises(MalformedEvent, match="unknown event kind 'tap'") as refused:
        store.events.append(sid, [events.click(1.0, 1, 1), {"t": 2.0, "kind": "tap", "x": 1, "y": 1}])
    assert refused.value.status == 400 and not isinstance(refused.value, ValueError)
    with pytest.raises(MalformedEvent, match="must be a mapping"):
        store.events.append(sid, [("click", 1.0)])
    assert store.events.count(sid) == 0


def test_refusals_are_typed_user_errors_with_their_status(store):
    sid = store.sessions.create("P07")
    refusals = [
        (lambda: store.attempts.end(store.attempts.start(sid, "first", 0.0), 1.0, "won"), "unknown outcome", 400),
        (lambda: store.sessions.get("missing"), "no session", 404),
        (lambda: store.sessions.create("  "), "participant", 400),
        (lambda: store.users.add("ann", "admin", "hash"), "unknown role", 400),
        (lambda: store.sessions.all(order="id; DROP TABLE sessions"), "cannot sort", 400),
        (lambda: store.users.set_password_hash("nobody", "h"), "no user", 404),
    ]
    for call, words, status in refusals:
        with pytest.raises(StoreError, match=words) as refused:
            call()
        assert isinstance(refused.value, UxlabError) and not isinstance(refused.value, ValueError)
        assert refused.value.status == status, words
    assert isinstance(UnknownSession("x"), NotFound)


def test_users(store):
    store.users.add("ann", "researcher", "h1")
    with pytest.raises(StoreError, match="already exists") as taken:
        store.users.add("ann", "observer", "h2")
    assert taken.value.status == 409
    assert store.users.get("ann")["password_hash"] == "h1"
    assert [u["name"] for u in store.users.all()] == ["ann"]


def test_sessions_list_filters_sorts_and_pages(store):
    ids = [store.sessions.create(f"P{i:02d}", group="A" if i % 2 else "B", started_at=1000.0 + i)
           for i in range(10)]
    a = store.attempts.start(ids[3], "first", 0)
    store.attempts.end(a, 5, "success")
    page = store.sessions.all(limit=3, offset=0)
    assert [s["id"] for s in page] == ids[::-1][:3]
    assert store.sessions.count(group="A") == 5
    assert {s["group_name"] for s in store.sessions.all(group="A")} == {"A"}
    assert [s["participant"] for s in store.sessions.all(participant="P03")] == ["P03"]
    assert store.sessions.all(participant="P03")[0]["completed"] == 1
    assert [s["participant"] for s in store.sessions.all(order="participant", descending=False, limit=2)] == ["P00", "P01"]


def test_media_paths_stay_inside_the_session_folder(store):
    sid = store.sessions.create("P08")
    folder = store.media.session_dir(sid, create=True)
    (folder / "screen.mp4").write_bytes(b"x")
    assert store.media.path(sid, "screen.mp4") == folder.resolve() / "screen.mp4"
    for bad in ("../uxlab.db", "/etc/passwd", "keyframes/../../x", "", "a\x00b", "..", "./screen.mp4"):
        with pytest.raises(MediaPathError):
            store.media.path(sid, bad)
    with pytest.raises(MediaPathError):
        store.media.session_dir("../other")


def test_delete_session_removes_rows_and_media_and_is_audited(store):
    sid = store.sessions.create("P09")
    store.events.append(sid, [events.click(0.1, 1, 1)])
    store.media.session_dir(sid, create=True)
    store.sessions.delete(sid, actor="ann")
    assert store.sessions.count() == 0 and store.events.count(sid) == 0
    assert not (store.folder / "media" / sid).exists()
    assert store.audit.all(sid)[0]["action"] == "delete_session"


def test_fingerprint_changes_with_every_write_and_not_with_reads(store):
    before = store.fingerprint()
    sid = store.sessions.create("P10")
    after_write = store.fingerprint()
    assert after_write != before
    store.sessions.all()
    list(store.events.iterate(sid))
    assert store.fingerprint() == after_write
    other = Store(store.folder)                       # another connection, as another process would
    other.notes.add(sid, 1.0, "seen", "obs")
    assert store.fingerprint() != after_write
