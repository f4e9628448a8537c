"""Live observation on loopback: capture-to-observer latency, delivered fps and the
recorder's own fps with 0 (no --live: the baseline), 1, 10 and 50 observers.

A real `uxlab serve` and a real `uxlab record` on a private Xvfb whose screen changes all
the time (an animated window); the observers are socketio.AsyncClients in this process
(many sync clients in one process mis-decode binary frames). Latency is measured from the
moment the frame was grabbed (session start + frame time, wall clock, same host) to its
arrival at an observer. Run: .venv/bin/python bench/live.py [--seconds 8]; `--quick` runs
1 s with 2 observers beside the baseline (the same path, for the test suite's smoke run).

`RecorderProcess` is also the other benches' way to run `uxlab record`.
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
from collections.abc import Callable
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recorder.virtual_display import VirtualDisplay  # noqa: E402
from sessions.events import LIVE_NAMESPACE, LiveEvent, Role  # noqa: E402
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


def first_display() -> int:
    """Where to start looking for a free X display, spread by pid: benches started side by
    side (the test suite's smoke run) would otherwise race for the same number."""
    return 200 + os.getpid() % 400


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


def clock_offset() -> float:
    """Wall clock minus monotonic clock: constant unless the wall clock is stepped."""
    return time.time() - time.monotonic()


class Observers:
    """N AsyncClients on one event loop in a thread; each keeps (arrival - capture) times."""

    def __init__(self, url: str, cookie: str, count: int) -> None:
        self.url, self.cookie, self.count = url, cookie, count
        self.arrivals: list[list[tuple]] = [[] for _ in range(count)]
        self.offset = clock_offset()   # taken again as each recording starts (record())
        self.loop = asyncio.new_event_loop()
        self.clients: list[socketio.AsyncClient] = []
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def now(self) -> float:
        """The wall clock as it read when the recording started, moved on by the monotonic
        clock: a frame's grab time is the recorder's wall-clock start plus monotonic seconds,
        and a wall clock stepped during the run (a virtual machine's snapshot once set it
        12.8 s forward) would otherwise be read as latency."""
        return time.monotonic() + self.offset

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _connect(self, index: int) -> None:
        client = socketio.AsyncClient(reconnection=False)

        async def frame(data):
            now = self.now()
            self.arrivals[index].append((now, now - data["captured"], data["sent"] - data["captured"], len(data["jpeg"]), data["offered"] - data["captured"]))

        client.on(LiveEvent.FRAME, frame, namespace=LIVE_NAMESPACE)
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
            replies = await asyncio.gather(*(c.call(LiveEvent.JOIN, {"session": session_id}, namespace=LIVE_NAMESPACE)
                                             for c in self.clients))
            assert all(r["ok"] for r in replies), replies
        self.run(join_all())

    def close(self) -> None:
        async def close_all():
            await asyncio.gather(*(c.disconnect() for c in self.clients))
        self.run(close_all())
        self.loop.call_soon_threadsafe(self.loop.stop)


class RecorderProcess:
    """`uxlab record` as a child whose stderr one thread alone reads and keeps: the session
    id comes from the line that announces it, and a recorder that does not start, or fails,
    is reported with everything it said (reading stderr up to one line loses the rest)."""

    def __init__(self, command: list[str], env: dict | None = None, timeout: float = 90.0) -> None:
        self.command = command
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
        self.lines: list[str] = []
        self.session_id = ""
        self.output = ""                      # stdout, read once the recorder has ended
        self._announced = threading.Event()   # set by the announcing line or by stderr's end
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._announced.wait(timeout) or not self.session_id:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self._close()
            raise SystemExit(f"the recorder did not start (exit {self.process.returncode}): {self.said()}")

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            # search, not match: a warning another thread wrote may share the line
            started = re.search(r"recording session (\S+)", line)
            if started and not self.session_id:
                self.session_id = started.group(1)
                self._announced.set()
        self._announced.set()

    def said(self) -> str:
        """The recorder's stderr so far (its last 15 lines: a traceback's end), on one line."""
        return " | ".join([line.strip() for line in self.lines if line.strip()][-15:]) or "(nothing on stderr)"

    def finish(self, timeout: float = 90.0, reap: Callable[[subprocess.Popen], object] | None = None):
        """Wait for the end (through `reap` when the caller wants the child's rusage);
        returns what `reap` returned. A recorder that failed stops the bench with its stderr."""
        reaped = reap(self.process) if reap else self.process.wait(timeout=timeout)
        self._close()
        if self.process.returncode != 0:
            raise SystemExit(f"the recorder failed (exit {self.process.returncode}): {self.said()}")
        return reaped

    def stop(self, timeout: float = 60.0) -> None:
        """End the session as the moderator would (SIGTERM), killing it if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        self._reader.join(timeout=10)   # it ends at the exited recorder's end of stderr
        if not self.process.stdout.closed:
            self.output = self.process.stdout.read().strip()   # one line: the session id
            self.process.stdout.close()
        self.process.stderr.close()


def record(folder: Path, display: VirtualDisplay, seconds: float, live_url: str | None,
           observers: Observers | None, participant: str, extra: list[str],
           meanwhile: Callable[[], object] | None = None) -> dict:
    """One `uxlab record` run; returns the recorder's fps and what the observers got.
    `meanwhile` runs once the recorder has started, while it records."""
    command = [str(UXLAB), "record", str(folder), "--participant", participant, "--display", display.name,
               "--consent", "--prompt", "none", "--duration", str(seconds)]
    if live_url:
        command += ["--live", live_url, "--token", TOKEN]
    if observers:
        observers.offset = clock_offset()
    recorder = RecorderProcess(command + extra)
    try:
        if observers:
            observers.join(recorder.session_id)
        joined = observers.now() if observers else time.time()
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        recorder.stop()
        raise
    recorder.finish(timeout=seconds + 60)
    session = Store(folder).sessions.get(recorder.session_id)
    frames = session["stats"]["frames_written"]
    result = {"recorder_fps": frames / session["duration"], "dropped": session["stats"]["frames_dropped"]}
    if observers:
        # steady from a second after the join (half the run, in a run shorter than 2 s)
        settle = min(1.0, seconds / 2)
        result.update(delivery(observers, joined + settle, session["started_at"] + session["duration"]))
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
    parser.add_argument("--quick", action="store_true", help="1 s runs, 2 observers: a smoke run")
    parser.add_argument("--record-option", action="append", default=[], metavar="OPTION",
                        help="one more option for every `uxlab record` run, e.g. --record-option=--camera=lavfi:testsrc2")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.observers = 1.0, "2"
    counts = [int(n) for n in args.observers.split(",")]
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp, VirtualDisplay(width, height, first=first_display()) as display:
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
        url = f"http://127.0.0.1:{port}"
        servers: list[subprocess.Popen] = []

        def start_server() -> None:
            servers.append(subprocess.Popen([str(UXLAB), "serve", str(folder), "--port", str(port)],
                                            env={**os.environ, "UXLAB_LIVE_TOKEN": TOKEN},
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        try:
            # a participant id per run: a second session under one id needs a person's yes.
            # The server starts after the baseline has started (a recorder that cannot start
            # costs no server); the smoke run starts it during the baseline, which a full
            # run keeps to itself
            rows = [("none (baseline, no --live)",
                     record(folder, display, args.seconds, None, None, "baseline", args.record_option,
                            meanwhile=start_server if args.quick else None))]
            if not servers:
                start_server()
            for _ in range(600):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            cookie = login(url, "watcher", "watcher-password")
            for count in counts:
                observers = Observers(url, cookie, count)
                observers.connect()
                try:
                    rows.append((f"{count}", record(folder, display, args.seconds, url, observers,
                                                    f"observed-by-{count}", args.record_option)))
                finally:
                    observers.close()
        finally:
            for server in servers:
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
