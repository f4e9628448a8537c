"""The task runner on a real store: attempts, outcomes, time limits, pauses, markers."""
from __future__ import annotations

import pytest

from recorder.clock import SessionClock
from recorder.tasks import ActionError, TaskRunner
from sessions.study import load_study
from tests.conftest import write_study

LIMITED = """
title = "Limits"
[[task]]
id = "quick"
prompt = "Be quick."
time_limit = 10
[[task]]
id = "slow"
prompt = "Take your time."
"""


@pytest.fixture
def runner(store, study_dir):
    session = store.sessions.create("P1", consent=True)
    states = []
    r = TaskRunner(load_study(study_dir), store, session, SessionClock(), on_state=states.append)
    r.states = states
    return r


def test_tasks_run_in_script_order_with_their_outcomes(runner, store):
    assert runner.next_task(t=1.0).id == "first"
    runner.success(t=4.5)
    runner.next_task(t=5.0)
    runner.gave_up(t=9.0)
    attempts = store.attempts.all(runner.session_id)
    assert [(a["task"], a["seq"], a["started"], a["ended"], a["outcome"]) for a in attempts] == [
        ("first", 1, 1.0, 4.5, "success"), ("second", 2, 5.0, 9.0, "gave_up")]
    with pytest.raises(ActionError, match="all tasks"):
        runner.next_task(t=10.0)


def test_actions_that_do_not_apply_are_refused_and_change_nothing(runner, store):
    with pytest.raises(ActionError, match="no task"):
        runner.success(t=1.0)
    runner.next_task(t=1.0)
    with pytest.raises(ActionError, match="still running"):
        runner.next_task(t=2.0)
    with pytest.raises(ActionError, match="unknown action"):
        runner.perform("explode")
    assert len(store.attempts.all(runner.session_id)) == 1


def test_the_timeline_answers_which_task_ran_when(runner):
    runner.next_task(t=1.0)
    runner.failure(t=3.0)
    runner.next_task(t=5.0)
    assert [runner.task_at(t) for t in (0.5, 1.0, 2.9, 3.0, 4.0, 5.0, 99.0)] == [
        None, "first", "first", None, None, "second", "second"]


def test_paused_time_is_kept_out_of_time_on_task(runner, store):
    runner.next_task(t=1.0)
    runner.pause(t=2.0)
    assert runner.paused_at(2.5) and not runner.paused_at(1.9)
    runner.pause(t=5.0)
    assert not runner.paused_at(5.0)
    runner.success(t=7.0)
    [attempt] = store.attempts.all(runner.session_id)
    assert attempt["paused"] == 3.0
    assert attempt["ended"] - attempt["started"] - attempt["paused"] == 3.0
    kinds = [(m["kind"], m["t"], m["attempt_id"]) for m in store.markers.all(runner.session_id)]
    assert kinds == [("pause", 2.0, attempt["id"]), ("resume", 5.0, attempt["id"])]


def test_a_task_past_its_limit_ends_timed_out_at_the_limit_not_later(tmp_path, store):
    study = load_study(write_study(tmp_path / "limited", LIMITED))
    runner = TaskRunner(study, store, store.sessions.create("P2", consent=True), SessionClock())
    runner.next_task(t=1.0)
    runner.pause(t=3.0)
    runner.pause(t=5.0)                       # 2 s paused: the limit moves to t = 13
    assert not runner.check_time_limit(12.9)
    assert runner.check_time_limit(13.4)
    [attempt] = store.attempts.all(runner.session_id)
    assert (attempt["outcome"], attempt["ended"], attempt["paused"]) == ("timed_out", 13.0, 2.0)


def test_ending_the_session_abandons_the_running_task_and_closes_a_pause(runner, store):
    runner.next_task(t=1.0)
    runner.pause(t=2.0)
    assert runner.end(t=4.0) == 4.0
    [attempt] = store.attempts.all(runner.session_id)
    assert (attempt["outcome"], attempt["ended"], attempt["paused"]) == ("abandoned", 4.0, 2.0)
    assert runner.ended.is_set() and runner.end() == 4.0
    with pytest.raises(ActionError, match="ended"):
        runner.next_task()


def test_errors_and_markers_belong_to_the_running_attempt(runner, store):
    runner.marker("before", t=0.5)
    runner.next_task(t=1.0)
    runner.perform("error", text="wrong menu", t=2.0)
    markers = store.markers.all(runner.session_id)
    attempt_id = store.attempts.all(runner.session_id)[0]["id"]
    assert [(m["kind"], m["text"], m["attempt_id"]) for m in markers] == [
        ("marker", "before", None), ("error", "wrong menu", attempt_id)]


def test_every_change_is_published_for_the_prompt_and_live_sinks(runner):
    runner.next_task(t=1.0)
    runner.pause(t=2.0)
    assert runner.states[0]["task"] == "first" and runner.states[0]["prompt"] == "Do the first thing."
    assert runner.states[-1]["paused"] is True
