"""Each session read once and shared by every view, and the defects that came from reading
it several ways: two clicks at one instant, missing keyframe images, screens of different
sizes, a replaced screen image, pages that differ only a little; counted sessions only."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from analyzer.data.study_data import load_study_data
from analyzer.heatmap import hot_spot, render_heatmap, screen_states, task_clicks
from analyzer.report.render import render_report
from analyzer.summary import analyze_study
from analyzer.top_issues import find_issues
from sessions.errors import BadRequest
from sessions.events import Outcome, window
from sessions.recovery import open_writer
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.conftest import (
    DEVICE,
    HEIGHT,
    KEYFRAME_SCALE,
    SCREEN_CROPS,
    WIDTH,
    add_keyframe,
    click,
    draw_screen,
)
from tests.analyzer.test_report_content import build_study

UXLAB = Path(sys.executable).parent / "uxlab"


def _session(store: Store, name: str, clicks: list[tuple[float, int, int]], *, device: dict = DEVICE,
             group: str | None = None, keyframes=((0.5, "home"),)) -> str:
    sid = store.sessions.create(name, group=group, device=device)
    for t, kind in keyframes:
        add_keyframe(store, sid, t, kind)
    attempt = store.attempts.start(sid, "ticket", 1.0)
    store.attempts.end(attempt, 30.0, "failure")
    store.events.append(sid, sorted((e for t, x, y in clicks for e in click(t, x, y)), key=lambda e: e["t"]))
    store.sessions.update(sid, status="complete", duration=30.0)
    return sid


def test_two_clicks_at_the_same_instant_are_two_clicks_everywhere(screens_study, screens_store):
    _session(screens_store, "P01", [(5.0, 100, 100), (5.0, 900, 600)])
    study = load_study(screens_study)
    data = load_study_data(screens_store, study)
    result = analyze_study(screens_store, study, data=data)
    [attempt] = result["sessions"][0]["attempts"]
    assert attempt["clicks"] == 2 and attempt["dead_clicks"] == 2
    clicks = task_clicks(data, "ticket")
    assert sorted(zip(clicks.x.tolist(), clicks.y.tolist())) == [(100, 100), (900, 600)]
    for x, y in ((100, 100), (900, 600)):
        assert [(c["x"], c["y"]) for c in hot_spot(data, "ticket", x / WIDTH, y / HEIGHT)] == [(x, y)]
    [dead] = [i for i in find_issues(screens_store, study, result, data) if i["kind"] == "dead_clicks"]
    assert dead["occurrences"] == 2
    assert sorted((d["x"], d["y"]) for d in dead["details"]) == [(100, 100), (900, 600)]
    assert sorted(map(tuple, dead["points"])) == [(100 / WIDTH, 100 / HEIGHT), (900 / WIDTH, 600 / HEIGHT)]
    html = render_report(screens_store, study)
    assert "click at (100, 100)" in html and "click at (900, 600)" in html


def test_keyframes_whose_image_is_missing_never_form_one_state(screens_study, screens_store):
    sid = _session(screens_store, "P01", [(12.0, 300, 300), (22.0, 500, 500), (26.0, 520, 500)])
    folder = screens_store.media.session_dir(sid) / "keyframes"
    rows = []
    for t, kind in ((10.0, "form"), (20.0, "error")):
        image = cv2.resize(draw_screen(kind), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE)
        relative = f"keyframes/{t:09.3f}.jpg"
        cv2.imwrite(str(folder / Path(relative).name), image)
        rows.append({"t": t, "changed": 0.4, "keyframe": relative, "phash": None})   # no hash stored
    screens_store.frames.append(sid, rows)
    for row in rows:                                        # ... and the images are gone
        (folder / Path(row["keyframe"]).name).unlink()
    study = load_study(screens_study)
    data = load_study_data(screens_store, study)
    assert [k["phash"] is None for k in data.sessions[0].keyframes] == [False, True, True]
    states = screen_states(screens_store, study, "ticket")
    assert len(states) == 3, "home, and each missing image on its own"
    assert sorted(s["clicks"] for s in states) == [0, 1, 2]


def test_hot_spots_match_where_the_heatmap_draws_across_screen_sizes(screens_study, screens_store):
    big = {**DEVICE, "width": WIDTH * 2, "height": HEIGHT * 2, "keyframe_scale": KEYFRAME_SCALE / 2}
    small = _session(screens_store, "P01", [(5.0, WIDTH // 2, HEIGHT // 2)])
    large = _session(screens_store, "P02", [(5.0, WIDTH, HEIGHT)], device=big)
    study = load_study(screens_study)
    data = load_study_data(screens_store, study)
    near = hot_spot(data, "ticket", 0.5, 0.5)
    assert sorted((c["session_id"], c["x"], c["y"]) for c in near) == sorted(
        [(small, WIDTH // 2, HEIGHT // 2), (large, WIDTH, HEIGHT)])
    # both clicks are drawn at the middle of the picture: one hot spot, where the lookup finds them
    png = render_heatmap(screens_store, study, "ticket")
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    background = cv2.resize(draw_screen("home"), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE, interpolation=cv2.INTER_AREA)
    diff = np.abs(image.astype(int) - background).sum(axis=2)
    hot = np.unravel_index(diff.argmax(), diff.shape)
    assert abs(hot[0] - image.shape[0] / 2) <= 3 and abs(hot[1] - image.shape[1] / 2) <= 3
    # the radius is in each session's own pixels: 30 px from the middle of each screen
    assert len(hot_spot(data, "ticket", 0.5 + 10 / WIDTH, 0.5)) == 2     # 10 and 20 px away
    assert [c["session_id"] for c in hot_spot(data, "ticket", 0.5 + 20 / WIDTH, 0.5)] == [small]  # 20, 40


def test_a_replaced_screen_image_is_read_again(screens_study, screens_store):
    _session(screens_store, "P01", [], keyframes=((0.5, "home"), (10.0, "error")))
    study = load_study(screens_study)
    [attempt] = analyze_study(screens_store, study)["sessions"][0]["attempts"]
    assert len(attempt["error_screens"]) == 1
    x, y, w, h = SCREEN_CROPS["success"]      # the study's error screen now shows the success page
    cv2.imwrite(str(screens_study / "screens" / "error.png"), draw_screen("success")[y:y + h, x:x + w])
    [attempt] = analyze_study(screens_store, study)["sessions"][0]["attempts"]
    assert attempt["error_screens"] == []


def test_pages_that_differ_a_little_are_two_states_when_their_titles_differ(screens_study, screens_store):
    sid = screens_store.sessions.create("P01", device=DEVICE)
    add_keyframe(screens_store, sid, 0.5, "form")
    folder = screens_store.media.session_dir(sid) / "keyframes"
    step2 = draw_screen("form")
    cv2.putText(step2, "Step 2", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    small = cv2.resize(step2, None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "0010.000.jpg"), small)
    screens_store.frames.append(sid, [{"t": 10.0, "changed": 0.004, "keyframe": "keyframes/0010.000.jpg"}])
    attempt = screens_store.attempts.start(sid, "ticket", 1.0)
    screens_store.attempts.end(attempt, 30.0, "success")
    events = [window(0.6, "Step 1 - Chromium", "Chromium"), window(10.1, "Step 2 - Chromium", "Chromium")]
    screens_store.events.append(sid, events + click(5.0, 400, 400) + click(15.0, 400, 400))
    study = load_study(screens_study)
    states = screen_states(screens_store, study, "ticket")
    assert [(s["title"], s["clicks"]) for s in states] == [("Step 1", 1), ("Step 2", 1)]


# -- counted sessions ------------------------------------------------------------------


def _without_date(html: str) -> str:
    return re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "generated", html)


def _views(folder: Path) -> dict:
    store, study = Store(folder), load_study(folder)
    try:
        result = analyze_study(store, study)
        maps = {}
        for group in ("A", "B"):
            for state in screen_states(store, study, "ticket", group=group):
                maps[(group, state["index"])] = render_heatmap(store, study, "ticket", state["index"], group=group)
            maps[(group, None)] = render_heatmap(store, study, "ticket", group=group)
        return {"analysis": json.dumps(result, sort_keys=True), "heatmaps": maps,
                "states": screen_states(store, study, "ticket", group="A"),
                "report": _without_date(render_report(store, study))}
    finally:
        store.close()


def test_an_excluded_session_counts_as_if_it_had_never_been_recorded(screens_study, tmp_path):
    store = Store(screens_study)
    ids = build_study(store)
    store.close()
    deleted = tmp_path / "deleted"
    shutil.copytree(screens_study, deleted)
    before = _views(screens_study)
    store = Store(screens_study)
    store.db.execute("UPDATE sessions SET inclusion = 'excluded', inclusion_reason = 'no-show' WHERE id = ?",
                     [ids["P02"]])
    store.db.conn.commit()
    assert [s["participant"] for s in store.sessions.counted()] == ["P01", "P03", "P04", "P05", "P06"]
    assert len(store.sessions.all()) == 6, "kept and shown"
    store.close()
    Store(deleted).sessions.delete(ids["P02"], "researcher")
    excluded, gone = _views(screens_study), _views(deleted)
    assert excluded["analysis"] == gone["analysis"] and excluded["states"] == gone["states"]
    assert excluded["heatmaps"].keys() == gone["heatmaps"].keys()
    assert all(excluded["heatmaps"][k] == gone["heatmaps"][k] for k in gone["heatmaps"])
    assert excluded["report"] == gone["report"]
    assert before["analysis"] != excluded["analysis"] and before["report"] != excluded["report"]
    text = [re.sub(r'data:[^"]+', "", views["report"]) for views in (before, excluded)]
    assert "P02" in text[0] and "P02" not in text[1]


def test_heatmaps_are_drawn_per_design_group(screens_study, screens_store):
    _session(screens_store, "P01", [(5.0, 100, 100)], group="A")
    _session(screens_store, "P02", [(5.0, 900, 600)], group="B")
    study = load_study(screens_study)
    with pytest.raises(BadRequest, match="2 design groups"):
        render_heatmap(screens_store, study, "ticket")
    with pytest.raises(BadRequest, match="no counted sessions in group 'C'"):
        render_heatmap(screens_store, study, "ticket", group="C")
    states = screen_states(screens_store, study, "ticket")
    assert sorted((s["group"], s["clicks"]) for s in states) == [("A", 1), ("B", 1)], "one page, two designs"
    for group, (x, y) in (("A", (100, 100)), ("B", (900, 600))):
        image = cv2.imdecode(np.frombuffer(render_heatmap(screens_store, study, "ticket", group=group), np.uint8),
                             cv2.IMREAD_COLOR)
        background = cv2.resize(draw_screen("home"), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE,
                                interpolation=cv2.INTER_AREA)
        diff = np.abs(image.astype(int) - background).sum(axis=2)
        hot = np.unravel_index(diff.argmax(), diff.shape)
        assert abs(hot[1] - x * KEYFRAME_SCALE) <= 3 and abs(hot[0] - y * KEYFRAME_SCALE) <= 3


# -- interrupted attempts ----------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_attempt_the_recorder_lost_is_interrupted_and_counted_apart(screens_study, screens_store):
    done = _session(screens_store, "P01", [])
    second = screens_store.attempts.start(done, "ticket", 40.0)
    screens_store.attempts.end(second, 50.0, "success")
    crashed = screens_store.sessions.create("P02", device=DEVICE)
    add_keyframe(screens_store, crashed, 0.5, "home")
    screens_store.attempts.start(crashed, "ticket", 1.0)
    screens_store.events.append(crashed, click(4.0, 10, 10))
    screens_store.sessions.update(crashed, pid=_dead_pid())
    store = open_writer(screens_study)                     # a writer opening the study recovers it
    [attempt] = store.attempts.all(crashed)
    assert attempt["outcome"] == Outcome.INTERRUPTED and attempt["ended"] >= 4.0
    study = load_study(screens_study)
    result = analyze_study(store, study)
    ticket = result["tasks"][0]
    assert (ticket["attempts"], ticket["interrupted"], ticket["successes"]) == (2, 1, 1)
    assert ticket["completion"]["estimate"] == pytest.approx(0.5) and ticket["abandonment_rate"] == 0.0
    table = subprocess.run([str(UXLAB), "analyze", str(screens_study)], capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert re.search(r"^ticket\s+2\s+1\s", table.stdout, re.M) and "interrupted by a recorder failure" in table.stdout
    html = render_report(store, study)
    assert "1 attempt interrupted by the recorder, not counted" in html
    assert '<span class="outcome interrupted">interrupted</span>' in html
