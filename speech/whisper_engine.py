"""faster-whisper (CTranslate2): the accurate engine, from a verified model folder on disk.

The lab may not send participants' voices anywhere and may have no network at all, so
the model is never fetched at run time: HF_HUB_OFFLINE is set before the library loads,
and the folder comes from speech/models.py, which has already proven its bytes. One
thread and int8 (the only fast type this CPU offers) keep a transcription from taking the
machine from a live session.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sessions.errors import BadRequest
from sessions.transcripts import Segment, Word
from speech.audio import RATE, Track
from speech.base import Progress

BEAM_SIZE = 5
PAUSE = 1.0           # seconds of silence between two words that end an utterance
SENTENCE_PAUSE = 0.3  # ... or this much after a sentence's closing mark
INSTALL = "pip install faster-whisper (make setup installs it)"


def load_model(folder: Path, threads: int = 1):
    """A faster_whisper.WhisperModel for a model folder that speech.models has verified."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for the network, whatever happens below
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise BadRequest(f"faster-whisper is not installed: {INSTALL}") from None
    return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads,
                        local_files_only=True)


def whisper_installed() -> bool:
    """Whether faster-whisper can be imported, found without importing it."""
    from importlib.util import find_spec
    return find_spec("faster_whisper") is not None


class WhisperEngine:
    """Segments with Whisper's own punctuation and per-word times on the session clock."""

    name = "whisper"

    def __init__(self, folder: Path, model_name: str, *, threads: int = 1) -> None:
        self.folder = Path(folder)
        self.model_name = model_name
        self.model = load_model(self.folder, threads)

    def transcribe(self, track: Track, progress: Progress | None = None) -> list[Segment]:
        audio = track.samples.astype(np.float32) / 32768.0
        pieces, _ = self.model.transcribe(audio, beam_size=BEAM_SIZE, word_timestamps=True, vad_filter=True,
                                          condition_on_previous_text=False)
        speech = speech_regions(audio)
        segments = []
        for piece in pieces:
            words = tuple(Word(track.start + w.start, track.start + max(w.end, w.start), w.word.strip(),
                               min(1.0, max(0.0, w.probability)))
                          for w in piece.words or () if w.word.strip())
            confidence = float(np.exp(piece.avg_logprob)) if piece.avg_logprob is not None else None
            for run in utterances(words):
                run = onset_on_speech(run, speech, track.start)
                segments.append(Segment(run[0].t, run[-1].end, track.speaker, run,
                                        None if confidence is None else min(1.0, confidence)))
            if progress:
                progress(min(piece.end, len(audio) / RATE))
        if progress:
            progress(track.duration)
        return segments


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where the voice-activity detector hears speech, in seconds of the track, unpadded."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps
    found = get_speech_timestamps(audio, VadOptions(speech_pad_ms=0, min_silence_duration_ms=300))
    return [(r["start"] / RATE, r["end"] / RATE) for r in found]


def onset_on_speech(run: tuple[Word, ...], speech: list[tuple[float, float]], start: float) -> tuple[Word, ...]:
    """The utterance with its first word starting where speech does.

    Whisper's word times come from cross-attention over the padded stretch the detector
    hands it, so the first word of a stretch absorbs the leading silence (0.4 s early in
    the benchmark). When the voice-activity detector heard speech begin inside that first
    word, the word starts there instead; it is never moved earlier.
    """
    first = run[0]
    t, end = first.t - start, first.end - start
    onset = next((a for a, b in speech if b > t and a < end), None)
    if onset is None or onset <= t:
        return run
    moved = Word(start + min(onset, end - 0.02), first.end, first.text, first.confidence)
    return (moved, *run[1:])


def utterances(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """Whisper's segments can hold several utterances a pause apart; a segment is cut where
    the speaker paused (PAUSE), or paused briefly after a sentence ended, so that each segment
    starts where someone started speaking and a quote is one utterance."""
    runs: list[list[Word]] = []
    for word in words:
        if runs:
            gap = word.t - runs[-1][-1].end
            if gap < PAUSE and not (gap >= SENTENCE_PAUSE and runs[-1][-1].text.endswith((".", "?", "!"))):
                runs[-1].append(word)
                continue
        runs.append([word])
    return [tuple(run) for run in runs]
