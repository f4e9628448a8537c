"""Cutting and redacting a video file with PyAV (the store-level operations, which find a
session's video and keep its records in step, are in sessions.media.redaction and sessions.media.clips).

Both re-encode frame by frame and keep each frame's presentation time, because in our
videos the timestamps ARE session time (variable frame rate, pts 0 = session start).
Output is fragmented MP4 like the recorder's, so it plays in a browser and survives a crash.
"""
from __future__ import annotations

import math
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from sessions.errors import BadRequest

FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
PARTIAL_SUFFIX = ".partial.mp4"  # a black-out being written beside its video


class VideoEditError(BadRequest):
    """A time range that selects nothing, or a video that cannot be read."""


def _open_output(target: Path, shape: dict, gop: int,
                 audio: tuple[tuple[int, str, str], ...] = ()) -> tuple[Any, Any, list[Any]]:
    """The output file with an H.264 stream and one AAC stream per (rate, layout, title)."""
    output = av.open(str(target), "w", format="mp4", options={**FRAGMENTED, "avoid_negative_ts": "disabled"})
    stream = output.add_stream("libx264", rate=shape["rate"])
    stream.width, stream.height = shape["width"], shape["height"]
    stream.pix_fmt = "yuv420p"
    stream.time_base = shape["time_base"]
    stream.codec_context.time_base = shape["time_base"]
    stream.codec_context.gop_size = gop
    # no B-frames: with sparse, irregular pts their reordering gives invalid dts
    stream.options = {"preset": "veryfast", "tune": "zerolatency", "crf": "23"}
    sound = []
    for rate, layout, title in audio:
        track = output.add_stream("aac", rate=rate, layout=layout)
        track.time_base = Fraction(1, rate)
        if title:
            track.metadata["handler_name"] = title
        sound.append(track)
    return output, stream, sound


def _open_source(source: Path) -> Any:
    try:
        container = av.open(str(source))
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    if not container.streams.video:
        container.close()
        raise VideoEditError("the file holds no video")
    return container


def _shape(stream: Any) -> dict:
    return {"width": stream.codec_context.width, "height": stream.codec_context.height,
            "rate": max(1, round(float(stream.average_rate or 10))),
            "time_base": stream.time_base or Fraction(1, 1000)}


class _Writer:
    """Opens the output on the first frame; frames are given their time in seconds."""

    def __init__(self, target: Path, gop: int, audio: tuple[tuple[int, str, str], ...] = ()) -> None:
        self.target, self.gop, self.audio = target, gop, audio
        self.output: Any = None
        self.stream: Any = None
        self.sound: list[Any] = []
        self.time_base: Any = None  # the encoder's; the muxer may change the stream's at its header
        self.count = 0

    def open(self, shape: dict) -> None:
        if self.output is None:
            self.output, self.stream, self.sound = _open_output(self.target, shape, self.gop, self.audio)
            self.time_base = shape["time_base"]

    def write_audio(self, track: int, frame: av.AudioFrame) -> None:
        """Encode a decoded sound frame (its pts in 1/rate) into sound track `track`."""
        frame.time_base = Fraction(1, frame.sample_rate)
        for packet in self.sound[track].encode(frame):
            self._mux_sound(packet)

    def _mux_sound(self, packet: av.Packet) -> None:
        # the AAC encoder's priming packet (pts < 0) is left out: a fragmented MP4 has no edit
        # list to hide it, and the muxer would move the whole track 64 ms late to fit it
        if packet.pts is None or packet.pts >= 0:
            self.output.mux(packet)

    def write(self, frame: av.VideoFrame, seconds: float, shape: dict) -> None:
        self.open(shape)
        frame = frame.reformat(format="yuv420p")
        frame.pts = round(seconds / self.time_base)
        frame.time_base = self.time_base
        for packet in self.stream.encode(frame):
            self.output.mux(packet)
        self.count += 1

    def close(self) -> None:
        """Flush and close the output; safe to call again."""
        output, self.output = self.output, None
        if output is not None:
            for packet in self.stream.encode():
                output.mux(packet)
            for stream in self.sound:
                for packet in stream.encode():
                    if packet.pts is None or packet.pts >= 0:
                        output.mux(packet)
            output.close()


