"""The session video: one fragmented H.264 MP4 whose timestamps are session time.

Fragmented (`frag_keyframe+empty_moov`) so a killed recorder leaves a playable file that
ends at the last fragment; a keyframe at least every ~2 s bounds what a crash can lose.
Variable frame rate: frames are written only when the screen or the cursor changed.

Sound tracks (AAC, mono) go into the same file, one per microphone, sample i of a track at
session time i / rate. The audio side runs on the microphones' threads, so muxing is done
under a lock; the muxer interleaves by time but never holds a packet longer than
MAX_INTERLEAVE, so a still screen (no video packets) does not keep the sound from the disk.
"""
from __future__ import annotations

import struct
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
KEYFRAME_INTERVAL = 2.0   # seconds between H.264 keyframes (seek points) while frames flow
FRAGMENT_SECONDS = 1.0    # a fragment is also cut after this long: what a crash can lose
TIME_BASE = Fraction(1, 1000)
MAX_INTERLEAVE = 0.5      # seconds a packet may wait in the muxer for the other tracks
AUDIO_BITRATE = 48_000    # AAC, mono speech


class VideoWriter:
    """Encode I420 frames stamped in session seconds; not thread-safe (one writer thread).

    crf 32 rather than x264's 23: with a seek point every 2 s (ffmpeg's default is every
    250 frames) it keeps a busy screen's file no larger than `ffmpeg -preset ultrafast`'s,
    and screen text stays legible (bench/capture.py measures both sides).
    """

    def __init__(self, path: Path, width: int, height: int, fps: float, *, crf: int = 32,
                 maxrate_kbit: int = 2500, audio_tracks: tuple[str, ...] = (),
                 audio_rate: int = 16000) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"H.264 yuv420p needs even dimensions, got {width}x{height}")
        self.path, self.width, self.height = Path(path), width, height
        # flush_packets: each finished fragment goes to the file now, not when a buffer fills
        options = {"movflags": MOVFLAGS, "flush_packets": "1",
                   "frag_duration": str(round(FRAGMENT_SECONDS * 1e6))}
        if audio_tracks:
            options["max_interleave_delta"] = str(round(MAX_INTERLEAVE * 1e6))
        self.container = av.open(str(self.path), "w", format="mp4", options=options)
        stream: av.video.stream.VideoStream = self.container.add_stream("libx264", rate=max(1, round(fps)))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.gop_size = max(1, round(fps * KEYFRAME_INTERVAL))
        # the cap keeps a screen full of noise from costing a gigabyte a minute
        # zero latency: each frame leaves the encoder at once, so what a crash can lose stays
        # bounded; one thread without slices compresses better than sliced threads
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": str(crf),
                          "x264-params": "sliced-threads=0:threads=1",
                          "maxrate": f"{maxrate_kbit}k", "bufsize": f"{2 * maxrate_kbit}k"}
        self.stream = stream
        self.audio = [self._audio_stream(title, audio_rate) for title in audio_tracks]
        self.audio_rate = audio_rate
        self._mux_lock = threading.Lock()
        self._closed = False
        if self.audio:  # open every codec and write the header now, before threads race to it
            self.container.start_encoding()
        self.last_pts = -1
        self.failed = False
        self._fragment_start: float | None = None
        self._fragment_news = False
        self.frames = 0

    def write(self, i420: np.ndarray, t: float, *, force_keyframe: bool = False,
              repeat: bool = False) -> float | None:
        """Add a frame shown from session time `t`; returns its timestamp in the file (t to
        the millisecond below), or None when that is not after the last frame's.

        A frame starts a new fragment (writing out the previous one) when it is a keyframe
        or comes FRAGMENT_SECONDS after the fragment began; the screen source repeats the
        last frame (`repeat`) when `needs_flush` says new frames wait in memory too long."""
        pts = int(t * 1000)  # truncated: a frame is never shown later than it was grabbed
        if pts <= self.last_pts:
            return None
        frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
        frame.pts, frame.time_base = pts, TIME_BASE
        if force_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        try:
            for packet in self.stream.encode(frame):
                self._mux(packet)
                self._follow_fragments(packet, repeat)
        except OSError:
            self.failed = True
            self._cut_back()
            raise
        self.last_pts = pts
        self.frames += 1
        return pts / 1000

    def _audio_stream(self, title: str, rate: int) -> av.audio.stream.AudioStream:
        stream = self.container.add_stream("aac", rate=rate, layout="mono")
        stream.bit_rate = AUDIO_BITRATE
        stream.time_base = Fraction(1, rate)
        stream.metadata["handler_name"] = title   # who speaks on this track (MP4 keeps this one)
        return stream

    def write_audio(self, track: int, first: int, samples: np.ndarray) -> None:
        """Add int16 mono samples to sound track `track`, the first at sample index `first`
        (session time first / rate); called from that microphone's thread."""
        if self.failed or not len(samples):
            return
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = self.audio_rate, first
        frame.time_base = Fraction(1, self.audio_rate)
        try:
            for packet in self.audio[track].encode(frame):
                # the encoder's priming packet (pts < 0): a fragmented MP4 has no edit list
                # to hide it, and the muxer would move the whole track 64 ms late to fit it
                if packet.pts is not None and packet.pts < 0:
                    continue
                self._mux(packet)
        except OSError:
            self.failed = True
            raise

    def _mux(self, packet: av.Packet) -> None:
        with self._mux_lock:
            if not self._closed:
                self.container.mux(packet)

    def needs_flush(self, now: float) -> bool:
        """True when frames that are not repeats have waited in the muxer's current
        fragment for FRAGMENT_SECONDS: only a new packet makes the muxer write it out."""
        start = self._fragment_start
        return self._fragment_news and start is not None and now - start >= FRAGMENT_SECONDS

    def _follow_fragments(self, packet: av.Packet, repeat: bool) -> None:
        """Mirror the MP4 muxer's rule: a keyframe, or a packet FRAGMENT_SECONDS after the
        fragment's first, writes the fragment out and starts a new one."""
        if packet.dts is None or packet.time_base is None:   # a packet without time joins the fragment
            return
        t = float(packet.dts * packet.time_base)
        start = self._fragment_start
        if start is None or packet.is_keyframe or t - start >= FRAGMENT_SECONDS:
            self._fragment_start, self._fragment_news = t, not repeat
        elif not repeat:
            self._fragment_news = True

    def close(self) -> None:
        """Finish the file, and keep it playable whatever happened: a write can fail without
        PyAV raising (the muxer only flags its I/O context), so the file is always checked
        and cut back to its last whole fragment."""
        try:
            if not self.failed:
                encoders: list[av.video.stream.VideoStream | av.audio.stream.AudioStream] = [self.stream, *self.audio]
                for stream in encoders:
                    for packet in stream.encode(None):
                        if packet.pts is None or packet.pts >= 0:
                            self._mux(packet)
            with self._mux_lock:
                self._closed = True
                self.container.close()
        except OSError:
            self.failed = True
            raise
        finally:
            self._cut_back()

    def _cut_back(self) -> None:
        """Keep only whole boxes, so the file plays, and free the space a partial one took."""
        if self.path.exists():
            length = complete_length(self.path)
            if length < self.path.stat().st_size:
                self.failed = True
                with open(self.path, "r+b") as file:
                    file.truncate(length)


def complete_length(path: Path) -> int:
    """Bytes of `path` up to the end of its last complete top-level MP4 box pair: the
    header (ftyp, moov) or a fragment (moof + mdat)."""
    good, offset, size = 0, 0, path.stat().st_size
    with open(path, "rb") as file:
        while offset + 8 <= size:
            file.seek(offset)
            header = file.read(8)
            length, kind = struct.unpack(">I4s", header)
            if length == 1:  # a 64-bit size follows
                length = struct.unpack(">Q", file.read(8))[0]
            if length < 8 or offset + length > size:
                break
            offset += length
            if kind in (b"moov", b"mdat"):
                good = offset
    return good
