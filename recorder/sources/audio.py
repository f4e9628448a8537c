"""Microphones: the participant's voice (and optionally the moderator's) on the session clock.

Capture goes through sounddevice (PortAudio), which reaches PulseAudio and PipeWire on
Linux (through the ALSA `pulse` plugin), WASAPI on Windows and CoreAudio on macOS. On
Linux a source is named as PulseAudio names it (`pactl list short sources`); PortAudio has
no way to open a PulseAudio source by name, but the plugin connects to whatever
`PULSE_SOURCE` says when the stream opens, so that variable is set for the moment of
opening. Elsewhere a source is a PortAudio input device's name.

The PortAudio callback only stamps each chunk with its arrival and queues it: nothing in it
can block. A thread per microphone maps the chunks to session time (recorder/sample_clock.py),
holds them a moment so a privacy pause pressed just now is already known, silences paused
stretches, fills gaps with silence and hands contiguous samples to the outputs (the video
file's sound track, the live publisher). A microphone that stops delivering is reported
once (`on_lost`, the Source protocol of recorder/sources/base.py) and the track goes on as
silence, so sound and picture stay the same length; a live output that fails is dropped,
and the track goes on being written.

Silence is judged by what the capture thread watched, not by the age of the chunk it takes:
on a busy machine the recording's set-up after the microphone opened, a slow write, or a
stretch where this process got no CPU can last longer than LOST_AFTER while the microphone
goes on delivering into the queue, and that backlog is sound, not a dead microphone.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recorder.clock import SessionClock
from recorder.sample_clock import SampleClock
from recorder.sources.audio_presence import PresenceWatch
from recorder.sources.base import Lost, OnLost, ignore_loss
from sessions.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

RATE = 16000              # samples per second: the speech band, what transcription wants
BLOCK = 800               # samples per callback (50 ms): small enough for live listening
HOLD = 0.15               # seconds a chunk waits before it is written (privacy pause settle)
LOST_AFTER = 2.0          # seconds without a chunk before a microphone counts as gone
SILENCE_STEP = 0.25       # most seconds of silence one look at the queue may count
FIRST_DATA_TIMEOUT = 10.0  # seconds an opened microphone may take to deliver its first chunk (8 at load 30)
TOLERANCE = 0.01          # seconds of timing jitter absorbed before samples are padded or cut
PAUSE_STEP = 160          # samples (10 ms): the granularity of silencing a privacy pause
NONE = "none"
DEFAULT = "default"

_open_lock = threading.Lock()  # PULSE_SOURCE is process-wide: one microphone opens at a time


def _pulse():
    """A PulseAudio (or pipewire-pulse) connection, or None where there is none."""
    try:
        import pulsectl
    except (ImportError, OSError):  # no pulsectl, no libpulse: not a PulseAudio system
        return None
    try:
        return pulsectl.Pulse("uxlab", connect=True)
    except (pulsectl.PulseError, OSError):  # no server
        return None
    except Exception:
        log.exception("audio: connecting to the sound server failed")
        return None


def available_sources() -> list[str]:
    """The names `--audio` accepts on this machine (besides "default" and "none")."""
    pulse = _pulse()
    if pulse is not None:
        with pulse:
            return [s.name for s in pulse.source_list()]
    import sounddevice
    return [d["name"] for d in sounddevice.query_devices() if d["max_input_channels"] > 0]


def resolve_source(name: str) -> str:
    """The real source a `--audio` value names; raises NotFound, listing what exists."""
    pulse = _pulse()
    if pulse is not None:
        with pulse:
            names = [s.name for s in pulse.source_list()]
            if name == DEFAULT:
                name = pulse.server_info().default_source_name or ""
    else:
        names = available_sources()
        if name == DEFAULT:
            import sounddevice
            try:
                name = sounddevice.query_devices(kind="input")["name"]
            except (sounddevice.PortAudioError, ValueError):  # no default input device
                name = ""
            except Exception:
                log.exception("audio: finding the default input device failed")
                name = ""
    if name not in names:
        listed = ", ".join(f'"{n}"' for n in names) or "none (no sound server or input device)"
        raise NotFound(f'no audio source "{name or DEFAULT}"; available: {listed}')
    return name


@dataclass
class AudioStats:
    chunks: int = 0
    samples_written: int = 0
    padded: int = 0      # samples of silence put in for gaps, losses and the start
    cut: int = 0         # samples dropped because they overlapped what was written
    muted: int = 0       # samples silenced by privacy pauses
    overflows: int = 0


class Microphone:
    """One capture stream; `start()` returns once it delivers (or raises Unavailable)."""

    def __init__(self, source: str, rate: int = RATE) -> None:
        self.source, self.rate = source, rate
        self.chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._first = threading.Event()
        self._stream = None
        self._presence: PresenceWatch | None = None

    def start(self, timeout: float = FIRST_DATA_TIMEOUT) -> None:
        """Open and start the stream, and wait for its first chunk: sound starts with the
        session clock, not a second into it."""
        import sounddevice
        with _open_lock:
            pulse = _pulse()
            device = self.source
            saved = os.environ.get("PULSE_SOURCE")
            if pulse is not None:
                pulse.close()
                os.environ["PULSE_SOURCE"], device = self.source, "pulse"
            try:
                self._stream = stream = sounddevice.InputStream(
                    device=device, samplerate=self.rate, channels=1, dtype="int16",
                    blocksize=BLOCK, callback=self._callback)
                stream.start()
            except Exception as exc:  # noqa: BLE001  PortAudio's and the sound server's errors
                raise Unavailable(f'cannot open audio source "{self.source}": {exc}') from None
            finally:
                if pulse is not None:
                    if saved is None:
                        os.environ.pop("PULSE_SOURCE", None)
                    else:
                        os.environ["PULSE_SOURCE"] = saved
        if not self._first.wait(timeout):
            self.stop()
            raise Unavailable(f'audio source "{self.source}" delivers no sound')
        if pulse is not None:
            self._presence = PresenceWatch(self.source, _pulse).start()

    def _callback(self, indata: np.ndarray, frames: int, _time, status) -> None:
        # called on PortAudio's thread: stamp, copy, queue; nothing that could wait
        self.chunks.put((time.monotonic(), indata[:, 0].copy(), bool(status.input_overflow)))
        self._first.set()

    def present(self) -> bool:
        """Whether the source still exists, by the latest answer of the sound server
        (recorder/sources/audio_presence.py); never waits for it."""
        return self._presence is None or self._presence.present

    def stop(self) -> None:
        """Stop the stream without risking a hang on a vanished device."""
        stream, self._stream = self._stream, None
        presence, self._presence = self._presence, None
        if presence is not None:
            presence.stop()
        if stream is not None:
            closer = threading.Thread(target=stream.close, daemon=True)
            closer.start()
            closer.join(2.0)


class AudioCapture:
    """Turns one microphone's chunks into a contiguous track on the session clock (a Source).

    `outputs` are called on this capture's thread with (first sample index, int16 samples);
    sample i of the track is session time i / rate; one that fails with OSError or
    ValueError (a full disk, a broken encoder) goes to `on_error`. `live` gets (session
    time, samples) after privacy muting, may drop, and may fail without harm: it is then
    dropped. `on_lost` is called once if the source vanishes.
    """

    def __init__(self, microphone: Microphone, clock: SessionClock, *,
                 outputs: list[Callable[[int, np.ndarray], None]],
                 paused: Callable[[float], bool],
                 live: Callable[[float, np.ndarray], None] | None = None,
                 on_lost: OnLost = ignore_loss,
                 on_error: Callable[[BaseException], None] = lambda exc: None) -> None:
        self.microphone, self.clock, self.outputs = microphone, clock, outputs
        self.paused, self.live, self.on_lost, self.on_error = paused, live, on_lost, on_error
        self.rate = microphone.rate
        self.samples = SampleClock(self.rate)
        self.stats = AudioStats()
        self.lost: Lost | None = None
        self.lost_at: float | None = None      # ... as session time: the track is silent after it
        self.written = 0                       # next track index to write
        self._held: list[tuple[int, np.ndarray]] = []   # mapped chunks waiting for HOLD
        self._last_arrival = self._watched = time.monotonic()
        self._silent = 0.0                     # seconds watched without a chunk (see _check_lost)
        self._stop = threading.Event()
        self._end_t: float | None = None
        self._failed = False
        self._thread = threading.Thread(target=self._run, name=f"audio:{microphone.source}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, t_end: float) -> None:
        """Write everything up to session time `t_end` (silence where nothing came), then stop."""
        self._end_t = t_end
        self._stop.set()
        self._thread.join(timeout=10)
        self.microphone.stop()

    # -- the capture thread ------------------------------------------------------------
    def _run(self) -> None:
        self._watched = time.monotonic()   # silence counts from here: before, nobody watched
        while not self._stop.is_set():
            try:
                item = self.microphone.chunks.get(timeout=0.05)
            except queue.Empty:
                item = None
            if item is not None:
                self._take(*item)
            self._check_lost()
            self._release(self.clock.now() - HOLD)
        while True:  # what arrived before the end
            try:
                self._take(*self.microphone.chunks.get_nowait())
            except queue.Empty:
                break
        end = self._end_t if self._end_t is not None else self.clock.now()
        self._release(end, final=True)

    def _take(self, arrival: float, samples: np.ndarray, overflow: bool) -> None:
        if self.lost_at is not None:
            return
        self._last_arrival = arrival
        self._silent = 0.0   # however old the chunk: the microphone delivered it
        self.stats.chunks += 1
        if overflow:
            self.stats.overflows += 1
            self.samples.restart()
        start = self.clock.at(self.samples.observe(arrival, len(samples)))
        self._held.append((round(start * self.rate), samples))

    def _check_lost(self) -> None:
        if self.lost_at is not None:
            return
        now = time.monotonic()
        # a longer wait between two looks is this process's stall (its chunks may come
        # right behind it), not the microphone's silence: it counts one step at most
        self._silent += min(now - self._watched, SILENCE_STEP)
        self._watched = now
        if self._silent > LOST_AFTER:
            self._lose(self._last_arrival)
        elif not self.microphone.present():
            self._lose(now)

    def _lose(self, at: float) -> None:
        self.lost_at = max(0.0, self.clock.at(at))
        self._held = [(i, s) for i, s in self._held if (i + len(s)) / self.rate <= self.lost_at]
        self.lost = Lost(at, "it delivers no sound")
        self.on_lost(self.lost)

    def _release(self, until: float, final: bool = False) -> None:
        """Write held chunks that end before session time `until`, and silence up to it
        when the microphone is gone (or at the end)."""
        limit = round(until * self.rate)
        while self._held and (final or self._held[0][0] + len(self._held[0][1]) <= limit):
            index, samples = self._held.pop(0)
            self._place(index, samples, limit if final else None)
        if (self.lost_at is not None or final) and limit > self.written:
            self._write(np.zeros(limit - self.written, np.int16), padded=True)

    def _place(self, index: int, samples: np.ndarray, limit: int | None) -> None:
        """Put a chunk at its place in the track: pad a gap, cut an overlap, absorb jitter."""
        slack = round(TOLERANCE * self.rate)
        if index > self.written + slack:
            self._write(np.zeros(index - self.written, np.int16), padded=True)
        elif index < self.written - slack:
            cut = self.written - index
            self.stats.cut += min(cut, len(samples))
            samples = samples[cut:]
        if limit is not None:
            samples = samples[:max(0, limit - self.written)]
        if len(samples):
            self._write(samples)

    def _write(self, samples: np.ndarray, padded: bool = False) -> None:
        if padded:
            self.stats.padded += len(samples)
        else:
            samples = self._mute(samples)
        first = self.written
        self.written += len(samples)
        self.stats.samples_written += len(samples)
        if self._failed:
            return
        try:
            for output in self.outputs:
                output(first, samples)
        except (OSError, ValueError) as exc:  # a full disk, a broken encoder
            self._failed = True
            self.on_error(exc)
            return
        if self.live is not None and not padded:
            try:
                self.live(first / self.rate, samples)
            except Exception:  # the live output's fault: the track on disk goes on regardless
                log.exception("audio: the live output failed and gets no more sound; "
                              "the microphone goes on being recorded")
                self.live = None

    def _mute(self, samples: np.ndarray) -> np.ndarray:
        """Silence every 10 ms step that touches a privacy pause: the pause's sound is
        never written, never sent live."""
        first = self.written
        muted = None
        for offset in range(0, len(samples), PAUSE_STEP):
            end = min(len(samples), offset + PAUSE_STEP)
            if self.paused((first + offset) / self.rate) or self.paused((first + end) / self.rate):
                if muted is None:
                    muted = samples.copy()
                muted[offset:end] = 0
                self.stats.muted += end - offset
        return samples if muted is None else muted
