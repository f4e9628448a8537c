"""Simulated participants for the demo study: the portal in Chromium on a virtual display,
driven with xdotool like a person would, while `uxlab record` captures the session. They
think aloud: espeak-ng speaks their lines into a virtual microphone the recorder records
(recorder/virtual_microphone.py; without PulseAudio and espeak-ng they stay silent).

Usage (from the project root):
    .venv/bin/python -m examples.helpdesk.simulate STUDY_DIR [--only P01] [--keep]
Sessions already recorded for a participant are kept and not recorded again.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from examples.helpdesk.layout import HEIGHT, WIDTH
from examples.helpdesk.participants import PARTICIPANTS, Participant
from examples.helpdesk.portal import create_portal
from recorder.virtual_display import VirtualDisplay
from recorder.virtual_microphone import VirtualPulse, speech
from sessions.events import EventKind, Role, SessionStatus
from sessions.recovery import open_writer
from sessions.store import Store
from sessions.study import load_study

HERE = Path(__file__).parent
UXLAB = Path(sys.executable).with_name("uxlab")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-translate", "--disable-features=Translate", "--noerrdialogs",
                  "--password-store=basic", "--kiosk", "--window-position=0,0",
                  f"--window-size={WIDTH},{HEIGHT}"]
# the portal's navigation bar across the top of every page (portal.py's .bar)
BAR_HEIGHT, BAR_RGB = 84, (0x24, 0x3B, 0x6B)


def prepare_study(folder: Path) -> None:
    """Copy the demo study script and its screen images into `folder` (once)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "study.toml").exists():
        shutil.copy(HERE / "study.toml", folder / "study.toml")
        shutil.copytree(HERE / "screens", folder / "screens", dirs_exist_ok=True)


class Driver:
    """Runs one participant's steps with xdotool on one display."""

    def __init__(self, display: VirtualDisplay, hotkeys: dict[str, str],
                 voice: VirtualPulse | None = None, scratch: Path | None = None) -> None:
        self.env, self.hotkeys = display.env(), hotkeys
        self.voice, self.scratch = voice, scratch
        self.speaking: list[subprocess.Popen] = []

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=30)

    def run(self, steps) -> None:
        for step in steps:
            getattr(self, f"do_{step[0]}")(*step[1:])

    def do_wait(self, seconds: float) -> None:
        time.sleep(seconds)

    def do_hotkey(self, action: str) -> None:
        self.xdotool("key", "--clearmodifiers", self.hotkeys[action])

    def do_click(self, point: tuple[int, int]) -> None:
        self.xdotool("mousemove", "--sync", str(point[0]), str(point[1]))
        time.sleep(0.25)  # a person's hand settles before it clicks
        self.xdotool("click", "1")

    def do_clicks(self, point: tuple[int, int], count: int) -> None:
        self.xdotool("mousemove", "--sync", str(point[0]), str(point[1]))
        self.xdotool("click", "--repeat", str(count), "--delay", "120", "1")

    def do_type(self, text: str) -> None:
        self.xdotool("type", "--delay", "45", text)

    def do_say(self, text: str) -> None:
        """Think aloud while going on with the task (the line plays in the background)."""
        if self.voice is None:
            return
        wav = speech(self.scratch, text, f"line{len(self.speaking)}")
        self.speaking.append(self.voice.play_in_background(wav))

    def quiet(self) -> None:
        for player in self.speaking:
            player.wait(timeout=30)


def start_browser(display: VirtualDisplay, url: str, profile: Path) -> subprocess.Popen:
    browser = subprocess.Popen(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
                               env=display.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # Chromium makes and drops windows while it starts: poll rather than `search --sync`,
    # which dies on a window that vanished between being found and being inspected
    while subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "chromium"], env=display.env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        if time.monotonic() > deadline or browser.poll() is not None:
            browser.kill()
            raise RuntimeError("Chromium did not open a window on the virtual display")
        time.sleep(0.2)
    while not portal_painted(display):   # the page's first paint
        if time.monotonic() > deadline or browser.poll() is not None:
            browser.kill()
            raise RuntimeError("Chromium did not show the portal on the virtual display")
        time.sleep(0.05)
    return browser


