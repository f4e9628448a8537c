"""The lab server under load: `uxlab serve` (gunicorn with gevent) beside the development
server (`uxlab serve --dev`), measured the same way in the same run.

For each server: a study with 20 recorded sessions while a real `uxlab record --live`
records another on a private Xvfb whose screen changes all the time; then
1. HTTP: 200 clients (aiohttp, one connection each, logged in) for 30 s, each asking in
   turn for the dashboard's summary, a replay's data and a heatmap page; every answer
   other than 200 in 10 s counts as an error or a timeout; the server's RSS (every process
   of it) before and a few seconds after the load;
2. live: 200 Socket.IO observers (socketio.AsyncClient, FIELD-NOTES trap 8) join the
   session being recorded: latency from the grab to the observer, and each observer's
   delivered frame rate against the rate the recorder sent at.

Latency is read on the monotonic clock. A frame carries its grab time as wall-clock time
(the recorder's session start plus monotonic seconds since), so an observer comparing it with
its own wall clock adds any step the wall clock takes during the recording. These machines
are virtual and are snapshotted now and then (the kernel logs "crng reseeded due to virtual
machine fork"); the wall clock is then set forward past the monotonic one. One full run
during which that happened read the mixed observers' p95 as 13.2 s, every frame of all 100
about 12 s late at the rate it was sent, where `--only mixed` right after read 191 ms. So each
grab time is put back on the monotonic clock with the offset between the two clocks taken as
the recorder started, and the tables say how far the wall clock moved meanwhile. They also
give the bytes that had reached this machine's client sockets but were still unread at the
end of the count: megabytes there mean the observing clients fell behind, not the server.

Run: .venv/bin/python bench/serve.py [--clients 200] [--seconds 30] [--observers 200]
`--quick` is the smoke run of the test suite: 3 clients and 2 observers for 1 s each, 2 sessions,
uxlab serve alone (the development server's run takes the same path with one option more),
and the mixed run on its server and its logins rather than a fresh one.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import ANIMATOR, RecorderProcess, clock_offset, first_display, free_port  # noqa: E402  (shared with live.py)
from recorder.virtual_display import VirtualDisplay, stop_process  # noqa: E402
from sessions.events import LIVE_NAMESPACE, LiveEvent  # noqa: E402
from sessions.store import Store  # noqa: E402

UXLAB = Path(sys.executable).parent / "uxlab"
TOKEN, SECRET = "bench-serve-token", "bench-serve-secret"
USER, PASSWORD = "watcher", "watcher-password"
STUDY = textwrap.dedent("""
    title = "Serve bench"
    [capture]
    fps = 10
    [[task]]
    id = "first"
    prompt = "Do the first thing."
    [[task]]
    id = "second"
    prompt = "Do the second thing."
