"""The active window: its title and class whenever it changes, so a timeline says which
application the participant was in. Uses EWMH `_NET_ACTIVE_WINDOW` where a window manager
sets it, else the X input focus (bare X servers such as Xvfb)."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from sessions.events import EventKind

POLL_INTERVAL = 0.25


class WindowSource:
    """Polls the active window on its own X connection to `display`.

    A failure (the display cannot be opened, the connection drops) ends the polling and is
    handed to `on_error` once, from the polling thread: the recording goes on without window
    titles, and the moderator is told so instead of finding an empty column afterwards."""

    def __init__(self, raw: queue.SimpleQueue, display: str | None = None,
                 on_error: Callable[[BaseException], None] = lambda exc: None) -> None:
        self.raw, self.display, self.on_error = raw, display, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="window", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        try:
            self._poll()
        except Exception as exc:  # Xlib raises its own types, none of them worth a traceback
            self.error = exc
            self.on_error(exc)

    def _poll(self) -> None:
        from Xlib import display as xdisplay  # its own connection: Xlib is not thread-safe
        conn = xdisplay.Display(self.display)
        last = None
        try:
            while not self._stop.wait(POLL_INTERVAL):
                current = active_window(conn)
                if current is not None and current != last:
                    last = current
                    self.raw.put((EventKind.WINDOW, time.monotonic(), *current))
        finally:
            conn.close()


def active_window(conn) -> tuple[str, str] | None:
    """(title, class) of the active window, or None when no window has the focus."""
    from Xlib import X, error
    try:
        root = conn.screen().root
        atom = conn.intern_atom("_NET_ACTIVE_WINDOW")
        prop = root.get_full_property(atom, X.AnyPropertyType)
        window = conn.create_resource_object("window", prop.value[0]) if prop and prop.value[0] else None
        if window is None:
            window = conn.get_input_focus().focus
        if isinstance(window, int) or window is None or window == root:
            return None
        return _describe(conn, window)
    except error.XError:
        return None  # the window went away between the two requests


def _describe(conn, window) -> tuple[str, str] | None:
    """Walk up from the focused (often inner) window to the one that carries a name."""
    net_name = conn.intern_atom("_NET_WM_NAME")
    utf8 = conn.intern_atom("UTF8_STRING")
    root = conn.screen().root
    while window is not None and window != root:
        wm_class = window.get_wm_class()
        prop = window.get_full_property(net_name, utf8)
        title = prop.value.decode("utf-8", "replace") if prop else window.get_wm_name()
        if wm_class or title:
            if isinstance(title, bytes):
                title = title.decode("latin-1")
            return (title or "", wm_class[1] if wm_class else "")
        window = window.query_tree().parent
    return None
