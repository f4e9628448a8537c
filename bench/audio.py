"""Sound: CPU of audio capture, A/V sync over click-beeps, live audio latency; each beside a
reference run in the same command.

Everything is real: a user-mode PulseAudio with a virtual microphone (stopped by its pid),
Xvfb, `uxlab record` and `uxlab serve`, observers as socketio.AsyncClients.

- CPU: `uxlab`'s microphone capture (sounddevice, session-clock mapping; then also AAC
  encoding) in a child process for N seconds, against PulseAudio's own `parecord` taking
  the same source for the same time.
- A/V sync: ten click-beeps recorded at 30 fps (tests/recorder/av_sync.py); beep onset in
  the sound minus the first frame showing the new colour (the window shows its colour when
  its beep plays). Reference: the stored click event against that same frame.
- Transcription (bench/transcription.py): real-time factor on one core per engine and word
  error rate on spoken sentences, beside decoding the voice track alone.
- Live audio latency: from a chunk's last sample (session start + t + its length, wall
  clock, same host) to its arrival at each observer; 1 observer as the reference, then 10.

Run: .venv/bin/python bench/audio.py [--seconds 10]; `--quick` is the test suite's smoke run
(1 s runs, the capture's CPU with AAC only, 2 click-beeps, 3 observers and no 1-observer
reference; no transcription rows: the same smoke run runs
bench/transcription.py --quick, and transcribing twice would double the suite's longest bench).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import first_display  # noqa: E402
from recorder.virtual_display import VirtualDisplay  # noqa: E402
from sessions.events import LIVE_NAMESPACE, EventKind, LiveEvent  # noqa: E402
from sessions.store import Store  # noqa: E402
from tests.live.clients import Server  # noqa: E402
from tests.pulse import VirtualPulse  # noqa: E402

CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from recorder.clock import SessionClock
from recorder.sources.audio import AudioCapture, Microphone
encode = {encode}
outputs = []
if encode:
    from recorder.sinks.video import VideoWriter
    video = VideoWriter({path!r}, 64, 64, 1, audio_tracks=("participant",))
    outputs.append(lambda first, samples: video.write_audio(0, first, samples))
mic = Microphone("vmic")
mic.start()
clock = SessionClock()
capture = AudioCapture(mic, clock, outputs=outputs, paused=lambda t: False)
cpu = time.process_time()
capture.start()
time.sleep({seconds})
capture.stop(clock.now())
used = time.process_time() - cpu
if encode:
    video.close()
print(used, capture.stats.samples_written / 16000)
"""