""")
REQUEST_TIMEOUT = 10.0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn's master and workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


def unread_bytes(port: int) -> int:
    """Bytes the kernel holds for this machine's clients of `port`, not yet read by them
    (the receive queues of /proc/net/tcp and tcp6): what observers fell behind by."""
    total = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows, None)
            for row in rows:
                fields = row.split()
                if len(fields) > 4 and fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                    total += int(fields[4].split(":")[1], 16)
    return total


def quantile(values: list[float], q: float) -> float:
    """In milliseconds, nearest rank."""
    if not values:
        return float("nan")
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


async def log_in(http: aiohttp.ClientSession, url: str) -> None:
    async with http.get(f"{url}/login") as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    async with http.post(f"{url}/login", data={"csrf_token": token, "name": USER, "password": PASSWORD},
                         allow_redirects=False) as answer:
        assert answer.status == 302, answer.status


async def http_load(url: str, paths: list[str], clients: int, seconds: float, cookies: list,
                    until: Callable[[], bool] | None = None) -> dict:
    """`clients` clients, each on its own connection, asking for `paths` in turn for
    `seconds` (or, given `until`, until it says so)."""
    latencies, errors, timeouts, statuses = [], 0, 0, {}
    started_at = time.monotonic()
    deadline = started_at + seconds if until is None else float("inf")
    if until is not None:
        async def watch() -> None:
            nonlocal deadline
            while not until():
                await asyncio.sleep(0.1)
            deadline = 0.0
        watcher = asyncio.ensure_future(watch())

    async def client(index: int) -> None:
        nonlocal errors, timeouts
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies(cookies[index % len(cookies)])
        connector = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(cookie_jar=jar, connector=connector, timeout=timeout) as http:
            turn = index
            while time.monotonic() < deadline:
                path = paths[turn % len(paths)]
                turn += 1
                started = time.monotonic()
                try:
                    async with http.get(url + path, allow_redirects=False) as answer:
                        await answer.read()
                        statuses[answer.status] = statuses.get(answer.status, 0) + 1
                        if answer.status != 200:
                            errors += 1
                            continue
                except TimeoutError:
                    timeouts += 1
                    continue
                except aiohttp.ClientError:
                    errors += 1
                    continue
                latencies.append(time.monotonic() - started)

    await asyncio.gather(*(client(i) for i in range(clients)))
    if until is not None:
        await watcher
    seconds = time.monotonic() - started_at
    return {"requests": len(latencies) + errors + timeouts, "ok": len(latencies), "errors": errors,
            "timeouts": timeouts, "rps": (len(latencies) + errors + timeouts) / seconds, "seconds": seconds,
            "p50": quantile(latencies, 0.5), "p95": quantile(latencies, 0.95), "statuses": statuses}


async def observe(url: str, cookie: str, session_id: str, count: int, seconds: float,
                  settle: float = 2.0, measuring: Any = None, offset: float | None = None) -> dict:
    """`count` observers join the live session; each keeps (arrival, latency, seq) per frame,
    on the monotonic clock. `offset`: clock_offset() as the recorder started (its frames'
    grab times are wall-clock); `measuring` (an Event), when given, is set while the frames
    are being counted."""
    arrivals: list[list[tuple[float, float, int]]] = [[] for _ in range(count)]
    observers: list[socketio.AsyncClient] = []
    offset = clock_offset() if offset is None else offset

    async def connect(index: int) -> None:
        client = socketio.AsyncClient(reconnection=False)

        async def frame(data):
            now = time.monotonic()
            arrivals[index].append((now, now - (data["captured"] - offset), data.get("seq", 0)))

        client.on(LiveEvent.FRAME, frame, namespace=LIVE_NAMESPACE)
        await client.connect(url, namespaces=[LIVE_NAMESPACE], headers={"Cookie": cookie}, transports=["websocket"],
                             wait_timeout=20)
        reply = await client.call(LiveEvent.JOIN, {"session": session_id}, namespace=LIVE_NAMESPACE, timeout=20)
        assert reply["ok"], reply
        observers.append(client)

    for start in range(0, count, 20):
        await asyncio.gather(*(connect(i) for i in range(start, min(count, start + 20))))
    await asyncio.sleep(settle)       # every observer has had its first frames
    if measuring is not None:
        measuring.set()
    begin = time.monotonic()
    await asyncio.sleep(seconds)
    end = time.monotonic()
    unread = unread_bytes(int(url.rsplit(":", 1)[1]))
    if measuring is not None:
        measuring.clear()
    await asyncio.gather(*(c.disconnect() for c in observers))
    latencies, rates, first_seq, last_seq = [], [], None, None
    for frames in arrivals:
        window = [f for f in frames if begin <= f[0] <= end]
        latencies += [f[1] for f in window]
        rates.append(len(window) / (end - begin))
        if window:
            first_seq = min(first_seq, window[0][2]) if first_seq is not None else window[0][2]
            last_seq = max(last_seq, window[-1][2]) if last_seq is not None else window[-1][2]
    source = (last_seq - first_seq + 1) / (end - begin) if first_seq is not None else float("nan")
    return {"observers": len(observers), "p50": quantile(latencies, 0.5), "p95": quantile(latencies, 0.95),
            "source_fps": source, "fps_min": min(rates), "fps_median": statistics.median(rates),
            "within_10pct": sum(r >= 0.9 * source for r in rates), "unread_mb": unread / 1e6,
            "clock_step": clock_offset() - offset}


def start_server(folder: Path, dev: bool) -> tuple[subprocess.Popen, str]:
    """`uxlab serve` on a free port; a server that exits or never listens stops the bench
    with the end of what it wrote (kept in a log file beside the study)."""
    port = free_port()
    command = [str(UXLAB), "serve", str(folder), "--port", str(port)] + (["--dev"] if dev else [])
    env = {**os.environ, "UXLAB_LIVE_TOKEN": TOKEN, "UXLAB_SECRET_KEY": SECRET}
    log = folder.parent / f"serve{'-dev' if dev else ''}.log"
    with log.open("w") as sink:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    deadline = time.monotonic() + 300   # a busy machine takes long to import the app
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    stop_process(server, timeout=15)
    said = " | ".join(line.strip() for line in log.read_text().splitlines()[-20:] if line.strip())
    raise SystemExit(f"the server did not start (exit {server.returncode}): {said or '(nothing on stderr)'}")


def start_recorder(folder: Path, display: VirtualDisplay, url: str) -> RecorderProcess:
    return RecorderProcess(
        [str(UXLAB), "record", str(folder), "--participant", "live", "--display", display.name, "--consent",
         "--prompt", "none", "--live", url, "--token", TOKEN, "--again"])


class Served(NamedTuple):
    server: subprocess.Popen
    url: str
    recorder: RecorderProcess
    offset: float   # clock_offset() as the recorder started its session clock


@contextlib.contextmanager
def serving(folder: Path, display: VirtualDisplay, dev: bool) -> Iterator[Served]:
    """A server and a live recording into it, both stopped on the way out."""
    server, url = start_server(folder, dev)
    try:
        before = clock_offset()
        recorder = start_recorder(folder, display, url)
        after = clock_offset()
    except BaseException:
        stop_process(server, timeout=15)
        raise
    if abs(after - before) > 0.01:   # the recorder's clock began on one side of the step
        print(f"note: the wall clock moved {after - before:+.2f} s while the recorder started; "
              "its latencies may be off by that much", file=sys.stderr)
    try:
        yield Served(server, url, recorder, after)
    finally:
        recorder.stop()
        stop_process(server, timeout=15)


def run_one(served: Served, args, replay_id: str, cookies: list[dict] | None = None) -> dict:
    """The HTTP crowd, then the observers; the logins made go into `cookies` when given."""
    server, url, recorder, offset = served
    live_id, settle = recorder.session_id, 0.25 if args.quick else 2.0
    cookies = [] if cookies is None else cookies

    async def scenario() -> dict:
        for _ in range(2 if args.quick else 8):   # each login is a password hash on the server
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                await log_in(http, url)
                cookies.append({c.key: c.value for c in http.cookie_jar})
        paths = ["/summary", f"/sessions/{replay_id}/timeline.json", "/heatmaps/first"]
        await http_load(url, paths, 10, 1.5 * settle, cookies)   # warm-up: caches, threads, imports
        rss_before = tree_rss_mb(server.pid)
        load = await http_load(url, paths, args.clients, args.seconds, cookies)
        await asyncio.sleep(2.5 * settle)
        load.update(rss_before=rss_before, rss_after=tree_rss_mb(server.pid))
        cookie = "uxlab_session=" + cookies[0]["uxlab_session"]
        live = await observe(url, cookie, live_id, args.observers, args.observe_seconds, settle, offset=offset)
        return {"http": load, "live": live}
    return asyncio.run(scenario())


def _observers_apart(url: str, cookie: str, session_id: str, count: int, seconds: float, settle: float,
                     measuring: Any, answer: Any, offset: float) -> None:
    """observe() in a process of its own, so the HTTP crowd's client loop does not delay the
    observers' clocks (the latency measured is the server's, not this bench's)."""
    try:
        answer.put(asyncio.run(observe(url, cookie, session_id, count, seconds, settle, measuring, offset)))
    except BaseException as exc:
        answer.put({"failed": repr(exc)})
        raise


