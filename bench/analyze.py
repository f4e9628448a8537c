"""Benchmark of the analyzer, printed as tables beside a reference run in the same process.

1. Analysing a synthetic one-hour session (30 fps frame rows = 108,000, 200,000 input
   events, keyframes with success/error screens) vs. merely reading those rows back through
   the store (the floor any analysis pays). Target: analysis <= 5 s. In the same run, the
   whole HTML report of that session (analysis, issues, heatmaps, thumbnails), which reads
   the session once: target <= 1.5 x the analysis alone.
2. The web heatmap page of that study: its first request (reads the sessions) and its
   second (from the cache kept until the database changes). Target: second <= 50 ms.
3. A heatmap of 1,000,000 clicks (bincount + Gaussian blur + colouring) vs.
   scipy.stats.gaussian_kde on the same grid. KDE costs points x grid cells, far too long at
   full size, so it is timed on a subsample and a subgrid and extrapolated linearly.
   Target: <= 0.5 s and >= 20x faster.

Run: .venv/bin/python bench/analyze.py; `--quick` is the test suite's smoke run: a 5-minute
session of 10,000 events and a heatmap of 100,000 clicks, through the same code.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import gaussian_kde

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.heatmap import click_density, overlay
from analyzer.phash import phash
from analyzer.report.render import render_report
from analyzer.summary import analyze_study
from sessions import events as ev
from sessions.events import (
    KEYFRAME_DIR,
    VIDEO_FILE,
    Outcome,
    SessionStatus,
    keyframe_name,
)
from sessions.store import Store
from sessions.study import load_study

W, H, KF = 1920, 1080, 0.25
HOUR, FPS, EVENTS = 3600.0, 30, 200_000
STUDY = """
title = "Benchmark"
[[task]]
id = "checkout"
prompt = "Buy the red shoes."
success_screen = "screens/success.png"
error_screens = ["screens/error.png"]
first_click = [0, 0, 400, 200]
[[task]]
id = "search"
prompt = "Find the returns policy."
"""


def screen(kind: int) -> np.ndarray:
    """Distinct synthetic screens at keyframe size: kind 0 = error, 1 = success, others plain."""
    image = np.full((int(H * KF), int(W * KF), 3), 240, np.uint8)
    rng = np.random.default_rng(kind)
    for _ in range(6):
        x, y = rng.integers(0, image.shape[1] - 60), rng.integers(0, image.shape[0] - 40)
        cv2.rectangle(image, (int(x), int(y)), (int(x) + 60, int(y) + 40), [int(c) for c in rng.integers(0, 200, 3)], -1)
    cv2.putText(image, f"screen {kind}", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    return image


def build(folder: Path, hour: float = HOUR, n_events: int = EVENTS) -> None:
    folder.mkdir(parents=True)
    (folder / "study.toml").write_text(textwrap.dedent(STUDY))
    (folder / "screens").mkdir()
    for kind, name in ((0, "error"), (1, "success")):
        full = cv2.resize(screen(kind), (W, H), interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(str(folder / "screens" / f"{name}.png"), full[100:500, 100:900])
    store = Store(folder)
    sid = store.sessions.create("P01", group="A", device={"width": W, "height": H, "scale": 1.0, "fps": FPS,
                                                         "video": VIDEO_FILE, "keyframe_scale": KF})
    rng = np.random.default_rng(1)
    for i in range(int(hour // 120)):       # two-minute attempts: 30 over the hour
        a = store.attempts.start(sid, ("checkout", "search")[i % 2], i * 120.0 + 1)
        store.attempts.end(a, i * 120.0 + 115, (Outcome.SUCCESS, Outcome.FAILURE, Outcome.GAVE_UP)[i % 3], paused=0.0)
    times = np.arange(0, hour, 1 / FPS)
    changed = rng.choice([0.0, 0.00005, 0.002, 0.3], size=times.size, p=[0.5, 0.3, 0.15, 0.05])
    keyframe_at = set(range(0, times.size, FPS * 10))          # a new screen every 10 s
    frames, media = [], store.media.session_dir(sid, create=True) / KEYFRAME_DIR
    media.mkdir()
    for i, t in enumerate(times):
        row = {"t": float(t), "changed": float(changed[i])}
        if i in keyframe_at:
            image = screen(int(rng.integers(0, 12)))
            relative = keyframe_name(float(t))
            cv2.imwrite(str(store.media.path(sid, relative)), image)
            row.update(keyframe=relative, phash=phash(image), changed=0.3)
        frames.append(row)
    store.frames.append(sid, frames)
    t = np.sort(rng.uniform(0, hour, n_events))
    kinds = rng.choice(4, size=n_events, p=[0.75, 0.1, 0.13, 0.02])   # move, click, key, scroll
    xs, ys = rng.integers(0, W, n_events), rng.integers(0, H, n_events)
    events: list[dict] = []
    for ti, kind, x, y in zip(t.tolist(), kinds.tolist(), xs.tolist(), ys.tolist()):
        if kind == 2:
            events.append(ev.key(ti, "letter"))
        elif kind == 1:
            events.append(ev.click(ti, x, y, pressed=bool(int(ti * 10) % 2)))
        elif kind == 3:
            events.append(ev.scroll(ti, x, y, 0, -1))
        else:
            events.append(ev.move(ti, x, y))
    store.events.append(sid, events)
    store.sessions.update(sid, status=SessionStatus.COMPLETE, duration=hour)
    store.close()


class Clock:
    """Wall-clock and CPU seconds of a stretch of code: on a shared machine the wall clock
    also counts other processes' work, the CPU time of this one does not."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def bench_analysis(hour: float = HOUR, n_events: int = EVENTS) -> list[tuple[str, Clock | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        with Clock() as built:
            build(folder, hour, n_events)
        store, study = Store(folder), load_study(folder)
        (session,) = store.sessions.all()
        with Clock() as read:
            n_events = sum(1 for _ in store.events.iterate(session["id"]))
            n_frames = len(store.frames.all(session["id"]))
        store.close()
        store = Store(folder)     # a cold store: nothing cached from the reference run
        with Clock() as analysed:
            result = analyze_study(store, study)
        attempts = result["sessions"][0]["attempts"]
        detail = (f"{len(attempts)} attempts, {sum(a['clicks'] for a in attempts)} clicks, "
                  f"{sum(a['dead_clicks'] for a in attempts)} dead, {sum(a['rage_clicks'] for a in attempts)} rage, "
                  f"{sum(len(a['error_screens']) for a in attempts)} error screens")
        store.close()
        store = Store(folder)
        with Clock() as reported:
            html = render_report(store, study)
        store.close()
        first, second = bench_heatmap_page(folder)
        return [(f"build synthetic study ({n_frames} frame rows, {n_events} events)", built, "set-up, not timed"),
                ("reference: read events + frames through the store", read, "the floor"),
                (f"analyze_study ({'1-hour' if hour == HOUR else f'{hour / 60:g}-minute'} session)", analysed, f"target <= 5 s; {detail}"),
                ("render_report (same session, cold store)", reported,
                 f"target <= 1.5 x analysis: {reported.wall / analysed.wall:.2f} x wall, "
                 f"{reported.cpu / analysed.cpu:.2f} x CPU; {len(html) / 1e6:.1f} MB of HTML"),
                ("web heatmap page, first request (reads the study)", first, "reference for the cached one"),
                ("web heatmap page, second request (cached)", second,
                 f"target <= 0.050 s; {first.wall / max(second.wall, 1e-9):,.0f}x faster than the first")]


