"""Remote participants against one `uxlab serve` (gunicorn with gevent).

1. A real participant: system Chromium (fake 1280x720 screen at 10 fps, fake microphone)
   joins through an invitation, records for `--record` seconds and ends; its chunks are a
   real MediaRecorder recording, and ending it measures the media build (re-encoding the
   WebM chunks into the native H.264 + AAC MP4).
2. `--participants` simulated participants replay that recording's chunks at real-time
   pace (one per ~second, as MediaRecorder hands them over) for `--seconds`, each through
   its own invitation, all at once: how long from a chunk's recording until it is stored
   (its upload started when the page had it; stored = on disk, as the server stamps it),
   how many were lost, the server's CPU per participant and the storage an hour takes.
3. Live: logged-in observers on the live page's contract (Socket.IO /live) watch the real
   page while it records, then one observer per simulated participant, each of which also
   sends live frames as the join page does (the real page's own JPEG, 4 a second, on its
   join token): latency = the observer's arrival time minus the participant's capture
   stamp, one host's clock (the page's Date.now() and time.time()). The observers run in a
   process of their own, so the participants' client loop does not delay their clock.

Beside them, the native recorder's figures where they compare (FIELD-NOTES.md, measured on
the same machines): 1080p15 H.264 ultrafast, ~3.6 MB per minute, ~15 % of a core.

Run: .venv/bin/python bench/remote.py [--participants 10] [--seconds 60] [--record 20]
`--quick` is the smoke run: 2 participants for 2 s, a 2 s recording, each watched live.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import login  # noqa: E402
from bench.serve import quantile, start_server  # noqa: E402  (the same server start as serve.py)
from recorder.virtual_display import stop_process  # noqa: E402
from sessions.events import LIVE_NAMESPACE, LiveEvent, Role  # noqa: E402
from sessions.media.browser_chunks import BrowserChunks  # noqa: E402
from sessions.store import Store  # noqa: E402

STUDY = textwrap.dedent("""
    title = "Remote bench"
    [capture]
    fps = 10
    [[task]]
    id = "first"
    prompt = "Do the first thing."
    [questionnaires]
    post_task = []
    post_session = []
