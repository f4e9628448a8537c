"""The contract module itself: constructors make events the store takes, one predicate for a
product press (and its SQL twin agrees with it), and the constants served to the browser."""
from __future__ import annotations

import json
import sqlite3

import pytest

from sessions import events
from sessions.errors import BadRequest
from sessions.events import (
    EVENT_FIELDS,
    EVENT_KINDS,
    PRESS_SQL,
    PROMPT_TARGET,
    REPLAY_COLUMNS,
)


def test_every_constructor_makes_an_event_of_its_kind_with_contract_fields_only():
    made = [events.click(1.0, 1, 2), events.scroll(1.0, 1, 2, 0, -1), events.move(1.0, 1, 2),
            events.key(1.0, "letter", "a"), events.window(1.0, "Title", "app"), events.screen(1.0, "home"),
            events.page_click(1.0, 1, 2, "http://a.test/", {"tag": "a", "page": [0, 0, 9, 9]}),
            events.page_scroll(1.0, "http://a.test/", 0, 400, 0, 400), events.viewport(1.0, "http://a.test/", 800, 600),
            events.page_url(1.0, "http://a.test/x", "X", "push"), events.field(1.0, "http://a.test/", {"tag": "input"})]
    assert sorted(e["kind"] for e in made) == sorted(EVENT_KINDS)
    for event in made:
        events.check_event(event)
        assert set(event) <= set(EVENT_FIELDS), event


@pytest.mark.parametrize("bad", [{"t": 1.0, "kind": "tap"}, {"t": 1.0}, {"t": -1.0, "kind": "click"},
                                 {"t": float("nan"), "kind": "key"}, {"t": float("inf"), "kind": "key"},
                                 {"t": True, "kind": "key"}, ["click"]])
def test_check_event_refuses_what_the_contract_does_not_define(bad):
    with pytest.raises(events.UnknownKind) as refused:
        events.check_event(bad)
    assert isinstance(refused.value, BadRequest) and not isinstance(refused.value, ValueError)


def test_a_product_press_is_a_click_press_off_the_prompt_window():
    assert events.is_product_press("click", 1, None)
    assert events.is_product_press("click", None, "button")
    assert not events.is_product_press("click", 0, None)          # a release
    assert not events.is_product_press("click", 1, PROMPT_TARGET)  # on uxlab's own window
    assert not events.is_product_press("key", 1, None)


@pytest.mark.parametrize("pressed", [None, 0, 1, 2])
def test_the_sql_press_filter_agrees_with_is_press(pressed):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE events (pressed INTEGER)")
    db.execute("INSERT INTO events VALUES (?)", [pressed])
    assert bool(db.execute(f"SELECT count(*) FROM events WHERE {PRESS_SQL}").fetchone()[0]) \
        == events.is_press(pressed)


def test_the_browser_constants_are_json_and_name_every_kind_and_column():
    constants = json.loads(json.dumps(events.js_constants()))
    assert sorted(constants["eventKind"].values()) == sorted(EVENT_KINDS)
    assert constants["replayColumns"] == {k: list(v) for k, v in REPLAY_COLUMNS.items()}
    assert constants["liveNamespace"] == events.LIVE_NAMESPACE
    assert constants["action"]["MARKER"] == events.Action.MARKER


def test_keyframe_names_sort_by_time():
    names = [events.keyframe_name(t) for t in (2.5, 10.0, 100.25)]
    assert names == sorted(names) and names[0].startswith(events.KEYFRAME_DIR + "/")
