"""Web app speed: the sessions list with 10,000 sessions and the replay page's data for a
one-hour session, each beside a reference run in the same process (the bare SQL the page
cannot avoid), so the table shows what the web layer adds.

Run: .venv/bin/python bench/web.py     Targets: p95 ≤ 50 ms (list), ≤ 300 ms (replay data).
`--quick` is the test suite's smoke run: 500 sessions, a 5-minute session, a tenth of the runs.
"""
from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sessions import events as ev
from sessions.events import (
    VIDEO_FILE,
    EventKind,
    MarkerKind,
    Outcome,
    Role,
    SessionStatus,
    keyframe_name,
)
from sessions.store import Store
from web import create_app
from web.auth.accounts import add_user

STUDY = """title = "Bench study"
[[task]]
id = "first"
prompt = "Do the first thing."
[[task]]
id = "second"
prompt = "Do the second thing."
"""
SESSIONS = 10_000
HOUR = 3600.0


def fill_sessions(store: Store, count: int = SESSIONS) -> None:
    rng = random.Random(1)
    for i in range(count):
        sid = store.sessions.create(f"P{i:05d}", group=rng.choice("AB"), started_at=1.7e9 + i * 600)
        store.sessions.update(sid, status=rng.choice([SessionStatus.COMPLETE, SessionStatus.COMPLETE,
                                                     SessionStatus.ABORTED]),
                              duration=rng.uniform(300, 3600))
        for task in ("first", "second"):
            a = store.attempts.start(sid, task, 10.0)
            store.attempts.end(a, 60.0, rng.choice([Outcome.SUCCESS, Outcome.FAILURE, Outcome.GAVE_UP]))


def fill_hour(store: Store, hour: float = HOUR) -> str:
    """One hour as the recorder leaves it: 30 Hz moves, a click every second, typing,
    scrolling, focus changes, a frame log at 10 fps with a keyframe every 6 s."""
    rng = random.Random(2)
    sid = store.sessions.create("hour", device={"width": 1920, "height": 1080, "video": VIDEO_FILE})
    events = [ev.move(i / 30, rng.randrange(1920), rng.randrange(1080)) for i in range(int(hour * 30))]
    for i in range(int(hour)):
        x, y = rng.randrange(1920), rng.randrange(1080)
        events += [ev.click(i + 0.3, x, y), ev.click(i + 0.38, x, y, pressed=False),
                   ev.key(i + 0.5, "letter"), ev.key(i + 0.6, "letter")]
        if i % 2 == 0:
            events.append(ev.scroll(i + 0.7, x, y, 0, -1))
        if i % 60 == 0:
            events.append(ev.window(i + 0.9, f"Window {i}", "app"))
    events.sort(key=lambda e: e["t"])
    store.events.append(sid, events)
    store.frames.append(sid, [{"t": i / 10, "changed": rng.random() * 0.05,
                               "keyframe": keyframe_name(i / 10) if i % 60 == 0 else None}
                              for i in range(int(hour * 10))])
    for k in range(int(hour // 120)):
        a = store.attempts.start(sid, "first" if k % 2 else "second", k * 120.0)
        store.attempts.end(a, k * 120.0 + 100, Outcome.SUCCESS)
        store.markers.add(sid, k * 120.0 + 50, MarkerKind.ERROR, text="wrong turn", attempt_id=a)
        store.notes.add(sid, k * 120.0 + 60, "a note", "bench", tags=["x"])
    store.sessions.update(sid, status=SessionStatus.COMPLETE, duration=hour)
    return sid


def timed(fn, runs: int) -> list[float]:
    fn()  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500 sessions, a 5-minute session")
    args = parser.parse_args()
    count, length = (500, 300.0) if args.quick else (SESSIONS, HOUR)
    runs = (lambda n: max(3, n // 10)) if args.quick else (lambda n: n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "study.toml").write_text(STUDY)
        store = Store(folder)
        t0 = time.perf_counter()
        fill_sessions(store, count)
        hour = fill_hour(store, length)
        span = "one-hour" if length == HOUR else f"{length / 60:g}-minute"
        print(f"set-up: {count} sessions + a {span} session in {time.perf_counter() - t0:.1f} s")
        app = create_app({"STUDY_DIR": str(folder)})
        add_user(app.extensions["uxlab"]["store"], "bench", Role.RESEARCHER, "bench-password")
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        assert client.post("/login", data={"csrf_token": token, "name": "bench",
                                           "password": "bench-password"}).status_code == 302
        raw = sqlite3.connect(folder / "uxlab.db")
        rng = random.Random(3)
        sorts = ["started", "participant", "duration", "status", "completed"]

        def page_list():
            sort, page = rng.choice(sorts), rng.randint(1, count // 50)
            response = client.get(f"/?sort={sort}&dir={rng.choice(['asc', 'desc'])}&page={page}")
            assert response.status_code == 200

        def filtered_list():
            assert client.get(f"/?status=complete&group=A&participant=P0{rng.randint(0, 9)}").status_code == 200

        def raw_list():
            raw.execute("SELECT * FROM sessions ORDER BY started_at DESC LIMIT 50 OFFSET ?",
                        [rng.randint(0, count - 50)]).fetchall()
            raw.execute("SELECT count(*) FROM sessions").fetchone()

        def replay():
            assert client.get(f"/sessions/{hour}/timeline.json").status_code == 200

        assert len(client.get(f"/sessions/{hour}/timeline.json").json["clicks"]) == int(length)

        def raw_replay():
            raw.execute("SELECT * FROM events WHERE session_id = ? AND kind IN (?, ?, ?, ?)",
                        [hour, EventKind.CLICK, EventKind.KEY, EventKind.SCROLL, EventKind.WINDOW]).fetchall()

        rows = [(f"sessions list, {count:,} sessions (page, sort)", timed(page_list, runs(60)), 50),
                (f"sessions list, {count:,} sessions (filtered)", timed(filtered_list, runs(40)), 50),
                ("  reference: bare page SQL + count", timed(raw_list, runs(60)), None),
                (f"replay data, {span} session (JSON)", timed(replay, runs(20)), 300),
                ("  reference: bare SELECT of the same events", timed(raw_replay, runs(20)), None)]
        print(f"{'measurement':<46} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'target p95':>11}")
        for name, times, target in rows:
            goal = f"<= {target} ms" if target else ""
            verdict = "" if target is None else ("  ok" if p95(times) <= target else "  MISSED")
            print(f"{name:<46} {len(times):>5} {statistics.median(times):>8.1f} {p95(times):>8.1f} "
                  f"{goal:>11}{verdict}")
        size = len(client.get(f"/sessions/{hour}/timeline.json").data)
        print(f"replay data size: {size / 1024:.0f} KiB")
        raw.close()
        store.close()
        app.extensions["uxlab"]["store"].close()


if __name__ == "__main__":
    main()
