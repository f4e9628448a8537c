"""Highlight reels: evidence clips from several sessions joined into one MP4, each after a
short title card (participant, task, problem or quote), with sound where the sessions have
it (every microphone's track mixed into one, so the moderator is heard too) and the
transcript as a caption track.

Re-encoding screen video is what makes video tools slow, so a clip is cut smartly: from its
start to the session video's next keyframe (the recorder writes one every ~2 s of change)
is encoded, from there on the session's own H.264 is copied. Title cards, clips with no
keyframe inside and clips of another size are encoded. Audio is always encoded (cheap) so
every part has the same sound format. The parts are MPEG-TS files (parameter sets in-band)
joined by ffmpeg's concat demuxer without re-encoding.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from sessions.errors import BadRequest, NotFound, Unavailable
from sessions.events import VIDEO_FILE
from sessions.media.ffmpeg import mix_filter, run_ffmpeg
from sessions.media.title_cards import draw_card
from sessions.store import Store

CARD_SECONDS = 2.0
LEAD, TAIL = 3.0, 7.0       # a moment (not a stretch) is shown from LEAD before to TAIL after
MAX_CLIPS, MAX_CLIP = 50, 300.0
AUDIO_RATE = 48000
CARD_FPS = 10

Progress = Callable[[int, int], None]


@dataclass
class Clip:
    """A stretch of one session and the words on its title card."""

    session_id: str
    start: float
    end: float
    participant: str = ""
    task: str | None = None
    label: str = ""
    captions: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class _Source:
    path: Path
    width: int
    height: int
    codec: str
    pix_fmt: str | None
    keyframes: list[float]
    voices: int          # sound tracks: the participant's, then the moderator's
    rate: float

    @property
    def audio(self) -> bool:
        return self.voices > 0


def _probe(path: Path) -> _Source:
    """Stream shapes and keyframe times, read from packets (no decoding)."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError):
        raise NotFound(f"the session video {path.name} cannot be read") from None
    with container:
        if not container.streams.video:
            raise NotFound(f"{path.name} holds no video")
        video = container.streams.video[0]
        keyframes = [float(p.pts * p.time_base) for p in container.demux(video)
                     if p.is_keyframe and p.pts is not None]
        ctx = video.codec_context
        return _Source(path, ctx.width, ctx.height, ctx.name, ctx.format.name if ctx.format else None,
                       sorted(keyframes), len(container.streams.audio),
                       float(video.average_rate or 10))


def _card_image(clip: Clip, width: int, height: int, index: int, total: int) -> np.ndarray:
    """A dark card with the clip's participant, task and label, scaled to the video."""
    lines = [(f"{index} of {total}  ·  {clip.participant}", 0.9), (f"Task: {clip.task or '–'}", 0.8)]
    for part in textwrap.wrap(clip.label or "", 48)[:4]:
        lines.append((part, 1.0))
    return draw_card(lines, width, height)


def _card(clip: Clip, size: tuple[int, int], index: int, total: int, folder: Path, audio: bool) -> Path:
    png, out = folder / f"card{index:03d}.png", folder / f"card{index:03d}.ts"
    cv2.imwrite(str(png), _card_image(clip, size[0], size[1], index, total))
    args = ["-loop", "1", "-framerate", str(CARD_FPS), "-t", f"{CARD_SECONDS}", "-i", str(png)]
    if audio:
        args += ["-f", "lavfi", "-t", f"{CARD_SECONDS}", "-i", f"anullsrc=r={AUDIO_RATE}:cl=mono",
                 "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-ar", str(AUDIO_RATE), "-ac", "1"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
             "-vf", f"scale={size[0]}:{size[1]}", "-f", "mpegts", str(out)]
    run_ffmpeg(args, "build the reel")
    return out


def _copyable(source: _Source, size: tuple[int, int]) -> bool:
    return ((source.width, source.height) == size and source.codec == "h264"
            and source.pix_fmt in (None, "yuv420p"))


