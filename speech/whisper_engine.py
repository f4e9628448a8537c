"""faster-whisper (CTranslate2): accurate, heavier, and only from a model folder on disk.

The lab may not send participants' voices anywhere and may have no network at all, so
the model is never fetched at run time: HF_HUB_OFFLINE is set before the library loads,
and a missing model is an error that says how to bring one.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sessions.errors import BadRequest, NotFound
from sessions.transcripts import Segment, Word
from speech.audio import RATE, Track
from speech.base import Progress

GET_A_MODEL = ("on a machine with network: pip install 'huggingface_hub[cli]' && "
               "huggingface-cli download Systran/faster-whisper-small --local-dir whisper-small, "
               "then copy the folder here and pass --model whisper-small")


def check_model(model: Path | None) -> Path:
    """A CTranslate2 Whisper model folder (model.bin and config.json), or a clear error."""
    if model is None:
        raise BadRequest(f"the whisper engine needs --model DIR, a local model folder; to get one, {GET_A_MODEL}")
    model = Path(model)
    if not (model / "model.bin").is_file() or not (model / "config.json").is_file():
        raise NotFound(f"no Whisper model in {model} (model.bin and config.json are missing); to get one, {GET_A_MODEL}")
    return model


class WhisperEngine:
    name = "whisper"

    def __init__(self, model: Path | None) -> None:
        folder = check_model(model)
        os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for the network, whatever happens below
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise BadRequest("the whisper engine is not installed: pip install 'uxlab[whisper]'") from None
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1,
                                  local_files_only=True)

    def transcribe(self, track: Track, progress: Progress | None = None) -> list[Segment]:
        audio = track.samples.astype(np.float32) / 32768.0
        pieces, _ = self.model.transcribe(audio, word_timestamps=True, vad_filter=True,
                                          condition_on_previous_text=False)
        segments = []
        for piece in pieces:
            words = tuple(Word(track.start + w.start, track.start + max(w.end, w.start), w.word.strip(),
                               min(1.0, max(0.0, w.probability)))
                          for w in piece.words or () if w.word.strip())
            if words:
                confidence = float(np.exp(piece.avg_logprob)) if piece.avg_logprob is not None else None
                segments.append(Segment(words[0].t, words[-1].end, track.speaker, words,
                                        None if confidence is None else min(1.0, confidence)))
            if progress:
                progress(min(piece.end, len(audio) / RATE))
        if progress:
            progress(track.duration)
        return segments