def cpu_rows(seconds: float, tmp: Path, plain: bool = True) -> list[tuple[str, str]]:
    """The capture's CPU without and with the AAC encoder, then parecord's; `plain=False`
    (the smoke run) leaves out the run without the encoder, whose path the other one takes too."""
    rows = []
    runs = (("uxlab capture (sounddevice + session clock)", False), ("uxlab capture + AAC into the MP4", True))
    for label, encode in runs if plain else runs[1:]:
        code = CHILD.format(root=str(ROOT), encode=encode, path=str(tmp / "cpu.mp4"), seconds=seconds)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode != 0:
            said = " | ".join(out.stderr.strip().splitlines()[-15:])
            raise SystemExit(f"the capture child ({label}) failed (exit {out.returncode}): {said}")
        used, kept = (float(v) for v in out.stdout.split())
        rows.append((label, f"{100 * used / seconds:.1f} % of a core ({kept:.1f} s of sound kept)"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    parecord = subprocess.Popen(["parecord", "--device=vmic", "--rate=16000", "--channels=1",
                                 "--latency-msec=50", "--file-format=wav", str(tmp / "ref.wav")])
    time.sleep(seconds)
    parecord.terminate()
    parecord.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows.append(("reference: parecord, same source and time", f"{100 * used / seconds:.1f} % of a core"))
    return rows


def sync_rows(display: VirtualDisplay, pulse: VirtualPulse, tmp: Path, clicks: int = 10) -> list[tuple[str, str]]:
    from tests.recorder.av_sync import record_click_beeps, sync_errors
    video, sid, late = record_click_beeps(display, tmp / "sync", pulse.env, clicks=clicks)
    errors, changes, onsets = sync_errors(video, late)
    store = Store(tmp / "sync")
    clicks = [r["t"] for r in store.events.iterate(sid, kinds=[EventKind.CLICK]) if r["pressed"]]
    store.close()
    reference = [min((abs(c - ch) for c in clicks), default=float("nan")) for ch in changes]
    ms = [abs(e) * 1000 for e in errors]
    if not ms:
        raise SystemExit(f"no click-beep found in the recording: colour changes {changes}, onsets {onsets}")
    return [(f"A/V sync: beep onset vs first colour frame ({len(ms)} click-beeps)",
             f"median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms (target max <= 40 ms)"),
            ("reference: click event vs first colour frame (the app waits for its beep)",
             f"median {statistics.median(reference) * 1000:.0f} ms, max {max(reference) * 1000:.0f} ms")]


class Listeners:
    """N AsyncClients on one loop in a thread, keeping each audio chunk's latency."""

    def __init__(self, url: str, cookie: str, count: int) -> None:
        import socketio
        self.latencies: list[float] = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.clients = [socketio.AsyncClient(reconnection=False) for _ in range(count)]
        self.started_at = 0.0
        for client in self.clients:
            client.on(LiveEvent.AUDIO, self._audio, namespace=LIVE_NAMESPACE)
        self._run(self._all(c.connect(url, namespaces=[LIVE_NAMESPACE], headers={"Cookie": cookie},
                                      transports=["websocket"], wait_timeout=10)
                            for c in self.clients))

    @staticmethod
    async def _all(coroutines):
        return await asyncio.gather(*coroutines)

    async def _audio(self, chunk: dict) -> None:
        end = self.started_at + chunk["t"] + len(chunk["pcm"]) / 2 / chunk["rate"]
        self.latencies.append(time.time() - end)

    def _run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def join(self, session_id: str, started_at: float) -> None:
        self.started_at = started_at
        replies = self._run(self._all(c.call(LiveEvent.JOIN, {"session": session_id}, namespace=LIVE_NAMESPACE)
                                      for c in self.clients))
        assert all(r["ok"] for r in replies), replies

    def close(self) -> None:
        self._run(self._all(c.disconnect() for c in self.clients))
        self.loop.call_soon_threadsafe(self.loop.stop)


def live_server(tmp: Path) -> Server:
    """The live run's `uxlab serve` on a study of its own, started (it waits for the answer)."""
    from tests.conftest import write_study
    from tests.live.clients import USERS
    from web.auth.accounts import add_user
    folder = write_study(tmp / "live")
    store = Store(folder)
    add_user(store, "otto", *USERS["otto"])   # the one observer who logs in (a password hash each)
    store.close()
    return Server(folder).start()


def live_rows(display: VirtualDisplay, seconds: float, tmp: Path, counts: tuple[int, ...] = (1, 10),
              booting: Future[Server] | None = None) -> list[tuple[str, str]]:
    """Live audio latency per count of observers; `booting`: the server, started earlier
    (the smoke run starts it while the other rows run), else it is started here."""
    from tests.live.clients import Recorder, login
    server = booting.result() if booting is not None else live_server(tmp)
    folder = server.folder
    rows = []
    try:
        cookie = login(server.url, "otto")
        for count in counts:
            listeners = Listeners(server.url, cookie, count)
            # one participant id for every run: --again records its next session without asking
            recorder = Recorder(folder, display, server.url, "--audio", "vmic", "--again")
            try:
                store = Store(folder)
                listeners.join(recorder.session_id, store.sessions.get(recorder.session_id)["started_at"])
                store.close()
                time.sleep(1.0)
                listeners.latencies.clear()
                time.sleep(seconds)
                values = sorted(listeners.latencies)
            finally:
                recorder.end()
                listeners.close()
            if not values:
                said = " | ".join(line.strip() for line in recorder.stderr if line.strip())
                raise SystemExit(f"no sound reached {count} observer(s) in {seconds:g} s; the recorder said: {said}")
            p95 = values[int(0.95 * (len(values) - 1))] * 1000
            label = "reference: 1 observer" if count == 1 else f"live audio latency, {count} observers"
            target = " (target p95 <= 400 ms)" if count > 1 else ""
            rows.append((label, f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {p95:.0f} ms "
                                f"over {len(values)} chunk arrivals{target}"))
    finally:
        server.stop()
    return rows


def transcription_rows() -> list[tuple[str, str]]:
    """bench/transcription.py's rows (real-time factor on one core, word error rate), in
    this table's form, so one run of this command prints every sound measure."""
    from transcription import measure  # bench/transcription.py, beside this file

    rows = []
    for r in measure():
        if "skipped" in r:
            rows.append((f"transcription, {r['name']}", f"not run: {r['skipped']}"))
            continue
        wer = "" if r["wer"] is None else f", word error rate {r['wer']:.0%}"
        target = "" if r["target"] is None else f" (target RTF <= {r['target']})"
        rows.append((f"transcription, {r['name']}",
                     f"real-time factor {r['rtf']:.3f} on one core{wer} over {r['seconds']:.1f} s of speech{target}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the CPU and live runs")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 s runs, 2 click-beeps, 3 observers")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 1.0
    pulse = VirtualPulse(("vmic",)).start()
    os.environ.update(pulse.env)
    rows: list[tuple[str, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, VirtualDisplay(1280, 800, first=first_display()) as display, \
                ThreadPoolExecutor(1) as pool:
            tmp_path = Path(tmp)
            # the smoke run starts the live run's server first, to boot while the CPU rows run
            # (they count CPU seconds, not time); the A/V sync waits for it, as it times
            # sound against frames. A full run starts it when its turn comes, beside nothing
            booting = pool.submit(live_server, tmp_path) if args.quick else None
            try:
                rows += cpu_rows(args.seconds, tmp_path, plain=not args.quick)
                if booting is not None:
                    booting.result()
                rows += sync_rows(display, pulse, tmp_path, clicks=2 if args.quick else 10)
                # the smoke run skips the 1-observer reference: the 3-observer run takes the same path
                rows += live_rows(display, args.seconds, tmp_path, counts=(3,) if args.quick else (1, 10),
                                  booting=booting)
            finally:   # a row before the live one failed: its server stops too (twice is harmless)
                if booting is not None and booting.exception() is None:
                    booting.result().stop()
        if args.quick:
            rows.append(("transcription", "not run with --quick (bench/transcription.py --quick is its smoke run)"))
        else:
            rows += transcription_rows()  # last: it pins this process to one core
    finally:
        pulse.stop()
    width = max(len(label) for label, _ in rows)
    print(f"\nsound on this machine ({os.cpu_count()} cores), 16 kHz mono, virtual PulseAudio microphone")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