def bench_heatmap_page(folder: Path) -> tuple[Clock, Clock]:
    """Two requests of a task's heatmap page (the page and its picture) through the app."""
    from web import create_app
    from web.auth.accounts import add_user
    app = create_app({"STUDY_DIR": str(folder), "SECRET_KEY": "bench"})
    add_user(app.extensions["uxlab"]["store"], "bench", "reviewer", "bench-password")
    client = app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"name": "bench", "password": "bench-password", "csrf_token": token})
    times = []
    for _ in range(2):
        with Clock() as clock:
            ok = client.get("/heatmaps/checkout").status_code == 200
            ok &= client.get("/heatmaps/checkout/heatmap.png").status_code == 200
        times.append(clock)
        if not ok:
            raise SystemExit("the heatmap page did not answer 200")
    app.extensions["uxlab"]["store"].close()
    return times[0], times[1]


def bench_heatmap(n: int = 1_000_000, sample: int = 10_000) -> list[tuple[str, Clock | None, str]]:
    rng = np.random.default_rng(2)
    gw, gh, sigma = int(W * KF), int(H * KF), 20 * KF
    centres = rng.uniform([0, 0], [gw, gh], size=(40, 2))
    points = centres[rng.integers(0, 40, n)] + rng.normal(0, 6, (n, 2))
    background = np.full((gh, gw, 3), 200, np.uint8)
    with Clock() as ours:
        density = click_density(points[:, 0], points[:, 1], gw, gh, sigma)
        ok, png = cv2.imencode(".png", overlay(background, density))
    sub = 8                          # KDE on `sample` points and every 8th grid cell each way
    gx, gy = np.meshgrid(np.arange(0, gw, sub), np.arange(0, gh, sub))
    with Clock() as measured:
        kde = gaussian_kde(points[rng.choice(n, sample, replace=False)].T)
        kde(np.vstack([gx.ravel(), gy.ravel()]))
    extrapolated = Clock()
    extrapolated.wall = measured.wall * (n / sample) * (gw * gh / gx.size)
    extrapolated.cpu = measured.cpu * (n / sample) * (gw * gh / gx.size)
    return [(f"uxlab heatmap, {n:,} clicks on {gw}x{gh} grid (+ colour, PNG)", ours,
             f"target <= 0.5 s; {extrapolated.wall / ours.wall:,.0f}x faster than KDE"),
            (f"reference: gaussian_kde, {sample} points on {gx.shape[1]}x{gx.shape[0]} subgrid", measured, "measured"),
            (f"reference: gaussian_kde, {n:,} points on {gw}x{gh} (extrapolated)", extrapolated,
             f"measured x {n / sample:.0f} (points) x {gw * gh / gx.size:.1f} (cells), linear")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a 5-minute session, 100k clicks")
    args = parser.parse_args()
    if args.quick:
        rows = bench_analysis(300.0, 10_000) + bench_heatmap(100_000, 1_000)
    else:
        rows = bench_analysis() + bench_heatmap()
    width = max(len(r[0]) for r in rows)
    print(f"{'run':<{width}}  {'seconds':>10}  {'CPU s':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 10}  ----")
    for name, clock, note in rows:
        print(f"{name:<{width}}  {clock.wall:>10.3f}  {clock.cpu:>10.3f}  {note}")


if __name__ == "__main__":
    main()
