"""Marking, renaming and deleting sessions: each change is stored and audited, and bad
input changes nothing."""
from __future__ import annotations

import json

import pytest

from sessions.errors import BadRequest, NotFound
from sessions.events import Inclusion


def test_marks_are_stored_audited_and_filterable(store):
    a, b, c = (store.sessions.create(p) for p in ("P1", "P2", "P3"))
    store.sessions.set_inclusion(a, Inclusion.EXCLUDED, "rita", "fire alarm mid-session")
    store.sessions.set_inclusion(b, Inclusion.PILOT, "rita")
    assert store.sessions.get(a)["inclusion"] == "excluded"
    assert store.sessions.get(a)["inclusion_reason"] == "fire alarm mid-session"
    assert [s["participant"] for s in store.sessions.all(inclusion="included")] == ["P3"]
    assert store.sessions.count(inclusion="pilot") == 1 and store.sessions.count() == 3
    store.sessions.set_inclusion(a, Inclusion.INCLUDED, "vera")
    assert store.sessions.get(a)["inclusion"] == "included" and store.sessions.get(a)["inclusion_reason"] is None
    log = store.audit.all(a)
    assert [(r["actor"], r["action"]) for r in log] == [("rita", "mark_excluded"), ("vera", "mark_included")]
    assert json.loads(log[0]["detail"]) == {"from": "included", "to": "excluded",
                                            "reason": "fire alarm mid-session"}
    assert store.sessions.get(c)["inclusion"] == "included"


def test_an_exclusion_needs_a_reason_and_bad_input_changes_nothing(store):
    sid = store.sessions.create("P1")
    for bad in (lambda: store.sessions.set_inclusion(sid, "excluded", "rita", "  "),
                lambda: store.sessions.set_inclusion(sid, "maybe", "rita", "x"),
                lambda: store.sessions.rename(sid, "rita", participant=" "),
                lambda: store.sessions.rename(sid, "rita")):
        with pytest.raises(BadRequest):
            bad()
    with pytest.raises(NotFound):
        store.sessions.set_inclusion("nope", "pilot", "rita")
    assert store.sessions.get(sid)["inclusion"] == "included" and store.sessions.get(sid)["participant"] == "P1"
    assert store.audit.all() == []


def test_rename_changes_participant_and_group(store):
    sid = store.sessions.create("P7", group="old")
    store.sessions.rename(sid, "rita", participant=" P8 ", group="redesign")
    assert (store.sessions.get(sid)["participant"], store.sessions.get(sid)["group_name"]) == ("P8", "redesign")
    store.sessions.rename(sid, "rita", group="")
    assert store.sessions.get(sid)["group_name"] is None
    details = [json.loads(r["detail"]) for r in store.audit.all(sid)]
    assert details[0] == {"participant": {"from": "P7", "to": "P8"},
                          "group_name": {"from": "old", "to": "redesign"}}
    assert [s["id"] for s in store.sessions.of_participant("P8")] == [sid]
    assert store.sessions.of_participant("P7") == []


def test_delete_removes_transcripts_and_evidence_too(store):
    sid = store.sessions.create("P1")
    segment = store.db["segments"].insert({"session_id": sid, "t": 1.0, "end": 2.0, "speaker": "participant",
                                           "text": "where is it", "confidence": 0.9, "engine": "test"}).last_pk
    store.db["words"].insert({"segment_id": segment, "session_id": sid, "t": 1.0, "end": 1.2, "text": "where"})
    problem = store.db["problems"].insert({"title": "Hidden button", "created": "now", "updated": "now"}).last_pk
    store.db["evidence"].insert({"problem_id": problem, "session_id": sid, "t": 1.0, "kind": "note"})
    store.sessions.delete(sid, "rita")
    for table in ("sessions", "segments", "words", "evidence"):
        assert store.db[table].count == 0, table
    [entry] = store.audit.all(sid)
    assert entry["action"] == "delete_session" and json.loads(entry["detail"])["participant"] == "P1"
