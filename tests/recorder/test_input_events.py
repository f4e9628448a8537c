"""From raw input to stored events: hotkeys act and leave no trace, lone modifiers are
kept, shortcuts are combinations, pauses drop input, every event knows its task."""
from __future__ import annotations

import queue

import pytest

from recorder.clock import SessionClock
from recorder.input_events import InputProcessor, KeyboardState
from recorder.keys import KeyStroke
from recorder.tasks import TaskRunner
from sessions import events
from sessions.study import DEFAULT_HOTKEYS, load_study

CTRL, ALT, SHIFT = KeyStroke("ctrl_l", None, 1), KeyStroke("alt_l", None, 2), KeyStroke("shift", None, 3)
N, C = KeyStroke(None, "n", 10), KeyStroke(None, "c", 11)


@pytest.fixture
def processor(store, study_dir):
    clock = SessionClock()
    runner = TaskRunner(load_study(study_dir), store, store.sessions.create("P1", consent=True), clock)
    emitted = []
    p = InputProcessor(queue.SimpleQueue(), clock, runner, emitted.extend, hotkeys=DEFAULT_HOTKEYS,
                       keystrokes="redacted", prompt_rect=lambda: (900, 10, 300, 100))
    p.base, p.emitted = clock.started_mono, emitted
    return p


def feed(p, *items):
    rows = []
    for kind, t, *args in items:
        rows.extend(p.handle((kind, p.base + t, *args)))
    return rows


def test_a_hotkey_runs_its_action_and_stores_no_key(processor):
    rows = feed(processor, ("key", 1.0, True, CTRL), ("key", 1.1, True, ALT), ("key", 1.2, True, N),
                ("key", 1.3, False, N), ("key", 1.4, False, ALT), ("key", 1.5, False, CTRL))
    assert rows == []
    # 1.2 + 1e-6: base + 1.2 - base is 1.2 only up to the float rounding of the base
    assert processor.runner.task_at(1.2 + 1e-6) == "first" and processor.runner.task_at(1.19) is None


def test_a_lone_modifier_is_stored_at_its_press_and_a_shortcut_as_its_combination():
    keys = KeyboardState(DEFAULT_HOTKEYS, "redacted")
    assert keys.press(1.0, SHIFT) == (None, [])
    assert keys.release(1.2, SHIFT) == [events.key(1.0, "modifier")]
    keys.press(2.0, CTRL)
    assert keys.press(2.1, C)[1][0]["key"] == "ctrl+c"
    assert keys.release(2.3, CTRL) == []  # part of the shortcut, not a lone press


def test_release_pairs_with_press_by_key_code():
    keys = KeyboardState(DEFAULT_HOTKEYS, "redacted")
    keys.press(1.0, KeyStroke("ctrl_l", None, 50))
    keys.release(1.1, KeyStroke("ctrl_r", None, 51))  # another key: ctrl_l is still held
    assert keys.press(1.2, C)[1][0]["key"] == "ctrl+c"


def test_clicks_on_the_prompt_window_are_marked_and_events_carry_their_task(processor):
    feed(processor, ("key", 0.9, True, CTRL), ("key", 0.9, True, ALT), ("key", 1.0, True, N))
    rows = feed(processor, ("click", 2.0, 100, 200, "left", True), ("click", 2.1, 950, 50, "left", True),
                ("scroll", 2.2, 10, 20, 0, -1))
    assert [(r["kind"], r["x"], r["y"], r["target"], r["task"]) for r in rows] == [
        ("click", 100, 200, None, "first"), ("click", 950, 50, "prompt", "first"),
        ("scroll", 10, 20, None, "first")]
    assert rows[-1]["dy"] == -1


def test_pointer_moves_are_sampled_at_most_30_per_second(processor):
    rows = feed(processor, *[("move", 1.0 + i * 0.005, i, i) for i in range(100)])  # 200 Hz for 0.5 s
    assert 14 <= len(rows) <= 16
    assert all(b["t"] - a["t"] >= 1 / 30 for a, b in zip(rows, rows[1:]))


def test_nothing_is_stored_while_paused_nor_before_the_session_started(processor):
    processor.runner.pause(t=1.0)
    rows = feed(processor, ("click", -0.1, 1, 1, "left", True), ("click", 1.5, 2, 2, "left", True),
                ("key", 1.6, True, C), ("window", 1.7, "Secret", "mail"))
    processor.runner.pause(t=2.0)
    rows += feed(processor, ("click", 2.5, 3, 3, "left", True))
    assert [(r["kind"], r["x"]) for r in rows] == [("click", 3)]


def test_the_processor_thread_drains_the_queue_in_order(processor):
    processor.start()
    for i in range(500):
        processor.raw.put(("click", processor.base + i * 0.001, i, 0, "left", True))
    processor.stop()
    assert [r["x"] for r in processor.emitted] == list(range(500))
    assert processor.count == 500


def test_a_store_error_in_a_hotkey_action_is_said_and_input_goes_on(processor, store):
    """A real SQLite error (a trigger refuses the attempt) must not kill the input thread."""
    store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON attempts "
                     "BEGIN SELECT RAISE(ABORT, 'the attempt cannot be stored'); END")
    said = []
    processor.say = said.append
    processor.start()
    put = processor.raw.put
    for t, item in ((1.0, (True, CTRL)), (1.05, (True, ALT)), (1.1, (True, N))):
        put(("key", processor.base + t, *item))
    for i in range(5):
        put(("click", processor.base + 2 + i * 0.1, i, 0, "left", True))
    processor.stop()
    assert [r["x"] for r in processor.emitted] == [0, 1, 2, 3, 4]
    assert len(said) == 1 and "next_task was not saved" in said[0], said
    assert processor.runner.task_at(1.5) is None  # no task was started when its attempt was refused
    store.db.execute("DROP TRIGGER refuse")
    assert processor.runner.next_task(t=3.0).id == "first"  # the runner was left consistent
