"""The widget under each click, looked up off the recorder's input thread.

The input processor tells where the pointer is and asks about each press, waiting at most
the lookup's deadline (~100 ms from the press) for an answer; one worker thread owns the
bus connection and works through a small bounded queue, so a slow or dead bus, or an
application that hangs, costs a click its element, never its pixels, and never holds up
capture (pynput's lesson: nothing waits on a listener). When AT-SPI cannot be reached the
recorder says so in one line and records clicks as screen points, as it always did.

What is kept follows the keystroke rule: a password field is stored by its role alone, and
a field whose name shows what was typed into it keeps no name either.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from recorder.accessibility.atspi import AtspiClient, AtspiError, Widget
from sessions.events import ELEMENT_TEXT_CHARS, element_label

DEADLINE = 0.1        # seconds from the click to its element; later, the click has pixels only
QUEUE_SIZE = 8        # presses waiting; past that a click keeps its pixels only
REST_SETTLE = 0.03    # seconds without a move that make a rest worth looking at
REST_VALID = 1.0      # seconds a look at a rest names a press there
REST_DEADLINE = 0.5   # seconds a look at a rest may take: it holds up no event, only later looks
RETRY_AFTER = 5.0     # seconds before a bus that went away is tried again
CONNECT_WAIT = 1.0    # seconds a recording's start waits for the bus before it says it runs
PASSWORD_ROLE = "password text"
NOTE = "note: AT-SPI is not available ({reason}); clicks are recorded as screen points, without the widget under them"


def element(widget: Widget) -> dict:
    """A widget in the shape capture.js gives a page's element (sessions.events
    CAPTURE_TARGET_KEYS): role, name, and its box, in the screen pixels of the click's x and
    y (a desktop's page and view are the screen). No name for a password field, nor for a
    field named by what was typed into it."""
    kept: dict = {"role": widget.role}
    if widget.name and widget.role != PASSWORD_ROLE and not widget.shows_typing:
        kept["name"] = widget.name[:ELEMENT_TEXT_CHARS]
    box = list(widget.box)
    kept.update(page=box, view=box, interactive=widget.interactive)
    return kept


def click_target(found: dict) -> tuple[str, str]:
    """The click event's `target` (the element as JSON) and `text` (its label, "push button
    'Save'"), as a page's click stores them."""
    return json.dumps(found, separators=(",", ":")), element_label(found)


class Lookup:
    """One point asked about; `result()` waits for it until its deadline, no longer.
    `after` is when the press before it was asked about: what was seen before that is stale."""

    def __init__(self, x: int, y: int, deadline: float, after: float = float("-inf")) -> None:
        self.x, self.y, self.deadline, self.after = x, y, deadline, after
        self.asked = time.monotonic()
        self._done = threading.Event()
        self._element: dict | None = None

    def settle(self, found: dict | None) -> None:
        self._element = found
        self._done.set()

    def result(self) -> dict | None:
        """The element under the point, or None (nothing accessible there, or too late)."""
        if not self._done.wait(max(0.0, self.deadline - time.monotonic())):
            return None
        return self._element


@dataclass(frozen=True)
class _Rest:
    """What was under the pointer where it came to rest, and when that look began."""

    x: int
    y: int
    started: float
    found: dict | None

    def answers(self, press: Lookup) -> bool:
        """Whether this look names `press`: the pointer has not moved since, nothing was
        pressed in between, and it is recent (a screen left alone can still change)."""
        return ((self.x, self.y) == (press.x, press.y) and press.after <= self.started <= press.asked
                and press.asked - self.started <= REST_VALID)


class WidgetResolver:
    """Names the widget under a point through AT-SPI, on a thread of its own.

    `start()` returns at once: the worker connects, and says the one-line note through `say`
    if it cannot; `settled` is set when it knows. `lookup()` and `hover()` never block.

    Where the pointer comes to rest (`hover`, REST_SETTLE without a move) the worker looks
    before any press: an application is idle then, while right after a press it may be busy
    handling it (a GTK window answered one look right after a press in 305 ms, where looks
    at rest took 3 ms), and the rest is where the participant aimed. A press at that very
    point, with no press in between, takes that answer; any other press is looked up on its
    own. Counters say how many presses were named, found nothing there, or missed their
    deadline.
    """

    def __init__(self, say: Callable[[str], None] = lambda message: None, *, deadline: float = DEADLINE) -> None:
        self.say, self.deadline = say, deadline
        self._presses: deque[Lookup] = deque()
        self._hover: tuple[int, int, float] | None = None   # a pointer position not yet looked at
        self._rest: _Rest | None = None
        self._last_press = float("-inf")
        self._stopping = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="atspi", daemon=True)
        self.connected = threading.Event()   # set once the bus answered
        self.settled = threading.Event()     # set once the first connection worked or failed
        self.unavailable: str | None = None  # why not, once the worker knows
        self.found = self.empty = self.late = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker: presses already asked about settle as misses, the bus is let go."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=1.0)   # a worker stuck on a call is a daemon: it ends with the process

    def hover(self, x: int, y: int) -> None:
        """The pointer is at (x, y) now (every move, so a rest is seen where it began)."""
        if self.unavailable is not None:
            return
        with self._wake:
            self._hover = (x, y, time.monotonic())
            self._wake.notify()

    def lookup(self, x: int, y: int) -> Lookup | None:
        """Ask for the widget under a press at (x, y), or None at once when AT-SPI is not
        there or too many presses are waiting."""
        if self.unavailable is not None:
            return None
        with self._wake:
            asked = Lookup(x, y, time.monotonic() + self.deadline, after=self._last_press)
            self._last_press, self._hover = asked.asked, None   # what is seen from now on is after it
            if self._rest is not None and self._rest.answers(asked):
                asked.settle(self._rest.found)
                self._count(self._rest.found)
                return asked
            if len(self._presses) >= QUEUE_SIZE:
                self.late += 1
                return None
            self._presses.append(asked)
            self._wake.notify()
        return asked

    def _count(self, found: dict | None) -> None:
        with self._wake:   # from both threads; the condition's lock is re-entrant
            self.found += found is not None
            self.empty += found is None

    def _next(self) -> Lookup | tuple[int, int, float] | None:
        """The next press to look up, else a rest that has settled; None when stopping."""
        with self._wake:
            while not self._stopping:
                if self._presses:
                    return self._presses.popleft()
                wait = None
                if self._hover is not None:
                    wait = self._hover[2] + REST_SETTLE - time.monotonic()
                    if wait <= 0:
                        hover, self._hover = self._hover, None
                        return hover
                self._wake.wait(wait)
            for press in self._presses:
                press.settle(None)
            return None

    def _run(self) -> None:
        client = self._connect(first=True)
        self.settled.set()
        retry_at = time.monotonic() + RETRY_AFTER
        while (item := self._next()) is not None:
            if client is None and time.monotonic() >= retry_at:
                client, retry_at = self._connect(first=False), time.monotonic() + RETRY_AFTER
            if client is None:
                if isinstance(item, Lookup):
                    item.settle(None)
                continue
            try:
                if isinstance(item, Lookup):
                    self._press(client, item)
                else:
                    self._look_at_rest(client, item[0], item[1])
            except (OSError, ValueError, AtspiError) as exc:   # the bus went away mid-recording
                client.close()
                client, retry_at = None, time.monotonic() + RETRY_AFTER
                self.connected.clear()
                self.say(f"note: AT-SPI stopped answering ({exc}); clicks keep their screen points only "
                         "until it is back")
                if isinstance(item, Lookup):
                    item.settle(None)
        if client is not None:
            client.close()

    def _press(self, client: AtspiClient, press: Lookup) -> None:
        rest = self._rest
        if rest is not None and rest.answers(press):   # looked at while this press waited
            self._count(rest.found)
            press.settle(rest.found)
            return
        if time.monotonic() >= press.deadline:   # it waited behind another look past its deadline
            self.late += 1
            press.settle(None)
            return
        try:
            widget = client.widget_at(press.x, press.y, press.deadline)
        except TimeoutError:
            self.late += 1
            press.settle(None)
            return
        found = element(widget) if widget is not None else None
        self._count(found)
        press.settle(found)

    def _look_at_rest(self, client: AtspiClient, x: int, y: int) -> None:
        started = time.monotonic()
        try:
            widget = client.widget_at(x, y, started + max(self.deadline, REST_DEADLINE))
        except TimeoutError:
            return   # a press there is looked up on its own
        rest = _Rest(x, y, started, element(widget) if widget is not None else None)
        with self._wake:
            self._rest = rest

    def _connect(self, *, first: bool) -> AtspiClient | None:
        client = AtspiClient()
        try:
            client.connect()
        except AtspiError as exc:
            if first:
                self.unavailable = str(exc)
                self.say(NOTE.format(reason=exc))
            return None
        self.connected.set()
        return client
