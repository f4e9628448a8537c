"""Benchmark of the analyzer, printed as tables beside a reference run in the same process.

1. Analysing a synthetic one-hour session (30 fps frame rows = 108,000, 200,000 input
   events, keyframes with success/error screens) vs. merely reading those rows back through
   the store (the floor any analysis pays). Target: analysis <= 5 s.
2. A heatmap of 1,000,000 clicks (bincount + Gaussian blur + colouring) vs.
   scipy.stats.gaussian_kde on the same grid. KDE costs points x grid cells, far too long at
   full size, so it is timed on a subsample and a subgrid and extrapolated linearly.
   Target: <= 0.5 s and >= 20x faster.

Run: .venv/bin/python bench/analyze.py
"""
from __future__ import annotations

import sys
import tempfile
import textwrap
import time
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import gaussian_kde

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.heatmap import click_density, overlay  # noqa: E402
from analyzer.phash import phash  # noqa: E402
from analyzer.summary import analyze_study  # noqa: E402
from sessions import events as ev  # noqa: E402
from sessions.events import KEYFRAME_DIR, VIDEO_FILE, Outcome, SessionStatus, keyframe_name  # noqa: E402
from sessions.store import Store  # noqa: E402
from sessions.study import load_study  # noqa: E402

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


def build(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "study.toml").write_text(textwrap.dedent(STUDY))
    (folder / "screens").mkdir()
    for kind, name in ((0, "error"), (1, "success")):
        full = cv2.resize(screen(kind), (W, H), interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(str(folder / "screens" / f"{name}.png"), full[100:500, 100:900])
    store = Store(folder)
    sid = store.create_session("P01", group="A", device={"width": W, "height": H, "scale": 1.0, "fps": FPS,
                                                         "video": VIDEO_FILE, "keyframe_scale": KF})
    rng = np.random.default_rng(1)
    for i in range(30):                     # 30 two-minute attempts over the hour
        a = store.start_attempt(sid, ("checkout", "search")[i % 2], i * 120.0 + 1)
        store.end_attempt(a, i * 120.0 + 115, (Outcome.SUCCESS, Outcome.FAILURE, Outcome.GAVE_UP)[i % 3], paused=0.0)
    times = np.arange(0, HOUR, 1 / FPS)
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
    store.append_frames(sid, frames)
    t = np.sort(rng.uniform(0, HOUR, EVENTS))
    kinds = rng.choice(4, size=EVENTS, p=[0.75, 0.1, 0.13, 0.02])   # move, click, key, scroll
    xs, ys = rng.integers(0, W, EVENTS), rng.integers(0, H, EVENTS)
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
    store.append_events(sid, events)
    store.update_session(sid, status=SessionStatus.COMPLETE, duration=HOUR)
    store.close()


def bench_analysis() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        started = time.perf_counter()
        build(folder)
        built = time.perf_counter() - started
        store, study = Store(folder), load_study(folder)
        (session,) = store.sessions()
        started = time.perf_counter()
        n_events = sum(1 for _ in store.iter_events(session["id"]))
        n_frames = len(store.frames(session["id"]))
        read = time.perf_counter() - started
        store.close()
        store = Store(folder)     # a cold store: nothing cached from the reference run
        started = time.perf_counter()
        result = analyze_study(store, study)
        analysed = time.perf_counter() - started
        attempts = result["sessions"][0]["attempts"]
        detail = (f"{len(attempts)} attempts, {sum(a['clicks'] for a in attempts)} clicks, "
                  f"{sum(a['dead_clicks'] for a in attempts)} dead, {sum(a['rage_clicks'] for a in attempts)} rage, "
                  f"{sum(len(a['error_screens']) for a in attempts)} error screens")
        return [(f"build synthetic study ({n_frames} frame rows, {n_events} events)", built, "set-up, not timed"),
                ("reference: read events + frames through the store", read, "the floor"),
                ("analyze_study (1-hour session)", analysed, f"target <= 5 s; {detail}")]


def bench_heatmap() -> list[tuple[str, float, str]]:
    rng = np.random.default_rng(2)
    n, gw, gh, sigma = 1_000_000, int(W * KF), int(H * KF), 20 * KF
    centres = rng.uniform([0, 0], [gw, gh], size=(40, 2))
    points = centres[rng.integers(0, 40, n)] + rng.normal(0, 6, (n, 2))
    background = np.full((gh, gw, 3), 200, np.uint8)
    started = time.perf_counter()
    density = click_density(points[:, 0], points[:, 1], gw, gh, sigma)
    ok, png = cv2.imencode(".png", overlay(background, density))
    ours = time.perf_counter() - started
    sample, sub = 10_000, 8          # KDE on 10k points and every 8th grid cell each way
    gx, gy = np.meshgrid(np.arange(0, gw, sub), np.arange(0, gh, sub))
    started = time.perf_counter()
    kde = gaussian_kde(points[rng.choice(n, sample, replace=False)].T)
    kde(np.vstack([gx.ravel(), gy.ravel()]))
    measured = time.perf_counter() - started
    extrapolated = measured * (n / sample) * (gw * gh / gx.size)
    return [(f"uxlab heatmap, 1M clicks on {gw}x{gh} grid (+ colour, PNG)", ours,
             f"target <= 0.5 s; {extrapolated / ours:,.0f}x faster than KDE"),
            (f"reference: gaussian_kde, {sample} points on {gx.shape[1]}x{gx.shape[0]} subgrid", measured, "measured"),
            (f"reference: gaussian_kde, 1M points on {gw}x{gh} (extrapolated)", extrapolated,
             f"measured x {n / sample:.0f} (points) x {gw * gh / gx.size:.1f} (cells), linear")]


def main() -> None:
    rows = bench_analysis() + bench_heatmap()
    width = max(len(r[0]) for r in rows)
    print(f"{'run':<{width}}  {'seconds':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  ----")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>10.3f}  {note}")


if __name__ == "__main__":
    main()
