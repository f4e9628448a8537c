"""One recorded session, wired together: sources feed queues, one thread drains each
queue into the sinks, the task runner keeps the timeline, and ending (a hotkey, a signal,
a time limit on the session, a full disk) always closes the attempt and the video.

    input listeners ─► raw queue ─► InputProcessor ─► sinks (journal, live...)
    screen grabs ────► bounded frame queue ─► FrameWriter ─► video, keyframes, sinks
    microphones ─────► AudioCapture ─► the video's sound tracks, sinks
    camera ──────────► CameraCapture ─► camera.mp4, sinks

Every source follows one protocol (recorder/sources/base.py): started in order, stopped at
the session's end time, and a source lost on the way leaves one warning and one marker.
Every sink is reached through one Fanout, so an output that fails never stops a capture.
"""
from __future__ import annotations

import errno
import os
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from recorder.accessibility.resolver import CONNECT_WAIT, WidgetResolver
from recorder.clock import SessionClock
from recorder.input_events import InputProcessor
from recorder.sinks.base import Fanout, Sink
from recorder.sinks.frames import FrameWriter, video_size
from recorder.sinks.journal import StoreJournal
from recorder.sinks.keyframes import keyframe_scale
from recorder.sinks.video import VideoWriter
from recorder.sources.audio import NONE as NO_AUDIO
from recorder.sources.audio import RATE as AUDIO_RATE
from recorder.sources.audio import AudioCapture, Microphone, resolve_source
from recorder.sources.base import Lost, OnLost, Source
from recorder.sources.camera import CameraCapture, open_camera
from recorder.sources.input import InputError, InputSource
from recorder.sources.screen import ScreenSource, screen_size
from recorder.sources.window import WindowSource
from recorder.tasks import TaskRunner
from sessions.errors import UxlabError
from sessions.events import (
    CAMERA_FILE,
    VIDEO_FILE,
    MarkerKind,
    Outcome,
    SessionStatus,
    Speaker,
)
from sessions.recovery import open_writer
from sessions.storage_faults import storage_fault
from sessions.study import Study, load_study

FRAME_QUEUE_SECONDS = 0.5  # frames the encoder may fall behind before grabs are dropped


class RecordError(RuntimeError):
    """The recording cannot start or had to stop; the message is for the moderator."""


# what a store or a file may raise while recording: the recording stops, keeping what it wrote
WRITE_ERRORS = (OSError, sqlite3.Error)


def _reason(exc: BaseException) -> str:
    """A write failure in the moderator's words: a full disk or a read-only database says so."""
    full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or (
        isinstance(exc, sqlite3.Error) and "full" in str(exc))
    if full:
        return "the disk is full"
    fault = storage_fault(exc)
    return fault.message if fault is not None else str(exc)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class RecordOptions:
    participant: str
    group: str | None = None
    consent: bool = False
    prompt: str = "window"            # "window" or "none"
    duration: float | None = None     # end by itself after this many seconds (scripted runs)
    sinks: list[Sink] = field(default_factory=list)  # extra sinks, e.g. a live publisher
    say: Callable[[str], None] = _stderr
    display: str | None = None        # the X display to record (default: $DISPLAY)
    audio: str | None = None            # the participant's microphone (default: the study's)
    audio_moderator: str | None = None  # the moderator's microphone, a second sound track
    camera: str | None = None           # a camera spec (recorder/sources/camera.py), or none


