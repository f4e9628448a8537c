"""Transcript segments as subtitles: WebVTT for the browser's <track> and clips, SubRip
(.srt) for video editors. Cue times are session seconds minus an offset (a clip's start)."""
from __future__ import annotations

from collections.abc import Iterable

CAPTION_FORMATS = ("vtt", "srt")


def _stamp(seconds: float, separator: str) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{separator}{ms % 1000:03d}"


def _clipped(segments: Iterable[dict], start: float, end: float | None) -> list[tuple[float, float, dict]]:
    cues = []
    for s in segments:
        a, b = max(s["t"], start), s["end"] if end is None else min(s["end"], end)
        if b > a or (b == a and s["t"] >= start):
            cues.append((a - start, max(b, a + 0.2) - start, s))
    return cues


def _vtt_text(text: str) -> str:
    """Cue text cannot hold `-->`, and <, > and & would start markup."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", " "))


def webvtt(segments: Iterable[dict], *, start: float = 0.0, end: float | None = None,
           speakers: bool = False) -> str:
    """A WebVTT file of the segments (dicts with t, end, speaker, text) inside [start, end]."""
    lines = ["WEBVTT", ""]
    for a, b, s in _clipped(segments, start, end):
        voice = f"<v {s['speaker']}>" if speakers else ""
        lines += [f"{_stamp(a, '.')} --> {_stamp(b, '.')}", f"{voice}{_vtt_text(s['text'])}", ""]
    return "\n".join(lines)


def srt(segments: Iterable[dict], *, start: float = 0.0, end: float | None = None,
        speakers: bool = False) -> str:
    """A SubRip file of the same cues, numbered from 1."""
    lines = []
    for number, (a, b, s) in enumerate(_clipped(segments, start, end), 1):
        who = f"{s['speaker']}: " if speakers else ""
        lines += [str(number), f"{_stamp(a, ',')} --> {_stamp(b, ',')}", f"{who}{' '.join(s['text'].split())}", ""]
    return "\n".join(lines)
