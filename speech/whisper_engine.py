"""faster-whisper (CTranslate2): the accurate engine, from a verified model folder on disk.

The lab may not send participants' voices anywhere and may have no network at all, so
the model is never fetched at run time: HF_HUB_OFFLINE is set before the library loads,
and the folder comes from speech/models.py, which has already proven its bytes. One
thread and int8 (the only fast type this CPU offers) keep a transcription from taking the
machine from a live session.

How the sound is handed to Whisper was measured on one recorded session of LibriVox and
espeak-ng utterances (bench/transcription.py):
- In windows that begin where speech begins and end in a silence (WINDOW), not through
  faster-whisper's own VAD filter: that one glues the speech together and cuts 30 s windows
  anywhere, and an utterance at a window's start was dropped or its words put 0.7 s early
  (worst onset 0.68-0.77 s in three recordings; 0.19-0.23 s in windows).
- Without the previous window's text as a prompt: with it, a word misheard once was
  misheard the same way later ("forum" for "form" in every voice) and a whole earlier
  sentence was written again inside a later one.
- With a fixed seed for the sampling Whisper falls back to on an unlikely decoding, so the
  same sound always gives the same transcript (unseeded, one recording's espeak-ng voice
  scored 22.0 % and 16.9 % on two runs).
- With a second look at speech no word touches (`unheard`): Whisper at times begins a
  window's text past its first utterance, and four utterances of one recording were lost.
"""
from __future__ import annotations

import os
from bisect import bisect_left
from itertools import accumulate
from pathlib import Path

import numpy as np

from sessions.errors import BadRequest
from sessions.transcripts import Segment, Word
from speech.audio import RATE, Track
from speech.base import Progress

BEAM_SIZE = 5
PAUSE = 1.0           # seconds of silence between two words that end an utterance
SENTENCE_PAUSE = 0.3  # ... or this much after a sentence's closing mark
WINDOW = 15.0         # seconds: speech a silence apart is decoded together up to this span
WINDOW_SILENCE_MS = 1000   # the silence a window may end in
WINDOW_PAD_MS = 400        # sound kept either side of the speech (faster-whisper's own VAD pad)
PAD = WINDOW_PAD_MS / 1000
UNHEARD_MIN = 0.4          # seconds: speech this long that no word covers is decoded again
SEED = 1
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
        duration = len(audio) / RATE
        clips = windows(speech_regions(audio, WINDOW_SILENCE_MS, WINDOW_PAD_MS), duration)
        if not clips:   # nothing but silence: nothing to say, and nothing to make up
            if progress:
                progress(track.duration)
            return []
        speech = [(track.start + a, track.start + b) for a, b in speech_regions(audio)]
        pieces = self._decode(audio, clips, track.start, progress)
        heard = [w for words, _ in pieces for w in words]
        again = [(max(0.0, a - track.start - PAD), min(duration, b - track.start + PAD))
                 for a, b in unheard(speech, heard)]
        pieces += self._decode(audio, again, track.start, None) if again else []
        segments: list[Segment] = []
        for words, confidence in sorted(pieces, key=lambda piece: piece[0][0].t):
            for run in utterances(words, speech):
                run = onset_on_speech(run, speech)
                segments.append(Segment(run[0].t, run[-1].end, track.speaker, run, confidence))
        if progress:
            progress(track.duration)
        return segments

    def _decode(self, audio: np.ndarray, clips: list[tuple[float, float]], start: float,
                progress: Progress | None) -> list[tuple[tuple[Word, ...], float | None]]:
        """Whisper's pieces of the clips (seconds of the track) as words on the session clock
        (`start` is the track's), each piece with its confidence; pieces without words dropped."""
        import ctranslate2
        ctranslate2.set_random_seed(SEED)
        pieces, _ = self.model.transcribe(audio, beam_size=BEAM_SIZE, word_timestamps=True, vad_filter=False,
                                          clip_timestamps=[t for clip in clips for t in clip],
                                          condition_on_previous_text=False)
        found = []
        for piece in pieces:
            words = joined(tuple(Word(start + w.start, start + max(w.end, w.start), w.word,
                                      min(1.0, max(0.0, w.probability)))
                                 for w in piece.words or () if w.word.strip()))
            confidence = None if piece.avg_logprob is None else min(1.0, float(np.exp(piece.avg_logprob)))
            if words:
                found.append((words, confidence))
            if progress:
                progress(min(piece.end, len(audio) / RATE))
        return found


def unheard(speech: list[tuple[float, float]], words: list[Word]) -> list[tuple[float, float]]:
    """The stretches of speech (at least UNHEARD_MIN long) that no word touches.

    Whisper decodes a window by first predicting where its text begins, and at times it
    predicts a time past the window's first utterance and writes nothing for it: in the
    benchmark's recordings, the short last sentence of a voice and, once, the first two
    sentences (5 s) of a window were lost that way. Such speech is decoded again on its own.
    A stretch is touched when a word starting before its end ends after its start: with the
    words in order of start and the latest end so far beside each, one search a stretch
    (an hour's session has thousands of stretches and words).
    """
    ordered = sorted(words, key=lambda w: w.t)
    starts = [w.t for w in ordered]
    latest = list(accumulate((w.end for w in ordered), max))
    found = []
    for a, b in speech:
        before = bisect_left(starts, b)   # the words that start before the stretch ends
        if b - a >= UNHEARD_MIN and not (before and latest[before - 1] > a):
            found.append((a, b))
    return found