def run_mixed(served: Served, args, replay_id: str, logged_in: list[dict] | None = None) -> dict:
    """The HTTP crowd and the observers at once on `uxlab serve`, during a recording: the
    crowd runs while the observers' frames are counted, and the server's memory is read at
    the start (after a warm-up of both paths), right after the load and `args.memory_wait`
    seconds later. `logged_in`: cookies of this server's earlier logins, used instead of new ones."""
    import multiprocessing
    server, url, recorder, offset = served
    settle = 0.25 if args.quick else 2.0
    paths = ["/summary", f"/sessions/{replay_id}/timeline.json", "/heatmaps/first"]
    context = multiprocessing.get_context("spawn")

    async def logins() -> list[dict]:
        cookies = list(logged_in or [])
        for _ in range(0 if cookies else 2 if args.quick else 8):   # each login is a password hash on the server
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                await log_in(http, url)
                cookies.append({c.key: c.value for c in http.cookie_jar})
        await http_load(url, paths, 10, 1.5 * settle, cookies)   # warm-up: caches, threads, imports
        return cookies

    cookies = asyncio.run(logins())
    # the live path warmed up too (its code and buffers), so the start is a warm server's
    asyncio.run(observe(url, "uxlab_session=" + cookies[0]["uxlab_session"], recorder.session_id, 3,
                        settle, settle, offset=offset))
    rss_start = tree_rss_mb(server.pid)
    measuring, answer = context.Event(), context.Queue()
    cookie = "uxlab_session=" + cookies[0]["uxlab_session"]
    watchers = context.Process(target=_observers_apart, args=(
        url, cookie, recorder.session_id, args.observers, args.observe_seconds, settle, measuring, answer, offset))
    watchers.start()
    counted = [False]

    def over() -> bool:   # the crowd starts with the observers and stops once their count ends
        counted[0] = counted[0] or measuring.is_set()
        return (counted[0] and not measuring.is_set()) or not watchers.is_alive()
    load = asyncio.run(http_load(url, paths, args.clients, 0.0, cookies, until=over))
    live = answer.get(timeout=120)
    watchers.join(timeout=30)
    if "failed" in live:
        raise SystemExit(f"the observers failed: {live['failed']}")
    rss_end = tree_rss_mb(server.pid)
    settled = time.monotonic() + args.memory_wait
    while time.monotonic() < settled:
        time.sleep(0.5)
    rss_later = tree_rss_mb(server.pid)
    load.update(rss_start=rss_start, rss_end=rss_end, rss_later=rss_later)
    return {"http": load, "live": live}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--observers", type=int, default=200)
    parser.add_argument("--observe-seconds", type=float, default=15.0)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--only", choices=["gunicorn", "dev", "mixed"], help="run one of the three only")
    parser.add_argument("--mixed-observers", type=int, default=100,
                        help="observers watching while the HTTP crowd runs (the mixed run)")
    parser.add_argument("--memory-wait", type=float, default=60.0,
                        help="seconds after the mixed load before the server's memory is read again")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few clients, a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.observers, args.observe_seconds, args.sessions = 3, 1.0, 2, 1.0, 2
        args.mixed_observers, args.memory_wait = 2, 0.5
    with tempfile.TemporaryDirectory() as tmp, VirtualDisplay(1280, 800, first=first_display()) as display:
        folder = Path(tmp) / "study"
        folder.mkdir()
        (folder / "study.toml").write_text(STUDY)
        store = Store(folder)
        # imported here, not at the top: the observers' spawned process imports this module
        from tests.web.recordings import record_session
        from web.auth.accounts import add_user
        add_user(store, USER, "researcher", PASSWORD)
        ids = [record_session(store, f"P{i:02d}") for i in range(args.sessions)]
        store.close()
        animator = subprocess.Popen([sys.executable, "-c", ANIMATOR], env=display.env(),
                                    stdout=subprocess.PIPE, text=True)
        assert animator.stdout.readline().strip() == "ready"
        results, mixed = {}, None
        mixed_args = argparse.Namespace(**{**vars(args), "observers": args.mixed_observers})
        try:
            for name, dev in (("uxlab serve (gunicorn, gevent)", False), ("development server (--dev)", True)):
                if args.only and args.only != ("dev" if dev else "gunicorn"):
                    continue
                if args.quick and dev and args.only is None:   # the smoke run: one server start less
                    continue
                with serving(folder, display, dev) as served:
                    cookies: list[dict] = []
                    results[name] = run_one(served, args, ids[0], cookies)
                    if args.quick and not dev and args.only is None:   # the smoke run reuses this server
                        mixed = run_mixed(served, mixed_args, ids[0], cookies)
            if args.only in (None, "mixed") and mixed is None:   # a full run's mixed load meets a fresh server
                with serving(folder, display, False) as served:
                    mixed = run_mixed(served, mixed_args, ids[0])
        finally:
            animator.kill()
            animator.wait()
    if results:
        print_table(results, args)
    if mixed is not None:
        print_mixed(mixed, args)


