"""Human names for screen states: the title of the window that was active when a keyframe
was taken (a web page's title, usually), so a report can say "on ‘Not found’" rather than
"on screen state 2". Sessions recorded without window titles simply have no names."""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Protocol

from sessions.events import EventKind
from sessions.store import Store

TITLE_LAG = 0.5      # seconds a window title may trail the screen it belongs to


def short_title(title: str, window_class: str | None) -> str:
    """Drop the application's own name that most programs append (“Page - Chromium”)."""
    title = title.strip()
    if window_class:
        for separator in (" - ", " — ", " – "):
            suffix = f"{separator}{window_class}"
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


class ReadSession(Protocol):
    """What a session already read for analysis offers (analyzer.data.session_data's
    SessionData), named here so that this module need not import the loader that imports it."""

    @property
    def id(self) -> str: ...

    @property
    def titles(self) -> tuple[list[float], list[str]]: ...

    @property
    def keyframes(self) -> list[dict]: ...


class ScreenNames:
    """Window titles and keyframe times of sessions: taken from the sessions already read
    (`sessions`), and read from the store once for any other session."""

    def __init__(self, store: Store, sessions: Iterable[ReadSession] = ()) -> None:
        self.store = store
        self._read = {s.id: s for s in sessions}
        self._titles: dict[str, tuple[list[float], list[str]]] = {}
        self._keyframes: dict[str, list[dict]] = {}

    def _session_titles(self, session_id: str) -> tuple[list[float], list[str]]:
        if session_id in self._read:
            return self._read[session_id].titles
        if session_id not in self._titles:
            times, titles = [], []
            for e in self.store.events.iterate(session_id, kinds=(EventKind.WINDOW,)):
                if e["text"]:
                    times.append(e["t"])
                    titles.append(short_title(e["text"], e["window"]))
            self._titles[session_id] = (times, titles)
        return self._titles[session_id]

    def _session_keyframes(self, session_id: str) -> list[dict]:
        if session_id in self._read:
            return self._read[session_id].keyframes
        if session_id not in self._keyframes:
            self._keyframes[session_id] = self.store.frames.all(session_id, keyframes_only=True)
        return self._keyframes[session_id]

    def at(self, session_id: str, t: float) -> str | None:
        """The active window's title at session time `t`, if titles were recorded."""
        times, titles = self._session_titles(session_id)
        index = bisect.bisect_right(times, t) - 1
        return titles[index] if index >= 0 else None

    def keyframe_at(self, session_id: str, t: float) -> dict | None:
        """The keyframe on screen at session time `t` (the last taken at or before it)."""
        frames = self._session_keyframes(session_id)
        index = bisect.bisect_right([f["t"] for f in frames], t) - 1
        return frames[index] if index >= 0 else None

    def of_keyframe(self, session_id: str, keyframe: str) -> str | None:
        """The title on screen when the keyframe `keyframe` was taken. A new page's pixels and
        its title arrive a moment apart, in either order, so the title is read a little later."""
        t = next((f["t"] for f in self._session_keyframes(session_id) if f["keyframe"] == keyframe), None)
        return None if t is None else self.at(session_id, t + TITLE_LAG)
