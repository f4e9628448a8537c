"""Per-attempt, per-task and per-study measures of constructed sessions (answers known)."""
from __future__ import annotations

import json
import math

import pytest

from analyzer import stats
from analyzer.summary import analyze_study
from sessions.errors import BadRequest
from sessions.study import load_study
from tests.analyzer.conftest import DEVICE, add_keyframe, click


def build_p01(store) -> str:
    """P01 (group A): one successful 'ticket' attempt full of known trouble, one 'search' given up."""
    sid = store.sessions.create("P01", group="A", device=DEVICE)
    ticket = store.attempts.start(sid, "ticket", 10.0)
    store.attempts.end(ticket, 40.0, "success", paused=5.0)
    search = store.attempts.start(sid, "search", 50.0)
    store.attempts.end(search, 70.0, "gave_up")
    for t, kind in ((2.0, "home"), (22.0, "form"), (28.0, "error"), (31.0, "form"), (35.0, "success")):
        add_keyframe(store, sid, t, kind)
    store.frames.append(sid, [{"t": 12.5, "changed": 0.02}, {"t": 20.2, "changed": 0.00001},
                              {"t": 25.4, "changed": 0.01}])
    events = [{"t": 10.5, "kind": "move", "x": 0, "y": 0}, {"t": 11.0, "kind": "move", "x": 60, "y": 80}]
    events += click(12.0, 60, 80)                                  # first click, inside the target
    events += click(15.0, 1000, 700, target="prompt")              # on the task prompt: not counted
    events += [{"t": 19.0, "kind": "move", "x": 500, "y": 500}]
    events += click(20.0, 500, 500) + click(20.3, 505, 500) + click(20.6, 500, 505)   # rage, dead
    events += click(25.0, 700, 300)                                 # answered by the 25.4 frame
    events += [{"t": 26.0 + i / 10, "kind": "key", "key": "letter", "pressed": 1} for i in range(5)]
    events += click(33.0, 700, 300)                                 # dead: next change at 35
    events += [{"t": 55.0, "kind": "key", "key": "letter", "pressed": 1}]
    store.events.append(sid, sorted(events, key=lambda e: e["t"]))
    store.markers.add(sid, 27.0, "error", attempt_id=ticket)
    store.markers.add(sid, 28.0, "error", attempt_id=ticket, status="pending")
    store.markers.add(sid, 29.0, "error", attempt_id=ticket, status="dismissed")
    store.markers.add(sid, 45.0, "error")                             # between tasks
    store.answers.add(sid, "seq", {"1": 6}, attempt_id=ticket)
    store.answers.add(sid, "sus", dict(zip((str(i) for i in range(1, 11)), [5, 4, 2, 1, 2, 3, 2, 4, 5, 2])))
    store.answers.add(sid, "umux_lite", {"1": 6, "2": 5})
    store.answers.add(sid, "nps", {"1": 9})
    store.sessions.update(sid, status="complete", duration=80.0)
    return sid


def build_p02(store) -> str:
    """P02 (group B): the success screen appears, but the moderator marks a failure."""
    sid = store.sessions.create("P02", group="B", device=DEVICE)
    ticket = store.attempts.start(sid, "ticket", 0.0)
    store.attempts.end(ticket, 30.0, "failure")
    add_keyframe(store, sid, 1.0, "home")
    add_keyframe(store, sid, 10.0, "success")
    store.events.append(sid, click(3.0, 600, 600))
    store.answers.add(sid, "seq", {"1": 3}, attempt_id=ticket)
    store.answers.add(sid, "sus", {str(i): 3 for i in range(1, 11)})
    store.answers.add(sid, "nps", {"1": 4})
    store.sessions.update(sid, status="complete", duration=40.0)
    return sid


@pytest.fixture
def analysis(screens_study, screens_store):
    p01, p02 = build_p01(screens_store), build_p02(screens_store)
    calls = []
    result = analyze_study(screens_store, load_study(screens_study), progress=lambda d, n: calls.append((d, n)))
    assert calls == [(1, 2), (2, 2)]
    return result, p01, p02


