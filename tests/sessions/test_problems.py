"""The findings tables through sessions.problems on a real SQLite study: problems, evidence,
ratings (one per rater), merges, deletes and candidate decisions."""
from __future__ import annotations

import pytest

from sessions.errors import BadRequest, NotFound
from sessions.problems import Problems, severity_summary
from sessions.store import Store


@pytest.fixture
def problems(store: Store) -> Problems:
    return Problems(store)


def _session(store: Store, participant: str = "P01", duration: float = 60.0) -> str:
    sid = store.sessions.create(participant)
    store.sessions.update(sid, status="complete", duration=duration)
    return sid


def test_create_edit_and_read_back(problems, store):
    pid = problems.create("  Cannot find  the submit button ", author="ana", task="first",
                          tags="Nav, layout,nav", description="looks everywhere")
    problem = Problems(Store(store.folder)).get(pid)
    assert problem["title"] == "Cannot find the submit button"
    assert problem["tags"] == ["layout", "nav"] and problem["task"] == "first"
    edited = problems.edit(pid, actor="ana", title="Submit button hidden", tags=["nav"], task=None)
    assert (edited["title"], edited["tags"], edited["task"]) == ("Submit button hidden", ["nav"], None)
    assert [a["action"] for a in store.audit.all()][-2:] == ["create_problem", "edit_problem"]


def test_bad_input_is_refused_and_changes_nothing(problems, store):
    sid = _session(store)
    pid = problems.create("Slow search", author="ana")
    with pytest.raises(BadRequest, match="title"):
        problems.create("   ", author="ana")
    with pytest.raises(BadRequest, match="no field"):
        problems.edit(pid, actor="ana", author="mallory")
    with pytest.raises(NotFound, match="no problem 99"):
        problems.get(99)
    with pytest.raises(NotFound, match="no session"):
        problems.add_evidence(pid, "nope", 1.0, author="ana")
    with pytest.raises(BadRequest, match="between 0 and 60.0"):
        problems.add_evidence(pid, sid, 75.0, author="ana")
    with pytest.raises(BadRequest, match="after its start"):
        problems.add_evidence(pid, sid, 5.0, end=4.0, author="ana")
    with pytest.raises(BadRequest, match="unknown evidence kind"):
        problems.add_evidence(pid, sid, 5.0, kind="rumour", author="ana")
    for bad in (0, 5, "3", 2.5, True):
        with pytest.raises(BadRequest, match="severity must be 1 to 4"):
            problems.rate(pid, "ana", bad)
    assert len(problems.all()) == 1 and problems.evidence(pid) == [] and problems.ratings(pid) == []


def test_evidence_from_several_sessions(problems, store):
    a, b = _session(store, "P01"), _session(store, "P02")
    pid = problems.create("Confusing labels", author="ana")
    note = store.notes.add(a, 12.0, "what does 'queue' mean?", "obs")
    problems.add_evidence(pid, a, 12.0, kind="note", ref_id=note, text="what does 'queue' mean?", author="ana")
    problems.add_evidence(pid, b, 30.0, end=41.5, kind="stretch", author="ana")
    rows = problems.evidence(pid)
    assert [(r["session_id"], r["t"], r["end"], r["kind"]) for r in rows] == [
        (a, 12.0, None, "note"), (b, 30.0, 41.5, "stretch")]
    problems.remove_evidence(rows[0]["id"], actor="ana")
    assert len(problems.evidence(pid)) == 1


def test_one_rating_per_rater_and_the_severity_summary(problems):
    pid = problems.create("Error message unclear", author="ana")
    problems.rate(pid, "ana", 2)
    problems.rate(pid, "rev", 4, "blocks the task")
    problems.rate(pid, "ana", 3)          # ana changes her mind: replaces, not adds
    ratings = problems.ratings(pid)
    assert [(r["rater"], r["severity"]) for r in ratings] == [("ana", 3), ("rev", 4)]
    assert severity_summary(r["severity"] for r in ratings) == {
        "n": 2, "median": 3.5, "spread": 1, "disagreement": False, "label": "critical"}
    problems.rate(pid, "ana", 1)
    summary = severity_summary(r["severity"] for r in problems.ratings(pid))
    assert summary["spread"] == 3 and summary["disagreement"] is True
    assert severity_summary([]) == {"n": 0, "median": None, "spread": None, "disagreement": False,
                                    "label": None}
    assert severity_summary([1, 2, 4])["median"] == 2


def test_merge_moves_evidence_keeps_the_target_raters_rating(problems, store):
    sid = _session(store)
    keep = problems.create("Search finds nothing", author="ana", tags=["search"])
    other = problems.create("No results for typo", author="ana", tags=["typos"])
    problems.add_evidence(keep, sid, 1.0, author="ana")
    problems.add_evidence(other, sid, 2.0, author="ana")
    problems.rate(keep, "ana", 3)
    problems.rate(other, "ana", 1)
    problems.rate(other, "rev", 2)
    problems.decide("k1", "confirmed", actor="ana", problem_id=other)
    merged = problems.merge(keep, [other], actor="ana")
    assert merged["tags"] == ["search", "typos"]
    assert [e["t"] for e in problems.evidence(keep)] == [1.0, 2.0]
    assert {(r["rater"], r["severity"]) for r in problems.ratings(keep)} == {("ana", 3), ("rev", 2)}
    assert problems.decisions()["k1"]["problem_id"] == keep
    with pytest.raises(NotFound):
        problems.get(other)
    with pytest.raises(BadRequest, match="at least one other"):
        problems.merge(keep, [keep], actor="ana")


def test_delete_removes_evidence_ratings_and_reopens_its_candidates(problems, store):
    sid = _session(store)
    pid = problems.create("Dead link", author="ana")
    problems.add_evidence(pid, sid, 1.0, author="ana")
    problems.rate(pid, "ana", 2)
    problems.decide("made-it", "confirmed", actor="ana", problem_id=pid)
    problems.decide("noise", "dismissed", actor="ana")
    problems.delete(pid, actor="ana")
    assert problems.all() == [] and problems.evidence() == [] and problems.ratings() == []
    assert set(problems.decisions()) == {"noise"}


def test_decisions_survive_reopening_and_can_be_undone(problems, store):
    problems.decide("first|rage_clicks|3", "dismissed", actor="ana")
    again = Problems(Store(store.folder))
    assert again.decisions()["first|rage_clicks|3"]["decision"] == "dismissed"
    with pytest.raises(BadRequest, match="unknown decision"):
        again.decide("x", "maybe", actor="ana")
    again.undecide("first|rage_clicks|3", actor="ana")
    assert again.decisions() == {}
