"""A browser session's media, built from its uploaded chunks in the native layout.

The browser records VP8/VP9 + Opus WebM (or H.264 + Opus MP4); Chromium plays neither
Opus-in-MP4 reliably as a replay source nor a WebM cut by a crash, and the replay, clips,
reels, black-outs and transcription all read `screen.mp4` (H.264 with AAC voice tracks,
fragmented) and `camera.mp4`. So each run is decoded and re-encoded onto the session
clock: a frame recorded at time f of a run that started at session time s is written at
s + f; the participant's voice is track 0 at 16 kHz, sample i at session time i / rate,
with silence where the page was away (a gap marker says how long). In a moderated session
the moderator's voice, as the join page received it over the call, is track 1, on the same
clock with silence where it is absent, exactly as a native session with a moderator's
microphone has it (so transcripts, replay, clips and reels hear both). The new file replaces
the old one in one rename, so a replay never sees half a file, and the chunks stay the
truth: building again gives the same media.

Stored frames (the `frames` table and keyframe stills) are written as the native
recorder does, so screen detection and thumbnails work on a remote session too.
"""
from __future__ import annotations

import heapq
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import cv2
import numpy as np

from sessions.events import VIDEO_FILE, MarkerKind, Speaker, keyframe_name
from sessions.media.browser_camera import build_camera
from sessions.media.browser_chunks import BrowserChunks, Run
from sessions.media.picture_encoding import TIME_BASE, encode_picture

if TYPE_CHECKING:
    from sessions.store import Store

AUDIO_RATE = 16000
AUDIO_BITRATE = 48_000
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
MAX_WIDTH = 1920            # a larger screen is scaled down, as `capture.scale` would
GAP_SECONDS = 0.25          # a pause between runs shorter than this is no gap worth marking
KEYFRAME_CHANGE = 0.01      # fraction of pixels changed that makes a keyframe still
KEYFRAME_EVERY = 1.0        # seconds at least between stills: a screen in motion needs no more
KEYFRAME_WIDTH = 960
MARKER_AUTHOR = "browser"


@dataclass
class Built:
    """What a build found: the device record's media part and its counts."""

    device: dict[str, Any] = field(default_factory=dict)
    frames: int = 0
    seconds_of_sound: float = 0.0
    seconds_of_moderator: float = 0.0
    gaps: list[tuple[float, float]] = field(default_factory=list)


def build_media(store: Store, session_id: str, *, fps: float = 10.0) -> Built:
    """(Re)build the session's screen and camera videos from its chunks, its stored frames
    and its gap markers; returns the device record's media fields."""
    chunks = BrowserChunks(store.media, session_id)
    folder = store.media.session_dir(session_id, create=True)
    built = Built()
    screen_runs = [r for r in chunks.runs("screen") if r.chunks()]
    camera_runs = [r for r in chunks.runs("camera") if r.chunks()]
    moderator_runs = [r for r in chunks.runs("moderator") if r.chunks()]
    with store.media.edit_lock(session_id):
        if screen_runs:
            frames = _write_video(folder / VIDEO_FILE, screen_runs, fps, MAX_WIDTH, sound=True,
                                  built=built, keyframes=folder, moderator=moderator_runs)
            _store_frames(store, session_id, frames)
        if camera_runs and (camera := build_camera(camera_runs, folder)) is not None:
            built.device["camera"] = camera
    built.gaps = [g for g in _gaps(screen_runs) if not _paused(store, session_id, g)]
    _mark_gaps(store, session_id, built.gaps)
    if screen_runs:
        built.device["surface"] = screen_runs[-1].surface
        built.device["surfaces"] = sorted({r.surface for r in screen_runs if r.surface})
        built.device["recorded_as"] = screen_runs[-1].mime
    return built


def _gaps(runs: list[Run]) -> list[tuple[float, float]]:
    gaps = []
    for before, after in zip(runs, runs[1:]):
        end = before.end()
        if after.start - end >= GAP_SECONDS:
            gaps.append((round(end, 3), round(after.start, 3)))
    return gaps


def _paused(store: Store, session_id: str, gap: tuple[float, float]) -> bool:
    """Whether a stretch without recording was the participant's privacy pause (its pause
    and resume markers already say so): no gap marker for it."""
    since = None
    for marker in store.markers.all(session_id):
        if marker["kind"] == MarkerKind.PAUSE and since is None:
            since = float(marker["t"])
        elif marker["kind"] == MarkerKind.RESUME and since is not None:
            # the recorder stops just after the pause and starts just before the resume
            if abs(since - gap[0]) <= 1.5 and abs(float(marker["t"]) - gap[1]) <= 1.5:
                return True
            since = None
    return False