def test_attempt_measures_of_a_known_session(analysis):
    result, p01, _ = analysis
    session = next(s for s in result["sessions"] if s["id"] == p01)
    assert (session["participant"], session["group"], session["status"]) == ("P01", "A", "complete")
    ticket, search = session["attempts"]
    assert ticket["outcome"] == "success" and ticket["time"] == pytest.approx(25.0)
    # the moderator logged the error (27 s) as the error screen appeared (28 s): one error, not two
    assert ticket["moderator_errors"] == 1 and ticket["error_screens"] == [28.0] and ticket["errors"] == 1
    assert ticket["clicks"] == 6 and ticket["keystrokes"] == 5
    assert ticket["rage_clicks"] == 1 and ticket["rage_bursts"][0]["clicks"] == 3
    assert ticket["dead_clicks"] == 4 and ticket["dead_click_times"] == [20.0, 20.3, 20.6, 33.0]
    expected = 100 + math.hypot(440, 420) + 5 + math.hypot(5, 5) + math.hypot(200, 205)
    assert ticket["mouse_distance"] == pytest.approx(expected, abs=0.1)
    assert ticket["screens_visited"] == 4            # home (on screen at the start), form, error, success
    assert ticket["first_click"] == {"t": 2.0, "x": 60, "y": 80, "hit": True}
    assert ticket["success_screen_seen"] == 35.0 and ticket["disagreement"] is None
    assert ticket["seq_rating"] == 6
    assert search["outcome"] == "gave_up" and search["keystrokes"] == 1 and search["clicks"] == 0
    assert search["first_click"] is None and search["errors"] == 0


def test_a_success_screen_the_moderator_did_not_mark_is_a_disagreement(analysis):
    result, _, p02 = analysis
    (attempt,) = next(s for s in result["sessions"] if s["id"] == p02)["attempts"]
    assert attempt["outcome"] == "failure", "the moderator's outcome is never overridden"
    assert attempt["success_screen_seen"] == 10.0
    assert attempt["disagreement"] == "success_screen_seen_not_marked"
    assert attempt["first_click"]["hit"] is False


def test_task_summary(analysis):
    result, _, _ = analysis
    ticket, search = result["tasks"]
    assert (ticket["id"], ticket["attempts"], ticket["successes"]) == ("ticket", 2, 1)
    assert ticket["completion"] == stats.completion_interval(1, 2).as_dict()
    assert ticket["time_success"]["estimate"] == pytest.approx(25.0) and ticket["time_success"]["low"] is None
    assert ticket["time_all"] == stats.time_interval([25.0, 30.0]).as_dict()
    assert ticket["median_time"] == 25.0
    assert ticket["errors_per_attempt"] == 0.5        # (1 + 0) / 2
    assert ticket["abandonment_rate"] == 0.0
    assert ticket["seq"]["estimate"] == 4.5 and ticket["seq"]["n"] == 2
    assert ticket["first_click_success"]["estimate"] == 0.5
    assert ticket["success_after_first_click"] == {"hit": {"attempts": 1, "successes": 1},
                                                   "missed": {"attempts": 1, "successes": 0}}
    assert search["success_after_first_click"] is None
    # P02's only click (3 s) waited until the 10 s keyframe: dead too
    assert (ticket["rage_clicks"], ticket["dead_clicks"], ticket["disagreements"]) == (1, 5, 1)
    assert search["abandonment_rate"] == 1.0 and search["completion"]["estimate"] == 0.0
    assert search["time_success"] is None and search["seq"] is None


