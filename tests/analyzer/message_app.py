"""A form-like window for the detection test: an 800x600 page that, on a left click, shows
an inline 300x20 px error message for one second and hides it again; nothing else changes."""
from __future__ import annotations

import sys
import tkinter as tk

TITLE = "uxlab form"
WIDTH, HEIGHT = 800, 600
MESSAGE = (250, 300, 300, 20)       # x, y, width, height of the inline message
SHOWN_MS = 1000


def main() -> None:
    root = tk.Tk(className="uxlab-form")
    root.title(TITLE)
    root.overrideredirect(True)
    root.geometry(f"{WIDTH}x{HEIGHT}+0+0")
    canvas = tk.Canvas(root, width=WIDTH, height=HEIGHT, highlightthickness=0, background="#f4f4f4")
    canvas.pack()
    canvas.create_rectangle(0, 0, WIDTH, 50, fill="#1e3c5a", outline="")
    canvas.create_text(20, 25, text="Sign up", anchor="w", fill="white", font=("Helvetica", 16))
    for i, label in enumerate(("Name", "E-mail", "Password")):
        canvas.create_text(250, 110 + 60 * i, text=label, anchor="w", font=("Helvetica", 11))
        canvas.create_rectangle(250, 125 + 60 * i, 550, 150 + 60 * i, outline="#888888")
    x, y, w, h = MESSAGE
    box = canvas.create_rectangle(x, y, x + w - 1, y + h - 1, fill="#c0282d", outline="", state="hidden")
    text = canvas.create_text(x + 8, y + h // 2, text="Please enter a valid e-mail address", anchor="w",
                              fill="white", font=("Helvetica", 10, "bold"), state="hidden")

    def show(_event) -> None:
        for item in (box, text):
            canvas.itemconfigure(item, state="normal")
        root.after(SHOWN_MS, hide)

    def hide() -> None:
        for item in (box, text):
            canvas.itemconfigure(item, state="hidden")

    canvas.bind("<Button-1>", show)
    root.update()
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    sys.exit(main())
