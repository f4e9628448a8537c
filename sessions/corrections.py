"""A researcher's corrections of a transcript: stored beside the machine's text, audited,
reversible, and kept when the session is transcribed again.

A corrected segment's `text` (and its words) become the researcher's, so search, exports,
captions, quotes and reels, which all read segments and words, use the correction without
knowing about it; `machine_text` keeps what the engine said. Each correction also has a
row of its own (its span, speaker, the machine's text and words, the researcher's words)
so that a new transcription, which replaces every machine segment, can put it back over
the stretch it covers, and so that reverting restores the machine's words exactly.
"""
from __future__ import annotations

import difflib
import json
from collections.abc import Sequence

import sqlite_utils

from sessions.errors import BadRequest, Conflict, NotFound
from sessions.events import AuditAction, SessionStatus
from sessions.store import Store, now_iso

CORRECT_ACTION = AuditAction.CORRECT_TRANSCRIPT
REVERT_ACTION = AuditAction.REVERT_CORRECTION
MAX_TEXT = 2000
TimedWord = tuple[float, float, str]


def align(machine: Sequence[TimedWord], text: str, start: float, end: float) -> list[TimedWord]:
    """The corrected words on the clock: words the researcher kept keep the machine's times;
    new or changed words share the time of the words they replace (or the gap they fill)."""
    new = text.split()
    old_texts = [w[2].lower().strip(".,!?;:") for w in machine]
    matcher = difflib.SequenceMatcher(a=old_texts, b=[w.lower().strip(".,!?;:") for w in new], autojunk=False)
    placed: list[TimedWord] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            placed += [(machine[i][0], machine[i][1], new[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
        elif j2 > j1:   # replace or insert: spread over the replaced words, or the gap between neighbours
            a = machine[i1][0] if i2 > i1 else (placed[-1][1] if placed else start)
            b = machine[i2 - 1][1] if i2 > i1 else (machine[i1][0] if i1 < len(machine) else end)
            a, b = min(a, b), max(a, b)
            step = (b - a) / (j2 - j1)
            placed += [(round(a + k * step, 3), round(a + (k + 1) * step, 3), new[j1 + k]) for k in range(j2 - j1)]
    return placed


class Corrections:
    """The corrections side of a study's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self.store.db

    def correct(self, session_id: str, segment_id: int, text: str, *, actor: str) -> dict:
        """Make `text` the segment's words, keeping the machine's text beside it; returns the
        segment as it now reads."""
        session = self.store.sessions.get(session_id)
        if session["status"] == SessionStatus.RECORDING:
            raise Conflict(f"session {session_id} is still recording; correct its transcript when it has ended")
        if not isinstance(text, str) or not text.split():
            raise BadRequest("a corrected segment needs at least one word")
        text = " ".join(text.split())
        if len(text) > MAX_TEXT:
            raise BadRequest(f"a corrected segment is at most {MAX_TEXT} characters, got {len(text)}")
        segment = self._segment(session_id, segment_id)
        words = self._words(segment_id)
        if text == segment["text"]:
            return segment
        active = self._active(session_id, segment_id)
        machine_text = segment["machine_text"] or segment["text"]
        machine_words = json.loads(active["machine_words"]) if active else [list(w) for w in words]
        placed = align(words, text, segment["t"], segment["end"])
        with self.db.conn:
            if active:
                self.db.execute("UPDATE corrections SET text = ?, words = ?, author = ?, created = ? WHERE id = ?",
                                [text, json.dumps(placed), actor, now_iso(), active["id"]])
            else:
                self.db.execute(
                    "INSERT INTO corrections (session_id, segment_id, speaker, t, end, machine_text, machine_words, "
                    "text, words, author, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [session_id, segment_id, segment["speaker"], segment["t"], segment["end"], machine_text,
                     json.dumps(machine_words), text, json.dumps(placed), actor, now_iso()])
            self._write(segment_id, session_id, placed, text, machine_text, actor)
            self._audit(actor, CORRECT_ACTION, session_id,
                        {"segment": segment_id, "t": segment["t"], "from": segment["text"], "to": text})
        return self._segment(session_id, segment_id)

    def revert(self, session_id: str, segment_id: int, *, actor: str) -> dict:
        """Put the machine's words back in a corrected segment; the correction stays in the
        audit log."""
        self.store.sessions.get(session_id)
        segment = self._segment(session_id, segment_id)
        active = self._active(session_id, segment_id)
        if active is None:
            raise BadRequest(f"segment {segment_id} has no correction to revert")
        machine = [tuple(w) for w in json.loads(active["machine_words"])]
        with self.db.conn:
            self.db.execute("UPDATE corrections SET reverted = ?, reverted_by = ? WHERE id = ?",
                            [now_iso(), actor, active["id"]])
            self._write(segment_id, session_id, machine, active["machine_text"], None, None)
            self._audit(actor, REVERT_ACTION, session_id,
                        {"segment": segment_id, "t": segment["t"], "from": segment["text"],
                         "to": active["machine_text"]})
        return self._segment(session_id, segment_id)

    def segment_at(self, session_id: str, t: float, speaker: str) -> int:
        """The id of the speaker's segment that starts at `t` (as the replay shows it, to the
        millisecond): how a page names a segment without knowing the store's ids."""
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < 1e9:
            raise BadRequest(f"a segment's start is a number of seconds, got {t!r}")
        row = self.db.execute("SELECT id FROM segments WHERE session_id = ? AND speaker = ? AND abs(t - ?) < 0.0005 "
                              "ORDER BY id LIMIT 1", [session_id, speaker, float(t)]).fetchone()
        if row is None:
            raise NotFound(f"no segment of the {speaker} at {t:.3f} s in session {session_id}")
        return int(row[0])

    def words_of(self, segment_id: int) -> list[TimedWord]:
        """The segment's words on the clock, as it now reads."""
        return self._words(segment_id)

    def history(self, session_id: str) -> list[dict]:
        """Every correction of the session, reverted ones too, in time order."""
        return [{k: v for k, v in row.items() if k not in ("machine_words", "words")}
                for row in self.db.query("SELECT * FROM corrections WHERE session_id = ? ORDER BY t, id",
                                         [session_id])]

    def reapply(self, session_id: str) -> int:
        """After a new machine transcript: each standing correction replaces the machine
        segments of its speaker that overlap its span, and takes their text as the machine's.
        Runs inside the caller's transaction. Returns corrections applied."""
        rows = list(self.db.query("SELECT * FROM corrections WHERE session_id = ? AND reverted IS NULL ORDER BY t",
                                  [session_id]))
        for row in rows:
            overlapped = list(self.db.query(
                "SELECT id, text, engine, confidence FROM segments WHERE session_id = ? AND speaker = ? "
                "AND t < ? AND end > ? ORDER BY t", [session_id, row["speaker"], row["end"], row["t"]]))
            ids = [s["id"] for s in overlapped]
            machine_words = [list(w) for sid in ids for w in self._words(sid)]
            machine_text = " ".join(s["text"] for s in overlapped) or row["machine_text"]
            for sid in ids:
                self.db.execute("DELETE FROM words WHERE segment_id = ?", [sid])
                self.db.execute("DELETE FROM segments WHERE id = ?", [sid])
            engine = overlapped[0]["engine"] if overlapped else None
            cursor = self.db.execute(
                "INSERT INTO segments (session_id, t, end, speaker, text, confidence, engine) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [session_id, row["t"], row["end"], row["speaker"], row["text"], None, engine])
            segment_id = cursor.lastrowid
            assert segment_id is not None   # an INSERT into a rowid table always gives one
            placed = [tuple(w) for w in json.loads(row["words"])]
            self._write(segment_id, session_id, placed, row["text"], machine_text, row["author"])
            self.db.execute("UPDATE corrections SET segment_id = ?, machine_text = ?, machine_words = ? WHERE id = ?",
                            [segment_id, machine_text, json.dumps(machine_words or json.loads(row["machine_words"])),
                             row["id"]])
        return len(rows)

    def forget_between(self, session_id: str, start: float, end: float) -> None:
        """A black-out: the words said inside [start, end) leave every correction too (its
        machine words and its researcher's words); a correction left with no words goes."""
        for row in list(self.db.query("SELECT * FROM corrections WHERE session_id = ? AND t < ? AND end > ?",
                                      [session_id, end, start])):
            outside = [[w for w in json.loads(row[key]) if not (w[0] < end and w[1] > start)]
                       for key in ("machine_words", "words")]
            if not outside[1]:
                self.db.execute("DELETE FROM corrections WHERE id = ?", [row["id"]])
                continue
            self.db.execute(
                "UPDATE corrections SET machine_words = ?, machine_text = ?, words = ?, text = ?, t = ?, end = ? "
                "WHERE id = ?", [json.dumps(outside[0]), " ".join(w[2] for w in outside[0]), json.dumps(outside[1]),
                                 " ".join(w[2] for w in outside[1]), outside[1][0][0],
                                 max(w[1] for w in outside[1]), row["id"]])

    # -- inside ------------------------------------------------------------------------
    def _segment(self, session_id: str, segment_id: int) -> dict:
        rows = list(self.db.query(
            "SELECT id, t, end, speaker, text, confidence, engine, machine_text, corrected_by FROM segments "
            "WHERE id = ? AND session_id = ?", [segment_id, session_id]))
        if not rows:
            raise NotFound(f"no transcript segment {segment_id!r} in session {session_id}")
        return rows[0]

    def _words(self, segment_id: int) -> list[TimedWord]:
        return [(w[0], w[1], w[2]) for w in self.db.execute(
            "SELECT t, end, text FROM words WHERE segment_id = ? ORDER BY t, id", [segment_id])]

    def _active(self, session_id: str, segment_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM corrections WHERE session_id = ? AND segment_id = ? "
                                  "AND reverted IS NULL", [session_id, segment_id]))
        return rows[0] if rows else None

    def _write(self, segment_id: int, session_id: str, words: Sequence[TimedWord], text: str,
               machine_text: str | None, actor: str | None) -> None:
        """The segment's words and text as given; `machine_text` None means it reads as the machine said."""
        self.db.execute("DELETE FROM words WHERE segment_id = ?", [segment_id])
        self.db.conn.executemany(
            "INSERT INTO words (segment_id, session_id, t, end, text, confidence) VALUES (?, ?, ?, ?, ?, ?)",
            [(segment_id, session_id, round(a, 3), round(b, 3), w, None) for a, b, w in words])
        span = (min(w[0] for w in words), max(w[1] for w in words)) if words else (None, None)
        self.db.execute("UPDATE segments SET text = ?, machine_text = ?, corrected_by = ?, "
                        "t = coalesce(?, t), end = coalesce(?, end) WHERE id = ?",
                        [text, machine_text, actor, span[0], span[1], segment_id])

    def _audit(self, actor: str, action: str, session_id: str, detail: dict) -> None:
        self.db.execute("INSERT INTO audit (at, actor, action, session_id, detail) VALUES (?, ?, ?, ?, ?)",
                        [now_iso(), actor, action, session_id, json.dumps(detail)])


__all__ = ["CORRECT_ACTION", "Corrections", "REVERT_ACTION", "align"]
