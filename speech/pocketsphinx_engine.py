"""CMU pocketsphinx: offline, light (real-time factor ~0.3 on one core), modest accuracy.

Its own voice-activity endpointer cuts the track into stretches of speech; each stretch
is decoded as one utterance, and the decoder's word segmentation (10 ms frames) puts each
word on the session clock.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from sessions.errors import BadRequest
from sessions.transcripts import Segment, Word
from speech.audio import RATE, Track
from speech.base import Progress

FRAME_RATE = 100          # pocketsphinx's default: one feature frame per 10 ms
MAX_HMM_PER_FRAME = 3000
_ALTERNATE = re.compile(r"\(\d+\)$")   # "read(2)": the second pronunciation of "read"


def _is_word(token: str) -> bool:
    """Sentence marks, silences and noise/filler tokens are not words anyone said."""
    return not (token.startswith(("<", "[", "+")) or not token.strip())


class PocketsphinxEngine:
    name = "pocketsphinx"

    def __init__(self, model: Path | None = None) -> None:
        from pocketsphinx import Config, Decoder
        # at most 3,000 active HMMs per frame (the default is 30,000): measured on the
        # benchmark's sentences, a third less CPU at the same word error rate
        config = Config(loglevel="FATAL", bestpath=True, maxhmmpf=MAX_HMM_PER_FRAME)
        if model is not None:
            # a folder laid out like the wheel's own en-us model: acoustic model, .lm.bin, .dict
            model = Path(model)
            if not model.is_dir():
                raise BadRequest(f"no pocketsphinx model folder at {model}")
            config["hmm"] = str(model)
            lms, dicts = sorted(model.glob("*.lm.bin")), sorted(model.glob("*.dict"))
            if lms:
                config["lm"] = str(lms[0])
            if dicts:
                config["dict"] = str(dicts[0])
        self.decoder = Decoder(config)

    def transcribe(self, track: Track, progress: Progress | None = None) -> list[Segment]:
        from pocketsphinx import Segmenter
        segmenter = Segmenter(sample_rate=RATE)
        segments = []
        for region in segmenter.segment(io.BytesIO(track.samples.tobytes())):
            segment = self._decode(region.pcm, track.start + region.start_time, track.speaker)
            if segment is not None:
                segments.append(segment)
            if progress:
                progress(region.end_time)
        if progress:
            progress(track.duration)
        return segments

    def _decode(self, pcm: bytes, offset: float, speaker: str) -> Segment | None:
        decoder = self.decoder
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        words = tuple(
            Word(offset + s.start_frame / FRAME_RATE, offset + (s.end_frame + 1) / FRAME_RATE,
                 _ALTERNATE.sub("", s.word))
            for s in decoder.seg() if _is_word(s.word))
        if not words or hypothesis is None:
            return None
        # pocketsphinx gives the posterior of the whole hypothesis: its per-word geometric
        # mean is the segment's confidence (it has no calibrated per-word posterior here)
        confidence = min(1.0, max(0.0, hypothesis.prob)) ** (1 / len(words))
        return Segment(words[0].t, words[-1].end, speaker, words, confidence)