""")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 "--auto-select-desktop-capture-source=Entire screen"]
NATIVE_MB_PER_MINUTE = 3.6     # FIELD-NOTES.md: native 1080p15, libx264 ultrafast
NATIVE_CORE_SHARE = 0.15
WATCHER, WATCHER_PASSWORD = "watcher", "watcher-password"
LIVE_FPS = 4                   # the join page's live frames a second (web/static/join.js)
LIVE_TARGET_MS = 500           # issue 19: participant -> observer p95 on loopback


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (gunicorn and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo += [child for child, parent in parents.items() if parent == current]
    return total


class Observing:
    """Logged-in observers (socketio.AsyncClient on /live, as the live page connects), on an
    event loop of their own in a thread, one per session watched. A frame counts only when
    it was captured after its observer joined: the frame a join hands over at once may be
    older. It runs in a process of its own (`Watchers`)."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url, self.cookie = url, cookie
        self.latencies: dict[str, list[float]] = {}   # session id -> seconds, arrival - capture
        self.frame: dict = {}                          # the last frame received, as sent
        self.clients: list[socketio.AsyncClient] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def watch(self, session_id: str) -> None:
        """One more observer, on this object's loop (from another loop: `watch_from`)."""
        client = socketio.AsyncClient(reconnection=False)
        kept = self.latencies.setdefault(session_id, [])
        joined = [float("inf")]

        async def frame(data: dict) -> None:
            arrived = time.time()
            if data.get("captured", 0.0) >= joined[0]:
                kept.append(arrived - data["captured"])
                self.frame = data

        client.on(LiveEvent.FRAME, frame, namespace=LIVE_NAMESPACE)
        await client.connect(self.url, namespaces=[LIVE_NAMESPACE], headers={"Cookie": self.cookie},
                             transports=["websocket"], wait_timeout=20)
        self.clients.append(client)
        reply = await client.call(LiveEvent.JOIN, {"session": session_id}, namespace=LIVE_NAMESPACE, timeout=20)
        if not reply.get("ok"):
            raise SystemExit(f"an observer could not join session {session_id}: {reply.get('error')}")
        joined[0] = time.time()

    def frames(self) -> int:
        """How many frames were counted so far."""
        return sum(len(values) for values in self.latencies.values())

    def watch_now(self, session_id: str) -> None:
        asyncio.run_coroutine_threadsafe(self.watch(session_id), self.loop).result(60)

    def close(self) -> None:
        async def disconnect() -> None:
            await asyncio.gather(*(c.disconnect() for c in self.clients))
        asyncio.run_coroutine_threadsafe(disconnect(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _observers_apart(url: str, cookie: str, commands: Any, answers: Any) -> None:
    """The observers' process: does what `commands` asks, one at a time, and answers each
    with ("ok", value) or ("failed", what went wrong)."""
    observing = Observing(url, cookie)
    try:
        while True:
            command, argument = commands.get()
            if command == "watch":
                observing.watch_now(argument)
                answers.put(("ok", None))
            elif command == "count":
                answers.put(("ok", observing.frames()))
            elif command == "take":   # what was counted so far; the count starts again
                answers.put(("ok", (observing.latencies, observing.frame)))
                observing.latencies = {}
            elif command == "stop":
                observing.close()
                answers.put(("ok", None))
                return
    except BaseException as exc:
        answers.put(("failed", str(exc) or repr(exc)))
        raise


class Watchers:
    """The observers in a process of their own, so the participants' client loop (this
    process) delays neither their clock nor their reading: the latency measured is the
    server's and the link's, not this bench's."""

    def __init__(self, url: str, cookie: str) -> None:
        import multiprocessing
        context = multiprocessing.get_context("spawn")
        self.commands, self.answers = context.Queue(), context.Queue()
        self.process = context.Process(target=_observers_apart, args=(url, cookie, self.commands, self.answers),
                                       daemon=True)
        self.process.start()
        self.lock = threading.Lock()   # one question at a time: answers come in order

    def ask(self, command: str, argument: Any = None, timeout: float = 120.0) -> Any:
        with self.lock:
            self.commands.put((command, argument))
            try:
                status, value = self.answers.get(timeout=timeout)
            except queue.Empty:
                raise SystemExit(f"the observers' process did not answer {command!r} in {timeout:g} s") from None
        if status == "failed":
            raise SystemExit(f"the observers failed: {value}")
        return value

    def watch_now(self, session_id: str) -> None:
        self.ask("watch", session_id)

    async def watch_from(self, session_id: str) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.watch_now, session_id)

    def frames(self) -> int:
        return self.ask("count")

    def take(self) -> tuple[list[float], dict]:
        """Every latency counted so far (seconds) and the last frame received; the count starts again."""
        latencies, frame = self.ask("take")
        return [v for values in latencies.values() for v in values], frame

    def close(self) -> None:
        if self.process.is_alive():
            try:
                self.ask("stop", timeout=30)
            except SystemExit:
                pass   # it failed or hangs: it is killed below
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def record_real(url: str, store: Store, seconds: float, watchers: Watchers) -> tuple[str, float]:
    """One real Chromium participant records `seconds`, watched live, and ends; returns its
    session id and how long the server took to build its media."""
    from playwright.sync_api import sync_playwright
    token, _ = store.invitations.create("R00", actor="bench")
    speech = Path(tempfile.mkdtemp()) / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(speech), "one two three four five six seven eight nine ten"],
                   check=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=CHROMIUM_ARGS + [f"--use-file-for-fake-audio-capture={speech}"])
        page = browser.new_page(bypass_csp=True)
        page.goto(f"{url}/join/{token}")
        page.check("#consent")
        page.click("#agree")
        page.wait_for_selector("#share:not([disabled])")
        page.click("#share")
        page.wait_for_function("document.getElementById('join').dataset.run === '0'", timeout=30000)
        watchers.watch_now(page.evaluate("document.getElementById('join').dataset.session"))
        page.wait_for_timeout(seconds * 1000)
        # on a busy machine the page's first live frames come late: record on until a few arrived
        deadline = time.monotonic() + 60
        while watchers.frames() < LIVE_FPS and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        # the page's own end: the last chunk, every chunk acknowledged, then /end builds the media
        page.evaluate("document.getElementById('start').click()")
        page.wait_for_function("document.getElementById('join').dataset.stage === 'task'", timeout=30000)
        started = time.monotonic()
        page.evaluate("document.getElementById('done').click()")
        page.wait_for_function("document.getElementById('join').dataset.ended === '1'", timeout=300000)
        browser.close()
    (session,) = [s for s in store.sessions.all() if s["participant"] == "R00"]
    while not store.sessions.get(session["id"])["device"].get("built"):   # built off the request
        if time.monotonic() - started > 600:
            raise SystemExit("the media of the real recording were never built")
        time.sleep(0.05)
    return session["id"], time.monotonic() - started


