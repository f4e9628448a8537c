"""Turns raw input into stored events: moderator hotkeys become task-runner actions and
never participant input, keystrokes pass through the privacy rules, paused stretches are
dropped, a press names the widget under it when AT-SPI can say (recorder/accessibility),
every event is tagged with the task running at its moment."""
from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence

from recorder.accessibility.resolver import WidgetResolver, click_target
from recorder.clock import SessionClock
from recorder.keys import KeyStroke, parse_combination
from recorder.privacy import key_fields
from recorder.tasks import ActionError, TaskRunner
from sessions import events
from sessions.events import PROMPT_TARGET, Event, EventKind

MOVE_INTERVAL = 1 / 30  # pointer moves are sampled at most 30 times a second
Rect = tuple[int, int, int, int]


class KeyboardState:
    """Held modifiers (paired press/release by key code) and modifier presses that have not
    yet been part of a combination: a lone ctrl press is only known to be lone at release."""

    def __init__(self, hotkeys: dict[str, str], mode: str) -> None:
        self.hotkeys = {parse_combination(combo): action for action, combo in hotkeys.items()}
        self.mode = mode
        self.held: dict[object, str] = {}
        self.pending: dict[object, float] = {}

    def press(self, t: float, key: KeyStroke) -> tuple[str | None, list[Event]]:
        """(hotkey action or None, key events to store) for one press."""
        ident = key.code if key.code is not None else key.label
        if key.modifier:
            if ident not in self.held:
                self.held[ident] = key.modifier
                self.pending[ident] = t
            return None, []
        mods = set(self.held.values())
        self.pending.clear()
        action = self.hotkeys.get((frozenset(mods), key.label))
        if action:
            return action, []
        fields = key_fields(key, mods, self.mode)
        return None, ([events.key(t, fields["key"], fields["text"])] if fields else [])

    def release(self, t: float, key: KeyStroke) -> list[Event]:
        ident = key.code if key.code is not None else key.label
        if not key.modifier:
            return []
        self.held.pop(ident, None)
        pressed_at = self.pending.pop(ident, None)
        if pressed_at is None:
            return []
        fields = key_fields(key, set(), self.mode)
        return [events.key(pressed_at, fields["key"], fields["text"])] if fields else []


class InputProcessor:
    """Drains the raw input queue on its own thread, so listener callbacks never block."""

    def __init__(self, raw: queue.SimpleQueue, clock: SessionClock, runner: TaskRunner,
                 emit: Callable[[list[dict]], None], *, hotkeys: dict[str, str], keystrokes: str,
                 prompt_rect: Callable[[], Rect | None] = lambda: None,
                 say: Callable[[str], None] = lambda message: None,
                 widgets: WidgetResolver | None = None) -> None:
        self.raw, self.clock, self.runner, self.emit = raw, clock, runner, emit
        self.keyboard = KeyboardState(hotkeys, keystrokes)
        self.prompt_rect, self.say = prompt_rect, say
        self.widgets = widgets   # names the widget under a press (AT-SPI), when there is one
        self._last_move = float("-inf")
        self._thread = threading.Thread(target=self._run, name="input-events", daemon=True)
        self.count = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Process everything already queued, then stop."""
        self.raw.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            item = self.raw.get()
            batch: list[dict] = []
            while item is not None:
                batch.extend(self.handle(item))
                try:
                    item = self.raw.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self.count += len(batch)
                self.emit(batch)
            if item is None:
                return

    def handle(self, item: tuple) -> list[dict]:
        """Stored events for one raw input item (hotkeys act here and store nothing)."""
        kind, mono, *args = item
        t = self.clock.at(mono)
        rows: Sequence[Event | None]
        if kind == EventKind.KEY:
            pressed, key = args
            if pressed:
                action, rows = self.keyboard.press(t, key)
                if action:
                    self._act(action, t)
                    return []
            else:
                rows = self.keyboard.release(t, key)
        else:
            rows = [self._pointer_or_window(kind, t, args)]
        kept = []
        for row in rows:
            if row is None or not self._recording(row["t"]):
                continue
            kept.append({**row, "task": self.runner.task_at(row["t"])})
        return kept

    def _recording(self, t: float) -> bool:
        """Inside the session (input listeners start just before t=0) and not paused."""
        ended = self.runner.ended_at
        return t >= 0 and (ended is None or t <= ended) and not self.runner.paused_at(t)

    def _pointer_or_window(self, kind: str, t: float, args: list) -> Event | None:
        if kind == EventKind.MOVE:
            if self.widgets is not None and self._recording(t):
                self.widgets.hover(args[0], args[1])   # every move: a rest is looked at before a press
            if t - self._last_move < MOVE_INTERVAL:
                return None
            self._last_move = t
            return events.move(t, args[0], args[1])
        if kind == EventKind.CLICK:
            x, y, button, pressed = args
            target = self._target(x, y)
            if pressed and target is None:
                return self._named_click(t, x, y, button)
            return events.click(t, x, y, button, pressed=pressed, target=target)
        if kind == EventKind.SCROLL:
            x, y, dx, dy = args
            return events.scroll(t, x, y, dx, dy, target=self._target(x, y))
        if kind == EventKind.WINDOW:
            title, window_class = args
            return events.window(t, title, window_class)
        raise ValueError(f"unknown raw input kind {kind!r}")

    def _named_click(self, t: float, x: int, y: int, button: str) -> Event:
        """A press on the product, with the widget under it when AT-SPI names one within
        its deadline (the lookup runs on the resolver's thread; this one only waits for
        it, at most ~100 ms from now); otherwise the press keeps its pixels alone."""
        recorded = self._recording(t)   # a press before the start or in a pause is dropped: no look
        asked = self.widgets.lookup(x, y) if self.widgets is not None and recorded else None
        found = asked.result() if asked is not None else None
        if found is None:
            return events.click(t, x, y, button, pressed=True)
        target, label = click_target(found)
        return {**events.click(t, x, y, button, pressed=True, target=target), "text": label}

    def _target(self, x: int, y: int) -> str | None:
        rect = self.prompt_rect()
        if rect and rect[0] <= x < rect[0] + rect[2] and rect[1] <= y < rect[1] + rect[3]:
            return PROMPT_TARGET
        return None

    def _act(self, action: str, t: float) -> None:
        """Run a hotkey's action. A store that refuses it (locked, full, broken) is said and
        the input goes on: this thread is the only one reading input, and if it died every
        later click and key would be lost while the recording ran on."""
        try:
            self.runner.perform(action, t=t)
        except ActionError as exc:
            self.say(f"{action}: {exc}")
        except (sqlite3.Error, OSError) as exc:
            self.say(f"{action} was not saved: {exc}")
