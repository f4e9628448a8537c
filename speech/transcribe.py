"""Transcribe recorded sessions: read the voice tracks of a session's video, run an engine,
drop anything said during a privacy pause, and store the segments.

The recorder stores silence during a privacy pause, so nothing is said there to begin
with; the pause is also enforced here, so words can never enter the study from a
stretch the participant asked to keep private, whatever the sound holds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sessions.errors import Conflict, NotFound
from sessions.events import SessionStatus
from sessions.store import Store
from sessions.transcripts import Segment, Transcripts
from speech.audio import RATE, Track, audio_track_count, read_tracks
from speech.base import Engine

# called with (seconds of sound done, seconds of sound in all) for a progress bar
StudyProgress = Callable[[float, float], None]


@dataclass(frozen=True)
class Transcribed:
    session_id: str
    segments: int
    words: int
    seconds: float   # of sound transcribed, all tracks together


def video_of(store: Store, session: dict) -> Path | None:
    """The session's screen video, which carries its voice tracks (None if it has none)."""
    try:
        return store.media.video(session)
    except NotFound:
        return None


def sound_seconds(store: Store, session: dict) -> float:
    """The length of sound to transcribe (session duration times voice tracks), for progress."""
    return (session["duration"] or 0.0) * min(2, _tracks(store, session))


def sessions_to_transcribe(store: Store, session_id: str | None = None, *, again: bool = False) -> list[dict]:
    """The finished sessions with sound: one named session (always), or every one not yet
    transcribed (all of them with `again`)."""
    if session_id is not None:
        session = store.sessions.get(session_id)
        if session["status"] == SessionStatus.RECORDING:
            raise Conflict(f"session {session_id} is still recording; transcribe it when it has ended")
        if not _tracks(store, session):
            raise NotFound(f"session {session_id} has no sound recorded")
        return [session]
    transcripts = Transcripts(store)
    return [s for s in store.sessions.all(order="started_at", descending=False)
            if s["status"] != SessionStatus.RECORDING
            and (again or not transcripts.is_transcribed(s["id"]))
            and _tracks(store, s)]


def has_sound(store: Store, session: dict) -> bool:
    """Whether the session's video carries at least one voice track."""
    return _tracks(store, session) > 0


def _tracks(store: Store, session: dict) -> int:
    video = video_of(store, session)
    return audio_track_count(video) if video is not None else 0


def transcribe_session(store: Store, session_id: str, engine: Engine,
                       progress: Callable[[float], None] | None = None) -> Transcribed:
    """Transcribe every voice track of one session and replace its stored transcript."""
    session = store.sessions.get(session_id)
    transcripts = Transcripts(store)
    pauses = transcripts.privacy_pauses(session_id)
    segments: list[Segment] = []
    done = 0.0
    video = video_of(store, session)
    if video is None:
        raise NotFound(f"session {session_id} has no video, so no sound to transcribe")
    for track in read_tracks(video):
        track = _silence(track, pauses)
        step = (lambda s, base=done: progress(base + s)) if progress else None
        segments += [kept for s in engine.transcribe(track, step) if (kept := _outside(s, pauses))]
        done += track.duration
    transcripts.replace(session_id, segments, engine.name)
    return Transcribed(session_id, len(segments), sum(len(s.words) for s in segments), done)


def _silence(track: Track, pauses: list[tuple[float, float]]) -> Track:
    """The track with every privacy pause zeroed, so no engine ever hears it."""
    if not pauses:
        return track
    samples = track.samples.copy()
    for a, b in pauses:
        i, j = max(0, round((a - track.start) * RATE)), max(0, round((b - track.start) * RATE))
        samples[i:j] = 0
    return Track(track.speaker, track.start, samples)


def _outside(segment: Segment, pauses: list[tuple[float, float]]) -> Segment | None:
    """The segment without any word that overlaps a privacy pause (None if none is left)."""
    words = tuple(w for w in segment.words if not any(w.t < b and w.end > a for a, b in pauses))
    if not words:
        return None
    if len(words) == len(segment.words):
        return segment
    return Segment(words[0].t, words[-1].end, segment.speaker, words, segment.confidence)


__all__ = ["Transcribed", "sessions_to_transcribe", "sound_seconds", "transcribe_session"]
