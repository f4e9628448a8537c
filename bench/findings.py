"""Benchmark of the findings work, printed as tables beside a reference run in the same process.

1. Candidate problems for a study of 30 one-hour sessions (100,000 input events and ~36,000
   frame rows each, a keyframe every 10 s, 30 attempts per session, idle stretches and escape
   bursts), beside loading and measuring those sessions once (what the dashboard and report
   already pay). Target: candidates <= 10 s.
2. A highlight reel of 10 clips totalling 3 minutes from three 1280x720 session videos with
   sound: the smart cut (encode to the next keyframe, copy the rest) beside re-encoding every
   clip (the reference). Target: <= 30 s.

Each row gives wall-clock seconds and CPU seconds (this process and its ffmpeg children).
Run: .venv/bin/python bench/findings.py; `--quick` is the test suite's smoke run: 3 sessions
of 5 minutes, and a reel of 2 clips from three 8 s videos, through the same code.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import textwrap
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.candidates import find_candidates, load_counted
from analyzer.phash import phash
from sessions.events import VIDEO_FILE, EventKind, SessionStatus, keyframe_name
from sessions.media.reels import Clip, build_reel, reel_info
from sessions.store import Store
from sessions.study import load_study

W, H, KF = 1920, 1080, 0.25
HOUR, FPS, EVENTS, SESSIONS = 3600.0, 10, 100_000, 30
STUDY = """
title = "Benchmark"
[[task]]
id = "checkout"
prompt = "Buy the red shoes."
[[task]]
id = "search"
prompt = "Find the returns policy."
"""


def screen(kind: int) -> np.ndarray:
    image = np.full((int(H * KF), int(W * KF), 3), 240, np.uint8)
    rng = np.random.default_rng(kind)
    for _ in range(6):
        x, y = rng.integers(0, image.shape[1] - 60), rng.integers(0, image.shape[0] - 40)
        cv2.rectangle(image, (int(x), int(y)), (int(x) + 60, int(y) + 40), [int(c) for c in rng.integers(0, 200, 3)], -1)
    cv2.putText(image, f"screen {kind}", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    return image


def cpu() -> float:
    """CPU seconds of this process and its finished children (ffmpeg): on a shared, loaded
    machine the wall clock says more about the neighbours than about the work."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def build_sessions(folder: Path, sessions: int = SESSIONS, hour: float = HOUR, n_events: int = EVENTS) -> int:
    """30 one-hour sessions (by default) through the store API; returns the number of event rows."""
    folder.mkdir(parents=True)
    (folder / "study.toml").write_text(textwrap.dedent(STUDY))
    store = Store(folder)
    screens = [screen(k) for k in range(12)]
    hashes = [phash(s) for s in screens]
    total = 0
    for n in range(sessions):
        rng = np.random.default_rng(n)
        sid = store.sessions.create(f"P{n + 1:02d}", device={"width": W, "height": H, "fps": FPS,
                                                            "video": VIDEO_FILE, "keyframe_scale": KF})
        for i in range(int(hour // 120)):
            a = store.attempts.start(sid, ("checkout", "search")[i % 2], i * 120.0 + 1)
            store.attempts.end(a, i * 120.0 + 115, ("success", "failure", "gave_up")[i % 3])
        times = np.arange(0, hour, 1 / FPS)
        changed = rng.choice([0.0, 0.002, 0.3], size=times.size, p=[0.0, 0.9, 0.1])
        keep = rng.random(times.size) < 0.1          # ~1 frame a second stored
        frames, media = [], store.media.session_dir(sid, create=True) / "keyframes"
        media.mkdir()
        for i in np.flatnonzero(keep | (np.arange(times.size) % (FPS * 10) == 0)):
            row = {"t": float(times[i]), "changed": float(changed[i])}
            if i % (FPS * 10) == 0:
                kind = int(rng.integers(0, 12))
                relative = keyframe_name(float(times[i]))
                if n == 0 or i == 0:
                    cv2.imwrite(str(store.media.path(sid, relative)), screens[kind])
                row.update(keyframe=relative, phash=hashes[kind], changed=0.3)
            frames.append(row)
        store.frames.append(sid, frames)
        t = np.sort(rng.uniform(0, hour, n_events))
        t = t[(t % 600 < 580)]                        # 20 s without input every 10 minutes
        kinds = rng.choice([EventKind.MOVE.value, EventKind.CLICK.value, EventKind.KEY.value], size=t.size,
                           p=[0.8, 0.08, 0.12])
        xs, ys = rng.integers(0, W, t.size), rng.integers(0, H, t.size)
        events = []
        for ti, kind, x, y in zip(t.tolist(), kinds.tolist(), xs.tolist(), ys.tolist()):
            if kind == EventKind.KEY:
                events.append({"t": ti, "kind": EventKind.KEY, "key": "escape" if x % 7 == 0 else "letter",
                               "pressed": 1})
            elif kind == EventKind.CLICK:
                events.append({"t": ti, "kind": EventKind.CLICK, "x": x, "y": y, "button": "left", "pressed": 1})
            else:
                events.append({"t": ti, "kind": EventKind.MOVE, "x": x, "y": y})
        total += store.events.append(sid, events)
        store.sessions.update(sid, status=SessionStatus.COMPLETE, duration=hour)
    store.close()
    return total


def bench_candidates(sessions: int = SESSIONS, hour: float = HOUR,
                     n_events: int = EVENTS) -> list[tuple[str, float, float | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        started = time.perf_counter()
        events = build_sessions(folder, sessions, hour, n_events)
        built = time.perf_counter() - started
        store, study = Store(folder), load_study(folder)
        started, used = time.perf_counter(), cpu()
        loaded = load_counted(store, study)
        load, load_cpu = time.perf_counter() - started, cpu() - used
        started, used = time.perf_counter(), cpu()
        found = find_candidates(store, loaded)
        took, took_cpu = time.perf_counter() - started, cpu() - used
        moments = sum(c["occurrences"] for c in found)
        length = "one-hour" if hour == HOUR else f"{hour / 60:g}-minute"
        return [(f"build {sessions} {length} sessions ({events:,} events)", built, None, "set-up, not timed"),
                (f"reference: load + measure {sessions} sessions once", load, load_cpu,
                 "what the dashboard and report pay"),
                ("candidates from the loaded sessions", took, took_cpu,
                 f"target <= 10 s; {len(found)} candidates, {moments:,} moments")]


def write_video(path: Path, seconds: float, seed: int) -> None:
    """A 1280x720 screen recording at 10 fps (a keyframe every 2 s) with a voice-like tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w", format="mp4",
                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}) as out:
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 1280, 720, "yuv420p"
        video.codec_context.time_base = Fraction(1, 1000)
        video.codec_context.gop_size = 20
        video.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "32"}
        sound = out.add_stream("aac", rate=48000, layout="mono")
        image = np.full((720, 1280, 3), 235, np.uint8)
        for i in range(int(seconds * 10)):
            x, y = int(rng.integers(0, 1180)), int(rng.integers(0, 680))
            cv2.rectangle(image, (x, y), (x + 100, y + 40), [int(c) for c in rng.integers(0, 255, 3)], -1)
            cv2.putText(image, f"{i / 10:7.1f}", (40, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (10, 10, 10), 3)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i * 100, Fraction(1, 1000)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        for start in range(0, int(seconds * 48000), 1024):
            t = np.arange(start, start + 1024) / 48000.0
            samples = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            for packet in sound.encode(frame):
                out.mux(packet)
        for packet in sound.encode():
            out.mux(packet)


def bench_reel(video_seconds: float = 240.0, count: int = 10,
               clip_seconds: float = 18.0) -> list[tuple[str, float, float | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        folder.mkdir()
        (folder / "study.toml").write_text(textwrap.dedent(STUDY))
        store = Store(folder)
        started = time.perf_counter()
        sessions = []
        for n in range(3):
            sid = store.sessions.create(f"P{n + 1}", device={"video": VIDEO_FILE})
            write_video(store.media.session_dir(sid, create=True) / VIDEO_FILE, video_seconds, n)
            store.sessions.update(sid, status=SessionStatus.COMPLETE, duration=video_seconds)
            sessions.append(sid)
        built = time.perf_counter() - started
        # by default 10 clips of 18 s (3 minutes), starting between keyframes (a short video's
        # from its first second, so that every clip lies inside its video)
        step, first = clip_seconds + 3, 10.7 if video_seconds > 60 else 0.7
        clips = [Clip(sessions[i % 3], first + step * i, first + clip_seconds + step * i, f"P{i % 3 + 1}",
                      "checkout", "Cannot find the returns policy") for i in range(count)]
        shown = sum(c.end - c.start for c in clips)
        length = f"{video_seconds:g} s" if video_seconds < 60 else f"{video_seconds / 60:g} min"
        rows = [(f"build 3 session videos (1280x720, {length}, sound)", built, None,
                 "set-up, not timed")]
        for label, encode_all in (("reference: re-encode every clip", True), ("smart cut: copy from keyframes", False)):
            started, used = time.perf_counter(), cpu()
            result = build_reel(store, clips, Path(tmp) / f"reel-{encode_all}.mp4", encode_all=encode_all)
            took, took_cpu = time.perf_counter() - started, cpu() - used
            info = reel_info(Path(tmp) / f"reel-{encode_all}.mp4")
            note = (f"{result['clips']} clips, {shown:.0f} s + cards = {result['duration']:.0f} s, "
                    f"ffprobe {info['duration']:.1f} s, {'sound' if 'audio' in info['streams'] else 'silent'}")
            if not encode_all:
                note = "target <= 30 s; " + note
            rows.append((label, took, took_cpu, note))
        store.close()
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 short sessions, a 2-clip reel")
    args = parser.parse_args()
    if args.quick:
        rows = bench_reel(8.0, 2, 2.0) + bench_candidates(3, 300.0, 5_000)
    else:
        rows = bench_reel() + bench_candidates()
    width = max(len(r[0]) for r in rows)
    print(f"{'run':<{width}}  {'wall s':>8}  {'cpu s':>8}  note")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 8}  ----")
    for name, seconds, used, note in rows:
        cpu_text = "" if used is None else f"{used:.2f}"
        print(f"{name:<{width}}  {seconds:>8.2f}  {cpu_text:>8}  {note}", flush=True)


if __name__ == "__main__":
    main()