class Recording:
    """Record one session of the study in `folder`; `run()` blocks until it ends.

    While it runs, `runner.perform(action)` drives the task timeline from any thread and
    `request_end()` ends it (signal handlers call this).
    """

    def __init__(self, folder: str | Path, options: RecordOptions) -> None:
        self.folder, self.options = Path(folder), options
        self.study: Study = load_study(folder)
        self.store = open_writer(folder)
        self.session_id: str | None = None
        self.display: str | None = None
        self.runner: TaskRunner | None = None
        self.started = threading.Event()
        self._end = threading.Event()
        self._failure: str | None = None
        self.microphones: dict[str, str] = {}   # speaker -> source, resolved before consent
        self._camera = None                      # (reader, first frame) when --camera is given

    def request_end(self) -> None:
        self._end.set()

    def fail(self, exc: BaseException) -> None:
        """A sink could not write (disk full): stop, keep what was written."""
        if self._failure is None:
            self._failure = f"recording stopped: {_reason(exc)}; what was written before is kept"
        self._end.set()

    def run(self) -> str:
        self.display = self.options.display or os.environ.get("DISPLAY")
        if not self.display:
            raise RecordError("no X display to record: pass --display :N or --virtual")
        try:
            width, height = screen_size(self.display)
        except Exception as exc:  # noqa: BLE001  Xlib's own error types, said in one sentence
            raise RecordError(f"cannot open display {self.display}: {exc}") from None
        self.microphones = self._microphones()
        self._camera = self._open_camera()
        prompt = self._prompt_window(width)
        try:
            self._record(width, height, prompt)
        finally:
            if prompt is not None:
                prompt.close()
        if self._failure:
            raise RecordError(self._failure)
        if self.session_id is None:   # never: _record either made the session or raised
            raise RecordError("the recording did not start")
        return self.session_id

    def _prompt_window(self, width: int):
        options = self.options
        if options.prompt == "none":
            if not options.consent:
                raise RecordError("the participant's consent is required: pass --consent once they "
                                  "have agreed, or use --prompt window to ask on screen")
            return None
        from recorder.prompt_window import PromptWindow
        window = PromptWindow(width, self.display)
        try:
            window.start()
        except RuntimeError as exc:
            raise RecordError(str(exc)) from None
        if not options.consent and not window.ask_consent(self.study.capture.keystrokes, self._end,
                                                          microphones=list(self.microphones.values()),
                                                          camera=self.options.camera):
            window.close()
            if self._end.is_set():
                raise RecordError("ended before the participant answered; nothing was recorded")
            raise RecordError("the participant did not consent; nothing was recorded")
        return window

    def _microphones(self) -> dict[str, str]:
        """The sound sources to record, by speaker; an unknown one stops everything here."""
        wanted = {Speaker.PARTICIPANT.value: self.options.audio or self.study.capture.audio,
                  Speaker.MODERATOR.value: self.options.audio_moderator or NO_AUDIO}
        return {speaker: resolve_source(source) for speaker, source in wanted.items()
                if source != NO_AUDIO}

    def _open_camera(self):
        """The camera and its first frame, or None; a SPEC that opens nothing stops here."""
        if not self.options.camera:
            return None
        reader = open_camera(self.options.camera)
        first = reader.read()
        if first is None:
            reader.close()
            raise RecordError(f'camera "{self.options.camera}" gives no picture; nothing was recorded')
        return reader, first

    def _open_microphones(self) -> list[Microphone]:
        mics = []
        try:
            for source in self.microphones.values():
                mic = Microphone(source)
                mic.start()
                mics.append(mic)
        except UxlabError as exc:
            for mic in mics:
                mic.stop()
            raise RecordError(f"{exc}; nothing was recorded") from None
        return mics

    def _record(self, width: int, height: int, prompt) -> None:
        self._mics = self._open_microphones()  # before the clock: sound from t=0 on
        raw: queue.SimpleQueue = queue.SimpleQueue()
        inputs = InputSource(raw, str(self.display), on_lost=self._on_lost("input"))  # run() checked it
        try:
            inputs.start()  # before the clock: events from before t=0 are dropped, none missed after
        except InputError as exc:
            raise RecordError(str(exc)) from None
        clock = SessionClock()
        device = self._device(width, height)
        try:
            self.session_id = sid = self.store.sessions.create(
                self.options.participant, group=self.options.group, consent=True,
                keystrokes=self.study.capture.keystrokes, device=device, started_at=clock.started_wall)
            parts = self._parts(sid, clock, device, raw, inputs, prompt)
        except WRITE_ERRORS as exc:  # e.g. a disk already full: nothing runs yet but the listener
            inputs.stop()
            raise RecordError(f"cannot start the recording: {_reason(exc)}") from None
        except BaseException:
            inputs.stop()
            raise
        parts.start(self.study.capture.window_titles)
        hotkeys = self.study.hotkeys
        self.options.say(f"recording session {sid} (participant {self.options.participant}) on "
                         f"display {device['display']}; {hotkeys['next_task']} starts the first task, "
                         f"{hotkeys['end']} ends the session")
        self.started.set()
        t_end = None
        try:
            self._wait(clock, parts.runner)
            t_end = parts.runner.end()
        except WRITE_ERRORS as exc:  # the store refused the attempt's end: stop all the same
            self.fail(exc)
        finally:
            if t_end is None:  # every part is stopped, whatever went wrong
                t_end = parts.runner.halt()
            parts.stop(t_end)
        self._finish(sid, t_end, parts)

    def _device(self, width: int, height: int) -> dict:
        """The session's `device` record (see the data contract)."""
        capture = self.study.capture
        video_width, video_height = video_size(width, height, capture.scale)
        return {"width": width, "height": height, "scale": capture.scale, "fps": capture.fps,
                "display": self.display, "video": VIDEO_FILE,
                "keyframe_scale": keyframe_scale(width), "video_width": video_width,
                "video_height": video_height,
                "audio": [{"speaker": speaker, "source": source, "rate": AUDIO_RATE, "track": i}
                          for i, (speaker, source) in enumerate(self.microphones.items())],
                "camera": self._camera_device()}

    def _camera_device(self) -> dict | None:
        if self._camera is None:
            return None
        from recorder.sources.camera import camera_size
        height, width = self._camera[1].shape[:2]
        w, h = camera_size(width, height)
        return {"file": CAMERA_FILE, "width": w, "height": h, "spec": self.options.camera}

    def _parts(self, sid: str, clock: SessionClock, device: dict, raw: queue.SimpleQueue,
               inputs: InputSource, prompt) -> "_Parts":
        capture, say = self.study.capture, self.options.say
        session_dir = self.store.media.session_dir(sid, create=True)
        journal = StoreJournal(self.store, sid, clock, on_error=self.fail)
        sinks = Fanout([journal], ([prompt] if prompt else []) + list(self.options.sinks))
        self.runner = runner = TaskRunner(self.study, self.store, sid, clock, on_state=sinks.state)
        widgets = WidgetResolver(say)   # names the widget under each click where AT-SPI is there
        processor = InputProcessor(raw, clock, runner, sinks.events, hotkeys=self.study.hotkeys,
                                   keystrokes=capture.keystrokes,
                                   prompt_rect=prompt.rect if prompt else (lambda: None), say=say,
                                   widgets=widgets)
        jobs: queue.Queue = queue.Queue(maxsize=max(2, round(capture.fps * FRAME_QUEUE_SECONDS)))
        video = VideoWriter(session_dir / VIDEO_FILE, device["video_width"], device["video_height"],
                            capture.fps, audio_tracks=tuple(self.microphones), audio_rate=AUDIO_RATE)
        screen = ScreenSource(clock, capture.fps, jobs, pointer=lambda: inputs.pointer,
                              paused=runner.paused_at, needs_flush=video.needs_flush,
                              display=self.display, until=self.options.duration,
                              on_lost=self._screen_lost)
        writer = FrameWriter(jobs, video, session_dir, clock, sinks, scale=capture.scale,
                             keyframe_scale=device["keyframe_scale"], paused=runner.paused_at,
                             on_error=self.fail)
        audio = self._audio_captures(clock, video, runner, sinks)
        camera = None
        if self._camera is not None:
            camera = CameraCapture(
                *self._camera, session_dir / CAMERA_FILE, clock, paused=runner.paused_at,
                on_lost=self._on_lost(f'camera "{self.options.camera}"', MarkerKind.CAMERA_LOST),
                on_error=self.fail, on_frame=sinks.camera)
        window = WindowSource(raw, self.display, on_lost=self._on_lost("window titles"))
        return _Parts(inputs, window, processor, screen, writer, journal, sinks, runner, audio, camera,
                      widgets)

    def _audio_captures(self, clock: SessionClock, video: VideoWriter, runner: TaskRunner,
                        sinks: Fanout) -> list[AudioCapture]:
        """One capture per microphone, writing its track; the participant's also goes to the sinks."""
        captures = []
        for track, (mic, speaker) in enumerate(zip(self._mics, self.microphones)):
            def write(first, samples, track=track):
                video.write_audio(track, first, samples)

            def live(t, samples):
                sinks.audio(t, samples, AUDIO_RATE)

            captures.append(AudioCapture(
                mic, clock, outputs=[write], paused=runner.paused_at,
                live=live if speaker == Speaker.PARTICIPANT else None,
                on_lost=self._on_lost(f'audio source "{mic.source}"', MarkerKind.AUDIO_LOST),
                on_error=self.fail))
        return captures

    def _on_lost(self, what: str, kind: MarkerKind = MarkerKind.MARKER) -> OnLost:
        """The `on_lost` of one source, `what` in the moderator's words; microphones and the
        camera have marker kinds of their own, other sources leave a plain marker."""
        return lambda lost: self._source_lost(what, kind, lost)

    def _source_lost(self, what: str, kind: MarkerKind, lost: Lost) -> None:
        """A source stopped delivering (a microphone, the camera, input, window titles): the
        session goes on without it, says so once, and leaves a marker where it was last
        heard from, so nobody reads its absence as the participant's."""
        t = self._mark_lost(what, kind, lost)
        when = f" at {t:.1f} s" if t is not None else ""
        self.options.say(f"warning: {what} stopped{when} ({lost.reason}); recording goes on without it")

    def _screen_lost(self, lost: Lost) -> None:
        """The screen is what a session is: without it the recording stops, keeping what it wrote."""
        self._mark_lost("the screen", MarkerKind.MARKER, lost)
        self.fail(RecordError(lost.reason))

    def _mark_lost(self, what: str, kind: MarkerKind, lost: Lost) -> float | None:
        """The lost-marker on the timeline, at the session time of `lost` (None before the
        session exists: then there is no timeline to mark)."""
        runner = self.runner
        if self.session_id is None or runner is None:
            return None
        t = max(0.0, runner.clock.at(lost.at))
        try:
            self.store.markers.add(self.session_id, t, kind.value, author="recorder",
                                   text=f"{what} stopped: {lost.reason}")
        except (*WRITE_ERRORS, UxlabError) as exc:  # the recording matters more than the marker
            self.options.say(f"warning: could not store the {kind.value} marker: {_reason(exc)}")
        return t

    def _wait(self, clock: SessionClock, runner: TaskRunner) -> None:
        duration = self.options.duration
        while not runner.ended.wait(0.05):
            runner.check_time_limit()
            if self._end.is_set():
                return
            if duration is not None and clock.now() >= duration:
                runner.end(t=duration)

    def _finish(self, sid: str, t_end: float, parts: "_Parts") -> None:
        screen, journal = parts.screen, parts.journal
        stats = {"frames_grabbed": screen.stats.grabbed, "frames_kept": screen.stats.kept,
                 "frames_dropped": screen.stats.dropped, "late_ticks": screen.stats.late_ticks,
                 "frames_written": journal.written_frames, "keyframes": parts.writer.keyframes,
                 "events": journal.written_events}
        if parts.widgets is not None and parts.widgets.connected.is_set():   # presses AT-SPI named, or not
            widgets = parts.widgets
            stats.update(clicks_named=widgets.found, clicks_unnamed=widgets.empty, click_lookups_late=widgets.late)
        interrupted = parts.runner.interrupted
        if interrupted is not None:
            try:
                self.store.attempts.end(interrupted.id, t_end, Outcome.INTERRUPTED.value,
                                        round(interrupted.paused, 6))
            except WRITE_ERRORS:
                pass  # the store failed already; recovery closes the attempt when it can
        try:
            status = SessionStatus.ABORTED if self._failure else SessionStatus.COMPLETE
            self.store.sessions.update(sid, status=status.value, duration=t_end, stats=stats)
        except WRITE_ERRORS as exc:  # the disk may still be full: recovery will close it later
            self._failure = self._failure or f"could not close the session: {_reason(exc)}"
        self.options.say(f"session {sid} ended after {t_end:.1f} s: {journal.written_events} events, "
                         f"{journal.written_frames} frames ({screen.stats.dropped} dropped)")


