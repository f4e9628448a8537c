"""Live observation on loopback: capture-to-observer latency, delivered fps and the
recorder's own fps with 0 (no --live: the baseline), 1, 10 and 50 observers.

A real `uxlab serve` and a real `uxlab record` on a private Xvfb whose screen changes all
the time (an animated window); the observers are socketio.AsyncClients in this process
(many sync clients in one process mis-decode binary frames). Latency is measured from the
moment the frame was grabbed (session start + frame time, wall clock, same host) to its
arrival at an observer. Run: .venv/bin/python bench/live.py [--seconds 8]
"""
from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recorder.virtual_display import VirtualDisplay  # noqa: E402
from sessions.events import LIVE_NAMESPACE, Role  # noqa: E402
from sessions.store import Store  # noqa: E402

UXLAB = Path(sys.executable).parent / "uxlab"
TOKEN = "bench-live-token"
STUDY = """
title = "Live bench"
[capture]
fps = {fps}
[[task]]
id = "watch"
prompt = "Nothing to do."
"""
# a window that repaints part of the screen 30 times a second, like a video or an animation
ANIMATOR = textwrap.dedent("""
    import tkinter as tk
    root = tk.Tk(); root.overrideredirect(True); root.geometry("900x600+100+100")
    c = tk.Canvas(root, width=900, height=600, highlightthickness=0); c.pack()
    n = [0]
    def tick():
        n[0] += 1
        c.delete("all")
        c.create_rectangle(0, 0, 900, 600, fill="#%02x%02x%02x" % (n[0] * 7 % 256, 90, 160))
        c.create_oval(n[0] * 9 % 800, 200, n[0] * 9 % 800 + 100, 300, fill="white")
        c.create_text(450, 500, text=str(n[0]), font=("Helvetica", 48))
        root.after(33, tick)
    tick(); print("ready", flush=True); root.mainloop()
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(url: str, name: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    opener.open(f"{url}/login", data=urllib.parse.urlencode(
        {"csrf_token": token, "name": name, "password": password}).encode())
    return "uxlab_session=" + next(c.value for c in jar if c.name == "uxlab_session")


class Observers:
    """N AsyncClients on one event loop in a thread; each keeps (arrival - capture) times."""

    def __init__(self, url: str, cookie: str, count: int) -> None:
        self.url, self.cookie, self.count = url, cookie, count
        self.arrivals: list[list[tuple]] = [[] for _ in range(count)]
        self.loop = asyncio.new_event_loop()
        self.clients: list[socketio.AsyncClient] = []
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _connect(self, index: int) -> None:
        client = socketio.AsyncClient(reconnection=False)

        async def frame(data):
            now = time.time()
            self.arrivals[index].append((now, now - data["captured"], data["sent"] - data["captured"], len(data["jpeg"]), data["offered"] - data["captured"]))

        client.on("frame", frame, namespace=LIVE_NAMESPACE)
        await client.connect(self.url, namespaces=[LIVE_NAMESPACE], headers={"Cookie": self.cookie},
                             transports=["websocket"], wait_timeout=10)
        self.clients.append(client)

    def connect(self) -> None:
        async def all_of_them():
            for start in range(0, self.count, 10):
                await asyncio.gather(*(self._connect(i) for i in range(start, min(self.count, start + 10))))
        self.run(all_of_them())

    def join(self, session_id: str) -> None:
        async def join_all():
            replies = await asyncio.gather(*(c.call("join", {"session": session_id}, namespace=LIVE_NAMESPACE)
                                             for c in self.clients))
            assert all(r["ok"] for r in replies), replies
        self.run(join_all())

    def close(self) -> None:
        async def close_all():
            await asyncio.gather(*(c.disconnect() for c in self.clients))
        self.run(close_all())
        self.loop.call_soon_threadsafe(self.loop.stop)


def record(folder: Path, display: VirtualDisplay, seconds: float, live_url: str | None,
           observers: Observers | None) -> dict:
    """One `uxlab record` run; returns the recorder's fps and what the observers got."""
    command = [str(UXLAB), "record", str(folder), "--participant", "bench", "--display", display.name,
               "--consent", "--prompt", "none", "--duration", str(seconds)]
    if live_url:
        command += ["--live", live_url, "--token", TOKEN]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    session_id = None
    for line in process.stderr:
        match = re.match(r"recording session (\S+)", line)
        if match:
            session_id = match.group(1)
            break
    if session_id is None:
        raise RuntimeError(f"the recorder did not start: {process.communicate()}")
    if observers:
        observers.join(session_id)
    joined = time.time()
    process.communicate(timeout=seconds + 60)
    session = Store(folder).sessions.get(session_id)
    frames = session["stats"]["frames_written"]
    result = {"recorder_fps": frames / session["duration"], "dropped": session["stats"]["frames_dropped"]}
    if observers:
        result.update(delivery(observers, joined + 1.0, session["started_at"] + session["duration"]))
    return result


def delivery(observers: Observers, start: float, end: float) -> dict:
    """Per observer fps over the steady part of the run (from a second after every observer
    joined to the end); latency over every frame all observers got in it."""
    fps, latencies, in_recorder, sizes, to_publisher = [], [], [], [], []
    for arrivals in observers.arrivals:
        steady = [a for a in arrivals if start <= a[0] <= end]
        # frames per second between the first and the last frame of the window (no edge effects)
        fps.append((len(steady) - 1) / (steady[-1][0] - steady[0][0]) if len(steady) > 1 else 0.0)
        latencies += [a[1] for a in steady]
        in_recorder += [a[2] for a in steady]
        sizes += [a[3] for a in steady]
        to_publisher += [a[4] for a in steady]
        arrivals.clear()
    return {"fps_min": min(fps), "fps_median": statistics.median(fps), "p50": quantile(latencies, 0.5),
            "p95": quantile(latencies, 0.95), "recorder_p50": quantile(in_recorder, 0.5),
            "to_publisher_p50": quantile(to_publisher, 0.5),
            "jpeg_kb": statistics.mean(sizes) / 1024 if sizes else float("nan")}


def quantile(values: list[float], q: float) -> float:
    """In milliseconds; nearest rank."""
    if not values:
        return float("nan")
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each recorded run")
    parser.add_argument("--observers", default="1,10,50")
    parser.add_argument("--fps", type=int, default=10, help="the study's capture fps (its default is 10)")
    parser.add_argument("--size", default="1280x800", help="the Xvfb screen, WIDTHxHEIGHT")
    args = parser.parse_args()
    counts = [int(n) for n in args.observers.split(",")]
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp, VirtualDisplay(width, height, first=180) as display:
        folder = Path(tmp) / "study"
        folder.mkdir()
        (folder / "study.toml").write_text(STUDY.format(fps=args.fps))
        store = Store(folder)
        from web.auth.accounts import add_user
        add_user(store, "watcher", Role.OBSERVER, "watcher-password")
        animator = subprocess.Popen([sys.executable, "-c", ANIMATOR], env=display.env(),
                                    stdout=subprocess.PIPE, text=True)
        assert animator.stdout.readline().strip() == "ready"
        port = free_port()
        server = subprocess.Popen([str(UXLAB), "serve", str(folder), "--port", str(port)],
                                  env={**os.environ, "UXLAB_LIVE_TOKEN": TOKEN},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            cookie = login(url, "watcher", "watcher-password")
            rows = [("none (baseline, no --live)", record(folder, display, args.seconds, None, None))]
            for count in counts:
                observers = Observers(url, cookie, count)
                observers.connect()
                rows.append((f"{count}", record(folder, display, args.seconds, url, observers)))
                observers.close()
        finally:
            server.terminate()
            server.wait()
            animator.kill()
            animator.wait()
    print_table(rows, args.seconds, args.fps, args.size)


def print_table(rows: list[tuple[str, dict]], seconds: float, fps: int, size: str) -> None:
    base = rows[0][1]["recorder_fps"]
    print(f"\nlive observation on loopback: {size} Xvfb, screen changing at 30 Hz, capture at {fps} fps, "
          f"{seconds:.0f} s per run, frames capped at 10 fps")
    print(f"{'observers':<28}{'recorder fps':>13}{'vs baseline':>12}{'grabs dropped':>14}"
          f"{'delivered fps (min/median)':>28}{'latency p50':>13}{'p95':>9}{'grab→publisher p50':>20}{'→sent p50':>11}{'JPEG':>8}")
    for label, r in rows:
        change = (r["recorder_fps"] / base - 1) * 100
        delivered = f"{r['fps_min']:.1f} / {r['fps_median']:.1f}" if "fps_min" in r else "-"
        latency = (f"{r['p50']:>10.0f} ms{r['p95']:>6.0f} ms{r['to_publisher_p50']:>17.0f} ms"
                   f"{r['recorder_p50']:>8.0f} ms{r['jpeg_kb']:>5.0f} KB"
                   if "p50" in r else f"{'-':>13}{'-':>9}{'-':>20}{'-':>11}{'-':>8}")
        print(f"{label:<28}{r['recorder_fps']:>13.1f}{change:>+11.1f}%{r['dropped']:>14}{delivered:>28}{latency}")
    print(json.dumps({label: r for label, r in rows}, default=lambda v: round(v, 2)), file=sys.stderr)


if __name__ == "__main__":
    main()
