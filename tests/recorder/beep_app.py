"""The A/V sync test's application: an 800x600 window at the top-left corner that, on every
left click, plays a short beep into the virtual microphone and changes colour at the moment
the beep comes out, so the recorded sound and picture can be compared.

The beep goes out through an output stream kept open from the start (opening one per click
would add an unknown delay): its callback plays silence until a click asks for the beep,
and tells (from PortAudio's output time) when the block that starts the beep will be
played; the window changes colour then, so the application's own output latency is not
counted against the recorder. On a busy machine Tk may get to the change late: for each
change the application prints how late it drew it (`late SECONDS`), so that its own delay
is not counted against the recorder either. Run with PULSE_SINK=<microphone>_sink.
"""
from __future__ import annotations

import sys
import threading
import time
import tkinter as tk

import numpy as np
import sounddevice

from tests.recorder.target_app import COLOURS, HEIGHT, WIDTH

RATE = 16000
BLOCK = 160           # 10 ms: a beep starts at most this late after its click
BEEP = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(int(0.12 * RATE)) / RATE) * 32767).astype(np.int16)


class Beeper:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.position: int | None = None   # where in BEEP the next block starts
        self.heard_at: float | None = None  # monotonic time the beep's first sample plays
        self.stream = sounddevice.OutputStream(device="pulse", samplerate=RATE, channels=1,
                                               dtype="int16", blocksize=BLOCK, latency="low",
                                               callback=self.fill)
        self.stream.start()

    def beep(self) -> None:
        with self.lock:
            self.position = 0

    def fill(self, out: np.ndarray, frames: int, times, _status) -> None:
        out.fill(0)
        with self.lock:
            if self.position is None:
                return
            if self.position == 0:
                self.heard_at = time.monotonic() + max(0.0, times.outputBufferDacTime - times.currentTime)
            part = BEEP[self.position:self.position + frames]
            out[:len(part), 0] = part
            self.position += frames
            if self.position >= len(BEEP):
                self.position = None


def main() -> None:
    beeper = Beeper()
    root = tk.Tk(className="uxlab-beep")
    root.title("uxlab beep")
    root.overrideredirect(True)
    root.geometry(f"{WIDTH}x{HEIGHT}+0+0")
    canvas = tk.Canvas(root, width=WIDTH, height=HEIGHT, highlightthickness=0, background=COLOURS[0])
    canvas.pack()
    state = {"index": 0}

    def clicked(event) -> None:
        beeper.beep()

    def show_when_heard() -> None:
        with beeper.lock:
            heard_at = beeper.heard_at
            due = heard_at is not None and time.monotonic() >= heard_at
            if due:
                beeper.heard_at = None
        if due:
            state["index"] = (state["index"] + 1) % len(COLOURS)
            canvas.configure(background=COLOURS[state["index"]])
            root.update_idletasks()   # draw now, not when Tk next idles
            print(f"late {time.monotonic() - heard_at:.4f}", flush=True)
        root.after(1, show_when_heard)

    canvas.bind("<Button-1>", clicked)
    root.after(1, show_when_heard)
    root.update()
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    sys.exit(main())
