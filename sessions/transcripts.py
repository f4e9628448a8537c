"""Think-aloud transcripts in the store: segments and their words on the session clock,
full-text search over transcripts and notes, and the rows the exports write.

A transcript is derived data (an engine made it from the sound), so a session's transcript
is replaced as a whole when it is made again, except where a researcher corrected it
(sessions/corrections.py); a researcher's black-out deletes every word inside the
blacked-out stretch, because what was said there must leave the study too.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from sessions.corrections import Corrections
from sessions.errors import BadRequest, Conflict
from sessions.events import (
    SPEAKERS,
    AuditAction,
    MarkerKind,
    MarkerStatus,
    SessionStatus,
)
from sessions.spoken_numbers import NUMBER_WORDS, number_words, parse_cardinal
from sessions.store import Store, now_iso

TRANSCRIPT_COLUMNS = ("session", "participant", "task", "t", "end", "speaker", "text", "confidence")
TRANSCRIBE_ACTION = AuditAction.TRANSCRIBE   # the audit entry that says a session was transcribed
QUOTE_TAG = "quote"                # a note holding a participant's words
MARK_START, MARK_END = "\x02", "\x03"  # around matching words in search snippets
SEARCH_LIMIT = 200
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Word:
    t: float
    end: float
    text: str
    confidence: float | None = None


@dataclass(frozen=True)
class Segment:
    """One stretch of speech by one speaker; `text` is its words joined."""

    t: float
    end: float
    speaker: str
    words: tuple[Word, ...] = field(default_factory=tuple)
    confidence: float | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _check_time(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BadRequest(f"{what} must be a non-negative number of seconds, got {value!r}")
    return float(value)


def _check_confidence(value: float | None) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise BadRequest(f"a confidence is between 0 and 1, got {value!r}")
    return round(float(value), 4)


def _check(segment: Segment) -> None:
    if segment.speaker not in SPEAKERS:
        raise BadRequest(f"unknown speaker {segment.speaker!r} (one of {', '.join(SPEAKERS)})")
    if _check_time(segment.end, "a segment's end") < _check_time(segment.t, "a segment's start"):
        raise BadRequest(f"a segment ends before it starts ({segment.t} > {segment.end})")
    if not segment.words:
        raise BadRequest("a transcript segment needs at least one word")
    for w in segment.words:
        if _check_time(w.end, "a word's end") < _check_time(w.t, "a word's start") or not w.text.strip():
            raise BadRequest(f"not a word: {w!r}")
    _check_confidence(segment.confidence)


class Transcripts:
    """The transcript side of a study's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self.store.db

    # -- writing ---------------------------------------------------------------------
    def replace(self, session_id: str, segments: Sequence[Segment], engine: str, *,
                actor: str = "uxlab") -> int:
        """Make `segments` the session's whole transcript, in one transaction."""
        session = self.store.sessions.get(session_id)
        if session["status"] == SessionStatus.RECORDING:
            raise Conflict(f"session {session_id} is still recording")
        for segment in segments:
            _check(segment)
        db = self.db
        with db.conn:
            db.execute("DELETE FROM words WHERE session_id = ?", [session_id])
            db.execute("DELETE FROM segments WHERE session_id = ?", [session_id])
            for s in sorted(segments, key=lambda s: s.t):
                self._insert(session_id, s, engine)
            # a researcher's correction outlives the machine text it corrected
            kept = Corrections(self.store).reapply(session_id)
            db.execute("INSERT INTO audit (at, actor, action, session_id, detail) VALUES (?, ?, ?, ?, ?)",
                       [now_iso(), actor, TRANSCRIBE_ACTION, session_id,
                        json.dumps({"engine": engine, "segments": len(segments), "corrections_kept": kept})])
        return len(segments)

    def add_live(self, session_id: str, segments: Sequence[Segment], engine: str) -> int:
        """Add live captions (web.live.captions) to a session that has no full transcript:
        searchable at once as its first transcript, until `replace` (`uxlab transcribe`)
        puts the full one in their place. Returns the segments added (none once the session
        has been transcribed, so a caption arriving late never mixes into a full transcript)."""
        self.store.sessions.get(session_id)
        for segment in segments:
            _check(segment)
        with self.db.conn:
            if self.is_transcribed(session_id):
                return 0
            for s in segments:
                self._insert(session_id, s, engine)
        return len(segments)

    def _insert(self, session_id: str, s: Segment, engine: str) -> None:
        cursor = self.db.execute(
            "INSERT INTO segments (session_id, t, end, speaker, text, confidence, engine) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [session_id, round(s.t, 3), round(s.end, 3), s.speaker, s.text,
             _check_confidence(s.confidence), engine])
        self.db.conn.executemany(
            "INSERT INTO words (segment_id, session_id, t, end, text, confidence) VALUES (?, ?, ?, ?, ?, ?)",
            [(cursor.lastrowid, session_id, round(w.t, 3), round(w.end, 3), w.text.strip(),
              _check_confidence(w.confidence)) for w in s.words])

    def delete_between(self, session_id: str, start: float, end: float) -> int:
        """Delete every word said between `start` and `end` (a black-out of that stretch);
        a segment that straddles an edge keeps only its words outside. Returns words deleted."""
        start, end = _check_time(start, "start"), _check_time(end, "end")
        db = self.db
        with db.conn:
            touched = [r[0] for r in db.execute(
                "SELECT DISTINCT segment_id FROM words WHERE session_id = ? AND t < ? AND end > ?",
                [session_id, end, start])]
            touched += [r[0] for r in db.execute(
                "SELECT id FROM segments WHERE session_id = ? AND t < ? AND end > ?", [session_id, end, start])]
            deleted = db.execute("DELETE FROM words WHERE session_id = ? AND t < ? AND end > ?",
                                 [session_id, end, start]).rowcount
            for segment_id in sorted(set(touched)):
                self._rebuild(segment_id)
            Corrections(self.store).forget_between(session_id, start, end)
        return deleted

    def _rebuild(self, segment_id: int) -> None:
        """A segment's text and span from the words it still has; none left, no segment."""
        words = self.db.execute("SELECT t, end, text FROM words WHERE segment_id = ? ORDER BY t, id",
                                [segment_id]).fetchall()
        if not words:
            self.db.execute("DELETE FROM segments WHERE id = ?", [segment_id])
            return
        self.db.execute("UPDATE segments SET t = ?, end = ?, text = ? WHERE id = ?",
                        [words[0][0], max(w[1] for w in words), " ".join(w[2] for w in words), segment_id])

    # -- reading ---------------------------------------------------------------------
    def segments(self, session_id: str) -> list[dict]:
        return list(self.db.query(
            "SELECT id, t, end, speaker, text, confidence, engine, machine_text, corrected_by FROM segments "
            "WHERE session_id = ? ORDER BY t, id", [session_id]))

    def words(self, session_id: str) -> list[dict]:
        return list(self.db.query(
            "SELECT id, segment_id, t, end, text, confidence FROM words WHERE session_id = ? ORDER BY t, id",
            [session_id]))

    def is_transcribed(self, session_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM audit WHERE session_id = ? AND action = ? LIMIT 1",
                               [session_id, TRANSCRIBE_ACTION]).fetchone() is not None

    def privacy_pauses(self, session_id: str) -> list[tuple[float, float]]:
        """The stretches the recorder was paused for privacy: nothing said there is kept."""
        session = self.store.sessions.get(session_id)
        spans, opened = [], None
        for m in self.store.markers.all(session_id):
            if m["status"] != MarkerStatus.CONFIRMED:
                continue
            if m["kind"] == MarkerKind.PAUSE and opened is None:
                opened = m["t"]
            elif m["kind"] == MarkerKind.RESUME and opened is not None:
                spans.append((opened, m["t"]))
                opened = None
        if opened is not None:
            spans.append((opened, max(session["duration"] or 0.0, opened) + 1e9))
        return spans

    def study_rows(self, session_id: str | None = None) -> Iterator[dict]:
        """One export row per segment, sessions in the order they were recorded."""
        sql = (f"SELECT g.session_id AS session, s.participant, {_TASK_AT} AS task, g.t, g.end, g.speaker, "
               "g.text, g.confidence FROM segments g JOIN sessions s ON s.id = g.session_id")
        params: list = []
        if session_id is not None:
            self.store.sessions.get(session_id)
            sql += " WHERE g.session_id = ?"
            params.append(session_id)
        yield from self.db.query(sql + " ORDER BY s.started_at, s.id, g.t, g.id", params)

    def quotes(self) -> list[dict]:
        """`#quote` notes with their session's participant, in recording order."""
        rows = self.db.query(
            "SELECT n.id, n.session_id, n.t, n.text, n.author, n.tags, s.participant FROM notes n "
            "JOIN sessions s ON s.id = n.session_id, json_each(n.tags) tag WHERE tag.value = ? "
            "ORDER BY s.started_at, n.session_id, n.t", [QUOTE_TAG])
        return [{**r, "tags": json.loads(r["tags"] or "[]")} for r in rows]

    # -- search ------------------------------------------------------------------------
    def search(self, query: str, *, limit: int = SEARCH_LIMIT) -> list[dict]:
        """Transcript segments and notes matching every word of `query`, across the study.

        Each hit: kind (transcript or note), session, participant, task, t, end, who
        (speaker or author), text, and `snippet` with the matching words between
        MARK_START and MARK_END. The query's words are quoted, so FTS5 operators typed by
        a user are searched for as words, never run.
        """
        match = fts_query(query)
        segments = self.db.query(
            f"SELECT 'transcript' AS kind, g.session_id AS session, s.participant, {_TASK_AT} AS task, "
            "g.t, g.end, g.speaker AS who, g.text, "
            f"highlight(segments_fts, 0, '{MARK_START}', '{MARK_END}') AS snippet, s.started_at "
            "FROM segments_fts JOIN segments g ON g.rowid = segments_fts.rowid "
            "JOIN sessions s ON s.id = g.session_id WHERE segments_fts MATCH ? "
            "ORDER BY s.started_at, g.t LIMIT ?", [match, limit])
        notes = self.db.query(
            f"SELECT 'note' AS kind, g.session_id AS session, s.participant, {_TASK_AT} AS task, "
            "g.t, NULL AS end, g.author AS who, g.text, "
            f"highlight(notes_fts, 0, '{MARK_START}', '{MARK_END}') AS snippet, s.started_at "
            "FROM notes_fts JOIN notes g ON g.rowid = notes_fts.rowid "
            "JOIN sessions s ON s.id = g.session_id WHERE notes_fts MATCH ? "
            "ORDER BY s.started_at, g.t LIMIT ?", [match, limit])
        hits = sorted([*segments, *notes], key=lambda r: (r["started_at"], r["session"], r["t"]))
        for hit in hits:
            hit.pop("started_at")
        return hits[:limit]