def _mark_gaps(store: Store, session_id: str, gaps: list[tuple[float, float]]) -> None:
    """One gap marker per stretch lost, made again on each build (so never twice)."""
    with store.db.conn:
        store.db.execute("DELETE FROM markers WHERE session_id = ? AND kind = ? AND author = ?",
                         [session_id, MarkerKind.GAP.value, MARKER_AUTHOR])
    for start, end in gaps:
        store.markers.add(session_id, start, MarkerKind.GAP.value, author=MARKER_AUTHOR,
                          text=f"{end - start:.1f} s not recorded: the participant's page was "
                              "closed or reloaded, or the screen not shared")


def _decoded(run: Run) -> Iterator[tuple[str, float, Any]]:
    """("video" | "audio", session time, frame) of a run, in the order they were stored;
    a run cut short (the page closed mid-chunk) ends at its last decodable frame."""
    data = io.BytesIO(b"".join(p.read_bytes() for p in run.chunks()))
    kind = "mp4" if "mp4" in run.mime else "matroska"
    try:
        container = av.open(data, "r", format=kind)
    except av.error.FFmpegError:
        return
    with container:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        try:
            for packet in container.demux(*streams):
                for decoded in packet.decode():
                    frame: Any = decoded
                    if frame.time is None:
                        continue
                    yield packet.stream.type, run.start + float(frame.time), frame
        except av.error.FFmpegError:
            return


class _Encoder:
    """One output file being written: the video stream opens at the first frame (its size
    is the first frame's), the voice track beside it; frames and sound in session time."""

    def __init__(self, path: Path, fps: float, max_width: int, sound: bool, keyframes: Path | None,
                 moderator: bool = False) -> None:
        self.path, self.fps, self.max_width, self.keyframes = path, fps, max_width, keyframes
        self.temporary = path.with_name(f".{path.name}.building")
        options = {"movflags": MOVFLAGS, "max_interleave_delta": str(500_000)}
        self.container = av.open(str(self.temporary), "w", format="mp4", options=options)
        self.video: Any = None
        self.voice: Any = None
        self.moderator: Any = None     # the second sound track: the moderator's voice
        if sound:
            self.voice = _sound_stream(self.container, Speaker.PARTICIPANT.value)
            if moderator:
                self.moderator = _sound_stream(self.container, Speaker.MODERATOR.value)
        self.size: tuple[int, int] | None = None
        self.samples, self.last_pts, self.frames = 0, -1, 0
        self.moderator_samples = 0
        self.rows: list[dict] = []
        self.previous: np.ndarray | None = None

    def picture(self, frame: Any, t: float) -> None:
        if self.size is None:
            self.size = _even_size(frame.width, frame.height, self.max_width)
            self.video = _video_stream(self.container, self.size, self.fps)
            if self.voice is not None:
                self.container.start_encoding()
        pts = int(t * 1000)
        if pts <= self.last_pts:
            return
        picture = encode_picture(self.container, self.video, frame, self.size, pts)
        self.last_pts = pts
        self.frames += 1
        if self.keyframes is not None:
            self.previous = _frame_row(picture, t, self.previous, self.keyframes, self.rows)

    def sound(self, resampler: Any, frame: Any, t: float) -> None:
        if self.voice is not None and self.video is not None:
            self.samples = _write_sound(self.container, self.voice, resampler, frame, t, self.samples)

    def moderator_sound(self, resampler: Any, frame: Any, t: float) -> None:
        if self.moderator is not None and self.video is not None:
            self.moderator_samples = _write_sound(self.container, self.moderator, resampler, frame, t,
                                                  self.moderator_samples)

    def close(self) -> bool:
        """Finish the file; True when it has a picture and replaced the old one."""
        try:
            for stream in (s for s in (self.video, self.voice, self.moderator)
                           if s is not None and self.video is not None):
                for packet in stream.encode(None):
                    if packet.pts is None or packet.pts >= 0:
                        self.container.mux(packet)
        finally:
            self.container.close()
        if self.video is None:
            self.temporary.unlink(missing_ok=True)
            return False
        os.replace(self.temporary, self.path)
        return True


def _write_video(path: Path, runs: list[Run], fps: float, max_width: int, *, sound: bool,
                 built: Built, keyframes: Path | None, moderator: list[Run] | None = None) -> list[dict]:
    """Encode the runs into one fragmented MP4 at `path` (replaced whole at the end);
    returns the stored-frame rows of the screen. The moderator's runs, when given, become
    the second sound track, read alongside the screen's in session time so the two tracks
    interleave in the file as a native recording's do."""
    encoder = _Encoder(path, fps, max_width, sound, keyframes, moderator=bool(moderator))
    try:
        for t, is_moderator, kind, frame, resampler in heapq.merge(
                _timed(runs, False), _timed(moderator or [], True), key=lambda item: item[0]):
            if is_moderator:
                if kind == "audio":
                    encoder.moderator_sound(resampler, frame, t)
            elif kind == "video":
                encoder.picture(frame, t)
            else:
                encoder.sound(resampler, frame, t)
    finally:
        made = encoder.close()
    built.frames += encoder.frames
    if not made or encoder.size is None:
        return encoder.rows
    width, height = encoder.size
    built.seconds_of_sound = encoder.samples / AUDIO_RATE
    built.device.update({"video": path.name, "width": width, "height": height, "video_width": width,
                         "video_height": height, "scale": 1.0, "fps": fps})
    if encoder.voice is not None:
        built.device["audio"] = [{"speaker": Speaker.PARTICIPANT.value, "source": "browser",
                                  "rate": AUDIO_RATE, "track": 0}]
    if encoder.moderator is not None:
        built.device["audio"].append({"speaker": Speaker.MODERATOR.value, "source": "call",
                                      "rate": AUDIO_RATE, "track": 1})
        built.seconds_of_moderator = encoder.moderator_samples / AUDIO_RATE
    return encoder.rows


