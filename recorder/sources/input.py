"""Mouse and keyboard input from pynput listeners.

The callbacks only stamp the time and queue a tuple: an exception or a slow callback would
kill or stall the listener (pynput), and input must never wait for anything.
"""
from __future__ import annotations

import queue
import time

from sessions.events import EventKind

# keysyms pynput leaves unnamed: shift+tab arrives as ISO_Left_Tab
_UNNAMED_KEYSYMS = {0xFE20: "tab"}
MAX_EVENT_AGE = 2.0  # seconds; an older X timestamp cannot be from this machine's clock


def _keystroke(key):
    from pynput.keyboard import Key

    from recorder.keys import KeyStroke
    if isinstance(key, Key):
        return KeyStroke(key.name, None, getattr(key.value, "vk", None))
    code = getattr(key, "vk", None)
    char = key.char if getattr(key, "char", None) else None
    if char is None and code in _UNNAMED_KEYSYMS:
        return KeyStroke(_UNNAMED_KEYSYMS[code], None, code)
    return KeyStroke(None, char, code)


class InputSource:
    """pynput mouse and keyboard listeners feeding one unbounded queue (events are never dropped).

    `pointer` always holds the latest pointer position (every move, not the sampled ones), so
    the screen source can draw the cursor where it really is.
    """

    def __init__(self, raw: queue.SimpleQueue) -> None:
        self.raw = raw
        self.pointer: tuple[int, int] | None = None
        self._listeners: list = []

    def start(self) -> None:
        from pynput import keyboard, mouse  # needs DISPLAY: imported only here
        put = self.raw.put
        mouse_listener = _stamped(mouse.Listener)
        keyboard_listener = _stamped(keyboard.Listener)

        def on_move(x, y):
            self.pointer = (int(x), int(y))
            put((EventKind.MOVE, mouse_listener.stamp(), int(x), int(y)))

        def on_click(x, y, button, pressed):
            put((EventKind.CLICK, mouse_listener.stamp(), int(x), int(y), button.name, bool(pressed)))

        def on_scroll(x, y, dx, dy):
            put((EventKind.SCROLL, mouse_listener.stamp(), int(x), int(y), int(dx), int(dy)))

        def on_press(key):
            put((EventKind.KEY, keyboard_listener.stamp(), True, _safe_keystroke(key)))

        def on_release(key):
            put((EventKind.KEY, keyboard_listener.stamp(), False, _safe_keystroke(key)))

        mouse_listener = mouse_listener(on_move=on_move, on_click=on_click, on_scroll=on_scroll)
        keyboard_listener = keyboard_listener(on_press=on_press, on_release=on_release)
        self._listeners = [mouse_listener, keyboard_listener]
        for listener in self._listeners:
            listener.daemon = True
            listener.start()
        for listener in self._listeners:
            listener.wait()
        time.sleep(0.2)  # wait() returns before the listener really records

    def stop(self) -> None:
        """Stop without joining: a stopped listener blocks until the next X event."""
        for listener in self._listeners:
            listener.stop()


def _stamped(listener_class):
    """A listener that knows when the X server saw the event it is reporting.

    A callback's own clock reading comes late whenever the listener thread waited for the
    GIL; the event's server timestamp does not. The X server's clock is CLOCK_MONOTONIC in
    milliseconds (32 bits), the one `time.monotonic` reads, so on the same machine the
    event's age converts exactly; an implausible age (a remote server) falls back to now.
    """

    class Stamped(listener_class):
        server_time: int | None = None

        def _handle_message(self, display, event, injected):  # pynput's Xorg backend
            self.server_time = getattr(event, "time", None)
            super()._handle_message(display, event, injected)

        def stamp(self) -> float:
            now = time.monotonic()
            if self.server_time is None:
                return now
            age = ((int(now * 1000) - self.server_time) & 0xFFFFFFFF) / 1000
            return now - age if age < MAX_EVENT_AGE else now

    return Stamped


def _safe_keystroke(key):
    try:
        return _keystroke(key)
    except Exception:  # an exception here would kill the listener; keep the press as unknown
        from recorder.keys import KeyStroke
        return KeyStroke("unknown", None, None)
