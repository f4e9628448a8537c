"""A bound on the page requests the app works on at once. Past it a request waits its
turn, first come first served, for at most QUEUE_SECONDS and is then answered 503 with
Retry-After: a burst of visitors queues briefly or is told to come back, never hangs for
half a minute while every request in flight slows the others down and memory grows.

Socket.IO connections are not counted: Flask-SocketIO's middleware sits in front of this
one and answers them itself (each is a long-lived connection, not a page request).

Live delivery comes first. Pages and live frames share one event loop; a frame to a hundred
observers is two hundred sends that wait behind whatever page work is ready first. So a
request holding a slot starts its work only once the live connections have sent what they
had queued (the app's `live_behind` check, registered by web.live.namespace), for at most
LIVE_FIRST_SECONDS: observers get their frames first, pages wait a few milliseconds more.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

BUSY_BODY = b"The lab server is busy; try again in a moment.\n"
LIVE_FIRST_SECONDS = 0.005   # the most a page request waits for live sends to go out first
LIVE_FIRST_STEP = 0.002


class FairSlots:
    """`limit` slots handed to waiters in their order of arrival.

    A semaphore wakes its waiters in no particular order, so under a crowd some requests
    wait many times longer than others; here each waiter blocks on a lock of its own,
    released by the request that hands it the slot.
    """

    def __init__(self, limit: int) -> None:
        self.mutex = threading.Lock()
        self.free = limit
        self.waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self.mutex:
            if self.free and not self.waiting:
                self.free -= 1
                return True
            gate = threading.Lock()
            gate.acquire()
            self.waiting.append(gate)
        if gate.acquire(timeout=timeout):
            return True
        with self.mutex:
            if gate in self.waiting:
                self.waiting.remove(gate)
                return False
        return True          # handed a slot just as the wait ran out: it is ours

    def release(self) -> None:
        with self.mutex:
            if self.waiting:
                self.waiting.popleft().release()
            else:
                self.free += 1


class LoadLimit:
    """WSGI middleware: at most `limit` requests inside `app` at once."""

    def __init__(self, app: Callable, limit: int, wait: float) -> None:
        self.app, self.wait = app, wait
        self.slots = FairSlots(limit)
        self.flask = getattr(app, "__self__", None)   # the Flask app whose wsgi_app this wraps

    def _live_first(self) -> None:
        extensions = getattr(self.flask, "extensions", {}).get("uxlab", {})
        behind: Callable[[], bool] | None = extensions.get("live_behind")
        if behind is None:
            return
        deadline = time.monotonic() + LIVE_FIRST_SECONDS
        while behind() and time.monotonic() < deadline:
            time.sleep(LIVE_FIRST_STEP)   # a gevent sleep under `uxlab serve`: the sends go on

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.slots.acquire(self.wait):
            start_response("503 Service Unavailable", [
                ("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "2"),
                ("Content-Length", str(len(BUSY_BODY)))])
            return [BUSY_BODY]
        try:
            self._live_first()
            # Flask builds a response in the view; streaming a file's bytes afterwards is
            # I/O, left outside the bound so a long video download holds no slot
            return self.app(environ, start_response)
        finally:
            self.slots.release()
