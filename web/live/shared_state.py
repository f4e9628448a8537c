"""State that every server process must see alike: recent failed logins, notes per minute,
the console's last recorder state, the recorders connected to a session, the session clock
a recorder last published, the page holding each side's seat in a call.

One process keeps it in memory; with a Redis URL (several processes or gunicorn workers)
it lives in Redis, so a limit cannot be dodged by reaching another process and a console
opened on one process shows the state a recorder sent to another.
"""
from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from typing import Any, Protocol

PREFIX = "uxlab:"


class SharedState(Protocol):
    def hit(self, key: str, window: float) -> None: ...
    def hits(self, key: str, window: float) -> tuple[int, float]: ...
    def forget(self, key: str) -> None: ...
    def put(self, key: str, value: Any, ttl: float) -> None: ...
    def get(self, key: str) -> Any: ...
    def join(self, key: str, member: str) -> None: ...
    def leave(self, key: str, member: str) -> int: ...
    def swap(self, key: str, value: Any, ttl: float) -> Any: ...
    def drop(self, key: str, value: Any) -> bool: ...


def connect(redis_url: str | None) -> SharedState:
    """Redis when a URL is given, else this process's memory."""
    return RedisState(redis_url) if redis_url else MemoryState()


class MemoryState:
    """One process's state, safe across its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._values: dict[str, tuple[float, Any]] = {}
        self._sets: dict[str, set[str]] = defaultdict(set)

    def _recent(self, key: str, window: float, now: float) -> deque[float]:
        times = self._times[key]
        while times and now - times[0] > window:
            times.popleft()
        if not times:
            self._times.pop(key, None)
            times = self._times[key]
        return times

    def hit(self, key: str, window: float) -> None:
        now = time.time()
        with self._lock:
            self._recent(key, window, now).append(now)

    def hits(self, key: str, window: float) -> tuple[int, float]:
        """How many hits in the last `window` seconds, and the age of the oldest."""
        now = time.time()
        with self._lock:
            times = self._recent(key, window, now)
            count, oldest = len(times), (now - times[0] if times else 0.0)
            if not times:
                self._times.pop(key, None)
        return count, oldest

    def forget(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)

    def put(self, key: str, value: Any, ttl: float) -> None:
        with self._lock:
            self._values[key] = (time.time() + ttl, value)

    def get(self, key: str) -> Any:
        with self._lock:
            expires, value = self._values.get(key, (0.0, None))
            if expires < time.time():
                self._values.pop(key, None)
                return None
            return value

    def join(self, key: str, member: str) -> None:
        with self._lock:
            self._sets[key].add(member)

    def leave(self, key: str, member: str) -> int:
        with self._lock:
            members = self._sets.get(key, set())
            members.discard(member)
            if not members:
                self._sets.pop(key, None)
            return len(members)

    def swap(self, key: str, value: Any, ttl: float) -> Any:
        """Put `value` for `ttl` seconds and return what it replaced, in one step: of two
        processes taking one seat at once, each learns whom it displaced."""
        now = time.time()
        with self._lock:
            expires, before = self._values.get(key, (0.0, None))
            self._values[key] = (now + ttl, value)
        return before if expires >= now else None

    def drop(self, key: str, value: Any) -> bool:
        """Remove the key only while it still holds `value`: a page leaving frees its seat,
        never the seat a newer page has taken since."""
        with self._lock:
            expires, held = self._values.get(key, (0.0, None))
            if expires < time.time() or held != value:
                return False
            del self._values[key]
            return True


class RedisState:
    """The same operations on a Redis server shared by every process."""

    # compare-and-delete in one step on the server, where a GET then DEL could free a seat
    # another process took in between
    DROP = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, url: str) -> None:
        import redis
        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._drop = self.redis.register_script(self.DROP)

    def hit(self, key: str, window: float) -> None:
        now, name = time.time(), PREFIX + key
        with self.redis.pipeline() as pipe:
            pipe.zadd(name, {f"{now:.6f}:{id(pipe)}": now})
            pipe.expire(name, int(window) + 1)
            pipe.execute()

    def hits(self, key: str, window: float) -> tuple[int, float]:
        now, name = time.time(), PREFIX + key
        with self.redis.pipeline() as pipe:
            pipe.zremrangebyscore(name, 0, now - window)
            pipe.zrange(name, 0, 0, withscores=True)
            pipe.zcard(name)
            _, oldest, count = pipe.execute()
        return int(count), (now - oldest[0][1] if oldest else 0.0)

    def forget(self, key: str) -> None:
        self.redis.delete(PREFIX + key)

    def put(self, key: str, value: Any, ttl: float) -> None:
        self.redis.set(PREFIX + key, json.dumps(value), px=max(1, int(ttl * 1000)))

    def get(self, key: str) -> Any:
        raw = self.redis.get(PREFIX + key)
        return json.loads(raw) if raw is not None else None

    def join(self, key: str, member: str) -> None:
        self.redis.sadd(PREFIX + key, member)

    def leave(self, key: str, member: str) -> int:
        with self.redis.pipeline() as pipe:
            pipe.srem(PREFIX + key, member)
            pipe.scard(PREFIX + key)
            _, count = pipe.execute()
        return int(count)

    def swap(self, key: str, value: Any, ttl: float) -> Any:
        # SET ... GET (Redis 6.2 and later) replaces and returns the old value atomically
        raw = self.redis.set(PREFIX + key, json.dumps(value), px=max(1, int(ttl * 1000)), get=True)
        return json.loads(raw) if isinstance(raw, (str, bytes)) else None

    def drop(self, key: str, value: Any) -> bool:
        return bool(self._drop(keys=[PREFIX + key], args=[json.dumps(value)]))