async def send_live(client: socketio.AsyncClient, frame: dict, started_at: float, until: float) -> None:
    """Live frames as the join page sends them (volatile, never waited on), until `until`."""
    seq = 0
    while time.monotonic() < until:
        now = time.time()
        await client.emit(LiveEvent.FRAME, {"t": now - started_at, "seq": seq, "w": frame["w"], "h": frame["h"],
                                            "jpeg": frame["jpeg"], "captured": now, "offered": now, "sent": now},
                          namespace=LIVE_NAMESPACE)
        seq += 1
        await asyncio.sleep(1 / LIVE_FPS)


async def participant(http: aiohttp.ClientSession, url: str, token: str, chunks: list[bytes],
                      seconds: float, start_at: float, frame: dict,
                      watched: Callable[[str], Awaitable[None]]) -> dict:
    """Replay `chunks` at one a second through one invitation, sending live `frame` beside
    them to an observer (`watched` brings one); returns what was sent and acked."""
    join = f"{url}/join/{token}"
    async with http.post(f"{join}/begin", json={"surface": "monitor", "microphone": True}) as r:
        began = await r.json()
    live = socketio.AsyncClient(reconnection=False)
    await live.connect(url, namespaces=[LIVE_NAMESPACE], auth={"join": token}, transports=["websocket"],
                       wait_timeout=20)
    await watched(began["session"])
    offset = time.time() - began["started_at"]
    async with http.post(f"{join}/run", json={"track": "screen", "start": round(offset, 3),
                                              "mime": "video/webm;codecs=vp8,opus", "surface": "monitor"}) as r:
        run = (await r.json())["run"]
    sent: dict[int, float] = {}
    acked: dict[int, float] = {}
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    first = time.monotonic()
    sender = asyncio.ensure_future(send_live(live, frame, began["started_at"], first + seconds))
    seq = 0
    while time.monotonic() - first < seconds:
        body = chunks[0] if seq == 0 else chunks[1 + (seq - 1) % (len(chunks) - 1)]
        due = first + seq + 1.0             # a chunk is handed over as its second ends
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        sent[seq] = time.time()
        t = sent[seq] - began["started_at"]
        try:
            async with http.post(f"{join}/chunk/screen/{run}/{seq}?t={t:.3f}", data=body,
                                 headers={"Accept": "application/json"}) as r:
                if r.status == 200 and (await r.json()).get("ack") == seq:
                    acked[seq] = time.time()
        except aiohttp.ClientError:
            pass
        seq += 1
    await sender
    await live.disconnect()
    return {"session": began["session"], "run": run, "sent": sent, "acked": acked}