def print_mixed(result: dict, args) -> None:
    h, live = result["http"], result["live"]
    print(f"\nmixed: {args.clients} HTTP clients and {args.mixed_observers} observers at once on uxlab serve "
          f"(gunicorn, gevent), during a recording, {h['seconds']:.0f} s")
    print("| measure | value | target |")
    print("| --- | ---: | --- |")
    print(f"| observers' latency p50 / p95 ms | {live['p50']:.0f} / {live['p95']:.0f} | p95 ≤ 500 ms |")
    print(f"| delivered fps min / median (source {live['source_fps']:.1f}) | {live['fps_min']:.1f} / "
          f"{live['fps_median']:.1f} | ≥ 90 % of the source |")
    print(f"| observers within 10 % of the source | {live['within_10pct']} of {live['observers']} | all |")
    print(f"| left unread in the clients' sockets at the end (observers and crowd) MB | {live['unread_mb']:.1f} | "
          "≈ 0 (more: the clients fell behind) |")
    print(f"| wall clock moved against the monotonic one during the recording s | {live['clock_step']:+.2f} | "
          "(the latencies above are on the monotonic clock) |")
    print(f"| HTTP requests/s, p50 / p95 ms | {h['rps']:.0f}, {h['p50']:.0f} / {h['p95']:.0f} | p95 ≤ 1500 ms |")
    print(f"| HTTP errors, timeouts | {h['errors']}, {h['timeouts']} | 0 |")
    print(f"| server RSS at start → end of load → {args.memory_wait:.0f} s later MB | {h['rss_start']:.0f} → "
          f"{h['rss_end']:.0f} → {h['rss_later']:.0f} ({h['rss_later'] - h['rss_start']:+.0f}) | within 20 MB "
          "of the start |")
    print(json.dumps({"mixed": result}, default=lambda v: round(v, 2) if isinstance(v, float) else str(v)),
          file=sys.stderr)