def test_questionnaires(analysis):
    result, p01, p02 = analysis
    q = result["questionnaires"]
    assert q["sus"]["scores"] == {p01: 55.0, p02: 50.0}
    assert q["sus"]["mean"] == 52.5 and q["sus"]["grade"] == "D"
    assert q["sus"]["percentile"] == round(stats.sus_percentile(52.5))  # one rounding everywhere
    assert q["umux_lite"]["n"] == 1 and q["umux_lite"]["mean"] == pytest.approx(75.0)
    assert q["umux_lite"]["sus_equivalent"] == pytest.approx(71.65)
    assert q["nps"] == {"n": 2, "score": 0.0, "promoters": 1, "passives": 0, "detractors": 1}


def test_two_groups_are_compared_and_everything_is_json(analysis):
    result, _, _ = analysis
    comparison = result["comparison"]
    assert comparison["groups"] == ["A", "B"]
    ticket = comparison["tasks"][0]
    assert ticket["completion"]["A"] == {"successes": 1, "n": 1, "rate": 1.0}
    assert ticket["completion"]["p"] == pytest.approx(stats.compare_completion(1, 1, 0, 1))
    assert ticket["time"] is None, "one successful time per group is not enough for Welch's t"
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["tasks"][0]["id"] == "ticket"


def test_bad_group_names_are_refused(screens_study, screens_store):
    build_p01(screens_store)
    study = load_study(screens_study)
    with pytest.raises(BadRequest, match="no sessions in group 'Z'"):
        analyze_study(screens_store, study, groups=["A", "Z"])
    with pytest.raises(BadRequest, match="two different groups"):
        analyze_study(screens_store, study, groups=["A"])
    assert analyze_study(screens_store, study)["comparison"] is None


def test_an_empty_study(store, study_dir):
    result = analyze_study(store, load_study(study_dir))
    assert [t["attempts"] for t in result["tasks"]] == [0, 0]
    assert result["tasks"][0]["completion"] is None
    assert result["questionnaires"] == {"sus": None, "umux_lite": None, "nps": None, "csat": None, "ces": None}
    assert result["sessions"] == [] and result["comparison"] is None


def test_an_answer_off_the_scale_is_a_clear_error_naming_the_session(screens_study, screens_store):
    sid = screens_store.sessions.create("P07")
    screens_store.answers.add(sid, "sus", {str(i): (6 if i == 3 else 3) for i in range(1, 11)})
    with pytest.raises(BadRequest, match=f"session {sid}: SUS item 3 must be between 1 and 5"):
        analyze_study(screens_store, load_study(screens_study))


def test_keyframe_scale_is_inferred_when_the_device_lacks_it(screens_study, screens_store):
    device = {k: v for k, v in DEVICE.items() if k != "keyframe_scale"}
    sid = screens_store.sessions.create("P08", device=device)
    attempt = screens_store.attempts.start(sid, "ticket", 0.0)
    screens_store.attempts.end(attempt, 20.0, "failure")
    add_keyframe(screens_store, sid, 5.0, "success")
    (session,) = analyze_study(screens_store, load_study(screens_study))["sessions"]
    assert session["attempts"][0]["success_screen_seen"] == 5.0


def test_logged_errors_absorb_only_the_error_screens_beside_them():
    from analyzer.attempts import count_errors
    assert count_errors([27.0], [28.0], 5.0) == 1          # the same error, seen by both
    assert count_errors([10.0], [28.0], 5.0) == 2          # two different errors
    assert count_errors([27.0], [24.0, 28.0], 5.0) == 2    # one logged error explains one screen
    assert count_errors([], [3.0, 9.0], 5.0) == 2 and count_errors([1.0, 2.0], [], 5.0) == 2


def test_rating_intervals_stop_at_the_ends_of_their_scale():
    from analyzer.questionnaires import rating_interval
    wide = stats.mean_interval([2, 6])                      # t(1) makes this -21.4 .. 29.4
    assert wide.low < 1 and wide.high > 7
    clipped = rating_interval([2, 6], 1, 7)
    assert (clipped.estimate, clipped.low, clipped.high) == (4.0, 1, 7)
    inside = rating_interval([60, 62, 65, 70, 72], 0, 100)  # far from the ends: unchanged
    assert inside == stats.mean_interval([60, 62, 65, 70, 72])
