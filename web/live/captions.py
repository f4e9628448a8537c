"""Live captions: each speaker's relayed voice transcribed on the server, a few seconds
behind, for the observers of a running session (`sessions.events.LiveCaption`).

The recorder's machine is busy recording, so captioning happens here, with the engine that
makes the full transcript (Whisper). It must never slow the recording or the live frames:
`on_audio` only offers each 50 ms chunk to a bounded queue and goes on. A worker per session
and speaker (a remote moderated session relays the moderator's voice beside the
participant's, each chunk naming its speaker) takes that voice's queued sound, so two voices
are never cut as one stream and each caption names who spoke. It cuts the sound into
utterances with the Silero voice-activity detector that faster-whisper bundles (an utterance
ends after END_SILENCE of silence; continuous speech is cut after MAX_SPEECH at its next
short pause, so a caption never waits long), and transcribes each one off the event loop
(web.blocking.off_loop). When the engine falls behind, the queue fills and sound is dropped
rather than delayed; the stretch lost is stored as a `captions_lost` marker, so a researcher
knows the captions have a hole there.

Captions are stored as the session's first transcript (sessions.transcripts.add_live), so
search finds them as soon as they are said, until `uxlab transcribe` replaces them with the
full transcript. A study turns them off with `[capture] live_captions = false`.
"""
from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask import Flask
from flask_socketio import SocketIO

from sessions.errors import UxlabError
from sessions.events import (
    LIVE_AUDIO_SPEAKER,
    LIVE_NAMESPACE,
    LiveEvent,
    MarkerKind,
    SessionStatus,
    Speaker,
    live_room,
)
from sessions.transcripts import Segment, Transcripts
from speech.audio import RATE, Track

END_SILENCE = 0.5     # seconds of silence after speech that end an utterance
MAX_SPEECH = 3.0      # continuous speech is captioned from this long on, at its next short pause
SHORT_PAUSE = 0.1     # seconds of silence between two words where continuous speech may be cut
HARD_CUT = 2.0        # ... or, with no pause at all, this much later at its quietest moment
PAD = 0.2             # seconds of sound kept either side of the speech the detector found
STEP = 0.2            # how often a worker looks at the sound that came in
QUEUE_SECONDS = 10.0  # sound a worker may fall behind by before chunks are dropped
CHUNK_SECONDS = 0.05  # what the recorder sends at a time (50 ms)
IDLE_SECONDS = 30.0   # a worker that heard nothing for this long ends (the session is over)
JUMP = 0.5            # a chunk this far from where the last one ended starts a new stretch
ENGINE_NAME = "live-whisper"   # the engine stored with caption segments
log = logging.getLogger(__name__)

Chunk = tuple[float, bytes]   # (session time of the first sample, 16-bit mono PCM at RATE)
Voice = tuple[str, str]       # (session id, speaker): one stream of sound, captioned on its own


@dataclass(frozen=True)
class Utterance:
    start: float            # session time of the first sample
    samples: np.ndarray     # int16 at RATE