@dataclass
class _Parts:
    """The running pieces of one recording, started and stopped in a safe order."""

    inputs: InputSource
    window: WindowSource
    processor: InputProcessor
    screen: ScreenSource
    writer: FrameWriter
    journal: StoreJournal
    sinks: Fanout
    runner: TaskRunner
    audio: list[AudioCapture] = field(default_factory=list)
    camera: CameraCapture | None = None
    widgets: WidgetResolver | None = None

    def start(self, window_titles: bool) -> None:
        """The input source already runs (it starts before the clock); the journal first,
        so whatever the others hand on has somewhere to go."""
        self.journal.start()
        if self.widgets is not None:
            self.widgets.start()   # returns at once; it connects to AT-SPI on its own thread
        self.processor.start()
        self.writer.start()
        # the prompt window says "Recording" before the screen's first frame is grabbed
        self.sinks.state(self.runner.state())
        for source in self.media():
            source.start()
        if window_titles:
            self.window.start()
        if self.widgets is not None:   # the first clicks named too, and its note said before "recording"
            self.widgets.settled.wait(CONNECT_WAIT)

    def media(self) -> list[Source]:
        """The sources with media of their own, started here; sound and camera stop before
        the screen, whose end lets the frame writer close the video."""
        return [*self.audio, *([self.camera] if self.camera is not None else []), self.screen]

    def stop(self, t_end: float) -> None:
        """Input first (nothing after the end is kept), then sound, camera and screen, each up
        to `t_end`, then the frames, then the journal, which writes out everything the others
        handed it."""
        self.inputs.stop(t_end)
        self.window.stop(t_end)
        self.processor.stop()
        if self.widgets is not None:
            self.widgets.stop()
        for source in self.media():
            source.stop(t_end)
        self.writer.join()
        self.sinks.close()
