"""A small GTK3 window for the AT-SPI tests, run by the system Python (/usr/bin/python3, whose
python3-gi the project's venv does not see): two named push buttons, a password field, a
search field that, as some applications do, takes what is typed into it as its accessible
name, and a list whose rows are named by the labels they hold, all at known screen places,
so a test knows which widget each click landed on.

It prints "ready" once its window is shown (the test then waits until AT-SPI names its
widgets), and one line for each button clicked, so a test also sees the click reach the application.
"""
from __future__ import annotations

import sys

TITLE = "uxlab gtk target"
WIDTH, HEIGHT = 400, 340
# where each widget is drawn, in screen pixels: (x, y, width, height); the window sits at 0,0
SAVE = (20, 20, 160, 60)
OPEN = (220, 20, 160, 60)
PASSWORD = (20, 120, 360, 40)
SEARCH = (20, 200, 360, 40)
LIST = (20, 260, 360, 60)         # rows "Alpha" and "Beta", from its top, each about 20 pixels high
SECRET_NAME = "my secret field"   # the password field's accessible name: it must never be stored


def main() -> int:
    # the system Python's gi, imported here: the tests import this module's places from the venv
    import gi
    gi.require_version("Gtk", "3.0")
    from gi.repository import GLib, Gtk
    window = Gtk.Window(title=TITLE)
    window.set_decorated(False)
    window.set_default_size(WIDTH, HEIGHT)
    window.move(0, 0)
    layout = Gtk.Fixed()
    window.add(layout)
    for label, (x, y, w, h) in (("Save", SAVE), ("Open", OPEN)):
        button = Gtk.Button(label=label)
        button.set_size_request(w, h)
        button.connect("clicked", lambda _button, label=label: print(f"clicked {label}", flush=True))
        layout.put(button, x, y)
    password = Gtk.Entry()
    password.set_visibility(False)
    password.set_size_request(PASSWORD[2], PASSWORD[3])
    password.get_accessible().set_name(SECRET_NAME)
    layout.put(password, PASSWORD[0], PASSWORD[1])
    search = Gtk.Entry()
    search.set_size_request(SEARCH[2], SEARCH[3])
    search.connect("changed", lambda entry: entry.get_accessible().set_name(entry.get_text()))
    layout.put(search, SEARCH[0], SEARCH[1])
    rows = Gtk.ListBox()
    for label in ("Alpha", "Beta"):
        rows.add(Gtk.Label(label=label))
    rows.set_size_request(LIST[2], LIST[3])
    layout.put(rows, LIST[0], LIST[1])
    window.connect("destroy", Gtk.main_quit)
    window.show_all()

    def ready() -> bool:
        print("ready", flush=True)
        return False

    GLib.timeout_add(200, ready)   # the AT-SPI bridge registers the window on the next idle turns
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
