"""Results computed from the whole study (heatmap screen states, heatmap images), reused
across page views: recomputed when the study's database changed, except that while a
session is being recorded (its recorder writes all the time) a result stands for
RECORDING_SECONDS. One request computes while the others asking for the same wait."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

from sessions.events import SessionStatus
from web import current

RECORDING_SECONDS = 3.0
MAX_ENTRIES = 256


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """compute(), or its last result while still current (see the module's docstring)."""
    ext = current_app.extensions["uxlab"]
    entries = ext.setdefault("analysis_cache", {})
    lock = ext.setdefault("analysis_cache_lock", threading.Lock())
    with lock:
        entry = entries.setdefault(key, {"lock": threading.Lock()})
    mark = current.store().fingerprint()
    if _current(entry, mark):
        return entry["value"]
    with entry["lock"]:
        if _current(entry, mark):
            return entry["value"]
        recording = current.store().count_sessions(status=SessionStatus.RECORDING.value) > 0
        value = compute()
        entry.update(value=value, mark=mark, recording=recording, at=time.monotonic())
    with lock:
        while len(entries) > MAX_ENTRIES:
            entries.pop(next(iter(entries)))
    return value


def _current(entry: dict, mark: tuple) -> bool:
    if "value" not in entry:
        return False
    return entry["mark"] == mark or (entry["recording"] and time.monotonic() - entry["at"] < RECORDING_SECONDS)
