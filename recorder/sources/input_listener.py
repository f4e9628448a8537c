"""The pynput listeners, run as a child process of the recorder: `python -m
recorder.sources.input_listener`, started with DISPLAY set in the child's environment only.

pynput's X backend connects to `$DISPLAY` (at import, and for each listener) and takes no
display argument. Running it in its own process lets the recorder record the display it was
given without changing the environment of its own process.

Each input is written to stdout as one JSON line, stamped with the monotonic time the X
server saw it (the clock is the machine's, shared with the parent); "ready" once listening.
The child stops when its stdin is closed.

The callbacks only stamp the time and write a line: an exception or a slow callback would
kill or stall the listener (pynput), and input must never wait for anything.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time

from sessions.events import EventKind

# keysyms pynput leaves unnamed: shift+tab arrives as ISO_Left_Tab
_UNNAMED_KEYSYMS = {0xFE20: "tab"}
MAX_EVENT_AGE = 2.0  # seconds; an older X timestamp cannot be from this machine's clock


def _keystroke(key) -> list:
    """[name, char, code] of a pynput key (the fields of recorder.keys.KeyStroke)."""
    from pynput.keyboard import Key
    if isinstance(key, Key):
        return [key.name, None, getattr(key.value, "vk", None)]
    code = getattr(key, "vk", None)
    char = key.char if getattr(key, "char", None) else None
    if char is None and code in _UNNAMED_KEYSYMS:
        return [_UNNAMED_KEYSYMS[code], None, code]
    return [None, char, code]


def _safe_keystroke(key) -> list:
    try:
        return _keystroke(key)
    except Exception:  # noqa: BLE001  an exception here would kill the listener (pynput)
        return ["unknown", None, None]


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


def main() -> None:
    from pynput import keyboard, mouse

    lock = threading.Lock()
    out = sys.stdout

    def put(*item) -> None:
        line = json.dumps(item)
        with lock:
            out.write(line + "\n")
            out.flush()

    mouse_listener = _stamped(mouse.Listener)
    keyboard_listener = _stamped(keyboard.Listener)
    mouse_listener = mouse_listener(
        on_move=lambda x, y: put(EventKind.MOVE, mouse_listener.stamp(), int(x), int(y)),
        on_click=lambda x, y, button, pressed: put(EventKind.CLICK, mouse_listener.stamp(), int(x), int(y),
                                                   button.name, bool(pressed)),
        on_scroll=lambda x, y, dx, dy: put(EventKind.SCROLL, mouse_listener.stamp(), int(x), int(y),
                                           int(dx), int(dy)))
    keyboard_listener = keyboard_listener(
        on_press=lambda key: put(EventKind.KEY, keyboard_listener.stamp(), True, _safe_keystroke(key)),
        on_release=lambda key: put(EventKind.KEY, keyboard_listener.stamp(), False, _safe_keystroke(key)))
    listeners = [mouse_listener, keyboard_listener]
    for listener in listeners:
        listener.daemon = True
        listener.start()
    for listener in listeners:
        listener.wait()
    time.sleep(0.2)  # wait() returns before the listener really records
    with lock:
        out.write('"ready"\n')
        out.flush()
    sys.stdin.read()  # until the recorder closes our stdin (or dies)
    for listener in listeners:
        listener.stop()  # not joined: a stopped listener blocks until the next X event
    with lock:
        out.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
