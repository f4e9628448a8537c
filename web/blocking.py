"""Long work (an analysis, a report, a re-encoding) run off the server's event loop.

`uxlab serve` runs on gevent: one event loop relays live frames and answers every page, so
a request that held the processor for seconds would freeze the live view for everyone.
Such work goes to a real thread from gevent's pool, and the loop goes on meanwhile. Under
the development server (threads) it is simply called.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def off_loop(work: Callable[[], T]) -> T:
    """`work()`, in the app's context, on a real thread when the server runs on gevent.
    `work` must not take the app's gevent locks (they belong to the loop's thread)."""
    if current_app.config["ASYNC_MODE"] != "gevent":
        return work()
    import gevent
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_context() -> T:
        with app.app_context():
            return work()
    return gevent.get_hub().threadpool.apply(in_context)
