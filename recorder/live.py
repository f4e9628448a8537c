"""The live publisher: streams a running session to `uxlab serve` so observers can watch,
and brings the moderator console's commands back to the task runner.

Two Socket.IO connections, each kept up by its own thread with backoff, so neither a
refused token nor a restarted server can stall the other or the recording:
- `/live` (`sessions.events.LiveEvent`; see web/live/namespace.py), authenticated with the lab's live token (`--token T`, the
  secret the server knows as UXLAB_LIVE_TOKEN): screen frames, input events, task state and
  markers.
- `/console` (`sessions.events.ConsoleEvent`; see web/live/console_protocol.py), authenticated with the session's own token
  from the store: commands in, `state` and `done` out.

Nothing the capture, input or task threads call here ever waits on the network: a frame
goes into a one-frame slot (the latest wins, a replaced frame is counted as dropped) and is
encoded to JPEG and sent from the publisher's thread, at most `max_fps` a second and with
at most two frames unacknowledged, so a slow link or server drops frames instead of queueing
them. Each frame carries the wall-clock times it was grabbed (`captured`), reached the
publisher (`offered`) and was sent (`sent`), so latency can be taken apart. Events and
markers go through bounded queues. The recording on disk never depends on any of this.
"""
from __future__ import annotations

import collections
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import socketio

from recorder.tasks import ActionError, TaskRunner
from sessions.errors import UxlabError
from sessions.events import (
    CONSOLE_NAMESPACE,
    LIVE_NAMESPACE,
    Action,
    ConsoleEvent,
    LiveEvent,
    MarkerKind,
    MarkerStatus,
    SessionStatus,
)
from sessions.store import Store

log = logging.getLogger(__name__)

MAX_EVENTS_QUEUED = 5000
EVENTS_PER_MESSAGE = 200
MAX_IN_FLIGHT = 2         # frames sent and not yet acknowledged: more are dropped, not queued
IN_FLIGHT_TIMEOUT = 2.0   # a frame not acknowledged by then is taken as lost
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 3.0
MARKER_POLL = 0.5
AUDIO_QUEUED = 10         # chunks (~0.5 s) of sound waiting to be sent; older ones are dropped
CAMERA_FPS = 5            # camera pictures sent per second, at most
CAMERA_WIDTH = 320


@dataclass
class PublisherStats:
    frames_offered: int = 0
    frames_sent: int = 0
    frames_dropped: int = 0   # replaced in the slot before they could be sent
    events_sent: int = 0
    events_dropped: int = 0
    audio_sent: int = 0
    audio_dropped: int = 0
    connects: int = 0


def check_live_token(url: str, token: str, timeout: float = 5.0) -> tuple[bool | None, str]:
    """Ask the server whether it takes `token`, before anything is recorded: (True, ""),
    (False, its refusal) or (None, why it could not be asked). Live is best-effort, so an
    unreachable server is not a refusal; a wrong token is a mistake to stop at."""
    client = socketio.Client(reconnection=False)
    refusal: list[str] = []  # only a server that answered sends a refusal with a message
    client.on("connect_error", lambda data=None: refusal.append(str(data["message"]))
              if isinstance(data, dict) and data.get("message") else None, namespace=LIVE_NAMESPACE)
    try:
        client.connect(url, namespaces=[LIVE_NAMESPACE], auth={"live_token": token, "check": True},
                       transports=["websocket"], wait_timeout=timeout)
    except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
        return (False, refusal[-1]) if refusal else (None, str(exc) or exc.__class__.__name__)
    client.disconnect()
    return True, ""