def _timed(runs: list[Run], moderator: bool) -> Iterator[tuple[float, bool, str, Any, Any]]:
    """(session time, from the moderator, "video" | "audio", frame, the run's resampler) of
    the runs one after another: a resampler keeps its state from frame to frame of one run."""
    for run in runs:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        for kind, t, frame in _decoded(run):
            yield t, moderator, kind, frame, resampler


def _sound_stream(container: Any, speaker: str) -> Any:
    """A 16 kHz mono AAC track titled with who speaks on it (MP4 keeps the handler name)."""
    stream = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
    stream.bit_rate = AUDIO_BITRATE
    stream.time_base = Fraction(1, AUDIO_RATE)
    stream.metadata["handler_name"] = speaker
    return stream


def _video_stream(container: Any, size: tuple[int, int], fps: float) -> Any:
    stream = container.add_stream("libx264", rate=max(1, round(fps)))
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    stream.time_base = TIME_BASE
    stream.codec_context.time_base = TIME_BASE
    stream.codec_context.gop_size = max(1, round(fps * 2))   # a seek point every ~2 s
    stream.options = {"preset": "ultrafast", "crf": "32", "maxrate": "2500k", "bufsize": "5000k",
                      "x264-params": "threads=1"}
    return stream


def _write_sound(container: Any, voice: Any, resampler: Any, frame: Any, t: float, written: int) -> int:
    """Resample one decoded frame to 16 kHz mono and append it at its session time: silence
    fills a hole before it, an overlap with what is written is cut off."""
    for part in resampler.resample(frame):
        samples = part.to_ndarray().reshape(-1).astype(np.int16)
        first = int(round(t * AUDIO_RATE))
        t += len(samples) / AUDIO_RATE
        if first > written + AUDIO_RATE // 50:        # more than 20 ms missing: silence
            samples = np.concatenate([np.zeros(first - written, np.int16), samples])
        elif first < written:
            samples = samples[written - first:]
        if not len(samples):
            continue
        out = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        out.sample_rate, out.pts, out.time_base = AUDIO_RATE, written, Fraction(1, AUDIO_RATE)
        for packet in voice.encode(out):
            if packet.pts is not None and packet.pts < 0:   # the encoder's priming packet
                continue
            container.mux(packet)
        written += len(samples)
    return written


def _frame_row(picture: Any, t: float, previous: np.ndarray | None, folder: Path,
               rows: list[dict]) -> np.ndarray:
    """A stored-frame row for a frame that changed, with a keyframe still when the change
    was substantial (the first frame always is)."""
    grey = picture.to_ndarray()[: picture.height]            # the Y plane of yuv420p
    small = cv2.resize(grey, (160, 90), interpolation=cv2.INTER_AREA).astype(np.int16)
    changed = 1.0 if previous is None else float(np.mean(np.abs(small - previous) > 12))
    if previous is not None and changed == 0.0:
        return previous
    row: dict[str, Any] = {"t": round(t, 3), "changed": round(changed, 4)}
    last_still = next((r["t"] for r in reversed(rows) if r.get("keyframe")), None)
    if changed >= KEYFRAME_CHANGE and (last_still is None or t - last_still >= KEYFRAME_EVERY):
        bgr = picture.to_ndarray(format="bgr24")
        width = min(KEYFRAME_WIDTH, bgr.shape[1])
        still = cv2.resize(bgr, (width, max(2, bgr.shape[0] * width // bgr.shape[1])),
                           interpolation=cv2.INTER_AREA)
        name = keyframe_name(t)
        (folder / name).parent.mkdir(exist_ok=True)
        cv2.imwrite(str(folder / name), still, [cv2.IMWRITE_JPEG_QUALITY, 80])
        row["keyframe"] = name
    rows.append(row)
    return small


def _store_frames(store: Store, session_id: str, rows: list[dict]) -> None:
    """The session's stored frames, replaced by this build's."""
    with store.db.conn:
        store.db.execute("DELETE FROM frames WHERE session_id = ?", [session_id])
    store.frames.append(session_id, rows)


def _even_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    scale = min(1.0, max_width / width)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
