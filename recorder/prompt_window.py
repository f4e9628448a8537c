"""What the participant sees of the recorder: a small always-on-top window with the
current task's prompt, and the consent question before anything is recorded.

Tk runs on its own thread (every Tk call stays on it); other threads talk to it through
a queue, so the task runner never waits for the screen.
"""
from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from sessions.events import KeystrokeMode

WIDTH, HEIGHT, MARGIN = 420, 120, 10
CONSENT_SIZE = (560, 240)
CONSENT_TITLE = "uxlab consent"
WAITING = ("Not recording yet", "Nothing is recorded before you agree.")
FIRST_STATE_WAIT = 2.0   # seconds the recorder waits for its first state to be on screen
PROMPT_TITLE = "uxlab prompt"
CONSENT_TEXT = ("This session will be recorded: your screen, your clicks and scrolls{sep}"
                "which kinds of keys you press{typed}{heard}. You can ask to pause or stop at any "
                "time. Do you agree to take part?")


class PromptWindow:
    """A Sink for the runner's state; also asks for consent. Safe to call from any thread."""

    def __init__(self, screen_width: int, display: str | None = None) -> None:
        self.screen_width, self.display = screen_width, display
        self._inbox: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._rect: tuple[int, int, int, int] | None = None
        self._thread = threading.Thread(target=self._run, name="prompt-window", daemon=True)
        self.error: BaseException | None = None
        # Tk's objects, made and freed on the Tk thread (None before and after it runs)
        self.root: Any = None
        self.heading: Any = None
        self.label: Any = None
        # nothing is recorded until the first state arrives (after consent): never say so before
        self.shown: tuple[str, str] = WAITING
        # set once the first state is on screen: the first recorded frame must show it
        self._first_shown = threading.Event()

    # -- called from other threads --------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)
        if self.error is not None:
            raise RuntimeError(f"cannot open the prompt window: {self.error}")

    def ask_consent(self, keystrokes: str, cancel: threading.Event, *,
                    microphones: Sequence[str] = (), camera: str | None = None) -> bool:
        """Show the consent question and wait for the participant's answer (False when
        `cancel` is set first, e.g. by Ctrl+C); it names every microphone that will record."""
        answer: queue.Queue = queue.Queue()
        self._inbox.put(("consent", keystrokes, list(microphones), camera, answer))
        while not cancel.is_set():
            try:
                return answer.get(timeout=0.1)
            except queue.Empty:
                continue
        return False

    def rect(self) -> tuple[int, int, int, int] | None:
        """Where the prompt window is on screen (x, y, width, height), for click targets."""
        return self._rect

    def events(self, rows: list[dict]) -> None:
        pass

    def frame(self, row: dict, image: np.ndarray) -> None:
        pass

    def audio(self, t: float, samples: np.ndarray, rate: int) -> None:
        pass

    def camera(self, t: float, bgr: np.ndarray) -> None:
        pass

    def state(self, state: dict) -> None:
        """Show the recorder's state. The first one is waited for (briefly), because the
        recording's first frame is grabbed next and must not show "Not recording yet"."""
        self._inbox.put(("state", state))
        if not self._first_shown.is_set() and self._thread.is_alive():
            self._first_shown.wait(FIRST_STATE_WAIT)

    def close(self) -> None:
        self._inbox.put(("close",))
        self._thread.join(timeout=5)

    # -- the Tk thread ---------------------------------------------------------------
    def _run(self) -> None:
        try:
            import tkinter as tk
            self.tk = tk
            self.root = tk.Tk(screenName=self.display, className="uxlab-prompt")
        except Exception as exc:  # noqa: BLE001  Tk's errors on a missing display: reported
            self.error = exc
            self._ready.set()
            return
        root = self.root
        root.title(PROMPT_TITLE)
        root.overrideredirect(True)  # no decorations, exact placement, also without a WM
        root.attributes("-topmost", True)
        x = self.screen_width - WIDTH - MARGIN
        root.geometry(f"{WIDTH}x{HEIGHT}+{x}+{MARGIN}")
        root.configure(background="#fff8dc", highlightthickness=2, highlightbackground="#444")
        self.heading = tk.Label(root, text=self.shown[0], font=("Helvetica", 10, "bold"),
                                background="#fff8dc", anchor="w")
        self.heading.pack(fill="x", padx=8, pady=(6, 0))
        self.label = tk.Label(root, text=self.shown[1], wraplength=WIDTH - 20,
                              justify="left", font=("Helvetica", 12), background="#fff8dc", anchor="nw")
        self.label.pack(fill="both", expand=True, padx=8, pady=4)
        root.update_idletasks()
        root.update()
        self._rect = (root.winfo_rootx(), root.winfo_rooty(), WIDTH, HEIGHT)
        self._ready.set()
        root.after(50, self._poll)
        root.mainloop()
        root.destroy()
        # the Tcl interpreter must be freed on the thread that made it, or Tcl aborts the process
        self.root = self.heading = self.label = root = None
        gc.collect()

    def _poll(self) -> None:
        try:
            while True:
                message = self._inbox.get_nowait()
                if message[0] == "close":
                    self.root.quit()
                    return
                if message[0] == "state":
                    self._show_state(message[1])
                elif message[0] == "consent":
                    self._consent_dialog(*message[1:])
        except queue.Empty:
            pass
        self.root.after(50, self._poll)

    def _show_state(self, state: dict) -> None:
        if state.get("ended"):
            heading, text = "Session over", "Thank you!"
        elif state.get("paused"):
            heading, text = "Recording paused", "Nothing is being recorded."
        elif state.get("task"):
            heading = f"Task {state['tasks_done'] + 1} of {state['tasks_total']}"
            text = state["prompt"]
        else:
            heading, text = "Recording", "Please wait for the moderator."
        self.shown = (heading, text)
        self.heading.configure(text=heading)
        self.label.configure(text=text)
        if not self._first_shown.is_set():
            self.root.update()   # drawn and synced with the X server before the first grab
            self._first_shown.set()

    def _consent_dialog(self, keystrokes: str, microphones: list[str], camera: str | None,
                        answer: queue.Queue) -> None:
        tk = self.tk
        width, height = CONSENT_SIZE
        dialog = tk.Toplevel(self.root, class_="uxlab-consent")
        dialog.title(CONSENT_TITLE)
        dialog.overrideredirect(True)
        dialog.attributes("-topmost", True)
        left = max(0, (self.screen_width - width) // 2)
        dialog.geometry(f"{width}x{height}+{left}+150")
        dialog.configure(highlightthickness=2, highlightbackground="#444")
        typed = " and the text you type" if keystrokes == KeystrokeMode.FULL else ""
        typed = " (no keystrokes at all)" if keystrokes == KeystrokeMode.NONE else typed
        heard = ", and your voice through the microphone " + " and ".join(
            f'"{m}"' for m in microphones) if microphones else ""
        heard += ", and your face through the camera" if camera else ""
        tk.Label(dialog, text=CONSENT_TEXT.format(
            sep=", " if heard else ", and ", typed=typed, heard=heard), wraplength=width - 40,
                 justify="left", font=("Helvetica", 12)).place(x=20, y=15, width=width - 40, height=130)

        def reply(value: bool) -> None:
            dialog.destroy()
            answer.put(value)

        # two big buttons side by side: easy to hit, and at known places for scripted runs
        tk.Button(dialog, text="I agree", command=lambda: reply(True)).place(
            x=20, y=160, width=width // 2 - 30, height=60)
        tk.Button(dialog, text="I do not agree", command=lambda: reply(False)).place(
            x=width // 2 + 10, y=160, width=width // 2 - 30, height=60)
