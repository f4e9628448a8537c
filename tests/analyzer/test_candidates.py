"""Candidate problems from constructed sessions whose trouble is placed by hand: rage
clicks, an error screen, a hesitation, back-and-forth, an undo burst and a confused remark,
grouped by task and screen state across participants; decisions survive re-analysis."""
from __future__ import annotations

import numpy as np
import pytest

from analyzer.candidates import hesitations, study_candidates, undo_bursts
from sessions.problems import Problems
from sessions.study import load_study
from tests.analyzer.conftest import DEVICE, add_keyframe, click


def _session(store, participant, screens, events, attempt_end):
    sid = store.sessions.create(participant, device=DEVICE)
    for t, kind in screens:
        add_keyframe(store, sid, t, kind)
    attempt = store.attempts.start(sid, "ticket", 0.0)
    store.attempts.end(attempt, attempt_end, "failure")
    store.events.append(sid, sorted(events, key=lambda e: e["t"]))
    store.sessions.update(sid, status="complete", duration=attempt_end + 1)
    return sid


def _moves(start, end):
    return [{"t": float(t), "kind": "move", "x": 600, "y": 300} for t in np.arange(start, end, 1.0)]


@pytest.fixture
def studied(screens_store, screens_study):
    store = screens_store
    p1 = _session(store, "P1", [(0.0, "home"), (5.0, "form"), (12.0, "home"), (20.0, "error")],
                  _moves(0, 26) + click(8.0, 500, 300) + click(8.3, 502, 301) + click(8.6, 499, 300)
                  + [{"t": t, "kind": "key", "key": "escape", "pressed": 1} for t in (30.0, 31.0, 32.0)],
                  45.0)
    p2 = _session(store, "P2", [(0.0, "home"), (4.0, "form")],
                  _moves(0, 20) + click(6.0, 500, 300) + click(6.2, 500, 300) + click(6.4, 500, 300), 20.0)
    store.db["segments"].insert({"session_id": p2, "t": 10.0, "end": 12.5, "speaker": "participant",
                                 "text": "Where is the submit button?", "confidence": 0.9, "engine": "test"})
    pilot = _session(store, "Pilot", [(0.0, "home")], _moves(0, 5) + click(2.0, 1, 1) + click(2.1, 1, 1)
                     + click(2.2, 1, 1), 5.0)
    store.db.execute("UPDATE sessions SET inclusion = 'pilot' WHERE id = ?", [pilot])
    store.db.conn.commit()
    return store, load_study(screens_study), p1, p2


def _by_kind(candidates, kind):
    return [c for c in candidates if c["kind"] == kind]


def test_each_signal_becomes_a_candidate_grouped_across_participants(studied):
    store, study, p1, p2 = studied
    candidates = study_candidates(store, study)
    (rage,) = _by_kind(candidates, "rage_clicks")
    assert rage["participants"] == ["P1", "P2"] and rage["of"] == 2 and rage["task"] == "ticket"
    assert rage["reach"]["estimate"] == 1.0 and 0 < rage["reach"]["low"] < 1
    assert candidates[0]["key"] == rage["key"]             # the widest reach first
    assert rage["screen"]["session_id"] == p1
    (hesitation,) = _by_kind(candidates, "hesitation")
    assert hesitation["participants"] == ["P1"]
    assert [(m["t"], m["end"]) for m in hesitation["moments"]] == [(32.0, 45.0)]
    (back,) = _by_kind(candidates, "back_and_forth")
    assert [(m["session_id"], m["t"]) for m in back["moments"]] == [(p1, 12.0)]
    (undo,) = _by_kind(candidates, "undo_burst")
    assert undo["moments"][0]["t"] == 30.0 and undo["moments"][0]["end"] == 32.0
    (confused,) = _by_kind(candidates, "confusion")
    assert confused["participants"] == ["P2"] and "submit" in confused["moments"][0]["text"]
    assert _by_kind(candidates, "error_screen")[0]["participants"] == ["P1"]
    assert all("Pilot" not in c["participants"] for c in candidates)


