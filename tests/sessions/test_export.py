"""Export of a study's timeline: 100k events in both formats, merged with tasks and markers."""
from __future__ import annotations

import csv
import io
import json

import pytest

from sessions import events
from sessions.export import EXPORT_COLUMNS, study_timeline, write_rows

N = 100_000


@pytest.fixture
def big_session(store):
    sid = store.sessions.create("P01")
    store.events.append(sid, (events.click(i * 0.01, i % 1920, i % 1080, task="first") if i % 10 == 0
                              else events.move(i * 0.01, i % 1920, i % 1080, task="first") for i in range(N)))
    a = store.attempts.start(sid, "first", 0.005)
    store.markers.add(sid, 250.005, "error", text="wrong menu", attempt_id=a)
    store.markers.add(sid, 260.0, "error", status="pending")  # an unconfirmed flag is not exported
    store.attempts.end(a, 500.005, "success")
    return sid


def test_jsonl_export_of_100k_events(store, big_session):
    out = io.StringIO()
    assert write_rows(study_timeline(store), out, "jsonl") == N + 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows)
    assert rows[0] == {"session": big_session, "t": 0.0, "kind": "click", "x": 0, "y": 0, "button": "left",
                       "pressed": 1, "task": "first"}
    assert rows[1]["kind"] == "task_start" and rows[1]["task"] == "first"
    ends = [r for r in rows if r["kind"] == "task_end"]
    assert ends == [{"session": big_session, "t": 500.005, "kind": "task_end", "task": "first", "outcome": "success"}]
    errors = [r for r in rows if r["kind"] == "error"]
    assert errors == [{"session": big_session, "t": 250.005, "kind": "error", "text": "wrong menu",
                       "task": "first"}]
    moves = [r for r in rows if r["kind"] == "move"]
    assert len(moves) == N - N // 10 and "button" not in moves[0]


def test_csv_export_of_100k_events(store, big_session, tmp_path):
    path = tmp_path / "events.csv"
    with open(path, "w", newline="") as out:
        assert write_rows(study_timeline(store), out, "csv") == N + 3
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == EXPORT_COLUMNS
        rows = list(reader)
    assert len(rows) == N + 3
    clicks = [r for r in rows if r["kind"] == "click"]
    assert len(clicks) == N // 10
    assert clicks[5]["x"] == "50" and clicks[5]["button"] == "left" and clicks[5]["outcome"] == ""
    assert float(rows[-1]["t"]) == pytest.approx((N - 1) * 0.01)


def test_unknown_format_is_refused(store):
    with pytest.raises(ValueError, match="unknown export format"):
        write_rows(iter(()), io.StringIO(), "xml")


def test_a_press_and_its_release_are_one_click(store):
    sid = store.sessions.create("P1")
    store.events.append(sid, [
        {"t": 1.0, "kind": "click", "x": 5, "y": 5, "button": "left", "pressed": 1},
        {"t": 1.1, "kind": "click", "x": 5, "y": 5, "button": "left", "pressed": 0},
        {"t": 2.0, "kind": "key", "key": "letter", "pressed": 1},
        {"t": 2.1, "kind": "key", "key": "letter", "pressed": 0},
        {"t": 3.0, "kind": "scroll", "x": 5, "y": 5, "dx": 0, "dy": -1}])
    out = io.StringIO()
    write_rows(study_timeline(store), out, "csv")
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert kinds == ["click", "key", "scroll"]
