"""Mouse and keyboard input from pynput listeners.

The callbacks only stamp the time and queue a tuple: an exception or a slow callback would
kill or stall the listener (pynput), and input must never wait for anything.
"""
from __future__ import annotations

import queue
import time

# keysyms pynput leaves unnamed: shift+tab arrives as ISO_Left_Tab
_UNNAMED_KEYSYMS = {0xFE20: "tab"}


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
        put, clock = self.raw.put, time.monotonic

        def on_move(x, y):
            self.pointer = (int(x), int(y))
            put(("move", clock(), int(x), int(y)))

        def on_click(x, y, button, pressed):
            put(("click", clock(), int(x), int(y), button.name, bool(pressed)))

        def on_scroll(x, y, dx, dy):
            put(("scroll", clock(), int(x), int(y), int(dx), int(dy)))

        def on_press(key):
            put(("key", clock(), True, _safe_keystroke(key)))

        def on_release(key):
            put(("key", clock(), False, _safe_keystroke(key)))

        self._listeners = [mouse.Listener(on_move=on_move, on_click=on_click, on_scroll=on_scroll),
                           keyboard.Listener(on_press=on_press, on_release=on_release)]
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


def _safe_keystroke(key):
    try:
        return _keystroke(key)
    except Exception:  # an exception here would kill the listener; keep the press as unknown
        from recorder.keys import KeyStroke
        return KeyStroke("unknown", None, None)