class _Link:
    """One namespace on one server: connects, reconnects with backoff, and runs `work`
    while connected. All sending on this connection happens in its own thread."""

    def __init__(self, url: str, namespace: str, auth: dict, handlers: dict[str, Callable],
                 work: Callable[["_Link"], None], on_connect: Callable[[], None], stop: threading.Event) -> None:
        self.url, self.namespace, self.auth = url, namespace, auth
        self.handlers, self.work, self.on_connect, self.stop = handlers, work, on_connect, stop
        self.client: socketio.Client | None = None
        self.connected = threading.Event()
        self.last_error: str | None = None
        self.thread = threading.Thread(target=self._run, name=f"live{namespace}", daemon=True)

    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self.stop.is_set():
            if self._connect():
                delay = BACKOFF_FIRST
                self.on_connect()
                while self.connected.is_set() and not self.stop.is_set():
                    self.work(self)
                self._close()
                continue
            self.stop.wait(delay * random.uniform(0.8, 1.2))
            delay = min(BACKOFF_MAX, delay * 2)
        self._close()

    def _connect(self) -> bool:
        client = socketio.Client(reconnection=False)
        for event, handler in self.handlers.items():
            client.on(event, handler, namespace=self.namespace)
        client.on("disconnect", lambda *args: self.connected.clear(), namespace=self.namespace)
        refusal: list[str] = []
        client.on("connect_error", lambda data=None: refusal.append(
            str(data.get("message")) if isinstance(data, dict) else str(data)), namespace=self.namespace)
        try:
            client.connect(self.url, namespaces=[self.namespace], auth=self.auth,
                           transports=["websocket"], wait_timeout=5)
        except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
            reason = refusal[-1] if refusal else str(exc)
            if reason != self.last_error:
                log.warning("live: cannot connect to %s%s: %s", self.url, self.namespace, reason)
            self.last_error = reason
            return False
        self.client, self.last_error = client, None
        self.connected.set()
        return True

    def emit(self, event: str, data: Any, callback: Callable | None = None) -> bool:
        client = self.client
        if client is None or not self.connected.is_set():
            return False
        try:
            client.emit(event, data, namespace=self.namespace, callback=callback)
            return True
        except (socketio.exceptions.SocketIOError, OSError):
            self.connected.clear()
            return False

    def _close(self) -> None:
        client, self.client = self.client, None
        self.connected.clear()
        if client is not None:
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001  a half-dead connection may fail to say goodbye
                pass