def cut_clip(source: Path, start: float, end: float, target: Path, gop: int = 20) -> int:
    """Write the frames shown in [start, end] to `target`, starting at time 0, with the sound
    of every track in that range; returns the number of frames. The frame on screen at
    `start` opens the clip so it never starts black."""
    if not end > start:
        raise VideoEditError("a clip needs an end after its start")
    try:
        with _open_source(source) as container:
            count = _copy_clip(container, start, end, target, gop)
    except av.error.FFmpegError as exc:  # a broken or truncated file, found while copying it
        target.unlink(missing_ok=True)
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    if count == 0:
        target.unlink(missing_ok=True)
        raise VideoEditError(f"the video shows nothing between {start:g} s and {end:g} s")
    return count


def _copy_clip(container: Any, start: float, end: float, target: Path, gop: int) -> int:
    video, sound = container.streams.video[0], list(container.streams.audio)
    shape = _shape(video)
    track = {s.index: i for i, s in enumerate(sound)}
    writer = _Writer(target, gop, _sound_specs(sound))
    previous, done = None, set()
    shown, written = None, -1.0   # the last frame written, and its time in the clip
    try:
        writer.open(shape)
        for packet in container.demux(video, *sound):
            if packet.stream.index in done:
                continue
            for frame in packet.decode():
                if frame.pts is None:
                    continue
                t = float(frame.pts * frame.time_base)
                if t > end:
                    done.add(packet.stream.index)
                    break
                if packet.stream.index in track:
                    part = _trimmed(frame, t, start, end)
                    if part is not None:
                        writer.write_audio(track[packet.stream.index], part)
                    continue
                if t < start:
                    previous = frame
                    continue
                if previous is not None and t > start:
                    writer.write(previous, 0.0, shape)
                previous = None
                writer.write(frame, t - start, shape)
                shown, written = frame, t - start
            if len(done) == 1 + len(sound):
                break
        if writer.count == 0 and previous is not None:  # the screen did not change in the range
            writer.write(previous, 0.0, shape)
            shown, written = previous, 0.0
        # frames are stored only when the screen changes: repeat the one on screen at `end`
        # so the clip lasts as long as asked, not until the last change inside it
        if shown is not None and written < end - start:
            writer.write(shown, end - start, shape)
    finally:
        writer.close()
    return writer.count


def _sound_specs(sound: list) -> tuple[tuple[int, str, str], ...]:
    """(rate, layout, title) of each sound track, for the output's AAC tracks."""
    return tuple((s.codec_context.sample_rate, s.codec_context.layout.name,
                  s.metadata.get("handler_name", "")) for s in sound)


def _trimmed(frame: av.AudioFrame, t: float, start: float, end: float) -> av.AudioFrame | None:
    """The part of a sound frame inside [start, end], timed from `start`; None if none is."""
    rate = frame.sample_rate
    first = max(0, round((start - t) * rate))
    last = min(frame.samples, round((end - t) * rate))
    if first >= last:
        return None
    width = 1 if frame.format.is_planar else len(frame.layout.channels)
    data: Any = frame.to_ndarray()[:, first * width:last * width]
    part = av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format=frame.format.name,
                                      layout=frame.layout.name)
    part.sample_rate, part.pts = rate, round((t - start) * rate) + first
    return part


def black_out(source: Path, start: float, end: float, gop: int = 20) -> int:
    """Replace every frame shown in [start, end] with black and the sound of every track
    with silence, in place (written to a file of its own beside the video, then swapped in
    atomically); returns the number of frames blacked out. Two black-outs of one file must
    not run at once (sessions.media.redaction locks): the second would start from the video
    without the first's black.

    A black frame is also put at `start`, so the frame on screen before the range does not
    stay visible into it."""
    if not end > start:
        raise VideoEditError("a redaction needs an end after its start")
    handle, name = tempfile.mkstemp(prefix=source.stem + ".", suffix=PARTIAL_SUFFIX, dir=source.parent)
    os.close(handle)
    target = Path(name)
    try:
        with _open_source(source) as container:
            blacked, written = _copy_blacking(container, start, end, target, gop)
        if written == 0:
            raise VideoEditError("the video has no frames")
        os.replace(target, source)
    except av.error.FFmpegError as exc:  # a broken or truncated file, found while copying it
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    finally:
        target.unlink(missing_ok=True)
    return blacked


