"""The active window: its title and class whenever it changes, so a timeline says which
application the participant was in. Uses EWMH `_NET_ACTIVE_WINDOW` where a window manager
sets it, else the X input focus (bare X servers such as Xvfb). It follows the Source
protocol of recorder/sources/base.py."""
from __future__ import annotations

import gc
import queue
import threading
import time
import warnings

from recorder.sources.base import Lost, OnLost, ignore_loss
from sessions.events import EventKind

POLL_INTERVAL = 0.25


class DisplayUnreachable(RuntimeError):
    """The X display named for the window source cannot be opened."""


def open_display(name: str | None):
    """An Xlib connection to `name`. python-xlib leaves its socket open when a connection
    fails; that socket is let go here, quietly, rather than warned about in whatever runs next."""
    from Xlib import display as xdisplay
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return xdisplay.Display(name)
        except Exception as exc:  # noqa: BLE001  Xlib's own error types
            message = f"cannot open display {name}: {exc}"
        gc.collect()
    raise DisplayUnreachable(message)


class WindowSource:
    """Polls the active window on its own X connection to `display`.

    A failure (the display cannot be opened, the connection drops) ends the polling and is
    reported to `on_lost` once, from the polling thread: the recording goes on without window
    titles, and the moderator is told so instead of finding an empty column afterwards."""

    def __init__(self, raw: queue.SimpleQueue, display: str | None = None,
                 on_lost: OnLost = ignore_loss) -> None:
        self.raw, self.display, self.on_lost = raw, display, on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="window", daemon=True)
        self.lost: Lost | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, t_end: float = 0.0) -> None:
        """Stop polling (its stamps are not yet session time: the processor applies `t_end`)."""
        self._stop.set()
        if self._thread.ident is not None:   # window titles may be off: never started
            self._thread.join(timeout=2)

    def _run(self) -> None:
        try:
            self._poll()
        except Exception as exc:  # noqa: BLE001  Xlib raises its own types: reported as lost
            self.lost = Lost(time.monotonic(), str(exc))
            self.on_lost(self.lost)

    def _poll(self) -> None:
        conn = open_display(self.display)  # its own connection: Xlib is not thread-safe
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