def test_decisions_stay_on_re_analysis(studied):
    store, study, *_ = studied
    first = study_candidates(store, study)
    rage = _by_kind(first, "rage_clicks")[0]
    problems = Problems(store)
    problems.decide(rage["key"], "dismissed", actor="ana")
    again = {c["key"]: c for c in study_candidates(store, study)}
    assert again[rage["key"]]["decision"] == "dismissed"
    assert sorted(again) == sorted(c["key"] for c in first)


def test_hesitation_and_undo_rules():
    class Data:
        pointer = type("P", (), {"t": np.array([1.0, 2.0, 14.0])})()
        key_t = np.array([30.0])
        markers = [{"kind": "pause", "t": 16.0}]
    # 2 -> 14 is 12 s; 14 -> 30 holds a pause; 30 -> 41 is 11 s
    assert hesitations(Data, {"started": 0.0, "ended": 41.0}) == [(2.0, 14.0), (30.0, 41.0)]
    keys = [(1.0, "escape"), (2.0, "ctrl+z"), (3.0, "escape"), (20.0, "escape"), (21.0, "letter")]
    assert undo_bursts(keys, 0, 30) == [(1.0, 3.0, 3)]
    assert undo_bursts(keys, 2, 30) == []


def test_the_demo_findings_confirm_rate_and_cut_once(studied, screens_study):
    from examples.helpdesk.findings import seed_findings
    from sessions.events import VIDEO_FILE
    from tests.sessions.media_files import write_session_video
    store, _, p1, p2 = studied
    for sid, seconds in ((p1, 46.0), (p2, 21.0)):
        write_session_video(store.media.session_dir(sid) / VIDEO_FILE, seconds, audio=True)
    result = seed_findings(screens_study)
    assert len(result["problems"]) == 2
    assert all(p["severity"]["n"] == 2 for p in result["problems"])
    assert any(p["severity"]["disagreement"] for p in result["problems"])
    assert result["discovery"]["problems_seen"] == 2
    reel = screens_study / "reel.mp4"
    made = reel.stat().st_mtime_ns
    again = seed_findings(screens_study)
    assert [p["id"] for p in again["problems"]] == [p["id"] for p in result["problems"]]
    assert reel.stat().st_mtime_ns == made


def test_candidates_of_one_kind_name_their_screens(screens_store, screens_study):
    """Back and forth to two different screens of one task: two candidates, each saying on
    which screen it happens (its window title, or its place among the task's screens)."""
    from sessions import events
    store = screens_store
    screens = [(0.0, "home"), (5.0, "form"), (10.0, "home"), (15.0, "form"), (20.0, "error")]
    titled = _session(store, "P1", screens, _moves(0, 30) + [
        events.window(0.0, "Help center - Chromium", "Chromium"), events.window(4.9, "New ticket - Chromium", "Chromium"),
        events.window(9.9, "Help center - Chromium", "Chromium"), events.window(14.9, "New ticket - Chromium", "Chromium")],
        30.0)
    back = _by_kind(study_candidates(store, load_study(screens_study)), "back_and_forth")
    assert {c["screen"]["session_id"] for c in back} == {titled}
    titles = sorted(c["title"] for c in back)
    assert len(back) == 2 and len(set(titles)) == 2, titles
    assert titles == ["Back and forth between screens in “ticket” on ‘Help center’",
                      "Back and forth between screens in “ticket” on ‘New ticket’"]


def test_without_window_titles_screens_are_numbered(screens_store, screens_study):
    store = screens_store
    _session(store, "P1", [(0.0, "home"), (5.0, "form"), (10.0, "home"), (15.0, "form")], _moves(0, 20), 20.0)
    back = _by_kind(study_candidates(store, load_study(screens_study)), "back_and_forth")
    assert len(back) == 2 and len({c["title"] for c in back}) == 2
    assert all(c["screen_name"].startswith("screen ") for c in back)
