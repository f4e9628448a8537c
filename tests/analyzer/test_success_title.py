"""Success defined by the window title (`success_title`), on a real study folder."""
from __future__ import annotations

from analyzer.summary import analyze_sessions
from sessions.events import window
from sessions.store import Store
from sessions.study import load_study
from tests.conftest import MINIMAL_STUDY, write_study


def test_a_matching_window_title_marks_the_success_moment(tmp_path):
    text = MINIMAL_STUDY.replace('prompt = "Do the first thing."',
                                 'prompt = "Do the first thing."\nsuccess_title = "thank\\\\s+you"')
    folder = write_study(tmp_path / "study", text)
    study = load_study(folder)
    assert study.task("first").success_title.pattern == "thank\\s+you"
    store = Store(folder)
    sid = store.sessions.create("P1")
    first = store.attempts.start(sid, "first", 1.0)
    store.attempts.end(first, 9.0, "failure")
    second = store.attempts.start(sid, "second", 10.0)
    store.attempts.end(second, 20.0, "success")
    store.events.append(sid, [window(0.5, "Thank you - Portal"),          # before the attempt
                              window(2.0, "Ticket form - Portal"),
                              window(6.5, "THANK  YOU for your ticket - Portal"),
                              window(12.0, "Thank you - Portal")])        # the other task has no rule
    [session] = analyze_sessions(store, study)
    by_task = {a["task"]: a for a in session["attempts"]}
    assert by_task["first"]["success_screen_seen"] == 6.5
    assert by_task["first"]["disagreement"] is not None   # the moderator said failure
    assert by_task["second"]["success_screen_seen"] is None
