"""A bound on the page requests the app works on at once. Past it a request waits its
turn for at most QUEUE_SECONDS and is then answered 503 with Retry-After: a burst of
visitors queues briefly or is told to come back, never hangs for half a minute while
every request in flight slows the others down and memory grows.

Socket.IO connections are not counted: Flask-SocketIO's middleware sits in front of this
one and answers them itself (each is a long-lived connection, not a page request).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

BUSY_BODY = b"The lab server is busy; try again in a moment.\n"


class LoadLimit:
    """WSGI middleware: at most `limit` requests inside `app` at once."""

    def __init__(self, app: Callable, limit: int, wait: float) -> None:
        self.app, self.wait = app, wait
        self.slots = threading.BoundedSemaphore(limit)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.slots.acquire(timeout=self.wait):
            start_response("503 Service Unavailable", [
                ("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "2"),
                ("Content-Length", str(len(BUSY_BODY)))])
            return [BUSY_BODY]
        try:
            # Flask builds a response in the view; streaming a file's bytes afterwards is
            # I/O, left outside the bound so a long video download holds no slot
            return self.app(environ, start_response)
        finally:
            self.slots.release()