class LivePublisher:
    """Publish one session; `start()` it, feed it from any thread, `stop()` it at the end."""

    def __init__(self, url: str, token: str, session_id: str, *, session_token: str | None = None,
                 on_command: Callable[[dict], None] | None = None, started_wall: float | None = None,
                 store: Store | None = None, max_fps: float = 10.0, max_width: int = 1280, quality: int = 70) -> None:
        self.session_id, self.max_width, self.quality = session_id, max_width, quality
        self.interval = 1.0 / max_fps
        self.started_wall = time.time() if started_wall is None else started_wall
        self.on_command, self.store = on_command, store
        self._marker_seen, self._markers_polled = self._last_marker_id(), 0.0
        self.stats = PublisherStats()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._slot: tuple[float, np.ndarray, float] | None = None
        self._last_frame: dict | None = None      # the last encoded frame, resent on request
        self._resend = False
        self._in_flight: collections.deque = collections.deque()   # send times of unacknowledged frames
        self._next_due = 0.0   # when the next frame may go: a fixed cadence, so jitter does not add up
        self._offered_at = 0.0
        self._arrival_gap = 1.0   # the recent time between offered frames (moving average)
        self._events: collections.deque = collections.deque()
        self._audio: collections.deque = collections.deque()
        self._camera: tuple[float, np.ndarray] | None = None   # the latest picture, one slot
        self._camera_due = 0.0
        self._camera_seq = 0
        self._markers: collections.deque = collections.deque(maxlen=200)
        self._state: dict | None = None
        self._state_dirty = False
        self._console_out: collections.deque = collections.deque(maxlen=200)
        self._console_wake = threading.Event()
        self.live = _Link(url, LIVE_NAMESPACE, {"live_token": token, "session": session_id},
                          {LiveEvent.SNAPSHOT: self._on_snapshot}, self._send_pending, self._on_live_connect, self._stop)
        self.console = None
        if session_token:
            self.console = _Link(url, CONSOLE_NAMESPACE, {"token": session_token, "live_token": token},
                                 {ConsoleEvent.COMMAND: self._on_command}, self._send_console,
                                 self._on_console_connect, self._stop)

    def _last_marker_id(self) -> int:
        if self.store is None:
            return 0
        return max((m["id"] for m in self.store.markers.all(self.session_id)), default=0)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "LivePublisher":
        self.live.thread.start()
        if self.console:
            self.console.thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Send what is queued (briefly), then close both connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.live.connected.is_set() and (self._events or self._state_dirty or self._markers):
            self._wake.set()
            time.sleep(0.02)
        self._stop.set()
        self._wake.set()
        self._console_wake.set()
        for link in (self.live, self.console):
            if link and link.thread.is_alive():
                link.thread.join(timeout=max(0.1, deadline - time.monotonic()))

    @property
    def connected(self) -> bool:
        return self.live.connected.is_set()

    # -- fed by the recorder (never blocks) ------------------------------------------------
    def frame(self, row: dict, image: np.ndarray) -> None:
        """A stored video frame (Sink protocol): only a changed screen is offered, since the
        cursor reaches observers as events; the image must not be modified afterwards."""
        if row.get("changed", 1.0) <= 0 and self.stats.frames_offered:
            return
        self.offer(float(row["t"]), image)

    def offer(self, t: float, bgra: np.ndarray) -> None:
        """Put a screen (BGRA or BGR) in the slot; a frame still waiting there is dropped."""
        with self._lock:
            if self._slot is not None:
                self.stats.frames_dropped += 1
            now = time.monotonic()
            gap = now - self._offered_at
            if gap < 1.0:
                self._arrival_gap = 0.8 * self._arrival_gap + 0.2 * gap
            self._offered_at = now
            self._slot = (t, bgra, time.time())
            self.stats.frames_offered += 1
        self._wake.set()

    def events(self, rows: list[dict]) -> None:
        """Input event rows as stored, so already redacted by the recorder's privacy rules."""
        room = MAX_EVENTS_QUEUED - len(self._events)
        self._events.extend(rows[:max(0, room)])
        self.stats.events_dropped += max(0, len(rows) - max(0, room))
        self._wake.set()

    def close(self) -> None:
        self.stop()

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        """A chunk of the participant's sound (int16 mono) starting at session time `t`."""
        if len(self._audio) >= AUDIO_QUEUED:
            self._audio.popleft()
            self.stats.audio_dropped += 1
        self._audio.append((t, samples.astype("<i2", copy=False).tobytes(), rate))
        self._wake.set()

    def camera(self, t: float, bgr: np.ndarray) -> None:
        """A camera picture (already skipped during privacy pauses); at most CAMERA_FPS a
        second are kept, the latest wins."""
        now = time.monotonic()
        if now < self._camera_due:
            return
        self._camera_due = now + 1.0 / CAMERA_FPS
        self._camera = (t, bgr)
        self._wake.set()

    def state(self, state: dict) -> None:
        """The task runner's state (TaskRunner's on_state hook)."""
        with self._lock:
            self._state, self._state_dirty = dict(state), True
        self._console_out.append((ConsoleEvent.STATE, self._console_state(state)))
        self._wake.set()
        self._console_wake.set()

    def marker(self, t: float, kind: str, text: str | None = None) -> None:
        self._markers.append({"t": t, "kind": kind, "text": text})
        self._wake.set()

    def _poll_markers(self) -> None:
        """Markers are read back from the store, so every one shows live whoever added it:
        a hotkey, the console or an observer's flag."""
        now = time.monotonic()
        if self.store is None or now - self._markers_polled < MARKER_POLL:
            return
        self._markers_polled = now
        for m in self.store.markers.all(self.session_id):
            if m["id"] > self._marker_seen:
                self._marker_seen = m["id"]
                self.marker(m["t"], m["kind"], m["text"])

    # -- the /live connection's thread -----------------------------------------------------
    def _on_live_connect(self) -> None:
        self.stats.connects += 1
        with self._lock:
            self._state_dirty = self._state is not None
            self._resend = self._slot is None and self._last_frame is not None
            self._in_flight.clear()
        self._wake.set()

    def _on_snapshot(self, data: Any = None) -> None:
        """A new observer joined (maybe on another server process): show them the screen now."""
        with self._lock:
            self._state_dirty = self._state is not None
            self._resend = self._slot is None and self._last_frame is not None
        self._wake.set()

    def _send_pending(self, link: _Link) -> None:
        self._wake.wait(min(MARKER_POLL, self._wait_time()))
        self._wake.clear()
        self._poll_markers()
        self._send_audio(link)
        self._send_camera(link)
        self._send_state(link)
        while self._markers:
            link.emit(LiveEvent.MARKER, self._markers.popleft())
        self._send_events(link)
        self._send_frame(link)

    def _wait_time(self) -> float:
        """Until the next frame may go: the rate limit, or the acknowledgement (which wakes us)."""
        if self._slot is None and not self._resend:
            return 0.5
        now = time.monotonic()
        if self._window_full(now):
            return max(0.001, self._in_flight[0] + IN_FLIGHT_TIMEOUT - now)
        return max(0.0, self._release_time() - now)

    def _release_time(self) -> float:
        """When the frame in the slot may go. Frames coming faster than max_fps are thinned
        by sending the ones that arrive on time, not by holding each one back: a frame that
        came early waits until the next is due in case a newer one arrives just then, and
        goes out itself if none does."""
        if self._arrival_gap >= self.interval or self._slot is None or self._offered_at >= self._next_due:
            return self._next_due
        return max(self._next_due, self._offered_at + 1.5 * self._arrival_gap)

    def _window_full(self, now: float) -> bool:
        """Frames sent but not yet acknowledged; one lost in a broken connection expires."""
        while self._in_flight and now - self._in_flight[0] >= IN_FLIGHT_TIMEOUT:
            self._in_flight.popleft()
        return len(self._in_flight) >= MAX_IN_FLIGHT

    def _send_state(self, link: _Link) -> None:
        with self._lock:
            state, dirty, self._state_dirty = self._state, self._state_dirty, False
        if dirty and state is not None:
            link.emit(LiveEvent.STATE, {**state, "t": round(time.time() - self.started_wall, 3)})

    def _send_audio(self, link: _Link) -> None:
        while self._audio:
            t, pcm, rate = self._audio.popleft()
            self.stats.audio_sent += 1
            link.emit(LiveEvent.AUDIO, {"t": round(t, 4), "seq": self.stats.audio_sent, "rate": rate,
                                "pcm": pcm, "sent": time.time()})

    def _send_camera(self, link: _Link) -> None:
        slot, self._camera = self._camera, None
        if slot is None:
            return
        t, bgr = slot
        height, width = bgr.shape[:2]
        if width > CAMERA_WIDTH:
            height, width = max(2, round(height * CAMERA_WIDTH / width)), CAMERA_WIDTH
            bgr = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 70])
        if ok:
            self._camera_seq += 1
            link.emit(LiveEvent.CAMERA, {"t": round(t, 3), "seq": self._camera_seq, "w": width, "h": height,
                                 "jpeg": jpeg.tobytes()})

    def _send_events(self, link: _Link) -> None:
        while self._events:
            batch = [self._events.popleft() for _ in range(min(EVENTS_PER_MESSAGE, len(self._events)))]
            if link.emit(LiveEvent.EVENTS, batch):
                self.stats.events_sent += len(batch)

    def _send_frame(self, link: _Link) -> None:
        now = time.monotonic()
        if now < (self._next_due if self._resend and self._slot is None else self._release_time()):
            return
        if self._window_full(now):
            return
        with self._lock:
            slot, self._slot = self._slot, None
            resend, self._resend = self._resend, False
        if slot is not None:
            self._last_frame = self._encode(*slot)
        elif not (resend and self._last_frame):
            return
        now = time.monotonic()
        self._next_due = max(self._next_due + self.interval, now)
        self._last_frame["sent"] = time.time()
        if link.emit(LiveEvent.FRAME, self._last_frame, callback=self._acknowledged):
            self._in_flight.append(now)
            self.stats.frames_sent += 1

    def _acknowledged(self, *args: Any) -> None:
        if self._in_flight:
            self._in_flight.popleft()
        self._wake.set()

    def _encode(self, t: float, pixels: np.ndarray, offered: float) -> dict:
        if pixels.ndim == 3 and pixels.shape[2] == 4:
            pixels = cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
        height, width = pixels.shape[:2]
        if width > self.max_width:
            height = max(2, round(height * self.max_width / width))
            width = self.max_width
            pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        return {"t": round(t, 3), "seq": self.stats.frames_sent + 1, "w": width, "h": height,
                "captured": self.started_wall + t, "offered": offered, "jpeg": jpeg.tobytes()}

    # -- the /console connection's thread --------------------------------------------------
    def _on_console_connect(self) -> None:
        with self._lock:
            state = self._state
        if state is not None:
            self._console_out.append((ConsoleEvent.STATE, self._console_state(state)))
        self._console_wake.set()

    def _send_console(self, link: _Link) -> None:
        self._console_wake.wait(0.5)
        self._console_wake.clear()
        while self._console_out:
            event, data = self._console_out.popleft()
            link.emit(event, data)

    def _on_command(self, command: Any) -> None:
        """Runs in the socket's reader thread: the task runner is thread-safe and quick."""
        if not isinstance(command, dict) or command.get("session") not in (None, self.session_id):
            return
        ok, error = True, None
        try:
            if self.on_command is None:
                raise ActionError("this recorder takes no console commands")
            self.on_command(command)
        except UxlabError as exc:  # ActionError, or the store refusing a value
            ok, error = False, exc.message
        self._console_out.append((ConsoleEvent.DONE, {"id": command.get("id"), "ok": ok, "error": error}))
        self._console_wake.set()

    def _console_state(self, state: dict) -> dict:
        return {"task": state.get("task"), "attempt": state.get("attempt_id"),
                "paused": bool(state.get("paused")),
                "status": "ended" if state.get("ended") else SessionStatus.RECORDING.value,
                "t": round(time.time() - self.started_wall, 3)}


