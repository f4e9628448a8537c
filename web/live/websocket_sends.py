"""Whole WebSocket messages on the wire.

simple-websocket (1.1.0, the latest release) writes each message with one `socket.send`
and ignores how much of it was taken. A blocking socket takes it all; under gevent a
socket takes what fits in its buffer, so a large frame to a slow observer was cut and the
rest of the stream misread (simple-websocket issue #45, fixed upstream after 1.1.0). Each
connection's socket is wrapped so a send is a `sendall`, under a lock of its own so the
library's own pongs never land inside a half-sent frame.
"""
from __future__ import annotations

import threading
from typing import Any

import simple_websocket.ws


class WholeSends:
    """A socket whose `send` sends everything, one message at a time."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._lock = threading.Lock()

    def send(self, data: bytes) -> int:
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def install() -> None:
    """Wrap the socket of every WebSocket connection made from now on (once per process)."""
    base = simple_websocket.ws.Base
    if getattr(base, "_uxlab_whole_sends", False):
        return
    original = base.__init__

    def init(self, sock=None, *args, **kwargs) -> None:
        original(self, WholeSends(sock) if sock is not None else None, *args, **kwargs)

    base.__init__ = init
    base._uxlab_whole_sends = True
