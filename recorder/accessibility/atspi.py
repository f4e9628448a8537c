"""What widget is at a screen point, asked of the AT-SPI accessibility bus over D-Bus.

GTK, Qt, LibreOffice, Firefox and Chromium (with accessibility on) publish their widgets on
the accessibility bus, whose address the session bus's `org.a11y.Bus` gives. The registry
lists the applications; each lists its top-level windows; `Component.GetAccessibleAtPoint`
then walks down to the deepest widget under the point, whose role name ("push button"),
accessible name and screen box are what a click is named by. jeepney speaks D-Bus in pure
Python (no system bindings for the venv to miss); every call carries what is left of the
lookup's deadline, so an application that hangs costs the lookup, never the recording.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGISTRY = "org.a11y.atspi.Registry"
ROOT = "/org/a11y/atspi/accessible/root"
NULL_PATH = "/org/a11y/atspi/null"   # AT-SPI's "no object" reference
ACCESSIBLE = "org.a11y.atspi.Accessible"
COMPONENT = "org.a11y.atspi.Component"
ACTION = "org.a11y.atspi.Action"
TEXT = "org.a11y.atspi.Text"
EDITABLE_TEXT = "org.a11y.atspi.EditableText"
SCREEN = 0   # ATSPI_COORD_TYPE_SCREEN: boxes and points in screen pixels
# AtspiStateType bit numbers (at-spi2-core's atspi-constants.h)
STATE_ACTIVE, STATE_EDITABLE, STATE_SELECTABLE, STATE_SHOWING, STATE_VISIBLE = 1, 7, 22, 25, 30
MAX_DEPTH = 40           # GetAccessibleAtPoint steps from a window to its deepest widget
CALL_TIMEOUT = 0.05      # the least an application is given to list its windows before it is skipped
ANCESTORS = 3            # how far up a plain widget (a label) looks for the control it is in
# widgets that show something rather than do something, even when they carry an action
PLAIN_ROLES = frozenset({"static", "label", "paragraph", "image", "icon", "filler", "section", "panel",
                         "text"})

Ref = tuple[str, str]    # (bus name, object path): an AT-SPI object reference
Box = tuple[int, int, int, int]


class AtspiError(RuntimeError):
    """The accessibility bus cannot be reached, or stopped answering."""


@dataclass(frozen=True)
class Widget:
    """The widget under a point, as its application describes it. `shows_typing` is true when
    its name is (or contains) what was typed into it, as some applications name a field."""

    role: str
    name: str
    box: Box
    interactive: bool
    shows_typing: bool


def session_bus_address() -> str:
    """The D-Bus session bus this process belongs to: $DBUS_SESSION_BUS_ADDRESS, or the
    per-user bus in $XDG_RUNTIME_DIR, where D-Bus itself looks next."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and (Path(runtime) / "bus").exists():
        return f"unix:path={Path(runtime) / 'bus'}"
    raise AtspiError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _box(values: Any) -> Box:
    x, y, width, height = (int(v) for v in values)
    return x, y, width, height


def _contains(box: Box, x: int, y: int) -> bool:
    return box[0] <= x < box[0] + box[2] and box[1] <= y < box[1] + box[3]


def _has(states: Any, bit: int) -> bool:
    """Whether an AT-SPI state set (32 states per word) holds state `bit`."""
    word = bit // 32
    return len(states) > word and bool(states[word] >> (bit % 32) & 1)


@dataclass(frozen=True)
class _Node:
    """One accessible object, as far as choosing the widget to name needs it."""

    ref: Ref
    role: str
    interfaces: frozenset[str]
    states: tuple[int, ...]

    @property
    def editable(self) -> bool:
        return _has(self.states, STATE_EDITABLE) or EDITABLE_TEXT in self.interfaces

    @property
    def is_control(self) -> bool:
        """Something a participant acts on: a field, a selectable row, or a widget with an
        action that is not plain text or a picture."""
        return (self.editable or _has(self.states, STATE_SELECTABLE)
                or (ACTION in self.interfaces and self.role not in PLAIN_ROLES))