def portal_painted(display: VirtualDisplay) -> bool:
    """Whether the portal's page shows: its navigation bar's colour at the screen's top
    corners and middle (Chromium paints its window blank first)."""
    import mss
    with mss.MSS(display=display.name) as screen:
        bar = screen.grab({"left": 0, "top": 0, "width": WIDTH, "height": BAR_HEIGHT})
    points = ((2, 2), (WIDTH // 2, 2), (WIDTH - 3, BAR_HEIGHT - 3))
    return all(max(abs(a - b) for a, b in zip(bar.pixel(x, y), BAR_RGB, strict=True)) <= 8 for x, y in points)


def wait_for_session(store: Store, participant: str, known: set[str], recorder: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if recorder.poll() is not None:
            raise RuntimeError(f"uxlab record exited early: {recorder.stderr.read()}")
        fresh = [s for s in store.sessions.all(participant=participant) if s["id"] not in known]
        if fresh:
            return fresh[0]["id"]
        time.sleep(0.1)
    raise RuntimeError("uxlab record did not start a session within 60 s")


def start_lab(folder: Path) -> tuple[subprocess.Popen, str]:
    """The study's server for the portal's capture snippet (issue 21), as the README's
    hand-made deployment runs it: `uxlab serve` would also make a first account, which a
    demo does not need. Returns the process and its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lab = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}",
                            "web:create_app()"], cwd=HERE.parents[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "UXLAB_STUDY": str(folder), "UXLAB_SECRET_KEY": os.urandom(16).hex()})
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return lab, f"http://127.0.0.1:{port}"
        if lab.poll() is not None or time.monotonic() > deadline:
            lab.kill()
            raise RuntimeError("the study's server for the capture snippet did not start")
        time.sleep(0.2)


def wait_for_pairing(store: Store, session_id: str, seconds: float = 20.0) -> None:
    """Until the portal's page has paired with the session (it said its URL): its clicks
    are then named. Without it the session still records pixel clicks."""
    deadline = time.monotonic() + seconds
    while not store.events.count(session_id, EventKind.URL.value) and time.monotonic() < deadline:
        time.sleep(0.2)


def record_participant(folder: Path, person: Participant, voice: VirtualPulse | None = None) -> str:
    """Record one participant's whole session (with their voice when `voice` is given);
    returns its id. The portal carries the capture snippet, so its clicks are named too."""
    study = load_study(folder)
    store = open_writer(folder)
    known = {s["id"] for s in store.sessions.all()}
    lab, lab_url = start_lab(folder)
    server = make_server("127.0.0.1", 0, create_portal(person.variant, capture=lab_url), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with VirtualDisplay(WIDTH, HEIGHT) as display, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = start_browser(display, f"http://127.0.0.1:{server.server_port}/", Path(profile))
        recorder = subprocess.Popen(
            [str(UXLAB), "record", str(folder), "--participant", person.id, "--group", person.variant,
             "--display", display.name, "--consent", "--prompt", "none", "--again",
             "--audio", "vmic" if voice else "none"],
            env={**os.environ, **(voice.env if voice else {})},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            session_id = wait_for_session(store, person.id, known, recorder)
            listening = time.monotonic()   # the recorder starts its input listener before the session
            wait_for_pairing(store, session_id)
            time.sleep(max(0.0, listening + 1.0 - time.monotonic()))  # the listeners settle (field note 2)
            driver = Driver(display, study.hotkeys, voice, Path(profile))
            driver.run(person.steps)
            recorder.wait(timeout=60)
            driver.quiet()
        finally:
            if recorder.poll() is None:
                recorder.terminate()
                recorder.wait(timeout=30)
            browser.terminate()
            browser.wait(timeout=30)
            server.shutdown()
            lab.terminate()
            lab.wait(timeout=30)
    answer_questionnaires(store, session_id, person)
    write_observer_notes(store, session_id, person)
    return session_id


def answer_questionnaires(store: Store, session_id: str, person: Participant) -> None:
    """The answers the participant gives on the questionnaire page after each task and at the end."""
    for attempt in store.attempts.all(session_id):
        if attempt["task"] in person.seq and attempt["outcome"] is not None:
            store.answers.add(session_id, "seq", {"1": person.seq[attempt["task"]]}, attempt_id=attempt["id"])
    store.answers.add(session_id, "sus", {str(i + 1): v for i, v in enumerate(person.sus)})
    store.answers.add(session_id, "nps", {"1": person.nps})


def write_observer_notes(store: Store, session_id: str, person: Participant) -> None:
    """The notes an observer took while watching, at their moment in the session."""
    started = {a["task"]: a["started"] for a in store.attempts.all(session_id)}
    for task, offset, text, tags in person.notes:
        if task in started:
            store.notes.add(session_id, started[task] + offset, text, Role.OBSERVER, tags=tags)


def main(argv: list[str] | None = None) -> None:
    # the portal serves a simulated browser: its request log would bury the demo's own output
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", action="append", help="record only these participants")
    args = parser.parse_args(argv)
    prepare_study(args.folder)
    done = {s["participant"] for s in Store(args.folder).sessions.all() if s["status"] in (SessionStatus.COMPLETE, SessionStatus.RECOVERED)}
    todo = [p for p in PARTICIPANTS if not (args.only and p.id not in args.only) and p.id not in done]
    if not todo:
        print(f"the simulated participants' sessions in {args.folder} are recorded already: reusing them",
              flush=True)
        return
    print(f"recording {len(todo)} simulated participants in {args.folder} (about a minute each)", flush=True)
    voice = None
    if all(shutil.which(tool) for tool in ("pulseaudio", "paplay", "espeak-ng", "sox")):
        voice = VirtualPulse(("vmic",)).start()
    else:
        print("no pulseaudio/espeak-ng here: the participants will not speak", flush=True)
    try:
        for person in todo:
            started = time.monotonic()
            session_id = record_participant(args.folder, person, voice)
            print(f"recorded {person.id} (design {person.variant}) as session {session_id} "
                  f"in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        if voice is not None:
            voice.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
