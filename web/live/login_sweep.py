"""Ending a login ends its live sockets. A socket is checked when it connects; a logout in
another tab, a new password or a removed account (`uxlab user remove` from another process
included) changes only the store. So each server process re-reads the logins of its own
connected observers every LOGIN_CHECK_SECONDS and disconnects those whose login has ended:
the store is the only authority, and no message from another process is trusted to say who
may stay. A change made through this web app also wakes every process at once (through Redis
when several processes share rooms), so the disconnect does not wait for the next round.

The sweep runs in a background task of the process (a greenlet under `uxlab serve`), only
while the process has observers: an app with nobody watching has no task running.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

CHANNEL = "uxlab:logins-ended"   # a wake-up only: what it carries is never read


class LoginSweep:
    """Disconnects the observers of one namespace whose login has ended."""

    def __init__(self, app: Flask, socketio: Any, namespace: str,
                 clients: Callable[[], dict[str, dict]]) -> None:
        self.app, self.socketio, self.namespace, self.clients = app, socketio, namespace, clients
        self.every = float(app.config["LOGIN_CHECK_SECONDS"])
        self.redis_url: str | None = app.config.get("REDIS_URL") or None
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._running = False

    def watch(self) -> None:
        """Make sure the sweep runs: called when an observer connects."""
        with self._lock:
            if self._running:
                return
            self._running = True
        self.socketio.start_background_task(self._run)

    def wake(self) -> None:
        """Sweep now, in this process and (with Redis) in every other one."""
        self._wake.set()
        if self.redis_url:
            try:
                _redis(self.redis_url).publish(CHANNEL, b"1")
            except Exception:   # the other processes still sweep on their interval
                log.warning("live: could not tell the other processes that a login ended", exc_info=True)

    def _run(self) -> None:
        listener = None
        try:
            if self.redis_url:
                listener = _redis(self.redis_url).pubsub(ignore_subscribe_messages=True)
                listener.subscribe(CHANNEL)
            while True:
                self._wait(listener)
                with self._lock:
                    if not self._observers():
                        self._running = False
                        return
                self.sweep()
        except Exception:
            log.exception("live: the login sweep stopped; it starts again with the next observer")
            with self._lock:
                self._running = False
        finally:
            if listener is not None:
                listener.close()

    def _wait(self, listener: Any) -> None:
        if listener is None:
            self._wake.wait(self.every)
        else:
            try:
                listener.get_message(timeout=self.every)
            except Exception:   # Redis away: keep sweeping on the interval
                log.warning("live: no wake-ups from Redis", exc_info=True)
                self._wake.wait(self.every)
        self._wake.clear()

    def _observers(self) -> dict[str, dict]:
        return {sid: c for sid, c in list(self.clients().items()) if "user" in c}

    def sweep(self) -> list[str]:
        """Disconnect this process's observers whose login has ended; returns their ids."""
        observers = self._observers()
        if not observers:
            return []
        with self.app.app_context():
            users = current_app.extensions["uxlab"]["store"].users
            generations: dict[str, int | None] = {}
            for name in {c["user"] for c in observers.values()}:
                row = users.get(name)
                generations[name] = None if row is None else int(row["generation"] or 0)
        ended = [sid for sid, c in observers.items() if generations.get(c["user"]) != c["generation"]]
        for sid in ended:
            try:
                self.socketio.server.disconnect(sid, namespace=self.namespace)
            except Exception:
                log.exception("live: could not disconnect %s", sid)
        return ended


_clients: dict[str, Any] = {}


def _redis(url: str) -> Any:
    """One Redis client per URL in this process (each holds a connection pool)."""
    client = _clients.get(url)
    if client is None:
        import redis
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return client


def logins_ended(app: Flask | None = None) -> None:
    """Tell the live sockets that a login ended (a logout, a password change, a removal)."""
    target = app or current_app
    sweep = target.extensions["uxlab"].get("login_sweep")
    if sweep is not None:
        sweep.wake()