class AtspiClient:
    """One connection to the accessibility bus, used by one thread."""

    def __init__(self, timeout: float = 1.0) -> None:
        self.timeout = timeout
        self._bus: Any = None

    def connect(self) -> None:
        """Find the accessibility bus through the session bus and connect to it; an
        AtspiError says in a few words why not."""
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection
        except ImportError:   # a platform without D-Bus, where pyproject does not install it
            raise AtspiError("jeepney, the D-Bus client, is not installed") from None
        address = session_bus_address()
        try:
            with open_dbus_connection(address, auth_timeout=self.timeout) as session:
                reply = session.send_and_get_reply(new_method_call(
                    DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"),
                    "GetAddress"), timeout=self.timeout)
        except (OSError, ValueError, TimeoutError) as exc:
            raise AtspiError(f"the D-Bus session bus does not answer ({_said(exc)})") from None
        body = self._body(reply)
        if not body or not body[0]:
            raise AtspiError("the session bus has no accessibility bus (org.a11y.Bus)")
        try:
            self._bus = open_dbus_connection(body[0], auth_timeout=self.timeout)
            # the registry may be started on this first call: it gets the connection's timeout
            self._call(REGISTRY, ROOT, ACCESSIBLE, "GetRoleName", deadline=time.monotonic() + self.timeout,
                       cap=self.timeout)
        except (OSError, ValueError, TimeoutError, AtspiError) as exc:
            self.close()
            raise AtspiError(f"the accessibility bus does not answer ({_said(exc)})") from None

    def close(self) -> None:
        if self._bus is not None:
            self._bus.close()
            self._bus = None

    @staticmethod
    def _body(reply: Any) -> tuple:
        from jeepney import HeaderFields, MessageType
        if reply.header.message_type == MessageType.error:
            raise AtspiError(f"AT-SPI refused: {reply.header.fields.get(HeaderFields.error_name, 'an error')}")
        return tuple(reply.body)

    def _call(self, bus_name: str, path: str, interface: str, method: str, signature: str | None = None,
              body: tuple = (), *, deadline: float, cap: float = float("inf")) -> tuple:
        """One method call, given what is left of `deadline` (a `time.monotonic()` reading),
        and at most `cap` seconds."""
        from jeepney import DBusAddress, new_method_call
        if self._bus is None:
            raise AtspiError("not connected to the accessibility bus")
        left = min(deadline - time.monotonic(), cap)
        if left <= 0:
            raise TimeoutError("the lookup's deadline passed")
        message = new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method,
                                  signature, body)
        return self._body(self._bus.send_and_get_reply(message, timeout=left))

    def _property(self, ref: Ref, name: str, deadline: float) -> Any:
        """A property of the Accessible interface ("Name", "Parent")."""
        from jeepney import DBusAddress, Properties
        if self._bus is None:
            raise AtspiError("not connected to the accessibility bus")
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the lookup's deadline passed")
        message = Properties(DBusAddress(ref[1], bus_name=ref[0], interface=ACCESSIBLE)).get(name)
        value = self._body(self._bus.send_and_get_reply(message, timeout=left))[0]
        return value[1] if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) else value

    def widget_at(self, x: int, y: int, deadline: float) -> Widget | None:
        """The deepest widget an application shows at screen point (x, y), or None (no
        accessible window there). Raises TimeoutError when `deadline` passes first."""
        window = self._window_at(x, y, deadline)
        if window is None:
            return None
        path = [window]
        while len(path) <= MAX_DEPTH:
            try:
                found = self._call(*path[-1], COMPONENT, "GetAccessibleAtPoint", "iiu", (x, y, SCREEN),
                                   deadline=deadline)[0]
            except AtspiError:
                break   # a widget with no Component: the one above it is the deepest there
            child = (str(found[0]), str(found[1]))
            if child[1] == NULL_PATH or child in path:
                break
            path.append(child)
        return self._describe(self._control(path, deadline), deadline)

    def _window_at(self, x: int, y: int, deadline: float) -> Ref | None:
        """The showing top-level window under the point: the active one if it is there,
        else the smallest (a dialog over its main window). Each application gets its share
        of what is left of the deadline (CALL_TIMEOUT at least), so one that hangs does not
        silence the others; when nothing was found and one did not answer, the lookup timed
        out rather than found nothing."""
        found: list[tuple[bool, int, Ref]] = []
        silent = False
        apps = self._call(REGISTRY, ROOT, ACCESSIBLE, "GetChildren", deadline=deadline)[0]
        for index, (bus_name, path) in enumerate(apps):
            cap = max(CALL_TIMEOUT, (deadline - time.monotonic()) / (len(apps) - index))
            try:
                found.extend(self._windows_of((str(bus_name), str(path)), x, y, deadline, cap))
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise
                silent = True   # this application hangs: the others may still say
            except AtspiError:
                continue        # this one refuses (it is closing, say)
        if not found:
            if silent:
                raise TimeoutError("an application did not answer in time")
            return None
        return min(found, key=lambda item: (not item[0], item[1]))[2]

    def _windows_of(self, app: Ref, x: int, y: int, deadline: float, cap: float) -> list[tuple[bool, int, Ref]]:
        """(active, area, window) of an application's showing windows that hold the point."""
        held = []
        for ref in self._call(*app, ACCESSIBLE, "GetChildren", deadline=deadline, cap=cap)[0]:
            window = (str(ref[0]), str(ref[1]))
            box = _box(self._call(*window, COMPONENT, "GetExtents", "u", (SCREEN,), deadline=deadline, cap=cap)[0])
            if not _contains(box, x, y):
                continue
            states = self._call(*window, ACCESSIBLE, "GetState", deadline=deadline, cap=cap)[0]
            if _has(states, STATE_SHOWING) and _has(states, STATE_VISIBLE):
                held.append((_has(states, STATE_ACTIVE), box[2] * box[3], window))
        return held

    def _node(self, ref: Ref, deadline: float) -> _Node:
        role = str(self._call(*ref, ACCESSIBLE, "GetRoleName", deadline=deadline)[0])
        interfaces = frozenset(str(i) for i in self._call(*ref, ACCESSIBLE, "GetInterfaces", deadline=deadline)[0])
        states = tuple(int(w) for w in self._call(*ref, ACCESSIBLE, "GetState", deadline=deadline)[0])
        return _Node(ref, role, interfaces, states)

    def _control(self, path: list[Ref], deadline: float) -> tuple[_Node, _Node]:
        """The widget to name and the deepest one: the deepest itself, or, when that is
        plain (a label in a list row; Chromium gives a button's text a "click-ancestor"
        action), the nearest control it sits in below the window, found by its parents
        (a hit test may jump straight to the deepest widget)."""
        deepest = node = self._node(path[-1], deadline)
        for _ in range(ANCESTORS):
            if node.is_control or node.ref == path[0]:
                break
            parent = self._property(node.ref, "Parent", deadline)
            ref = (str(parent[0]), str(parent[1]))
            if ref == path[0] or ref[1] == NULL_PATH:
                break
            node = self._node(ref, deadline)
        return (node if node.is_control else deepest), deepest

    def _describe(self, nodes: tuple[_Node, _Node], deadline: float) -> Widget:
        """The widget's role, name and box; a control with no name of its own is named by
        the text it shows (the label it holds), as a web page's accessible name comes from
        its content."""
        node, deepest = nodes
        name = str(self._property(node.ref, "Name", deadline)).strip()
        if not name and deepest is not node:
            name = str(self._property(deepest.ref, "Name", deadline)).strip()
        box = _box(self._call(*node.ref, COMPONENT, "GetExtents", "u", (SCREEN,), deadline=deadline)[0])
        shows_typing = False
        if node.editable and name and TEXT in node.interfaces:
            typed = str(self._call(*node.ref, TEXT, "GetText", "ii", (0, -1), deadline=deadline)[0]).strip()
            shows_typing = bool(typed) and (typed in name or name in typed)
        elif node.editable and name:
            shows_typing = True   # cannot tell: a field's name is kept only when it is surely a label
        return Widget(node.role, name, box, node.is_control, shows_typing)
