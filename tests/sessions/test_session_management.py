"""Marking, renaming and deleting sessions: each change is stored and audited, and bad
input changes nothing."""
from __future__ import annotations

import json

import pytest

from sessions.errors import BadRequest, NotFound
from sessions.events import Inclusion


def test_marks_are_stored_audited_and_filterable(store):
    a, b, c = (store.create_session(p) for p in ("P1", "P2", "P3"))
    store.set_inclusion(a, Inclusion.EXCLUDED, "rita", "fire alarm mid-session")
    store.set_inclusion(b, Inclusion.PILOT, "rita")
    assert store.session(a)["inclusion"] == "excluded"
    assert store.session(a)["inclusion_reason"] == "fire alarm mid-session"
    assert [s["participant"] for s in store.sessions(inclusion="included")] == ["P3"]
    assert store.count_sessions(inclusion="pilot") == 1 and store.count_sessions() == 3
    store.set_inclusion(a, Inclusion.INCLUDED, "vera")
    assert store.session(a)["inclusion"] == "included" and store.session(a)["inclusion_reason"] is None
    log = store.audit_log(a)
    assert [(r["actor"], r["action"]) for r in log] == [("rita", "mark_excluded"), ("vera", "mark_included")]
    assert json.loads(log[0]["detail"]) == {"from": "included", "to": "excluded",
                                            "reason": "fire alarm mid-session"}
    assert store.session(c)["inclusion"] == "included"


def test_an_exclusion_needs_a_reason_and_bad_input_changes_nothing(store):
    sid = store.create_session("P1")
    for bad in (lambda: store.set_inclusion(sid, "excluded", "rita", "  "),
                lambda: store.set_inclusion(sid, "maybe", "rita", "x"),
                lambda: store.rename_session(sid, "rita", participant=" "),
                lambda: store.rename_session(sid, "rita")):
        with pytest.raises(BadRequest):
            bad()
    with pytest.raises(NotFound):
        store.set_inclusion("nope", "pilot", "rita")
    assert store.session(sid)["inclusion"] == "included" and store.session(sid)["participant"] == "P1"
    assert store.audit_log() == []


def test_rename_changes_participant_and_group(store):
    sid = store.create_session("P7", group="old")
    store.rename_session(sid, "rita", participant=" P8 ", group="redesign")
    assert (store.session(sid)["participant"], store.session(sid)["group_name"]) == ("P8", "redesign")
    store.rename_session(sid, "rita", group="")
    assert store.session(sid)["group_name"] is None
    details = [json.loads(r["detail"]) for r in store.audit_log(sid)]
    assert details[0] == {"participant": {"from": "P7", "to": "P8"},
                          "group_name": {"from": "old", "to": "redesign"}}
    assert [s["id"] for s in store.participant_sessions("P8")] == [sid]
    assert store.participant_sessions("P7") == []


def test_delete_removes_transcripts_and_evidence_too(store):
    sid = store.create_session("P1")
    segment = store.db["segments"].insert({"session_id": sid, "t": 1.0, "end": 2.0, "speaker": "participant",
                                           "text": "where is it", "confidence": 0.9, "engine": "test"}).last_pk
    store.db["words"].insert({"segment_id": segment, "session_id": sid, "t": 1.0, "end": 1.2, "text": "where"})
    problem = store.db["problems"].insert({"title": "Hidden button", "created": "now", "updated": "now"}).last_pk
    store.db["evidence"].insert({"problem_id": problem, "session_id": sid, "t": 1.0, "kind": "note"})
    store.delete_session(sid, "rita")
    for table in ("sessions", "segments", "words", "evidence"):
        assert store.db[table].count == 0, table
    [entry] = store.audit_log(sid)
    assert entry["action"] == "delete_session" and json.loads(entry["detail"])["participant"] == "P1"