async def crowd(url: str, tokens: list[str], chunks: list[bytes], seconds: float, frame: dict,
                watchers: Watchers) -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        start_at = time.monotonic() + 1.0 + 0.1 * len(tokens)   # time to begin and be watched
        # spread over the second, as real pages' recorders are not in step
        return await asyncio.gather(*(participant(http, url, token, chunks, seconds,
                                                  start_at + i / max(1, len(tokens)), frame, watchers.watch_from)
                                      for i, token in enumerate(tokens)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--record", type=float, default=20.0, help="seconds of the real Chromium recording")
    parser.add_argument("--quick", action="store_true", help="the smoke run: 2 participants, 2 s")
    args = parser.parse_args()
    if args.quick:
        args.participants, args.seconds, args.record = 2, 2.0, 2.0
    folder = Path(tempfile.mkdtemp(prefix="uxlab-remote-bench-")) / "study"
    folder.mkdir()
    (folder / "study.toml").write_text(STUDY)
    store = Store(folder)
    from web.auth.accounts import add_user
    add_user(store, WATCHER, Role.OBSERVER, WATCHER_PASSWORD)
    server, url = start_server(folder, dev=False)
    watchers: Watchers | None = None
    try:
        watchers = Watchers(url, login(url, WATCHER, WATCHER_PASSWORD))
        real_id, build_seconds = record_real(url, store, args.record, watchers)
        browser_live, frame = watchers.take()
        if not browser_live:
            raise SystemExit("no live frame of the Chromium participant reached its observer in 60 s")
        real = BrowserChunks(store.media, real_id).runs("screen")[0]
        chunks = [p.read_bytes() for p in real.chunks()]
        recorded_seconds = real.end() - real.start
        real_bytes = sum(len(c) for c in chunks)
        tokens = [store.invitations.create(f"P{i:02d}", actor="bench")[0] for i in range(args.participants)]
        cpu_before, wall_before = tree_cpu_seconds(server.pid), time.monotonic()
        results = asyncio.run(crowd(url, tokens, chunks, args.seconds, frame, watchers))
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        wall = time.monotonic() - wall_before
        crowd_live, _ = watchers.take()
        if not crowd_live:
            raise SystemExit("no live frame of the simulated participants reached their observers")
    finally:
        if watchers is not None:
            watchers.close()
        stop_process(server, timeout=15)
    delays, lost, sent_total, stored_bytes = [], 0, 0, 0
    for result in results:
        run = BrowserChunks(store.media, result["session"]).run("screen", result["run"])
        stored = {row["seq"]: row for row in run.times()}
        sent_total += len(result["sent"])
        lost += sum(1 for seq in result["sent"] if seq not in stored)
        delays += [stored[seq]["stored"] - at for seq, at in result["sent"].items() if seq in stored]
        stored_bytes += sum(row["bytes"] for row in stored.values())
    video = store.media.video(store.sessions.get(real_id))
    mp4_per_hour = video.stat().st_size / recorded_seconds * 3600 / 1e6
    chunks_per_hour = stored_bytes / max(1, len(results)) / args.seconds * 3600 / 1e6
    rows = [
        ("participants at once", f"{len(results)}", ""),
        ("chunks sent / stored / lost", f"{sent_total} / {sent_total - lost} / {lost}", "target: 0 lost"),
        ("chunk stored after recorded, median", f"{quantile(delays, 0.5):.0f} ms", "target: <= 1000 ms"),
        ("chunk stored after recorded, p95", f"{quantile(delays, 0.95):.0f} ms", ""),
        ("server CPU per participant", f"{100 * cpu / wall / max(1, len(results)):.1f} % of a core",
         f"native recorder: ~{100 * NATIVE_CORE_SHARE:.0f} % of a core on the participant's machine"),
        ("storage per hour, chunks (WebM VP8 + Opus)", f"{chunks_per_hour:.0f} MB",
         f"real recording: {real_bytes / recorded_seconds * 3600 / 1e6:.0f} MB/h"),
        ("storage per hour, built screen.mp4 (1280x720)", f"{mp4_per_hour:.0f} MB",
         f"native 1080p15: ~{NATIVE_MB_PER_MINUTE * 60:.0f} MB/h"),
        ("end pressed -> media built", f"{build_seconds:.1f} s for {recorded_seconds:.1f} s recorded",
         f"{build_seconds / recorded_seconds:.2f} s per s"),
        ("live latency participant -> observer, Chromium page",
         f"p50 {quantile(browser_live, 0.5):.0f} / p95 {quantile(browser_live, 0.95):.0f} ms",
         f"{len(browser_live)} frames, 1 observer; target: p95 <= {LIVE_TARGET_MS} ms"),
        (f"live latency participant -> observer, {len(results)} at once",
         f"p50 {quantile(crowd_live, 0.5):.0f} / p95 {quantile(crowd_live, 0.95):.0f} ms",
         f"{len(crowd_live)} frames at {LIVE_FPS} fps each, 1 observer each; target: p95 <= {LIVE_TARGET_MS} ms"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"remote participants: {len(results)} x {args.seconds:.0f} s against uxlab serve "
          f"(gunicorn + gevent, 1 worker), chunks of a real {recorded_seconds:.1f} s Chromium recording")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:<22} {note}")
    print(json.dumps({"lost": lost, "median_ms": round(quantile(delays, 0.5)), "p95_ms": round(quantile(delays, 0.95)),
                      "cpu_per_participant": round(cpu / wall / max(1, len(results)), 4),
                      "build_seconds_per_second": round(build_seconds / recorded_seconds, 3),
                      "live_p95_ms": round(quantile(crowd_live, 0.95)),
                      "live_browser_p95_ms": round(quantile(browser_live, 0.95)),
                      "mean_ms": round(1000 * statistics.mean(delays), 1) if delays else None}))
    store.close()


if __name__ == "__main__":
    main()
