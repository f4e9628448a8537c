"""The widget under each click, through AT-SPI, on a real Xvfb with a real D-Bus session bus,
the real accessibility bus (at-spi-bus-launcher) and registry (at-spi2-registryd), and a
real GTK3 window (tests/recorder/gtk_app.py, run by the system Python's gi): a real `uxlab
record` names each click as capture.js names a page's ("push button 'Save'"), never stores
a password field's name or what was typed; a hung application or a dead bus costs a click
its element only; with no bus the recorder says so in one line and records pixels."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from recorder.accessibility.resolver import DEADLINE, NOTE, WidgetResolver
from recorder.virtual_display import stop_process
from sessions.export import timeline
from sessions.store import Store
from tests.recorder.gtk_app import LIST, OPEN, PASSWORD, SAVE, SEARCH, SECRET_NAME

GTK_APP = Path(__file__).parent / "gtk_app.py"
SYSTEM_PYTHON = "/usr/bin/python3"   # python3-gi lives there, not in the venv
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
REGISTRY = "/usr/libexec/at-spi2-registryd"
TYPED = "secret words"


def centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return box[0] + box[2] // 2, box[1] + box[3] // 2


class AccessibilityBus:
    """A D-Bus session bus, the AT-SPI bus launched on it for one display, and the registry,
    each started here and stopped by its pid; `env` is what an application needs to join."""

    def __init__(self, display) -> None:
        self.display = display
        self.processes: list[subprocess.Popen] = []
        # short: a unix socket's path is at most 107 bytes
        self.runtime = Path(tempfile.mkdtemp(prefix="uxlab-atspi-"))

    def start(self) -> AccessibilityBus:
        daemon = self._run(["dbus-daemon", "--session", "--nofork", "--print-address=1",
                            f"--address=unix:path={self.runtime / 'bus'}"], self.display.env(), stdout=subprocess.PIPE)
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), "the session bus did not start"
        self.env = {**self.display.env(), "DBUS_SESSION_BUS_ADDRESS": address,
                    "XDG_RUNTIME_DIR": str(self.runtime), "ACCESSIBILITY_ENABLED": "1"}
        self.env.pop("NO_AT_BRIDGE", None)
        self.launcher = self._run([LAUNCHER, "--launch-immediately", "--a11y=1"], self.env)
        self._wait_for_name("org.a11y.Bus", address)
        self._run([REGISTRY], self.env)
        return self

    def _run(self, command: list[str], env: dict, stdout=subprocess.DEVNULL) -> subprocess.Popen:
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(process)
        return process

    @staticmethod
    def _wait_for_name(name: str, address: str, timeout: float = 10.0) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
        deadline = time.monotonic() + timeout
        with open_dbus_connection(address) as bus:
            while not bus.send_and_get_reply(message_bus.NameHasOwner(name), timeout=1).body[0]:
                assert time.monotonic() < deadline, f"{name} did not appear on the session bus"
                time.sleep(0.02)

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop_process(process)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(self.runtime, ignore_errors=True)


class GtkApp:
    """The GTK window on the accessibility bus, with what it printed (a line per button clicked)."""

    def __init__(self, bus: AccessibilityBus) -> None:
        self.process = subprocess.Popen([SYSTEM_PYTHON, str(GTK_APP)], env=bus.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        first = self.process.stdout.readline().strip()   # type: ignore[union-attr]
        self._reader.start()
        if first != "ready":
            self.stop()
            raise AssertionError("the GTK window did not open")

    def _read(self) -> None:
        for line in self.process.stdout:   # type: ignore[union-attr]
            self.lines.append(line.strip())

    def wait_printed(self, line: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while line not in self.lines:
            assert time.monotonic() < deadline, f"the GTK window never printed {line!r}: {self.lines}"
            time.sleep(0.02)

    def stop(self) -> None:
        stop_process(self.process)
        self._reader.join(timeout=5)
        self.process.stdout.close()   # type: ignore[union-attr]


def wait_named(widgets: WidgetResolver, box, label: str, timeout: float = 15.0) -> dict:
    """The element the resolver names at the box's centre, once it is `label`'s (the window
    registers on the bus a moment after it shows)."""
    deadline = time.monotonic() + timeout
    while True:
        asked = widgets.lookup(*centre(box))
        found = asked.result() if asked is not None else None
        if found is not None and found.get("name") == label:
            return found
        assert time.monotonic() < deadline, f"AT-SPI never named {label!r} at {box}: {found}"
        time.sleep(0.05)


@pytest.fixture
def accessibility(display, monkeypatch):
    """The buses for `display`; this process and the `uxlab record` it starts use them."""
    bus = AccessibilityBus(display)
    try:
        bus.start()
    except BaseException:
        bus.stop()   # whatever of it did start
        raise
    for key in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.setenv(key, bus.env[key])
    yield bus
    bus.stop()


@pytest.fixture
def gtk_app(accessibility):
    """The GTK window, once AT-SPI names its Save button."""
    app = GtkApp(accessibility)
    try:
        widgets = WidgetResolver()
        widgets.start()
        try:
            wait_named(widgets, SAVE, "Save")
        finally:
            widgets.stop()
        yield app
    finally:
        app.stop()


def rest_and_click(driver, x: int, y: int) -> None:
    """Move there, rest a moment as a person does before pressing, press and release."""
    driver.xdotool("mousemove", str(x), str(y), "sleep", "0.4", "mousedown", "1", "mouseup", "1")


def test_a_recording_names_each_widget_clicked_and_keeps_no_secret(driver, gtk_app, study_dir):
    driver.start("--consent", "--prompt", "none")
    rest_and_click(driver, *centre(SEARCH))          # focus the search field (no name yet)
    driver.type(TYPED)                              # it takes what was typed as its name
    alpha = (LIST[0] + 100, LIST[1] + 8)             # on the label of the list's first row
    clicks = [centre(SEARCH), centre(SAVE), centre(OPEN), centre(PASSWORD), alpha, (5, 5), (900, 600)]
    for x, y in clicks:                             # the search field again, now named by the typing
        rest_and_click(driver, x, y)
    gtk_app.wait_printed("clicked Open")           # the clicks reached the application
    driver.key("ctrl+alt+q")
    session_id = driver.finish()
    assert not [line for line in driver.stderr if "AT-SPI" in line], "".join(driver.stderr)
    assert gtk_app.lines == ["clicked Save", "clicked Open"]

    store = Store(study_dir)
    presses = [r for r in timeline(store, session_id) if r["kind"] == "click" and r["pressed"] == 1]
    stats = store.sessions.get(session_id)["stats"]
    store.close()
    assert [(r["x"], r["y"]) for r in presses] == [clicks[0], *clicks]
    assert (stats["clicks_named"], stats["clicks_unnamed"], stats["click_lookups_late"]) == (7, 1, 0)
    assert [r["text"] for r in presses] == ["text", "text", "push button 'Save'", "push button 'Open'",
                                            "password text", "list item 'Alpha'", "panel", None]
    save = json.loads(presses[2]["target"])
    assert save == {"role": "push button", "name": "Save", "page": list(SAVE), "view": list(SAVE),
                    "interactive": True}
    assert json.loads(presses[5]["target"])["interactive"] is True    # the row, not the label in it
    assert json.loads(presses[6]["target"])["interactive"] is False   # the window's background
    assert presses[-1]["target"] is None                              # no window there: pixels only
    assert "name" not in json.loads(presses[4]["target"])             # a password field: its role only
    stored = b"".join(path.read_bytes() for path in study_dir.glob("uxlab.db*"))
    for secret in (SECRET_NAME, TYPED):
        assert secret.encode() not in stored


def test_a_hung_application_or_a_dead_bus_costs_a_click_its_element_only(accessibility, gtk_app):
    said: list[str] = []
    widgets = WidgetResolver(said.append)
    widgets.start()
    try:
        wait_named(widgets, OPEN, "Open")
        os.kill(gtk_app.process.pid, signal.SIGSTOP)   # the application hangs
        try:
            asked = time.monotonic()
            lookup = widgets.lookup(*centre(SAVE))
            assert lookup is not None and lookup.result() is None
            assert time.monotonic() - asked < 3 * DEADLINE      # its deadline, not the hung app's silence
        finally:
            os.kill(gtk_app.process.pid, signal.SIGCONT)
        wait_named(widgets, SAVE, "Save")              # the late answers did not confuse the next
        stop_process(accessibility.launcher)           # the accessibility bus goes away
        deadline = time.monotonic() + 10
        while not said:
            lookup = widgets.lookup(*centre(SAVE))
            assert lookup is None or lookup.result() is None
            assert time.monotonic() < deadline, "the resolver never noticed the bus was gone"
            time.sleep(0.05)
        assert len(said) == 1 and said[0].startswith("note: AT-SPI stopped answering"), said
    finally:
        widgets.stop()


def test_without_an_accessibility_bus_the_recorder_says_so_and_records_pixels(driver, target_app, study_dir,
                                                                               tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))   # no per-user bus there either
    driver.start("--consent", "--prompt", "none")
    driver.click(100, 100)
    driver.key("ctrl+alt+q")
    session_id = driver.finish()
    notes = [line.strip() for line in driver.stderr if "AT-SPI" in line]
    assert notes == [NOTE.format(reason="no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")]
    store = Store(study_dir)
    presses = [r for r in timeline(store, session_id) if r["kind"] == "click" and r["pressed"] == 1]
    store.close()
    assert [(r["x"], r["y"], r["target"], r["text"]) for r in presses] == [(100, 100, None, None)]