def runner_commands(runner: TaskRunner) -> Callable[[dict], None]:
    """The console's commands as task-runner actions, exactly what the hotkeys do; an
    observer's error arrives `pending` and is stored for the moderator to confirm."""
    def perform(command: dict) -> None:
        action, text = command.get("action"), command.get("text")
        if action == Action.ERROR and command.get("status") == MarkerStatus.PENDING:
            runner.store.markers.add(runner.session_id, runner.clock.now(), MarkerKind.ERROR, text=text,
                                     author=command.get("by"), attempt_id=runner.state()["attempt_id"],
                                     status=MarkerStatus.PENDING)
            return
        runner.perform(str(action), text=text if isinstance(text, str) else None)
    return perform


class RecordingPublisher:
    """The live publisher as a sink of a `recorder.session.Recording`: it starts on the
    recording's first frame, event or state, when the session and its task runner exist."""

    def __init__(self, recording: Any, url: str, token: str, **options: Any) -> None:
        self.recording, self.url, self.token, self.options = recording, url, token, options
        self.publisher: LivePublisher | None = None
        self._lock = threading.Lock()   # the frame, input and task threads may all come first

    def _started(self) -> LivePublisher:
        if self.publisher is not None:
            return self.publisher
        with self._lock:
            if self.publisher is not None:
                return self.publisher
            rec = self.recording
            row = rec.store.sessions.get(rec.session_id)
            self.publisher = LivePublisher(
                self.url, self.token, rec.session_id, session_token=row["token"],
                on_command=runner_commands(rec.runner), started_wall=row["started_at"],
                store=rec.store, **self.options).start()
        return self.publisher

    def events(self, rows: list[dict]) -> None:
        self._started().events(rows)

    def frame(self, row: dict, image: np.ndarray) -> None:
        self._started().frame(row, image)

    def state(self, state: dict) -> None:
        self._started().state(state)

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        self._started().audio(t, samples, rate)

    def camera(self, t: float, bgr: np.ndarray) -> None:
        self._started().camera(t, bgr)

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.stop()