def _part(source: _Source, start: float, end: float, size: tuple[int, int], out: Path, audio: bool,
          copy: bool) -> None:
    """One MPEG-TS part of a clip: [start, end) of the source, copied (start must be a
    keyframe) or encoded."""
    before = [k for k in source.keyframes if k <= start + 1e-3]
    # decoding (or copying) starts on a whole picture: ffmpeg seeks to the keyframe at or
    # before the time asked, so ask a hair after it (a printed time may round below it)
    seek = (before[-1] if before else 0.0) + 0.001
    skip = max(0.0, start - seek)
    duration = end - start
    args = ["-ss", f"{seek:.4f}", "-i", str(source.path)]
    if audio and not source.audio:
        args += ["-f", "lavfi", "-t", f"{duration:.3f}", "-i", f"anullsrc=r={AUDIO_RATE}:cl=mono"]
    args += ["-t", f"{duration:.3f}", "-map", "0:v:0"]
    if copy:
        args += ["-c:v", "copy", "-bsf:v", "h264_mp4toannexb"]
    else:
        # a constant rate repeats the picture on screen through a still stretch, then the
        # part before the start is trimmed away
        args += ["-vf", (f"fps={max(1, round(source.rate))},trim=start={skip:.4f},setpts=PTS-STARTPTS,"
                         f"scale={size[0]}:{size[1]}:force_original_aspect_ratio=decrease,"
                         f"pad={size[0]}:{size[1]}:(ow-iw)/2:(oh-ih)/2"),
                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        trim = f"atrim=start={skip:.4f},asetpts=PTS-STARTPTS"
        if source.voices > 1:   # every voice heard: the moderator's question, the participant's answer
            args += ["-filter_complex", f"{mix_filter(source.voices)},{trim}[voices]", "-map", "[voices]"]
        elif source.audio:
            args += ["-map", "0:a:0", "-af", trim]
        else:
            args += ["-map", "1:a:0"]
        args += ["-c:a", "aac", "-ar", str(AUDIO_RATE), "-ac", "1"]
    run_ffmpeg(args + ["-f", "mpegts", str(out)], "build the reel")


def _body(clip: Clip, source: _Source, size: tuple[int, int], index: int, folder: Path, audio: bool,
          encode_all: bool) -> tuple[list[tuple[Path, float]], bool]:
    """The clip as parts [(file, duration)] and whether its video was (mostly) copied.

    A smart cut: from the moment to the next keyframe is encoded (at most a couple of
    seconds), from that keyframe on the video is copied; so the clip starts exactly where
    asked and most of it is never re-encoded.
    """
    inside = [k for k in source.keyframes if clip.start - 1e-3 <= k < clip.end - 0.05]
    copy_from = inside[0] if inside and not encode_all and _copyable(source, size) else None
    parts = []
    if copy_from is None or copy_from > clip.start + 1e-3:
        head_end = clip.end if copy_from is None else copy_from
        head = folder / f"clip{index:03d}a.ts"
        _part(source, clip.start, head_end, size, head, audio, copy=False)
        parts.append((head, head_end - clip.start))
    if copy_from is not None:
        body = folder / f"clip{index:03d}b.ts"
        _part(source, copy_from, clip.end, size, body, audio, copy=True)
        parts.append((body, clip.end - max(copy_from, clip.start)))
    return parts, copy_from is not None


def _vtt_time(seconds: float) -> str:
    ms = int(round(max(seconds, 0.0) * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build_reel(store: Store, clips: Sequence[Clip], output: Path, *, progress: Progress | None = None,
               encode_all: bool = False) -> dict:
    """Write the reel to `output` (MP4) and its captions beside it (.vtt); returns what was
    done: duration, parts, how many clips were copied and how many encoded.

    `encode_all` re-encodes every clip (the reference the benchmark compares against).
    """
    clips = _checked(store, clips)
    began = time.perf_counter()
    sources: dict[str, _Source] = {}
    for clip in clips:
        if clip.session_id not in sources:
            session = store.sessions.get(clip.session_id)
            name = (session.get("device") or {}).get("video") or VIDEO_FILE
            path = store.media.path(clip.session_id, name)
            if not path.is_file():
                raise NotFound(f"session {clip.session_id} has no video to cut a clip from")
            sources[clip.session_id] = _probe(path)
    first = sources[clips[0].session_id]
    size = (first.width - first.width % 2, first.height - first.height % 2)
    audio = any(s.audio for s in sources.values())
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    steps, done = 2 * len(clips) + 1, 0
    parts, cues, at, copied = [], [], 0.0, 0
    lock = threading.Lock()

    def step() -> None:
        nonlocal done
        with lock:
            done += 1
            if progress:
                progress(done, steps)

    with tempfile.TemporaryDirectory(prefix="uxlab-reel-") as tmp:
        folder = Path(tmp)

        def cut(index: int, clip: Clip) -> tuple[Path, list[tuple[Path, float]], bool]:
            card = _card(clip, size, index, len(clips), folder, audio)
            step()
            pieces, was_copied = _body(clip, sources[clip.session_id], size, index, folder, audio, encode_all)
            step()
            return card, pieces, was_copied

        # the parts are independent ffmpeg runs: one per core at a time
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            results = list(pool.map(cut, range(1, len(clips) + 1), clips))
        for clip, (card, pieces, was_copied) in zip(clips, results):
            parts.append((card, CARD_SECONDS))
            at += CARD_SECONDS
            copied += was_copied
            for t, end, text in clip.captions:
                a, b = max(t, clip.start), min(end, clip.end)
                if b > a:
                    cues.append((at + a - clip.start, at + b - clip.start, text))
            parts += pieces
            at += clip.end - clip.start
        listing = folder / "parts.txt"
        listing.write_text("".join(f"file '{p}'\nduration {d:.3f}\n" for p, d in parts))
        captions = folder / "reel-captions.vtt"   # the reel's cues, in its work folder
        if cues:        # the transcript, also as a file beside the reel for any player
            captions.write_text("WEBVTT\n\n" + "".join(
                f"{_vtt_time(a)} --> {_vtt_time(b)}\n{text}\n\n" for a, b, text in cues))
        args = ["-f", "concat", "-safe", "0", "-i", str(listing)]
        if cues:
            args += ["-i", str(captions), "-map", "0", "-map", "1", "-c:s", "mov_text"]
        vtt = output.with_suffix(".vtt")
        _write_whole([output] + ([vtt] if cues else []), lambda partial: _finish(
            args, partial[0], captions, partial[1] if cues else None))
    if progress:
        progress(steps, steps)
    return {"output": str(output), "captions": str(vtt) if cues else None, "clips": len(clips),
            "copied": copied, "encoded": len(clips) - copied, "duration": round(at, 3),
            "audio": audio, "seconds": round(time.perf_counter() - began, 2)}


def _finish(args: list[str], reel: Path, captions: Path, vtt: Path | None) -> None:
    run_ffmpeg(args + ["-c:v", "copy", "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", str(reel)],
               "build the reel")
    if vtt is not None:
        shutil.copyfile(captions, vtt)


def _write_whole(targets: list[Path], write: Callable[[list[Path]], None]) -> None:
    """Write `targets` through partial files beside them, renamed into place only when all were
    written: a full disk or a failed ffmpeg run leaves neither a half reel nor an empty .vtt."""
    partial = [t.with_name(f".{t.name}.part") for t in targets]
    try:
        write(partial)
        for done, target in zip(partial, targets):
            os.replace(done, target)
    finally:
        for leftover in partial:
            leftover.unlink(missing_ok=True)


def _checked(store: Store, clips: Sequence[Clip]) -> list[Clip]:
    clips = list(clips)
    if not clips:
        raise BadRequest("a reel needs at least one clip")
    if len(clips) > MAX_CLIPS:
        raise BadRequest(f"a reel has at most {MAX_CLIPS} clips")
    for clip in clips:
        if not (math.isfinite(clip.start) and math.isfinite(clip.end)) or clip.start < 0 or clip.end <= clip.start:
            raise BadRequest(f"clip of session {clip.session_id}: the end must come after the start")
        if clip.end - clip.start > MAX_CLIP:
            raise BadRequest(f"a clip lasts at most {MAX_CLIP:.0f} s")
    return clips


# -- choosing clips ----------------------------------------------------------------------------


def _window(t: float, end: float | None, duration: float) -> tuple[float, float]:
    if end is not None and end > t:
        start, stop = t, end
    else:
        start, stop = t - LEAD, t + TAIL
    start = max(0.0, start)
    stop = min(stop, duration) if duration > 0 else stop
    if stop <= start:
        stop = start + min(TAIL, MAX_CLIP)
    return start, stop


def _context(store: Store, session_id: str, t: float) -> tuple[dict, str | None]:
    session = store.sessions.get(session_id)
    task = next((a["task"] for a in store.attempts.all(session_id)
                 if a["started"] <= t <= (a["ended"] if a["ended"] is not None else math.inf)), None)
    return session, task


def _captions(store: Store, session_id: str, start: float, end: float) -> list[tuple[float, float, str]]:
    rows = store.db.execute("SELECT t, end, text FROM segments WHERE session_id = ? AND end >= ? AND t <= ? "
                            "ORDER BY t", [session_id, start, end]).fetchall()
    return [(float(t), float(e), str(text)) for t, e, text in rows]


def clips_for_problem(store: Store, problem_id: int) -> list[Clip]:
    """The problem's evidence as clips, in the order the evidence was added."""
    from sessions.problems import Problems
    problems = Problems(store)
    problem = problems.get(problem_id)
    clips = []
    for row in problems.evidence(problem["id"]):
        session, task = _context(store, row["session_id"], row["t"])
        start, end = _window(row["t"], row["end"], float(session["duration"] or 0.0))
        clips.append(Clip(row["session_id"], start, end, session["participant"], task or problem["task"],
                          problem["title"], _captions(store, row["session_id"], start, end)))
    if not clips:
        raise BadRequest(f"problem {problem['id']} has no evidence to show")
    return clips


def clips_for_tag(store: Store, tag: str) -> list[Clip]:
    """Notes carrying `tag`, as clips quoting the note, oldest session first."""
    tag = tag.strip().lower()
    clips = []
    for session in store.sessions.all(order="started_at", descending=False):
        for note in store.notes.all(session["id"]):
            if tag in note["tags"]:
                _, task = _context(store, session["id"], note["t"])
                start, end = _window(note["t"], None, float(session["duration"] or 0.0))
                clips.append(Clip(session["id"], start, end, session["participant"], task,
                                  f"“{note['text']}”", _captions(store, session["id"], start, end)))
    if not clips:
        raise NotFound(f"no notes are tagged {tag!r}")
    return clips


def clips_for_search(store: Store, text: str) -> list[Clip]:
    """Notes and transcript segments containing `text` (case-insensitive), quoted on the
    title cards, in session and time order."""
    from sessions.problems import segments_saying
    needle = " ".join(text.split()).lower()
    if not needle:
        raise BadRequest("say what to search for")
    sessions = {s["id"]: s for s in store.sessions.all(order="started_at", descending=False)}
    found: list[tuple[str, float, float | None, str]] = []
    for sid in sessions:
        found += [(sid, n["t"], None, n["text"]) for n in store.notes.all(sid) if needle in n["text"].lower()]
    found += [(r["session_id"], r["t"], r["end"], r["text"]) for r in segments_saying(store, [needle])]
    order = {sid: i for i, sid in enumerate(sessions)}
    clips = []
    for sid, t, end, quote in sorted(found, key=lambda f: (order.get(f[0], 0), f[1])):
        session = sessions[sid]
        _, task = _context(store, sid, t)
        start, stop = _window(t, None, float(session["duration"] or 0.0)) if end is None else \
            _window(max(0.0, t - 1.0), end + 1.0, float(session["duration"] or 0.0))
        clips.append(Clip(sid, start, stop, session["participant"], task, f"“{quote}”",
                          _captions(store, sid, start, stop)))
    if not clips:
        raise NotFound(f"no note or transcript says {text!r}")
    return clips


def reel_info(path: Path) -> dict:
    """Duration and streams of a written reel, as ffprobe reports them."""
    probe = shutil.which("ffprobe")
    if probe is None:
        raise Unavailable("ffprobe is not installed")
    done = subprocess.run([probe, "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name",
                           "-of", "json", str(path)], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)
    return {"duration": float(data["format"]["duration"]),
            "streams": [s["codec_type"] for s in data["streams"]],
            "codecs": [s["codec_name"] for s in data["streams"]]}