def print_table(results: dict, args) -> None:
    print(f"\nHTTP: {args.clients} clients for {args.seconds:.0f} s on a study with {args.sessions} sessions "
          "while one more is recorded (summary, replay data, heatmap page in turn)")
    print("| server | requests/s | p50 ms | p95 ms | errors | timeouts | RSS before → after MB | target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for name, r in results.items():
        h = r["http"]
        print(f"| {name} | {h['rps']:.0f} | {h['p50']:.0f} | {h['p95']:.0f} | {h['errors']} | {h['timeouts']} | "
              f"{h['rss_before']:.0f} → {h['rss_after']:.0f} ({h['rss_after'] - h['rss_before']:+.0f}) | "
              f"0 errors and timeouts, p95 ≤ 1000 ms, RSS growth ≤ 50 MB |")
    print(f"\nlive: {args.observers} Socket.IO observers of the session being recorded, {args.observe_seconds:.0f} s")
    print("| server | observers | latency p50 ms | p95 ms | source fps | delivered fps min / median "
          "| within 10 % of the source | unread at the end MB | wall clock moved s | target |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for name, r in results.items():
        live = r["live"]
        print(f"| {name} | {live['observers']} | {live['p50']:.0f} | {live['p95']:.0f} | {live['source_fps']:.1f} | "
              f"{live['fps_min']:.1f} / {live['fps_median']:.1f} | {live['within_10pct']} of {live['observers']} | "
              f"{live['unread_mb']:.1f} | {live['clock_step']:+.2f} | p95 ≤ 250 ms, every observer ≥ 90 % |")
    print(json.dumps(results, default=lambda v: round(v, 2) if isinstance(v, float) else str(v)), file=sys.stderr)


if __name__ == "__main__":
    main()