def speech_regions(audio: np.ndarray, min_silence_ms: int = 300, pad_ms: int = 0) -> list[tuple[float, float]]:
    """Where the voice-activity detector hears speech, in seconds of the track: stretches
    at least `min_silence_ms` apart, widened by `pad_ms` each side."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps
    found = get_speech_timestamps(audio, VadOptions(speech_pad_ms=pad_ms, min_silence_duration_ms=min_silence_ms))
    return [(r["start"] / RATE, r["end"] / RATE) for r in found]


def windows(regions: list[tuple[float, float]], duration: float, span: float = WINDOW) -> list[tuple[float, float]]:
    """The stretches Whisper decodes one by one: speech regions joined while the whole stays
    within `span` seconds (a region longer than that is one stretch, which Whisper itself
    walks through in 30 s steps), so each begins where speech begins and ends in a silence."""
    found: list[list[float]] = []
    for a, b in regions:
        a, b = max(0.0, a), min(duration, b)
        if found and b - found[-1][0] <= span:
            found[-1][1] = b
        elif b > a:
            found.append([a, b])
    return [(a, b) for a, b in found]


def joined(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Whisper's words with a piece that carries no leading space (the "-hearted" of
    "cold-hearted", which its tokenizer splits off at the hyphen) put back onto the word
    before it, so a transcript reads "cold-hearted", not "cold -hearted"; texts stripped."""
    found: list[Word] = []
    for w in words:
        if found and not w.text.startswith(" ") and w.text.startswith("-"):
            last = found[-1]
            both = (last.confidence, w.confidence)
            found[-1] = Word(last.t, max(last.end, w.end), last.text + w.text.strip(),
                             None if None in both else min(c for c in both if c is not None))
        else:
            found.append(Word(w.t, w.end, w.text.strip(), w.confidence))
    return tuple(found)


def onset_on_speech(run: tuple[Word, ...], speech: list[tuple[float, float]]) -> tuple[Word, ...]:
    """The utterance with its first word starting where speech does (`speech` on the same clock).

    Whisper's word times come from cross-attention over the padded stretch it is handed,
    so the first word of a stretch absorbs the silence before it (0.4 s early in the
    benchmark), and after an utterance it could not make out, the next one's words were
    all put 0.77 s early, in the silence. A first word that starts where the voice-activity
    detector heard no speech starts instead where the detector next heard speech begin,
    if that is before the utterance ends; it is never moved earlier. When that is past the
    first word's end the whole utterance was put early, and all its words move together:
    moving the first alone put it after the second ("are There too many options").
    """
    first = run[0]
    if any(a <= first.t < b for a, b in speech):
        return run
    onset = next((a for a, _ in speech if a > first.t), None)
    if onset is None or onset >= run[-1].end:
        return run
    if onset < first.end:   # the first word absorbed the silence before it
        t = min(onset, first.end - 0.02)
        return (Word(t, first.end, first.text, first.confidence), *run[1:])
    shift = onset - first.t   # the whole utterance put early: every word moves, in order
    return tuple(Word(w.t + shift, w.end + shift, w.text, w.confidence) for w in run)


def silence_between(a: Word, b: Word, speech: list[tuple[float, float]]) -> float:
    """The longest silence the detector heard between the speech of one word and the next
    (`speech` on the words' clock, in order): a pause that Whisper's word times, which
    stretch a word over the silence beside it, hide. Each word is placed in the stretch of
    speech it overlaps most; 0 when either lies in none."""
    def region(w: Word) -> int | None:
        overlaps = [min(e, w.end) - max(s, w.t) for s, e in speech]
        best = max(range(len(speech)), key=overlaps.__getitem__, default=None)
        return best if best is not None and overlaps[best] > 0 else None
    i, j = region(a), region(b)
    if i is None or j is None or j <= i:
        return 0.0
    return max(speech[k + 1][0] - speech[k][1] for k in range(i, j))


def utterances(words: tuple[Word, ...], speech: list[tuple[float, float]] | None = None) -> list[tuple[Word, ...]]:
    """Whisper's segments can hold several utterances a pause apart; a segment is cut where
    the speaker paused (PAUSE), or paused briefly after a sentence ended, so that each segment
    starts where someone started speaking and a quote is one utterance. The pause is the
    longer of the gap in word times and the silence the detector heard between the words."""
    runs: list[list[Word]] = []
    for word in words:
        if runs:
            last = runs[-1][-1]
            gap = max(word.t - last.end, silence_between(last, word, speech) if speech else 0.0)
            if gap < PAUSE and not (gap >= SENTENCE_PAUSE and last.text.endswith((".", "?", "!"))):
                runs[-1].append(word)
                continue
        runs.append([word])
    return [tuple(run) for run in runs]