def _copy_blacking(container: Any, start: float, end: float, target: Path, gop: int) -> tuple[int, int]:
    """Copy the video into `target`, black (and silent) in [start, end]; (blacked, written)."""
    video, sound = container.streams.video[0], list(container.streams.audio)
    shape = _shape(video)
    track = {s.index: i for i, s in enumerate(sound)}
    writer = _Writer(target, gop, _sound_specs(sound))
    blacked, covered = 0, False
    try:
        writer.open(shape)
        for packet in container.demux(video, *sound):
            for frame in packet.decode():
                if frame.pts is None:
                    continue
                t = float(frame.pts * frame.time_base)
                if packet.stream.index in track:
                    writer.write_audio(track[packet.stream.index], _silenced(frame, t, start, end))
                    continue
                if t >= start and not covered:
                    if t > start:
                        writer.write(_black(frame), start, shape)
                    covered = True
                if start <= t <= end:
                    frame = _black(frame)
                    blacked += 1
                writer.write(frame, t, shape)
        if not covered and writer.count:
            writer.write(_black_of(shape), start, shape)
    finally:
        writer.close()
    return blacked, writer.count


def _silenced(frame: av.AudioFrame, t: float, start: float, end: float) -> av.AudioFrame:
    """The sound frame with its samples inside [start, end] set to zero."""
    rate, samples = frame.sample_rate, frame.samples
    first = max(0, math.ceil((start - t) * rate))
    last = min(samples, math.floor((end - t) * rate) + 1)
    if first >= last:
        return frame
    data = frame.to_ndarray().copy()
    if frame.format.is_planar:
        data[:, first:last] = 0
    else:
        channels = len(frame.layout.channels)
        data[:, first * channels:last * channels] = 0
    quiet = av.AudioFrame.from_ndarray(data, format=frame.format.name, layout=frame.layout.name)
    quiet.sample_rate, quiet.pts = rate, frame.pts
    return quiet


def _black_of(shape: dict) -> av.VideoFrame:
    image = np.zeros((shape["height"], shape["width"], 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def _black(frame: av.VideoFrame) -> av.VideoFrame:
    image = np.zeros((frame.height, frame.width, 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def extract_sound(source: Path, track: int, target: Path) -> None:
    """Copy sound track `track` of `source` packet for packet (no re-encoding) into an
    audio file of its own at `target`, fragmented like the video so its timestamps stay
    session time. Written beside `target` and swapped in: a reader never sees half a file."""
    handle, name = tempfile.mkstemp(prefix=target.stem + ".", suffix=".partial.m4a", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        with av.open(str(source)) as container:
            if not 0 <= track < len(container.streams.audio):
                raise VideoEditError(f"the video has no sound track {track}")
            sound = container.streams.audio[track]
            # an audio file has no keyframes to cut fragments at: a fragment a second instead
            options = {"movflags": "empty_moov+default_base_moof", "frag_duration": "1000000",
                       "avoid_negative_ts": "disabled"}
            with av.open(str(partial), "w", format="mp4", options=options) as output:
                copy = output.add_stream_from_template(sound)
                for packet in container.demux(sound):
                    if packet.dts is None:   # the demuxer's empty packet at the end
                        continue
                    packet.stream = copy
                    output.mux(packet)
        os.replace(partial, target)
    except av.error.FFmpegError as exc:
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    finally:
        partial.unlink(missing_ok=True)


def frame_at(source: Path, t: float) -> np.ndarray:
    """The frame on screen at session time `t`, as a BGR image (the last one shown at or
    before `t`: frames are stored only when the screen changes)."""
    shown = None
    try:
        with _open_source(source) as container:
            for frame in container.decode(container.streams.video[0]):
                if frame.pts is None:
                    continue
                if float(frame.pts * frame.time_base) > t + 1e-3:
                    break
                shown = frame.to_ndarray(format="bgr24")
    except av.error.FFmpegError as exc:
        raise VideoEditError(f"the video cannot be read ({exc.__class__.__name__})") from None
    if shown is None:
        raise VideoEditError(f"the video shows nothing at {t:g} s")
    return shown