class Cutter:
    """Cuts a stream of sound into utterances with a voice-activity detector. Pure work on
    arrays (no store, no sockets), so it runs off the event loop with the engine."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.buffer = np.zeros(0, np.int16)
        self.quiet_since: float | None = None   # monotonic time of the last push with no sound

    @property
    def end(self) -> float:
        return (self.start or 0.0) + len(self.buffer) / RATE

    def push(self, chunks: list[Chunk]) -> list[Utterance]:
        """The utterances that the new chunks complete."""
        done: list[Utterance] = []
        for t, pcm in chunks:
            if self.start is not None and abs(t - self.end) > JUMP:   # sound was lost or skipped
                done += self.flush()
            if self.start is None:
                self.start = t
            self.buffer = np.concatenate([self.buffer, np.frombuffer(pcm, "<i2")])
        if chunks:
            self.quiet_since = None
        elif self.quiet_since is None:
            self.quiet_since = time.monotonic()
        elif time.monotonic() - self.quiet_since >= END_SILENCE:   # the sound stopped coming
            return done + self.flush()
        return done + self._cut()

    def flush(self) -> list[Utterance]:
        """Whatever speech is pending, as an utterance, and an empty buffer."""
        regions = self._speech()
        found = [self._take(max(0, regions[0][0] - _n(PAD)), len(self.buffer))] if regions else []
        self.start, self.buffer = None, np.zeros(0, np.int16)
        return found

    def _cut(self) -> list[Utterance]:
        regions = self._speech()
        n = len(self.buffer)
        if not regions:   # silence: keep a little, so a word's onset is not cut off
            keep = min(n, _n(PAD))
            self._drop(n - keep)
            return []
        first, last_end = regions[0][0], regions[-1][1]
        begin = max(0, first - _n(PAD))
        if n - last_end >= _n(END_SILENCE):
            return [self._take(begin, min(n, last_end + _n(PAD)))]
        if n - first >= _n(MAX_SPEECH):
            pause = self._last_pause(first + _n(1.0))
            if pause is not None:
                return [self._take(begin, pause)]
            if n - first >= _n(MAX_SPEECH + HARD_CUT):   # no pause at all: cut where it is quietest
                return [self._take(begin, self._quietest(first + _n(MAX_SPEECH - 1.0), n))]
        return []

    def _last_pause(self, after: int) -> int | None:
        """The middle of the latest short pause (SHORT_PAUSE or more) after sample `after`:
        where a speaker who goes on and on can be cut without splitting a word."""
        regions = self._speech(SHORT_PAUSE)
        gaps = [(a_end + b_start) // 2 for (_, a_end), (b_start, _) in zip(regions, regions[1:])
                if a_end >= after]
        return gaps[-1] if gaps else None

    def _speech(self, pause: float = 0.3) -> list[tuple[int, int]]:
        """Where the detector hears speech in the buffer, in samples, split at pauses of
        `pause` seconds or more."""
        if len(self.buffer) < _n(0.1):
            return []
        from faster_whisper.vad import VadOptions, get_speech_timestamps
        audio = self.buffer.astype(np.float32) / 32768.0
        found = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=int(pause * 1000), speech_pad_ms=0,
                                                        min_speech_duration_ms=150))
        return [(int(r["start"]), int(r["end"])) for r in found]

    def _quietest(self, low: int, high: int) -> int:
        """The quietest 20 ms between two sample positions: the least harmful place to cut
        continuous speech (most often the gap between two words)."""
        frame = _n(0.02)
        span = self.buffer[low:high].astype(np.float32)
        if len(span) < 2 * frame:
            return high
        energy = np.sqrt((span[: len(span) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1))
        return low + int(np.argmin(energy)) * frame + frame // 2

    def _take(self, begin: int, end: int) -> Utterance:
        found = Utterance((self.start or 0.0) + begin / RATE, self.buffer[begin:end].copy())
        self._drop(end)
        return found

    def _drop(self, count: int) -> None:
        if count > 0:
            self.start = (self.start or 0.0) + count / RATE
            self.buffer = self.buffer[count:]


def _n(seconds: float) -> int:
    return int(round(seconds * RATE))


class Captioner:
    """The captions of one server process: a worker per voice (a running session's speaker)
    that has sound."""

    def __init__(self, app: Flask, socketio: SocketIO, fanout: Callable[[str], Any]) -> None:
        self.app, self.socketio, self.fanout = app, socketio, fanout
        self.workers: dict[Voice, SessionWorker | None] = {}   # None: this voice is not captioned
        self.engine: Any = None
        self.unavailable = False   # the engine could not be opened: no captions in this process
        self._lock = threading.Lock()
        # held by a worker while it opens the engine: a session's two voices start together,
        # and the second must find the model the first loads rather than load it again
        self.engine_lock = threading.Lock()

    def feed(self, session_id: str, chunk: dict) -> None:
        """Offer one relayed chunk (on the event loop: never blocks, never raises); it is the
        participant's unless it names another speaker."""
        try:
            if chunk.get("rate") != RATE or not isinstance(chunk.get("t"), (int, float)):
                return
            voice = (session_id, str(chunk.get("speaker", LIVE_AUDIO_SPEAKER)))
            worker = self.workers[voice] if voice in self.workers else self._start(voice)
            if worker is not None:
                worker.offer(float(chunk["t"]), chunk["pcm"])
        except Exception:   # captions are a convenience; the relay of sound must go on
            log.exception("live captions: could not take a chunk of %s", session_id)

    def _start(self, voice: Voice) -> SessionWorker | None:
        with self._lock:
            if voice in self.workers:
                return self.workers[voice]
            from speech.whisper_engine import whisper_installed
            wanted = self.app.extensions["uxlab"]["study"].capture.live_captions
            session_id, speaker = voice
            worker = (SessionWorker(self, session_id, speaker)
                      if wanted and not self.unavailable and whisper_installed() else None)
            self.workers[voice] = worker
        if worker is not None:
            self.socketio.start_background_task(worker.run)
        return worker

    def ended(self, voice: Voice, *, failed: bool = False) -> None:
        """A worker is done: a voice that goes on after a failure is not captioned again."""
        with self._lock:
            if failed:
                self.workers[voice] = None
            else:
                self.workers.pop(voice, None)

    def open_engine(self) -> Any:
        """The speech engine (Whisper alone: pocketsphinx's captions would mislead more than
        help), loaded once per process, off the event loop."""
        if self.engine is None:
            from speech.engines import open_engine
            try:
                self.engine = open_engine("whisper", threads=1)
            except UxlabError:
                self.unavailable = True
                raise
        return self.engine


class SessionWorker:
    """One speaker's captions in one session: a bounded queue of that voice's sound in,
    captions naming the speaker out to the session's room and the store."""

    def __init__(self, owner: Captioner, session_id: str, speaker: str = Speaker.PARTICIPANT.value) -> None:
        self.owner, self.session_id, self.speaker = owner, session_id, Speaker(speaker).value
        self.queue: queue.Queue[Chunk] = queue.Queue(maxsize=int(QUEUE_SECONDS / CHUNK_SECONDS))
        self.cutter = Cutter()
        self.lost: list[float] | None = None   # [from, to] session times of sound dropped
        self._lost_lock = threading.Lock()

    def offer(self, t: float, pcm: bytes) -> None:
        try:
            self.queue.put_nowait((t, pcm))
        except queue.Full:   # the engine is behind: drop the sound, remember the stretch
            end = t + len(pcm) / 2 / RATE
            with self._lost_lock:
                self.lost = [self.lost[0], end] if self.lost else [t, end]

    def run(self) -> None:
        from web.blocking import off_loop
        with self.owner.app.app_context():
            last_heard, failed = time.monotonic(), False
            try:
                with self.owner.engine_lock:   # loaded now, so the first caption does not wait for it
                    off_loop(self.owner.open_engine)
                while time.monotonic() - last_heard < IDLE_SECONDS:
                    chunks = self._take()
                    if chunks:
                        last_heard = time.monotonic()
                    idle = not chunks and self.cutter.start is None
                    captions = [] if idle else off_loop(functools.partial(self._step, chunks))
                    for segments in captions:
                        self._publish(segments)
                    self.mark_lost()
                    if idle and not self._recording():
                        break
            except UxlabError as exc:   # no verified model, most often: said once, in a line
                failed = True
                log.warning("no live captions for %s (%s): %s", self.session_id, self.speaker, exc.message)
            except Exception:
                failed = True
                log.exception("live captions of %s (%s) stopped", self.session_id, self.speaker)
            finally:
                self.owner.ended((self.session_id, self.speaker), failed=failed)

    def _take(self) -> list[Chunk]:
        """What came in: waits up to STEP for the first chunk, then takes all queued."""
        try:
            chunks = [self.queue.get(timeout=STEP)]
        except queue.Empty:
            return []
        while True:
            try:
                chunks.append(self.queue.get_nowait())
            except queue.Empty:
                return chunks

    def _step(self, chunks: list[Chunk]) -> list[list[Segment]]:
        """Off the event loop: cut utterances and transcribe them."""
        utterances = self.cutter.push(chunks)
        if not utterances:
            return []
        engine = self.owner.open_engine()
        found = []
        for u in utterances:
            segments = engine.transcribe(Track(self.speaker, u.start, u.samples))
            if segments:
                found.append(segments)
        return found

    def _publish(self, segments: list[Segment]) -> None:
        store = self.owner.app.extensions["uxlab"]["store"]
        caption = {"session": self.session_id, "t": round(segments[0].t, 3), "end": round(segments[-1].end, 3),
                   "speaker": segments[0].speaker, "text": " ".join(s.text for s in segments)}
        with self.owner.fanout(self.session_id):
            self.owner.socketio.emit(LiveEvent.CAPTION, caption, namespace=LIVE_NAMESPACE,
                                     to=live_room(self.session_id))
        try:
            Transcripts(store).add_live(self.session_id, segments, ENGINE_NAME)
        except UxlabError as exc:
            log.warning("live captions of %s not stored: %s", self.session_id, exc.message)

    def mark_lost(self) -> None:
        """Once the worker has caught up, store the stretch it dropped as a marker."""
        with self._lost_lock:
            if self.lost is None or not self.queue.empty():
                return
            start, end = self.lost
            self.lost = None
        store = self.owner.app.extensions["uxlab"]["store"]
        store.markers.add(self.session_id, round(start, 3), MarkerKind.CAPTIONS_LOST.value,
                          text=f"live captions skipped {end - start:.1f} s of sound: the server was busy"
                          + ("" if self.speaker == Speaker.PARTICIPANT else f" (the {self.speaker}'s voice)"))

    def _recording(self) -> bool:
        store = self.owner.app.extensions["uxlab"]["store"]
        try:
            return bool(store.sessions.get(self.session_id)["status"] == SessionStatus.RECORDING)
        except UxlabError:
            return False


__all__ = ["Captioner", "Cutter", "Utterance"]
