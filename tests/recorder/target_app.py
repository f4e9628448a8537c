"""A small application for the recorder's end-to-end tests: an 800x600 window at the
top-left corner whose colour moves to the next of COLOURS on every left click, so a test
knows exactly what the screen showed at any moment of the session."""
from __future__ import annotations

import sys
import tkinter as tk

TITLE = "uxlab target"
WIDTH, HEIGHT = 800, 600
COLOURS = ["#2030a0", "#20a030", "#a02030", "#a0a020", "#20a0a0", "#a020a0", "#606060",
           "#e08020", "#2080e0", "#80e020", "#e02080", "#101010", "#f0f0f0"]


def main() -> None:
    root = tk.Tk(className="uxlab-target")
    root.title(TITLE)
    root.overrideredirect(True)
    root.geometry(f"{WIDTH}x{HEIGHT}+0+0")
    canvas = tk.Canvas(root, width=WIDTH, height=HEIGHT, highlightthickness=0, background=COLOURS[0])
    canvas.pack()
    state = {"index": 0}

    def clicked(event) -> None:
        state["index"] = (state["index"] + 1) % len(COLOURS)
        canvas.configure(background=COLOURS[state["index"]])

    canvas.bind("<Button-1>", clicked)
    root.update()
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    sys.exit(main())
