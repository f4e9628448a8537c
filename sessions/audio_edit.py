"""Sound through video edits: a black-out silences its stretch of every sound track, a clip
keeps the sound of its stretch.

sessions.video_edit re-encodes a session's picture frame by frame into a file of its own;
`add_sound` then puts the source's sound tracks beside that picture: the video packets are
copied as they are, the sound is decoded, cut to the wanted stretch (moved to start at 0 for
a clip), silenced where asked and encoded again as AAC, and both are written in time order
so the fragmented file plays from its start.
"""
from __future__ import annotations

import heapq
import os
from collections.abc import Iterator
from contextlib import ExitStack
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}


def has_sound(path: Path) -> bool:
    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def add_sound(picture: Path, source: Path, *, start: float = 0.0, end: float | None = None,
              silence: tuple[float, float] | None = None) -> None:
    """Give `picture` (a video-only file, rewritten in place) the sound tracks of `source`
    between `start` and `end` (moved to start at 0), silent within `silence` (source times)."""
    target = picture.with_name(picture.stem + ".sound" + picture.suffix)
    with ExitStack() as files:
        try:
            video_in = files.enter_context(av.open(str(picture)))
            out = files.enter_context(av.open(str(target), "w", format="mp4", options=FRAGMENTED))
            video = video_in.streams.video[0]
            streams = [_video_packets(video_in, video, out.add_stream_from_template(video))]
            # each track read through a container of its own: one demuxer read by two
            # decoders would hand each only half of the packets
            count = len(files.enter_context(av.open(str(source))).streams.audio)
            for index in range(count):
                sound_in = files.enter_context(av.open(str(source)))
                stream = sound_in.streams.audio[index]
                rate = stream.codec_context.sample_rate
                track = out.add_stream("aac", rate=rate, layout="mono")
                track.time_base = Fraction(1, rate)
                track.metadata["handler_name"] = stream.metadata.get("handler_name", "")
                streams.append(_sound_packets(sound_in, stream, track, start, end, silence, index + 1))
            for _, _, packet in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
                out.mux(packet)
            out.close()
            os.replace(target, picture)
        finally:
            target.unlink(missing_ok=True)


def _video_packets(container, stream, out_stream) -> Iterator[tuple[float, int, av.Packet]]:
    for packet in container.demux(stream):
        if packet.dts is None:
            continue
        t = float(packet.dts * packet.time_base)
        packet.stream = out_stream
        yield t, 0, packet


def _sound_packets(container, stream, track, start: float, end: float | None,
                   silence: tuple[float, float] | None, order: int) -> Iterator[tuple[float, int, av.Packet]]:
    """The track's samples in [start, end], silenced in `silence`, encoded again; sample i
    of the output is at time i / rate."""
    rate = stream.codec_context.sample_rate
    first = round(start * rate)
    last = None if end is None else round(end * rate)
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        index = round(float(frame.pts * frame.time_base) * rate)
        samples = frame.to_ndarray().reshape(-1).astype(np.float32)
        if silence is not None:
            a, b = (round(t * rate) - index for t in silence)
            samples[max(0, a):max(0, min(len(samples), b))] = 0.0
        lo, hi = max(index, first), index + len(samples) if last is None else min(index + len(samples), last)
        if hi <= lo:
            if last is not None and index >= last:
                break
            continue
        samples = samples[lo - index:hi - index]
        out = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        out.sample_rate, out.pts, out.time_base = rate, lo - first, Fraction(1, rate)
        yield from _timed(track.encode(out), order)
    yield from _timed(track.encode(None), order)


def _timed(packets, order: int) -> Iterator[tuple[float, int, av.Packet]]:
    """Packets with their time; the encoder's priming packet (pts < 0) is left out, or the
    muxer would move the whole track late by its length (a fragmented MP4 has no edit list)."""
    for packet in packets:
        if packet.pts is not None and packet.pts >= 0:
            yield float(packet.dts * packet.time_base), order, packet