# the task an attempt was running at a row's time `g.t`
_TASK_AT = ("(SELECT a.task FROM attempts a WHERE a.session_id = g.session_id AND a.started <= g.t "
            "AND (a.ended IS NULL OR a.ended >= g.t) ORDER BY a.started DESC LIMIT 1)")


def fts_query(query: str) -> str:
    """A user's words as an FTS5 query that matches rows holding all of them (each a prefix
    when it ends in `*`). Case, punctuation and word forms are the index's business (its
    porter tokenizer: "exported" finds "exports"); a number matches written either way, so
    "3" finds "three" and "twenty one" finds "21"."""
    if not isinstance(query, str):
        raise BadRequest("search for some words")
    tokens: list[tuple[str, bool]] = []
    for raw in query.split():
        found = _TOKEN.findall(raw)
        tokens += [(token.lower(), raw.endswith("*") and i == len(found) - 1) for i, token in enumerate(found)]
    if not tokens:
        raise BadRequest("search for at least one word (letters or digits)")
    terms, i = [], 0
    while i < len(tokens):
        token, prefix = tokens[i]
        said = _said_number(tokens, i)
        if said is not None:
            length, digits = said
            words = " ".join(t for t, _ in tokens[i:i + length])
            terms.append(f'("{words}" OR "{digits}")')
            i += length
            continue
        written = _DIGITS.fullmatch(token)
        if written and not prefix:
            terms.append(f'("{token}" OR "{number_words(written.group(1), None, written.group(2))}")')
        else:
            terms.append(f'"{token}"' + ("*" if prefix else ""))
        i += 1
    if len(terms) > 20:
        raise BadRequest("search for at most 20 words at once")
    return " AND ".join(terms)


_DIGITS = re.compile(r"(\d{1,12})(st|nd|rd|th|s)?")


def _said_number(tokens: list[tuple[str, bool]], start: int) -> tuple[int, str] | None:
    """The longest run of number words from `start` that says one number: (words, digits)."""
    run = 0
    while start + run < len(tokens) and tokens[start + run][0] in NUMBER_WORDS and not tokens[start + run][1]:
        run += 1
    for length in range(run, 0, -1):
        value = parse_cardinal([t for t, _ in tokens[start:start + length]])
        if value is not None:
            return length, str(value)
    return None


__all__ = ["Segment", "TRANSCRIPT_COLUMNS", "Transcripts", "Word", "fts_query"]
