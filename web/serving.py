"""`uxlab serve`'s server: gunicorn's gevent worker, which Flask-SocketIO supports for
WebSocket through simple-websocket. One event loop serves pages and relays live frames
without a thread per connection (gunicorn's threads spent most of their time handing the
interpreter lock to each other: bench/serve.py); page requests are bounded by
web/load_limit.py, and long work runs off the loop (web/blocking.py).

Every worker builds its own app (its own database connections) from the same settings.
More than one worker needs Redis: the rooms, the login limiter and the console's recorder
state must be shared, and each browser's Socket.IO client uses WebSocket only on the
pages, so no long-polling request can reach the wrong worker.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from sessions.errors import BadRequest


class LabServer(BaseApplication):
    """gunicorn, configured in code rather than from its command line."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.config_mapping, self.options = config, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app
        app = create_app(self.config_mapping)
        folder = os.environ.get(TRACE_VARIABLE)
        if folder:
            trace_memory(app, Path(folder))
        app.extensions["uxlab"]["socketio"].start_background_task(hand_back_memory)
        return app


TRACE_VARIABLE = "UXLAB_TRACE_MEMORY"   # a folder: a worker writes tracemalloc snapshots there
TRACE_EVERY = 10.0                      # seconds between snapshots


def trace_memory(app: Any, folder: Path) -> None:
    """A diagnostic for bench/serve.py: trace this worker's allocations and write a snapshot
    every TRACE_EVERY seconds (`<pid>-<n>.tracemalloc`), so what holds memory after a load
    can be found by comparing snapshots. Tracing slows the server; never on in a study."""
    import tracemalloc
    tracemalloc.start(12)
    folder.mkdir(parents=True, exist_ok=True)

    def write() -> None:
        count = 0
        while True:
            time.sleep(TRACE_EVERY)
            tracemalloc.take_snapshot().dump(str(folder / f"{os.getpid()}-{count:04d}.tracemalloc"))
            count += 1
    app.extensions["uxlab"]["socketio"].start_background_task(write)


TRIM_EVERY = 30.0   # seconds between handing freed memory back to the system


def hand_back_memory() -> None:
    """Give freed heap memory back to the system now and then. After a crowd, most of what a
    worker allocated is freed but kept by the C allocator (the Python heap grew 4 MB of the
    60 MB: bench/serve.py's mixed run), so a server that served a peak kept its size for good."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):   # not glibc: nothing to hand back this way
        return
    while True:
        time.sleep(TRIM_EVERY)
        trim(0)


def lab_worker() -> type:
    """gunicorn's gevent worker, which ends as soon as it has served its last request.

    A worker that returned from its loop used to unwind into a full interpreter teardown
    (every module of the app, NumPy's and SciPy's included), which on a busy machine outlasted
    graceful_timeout: the stop ended in the worker's SIGKILL 2 s after the signal, its
    database never closed. Made here, not at import: only a serving process loads gunicorn's
    gevent worker."""
    import logging
    import sys

    from gunicorn.workers.ggevent import GeventWorker

    class LabWorker(GeventWorker):
        def run(self) -> None:
            super().run()
            # every request is answered (or past graceful_timeout): close the study's
            # database (the last close folds the write-ahead log back in), flush the log,
            # and leave without the teardown
            self.wsgi.extensions["uxlab"]["store"].close()
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    return LabWorker


def options(host: str, port: int, workers: int, connections: int, redis_url: str | None) -> dict[str, Any]:
    """gunicorn's settings for a lab server; more than one worker needs Redis."""
    if workers > 1 and not redis_url:
        raise BadRequest("--workers above 1 needs UXLAB_REDIS_URL: the workers share rooms "
                         "and limits through Redis")
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "worker_class": lab_worker(),
        "workers": workers,
        "worker_connections": connections,
        "backlog": 2048,
        "keepalive": 5,
        "graceful_timeout": 2,   # then open WebSockets are closed: a stop never hangs
        "timeout": 60,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "uxlab-serve",
        # gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default; the app alone decides,
        # and only when told it is behind a proxy (web/auth/cookies.py)
        "forwarded_allow_ips": "",
    }


def run(config: dict[str, Any], host: str, port: int, workers: int, connections: int) -> None:
    """Serve until stopped (SIGINT or SIGTERM end it gracefully)."""
    LabServer(config, options(host, port, workers, connections, config.get("REDIS_URL"))).run()
