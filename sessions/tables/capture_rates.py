"""Each recording session's capture rate bound (a token bucket) and what its pages had
refused, kept in the study's database rather than in one server process's memory: a page
whose batches reach two workers, or two servers of one study, meets one bound, and the
refusals of both are counted together.

A bucket holds up to `burst` events and refills at `rate` events a second of wall-clock
time (every process reads the same clock); reading and spending it is one write
transaction, so two processes cannot both spend the last of it."""
from __future__ import annotations

import time

from sessions.tables.base import Part

MALFORMED, FLOOD = "malformed", "flood"


class CaptureRates(Part):
    """The `capture_rates` table (schema v9)."""

    def take(self, session_id: str, count: int, *, rate: float, burst: float,
             now: float | None = None) -> bool:
        """Whether `count` more events fit in the session's bound; if they do, they are spent."""
        now = time.time() if now is None else now
        conn = self.db.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT level, at FROM capture_rates WHERE session_id = ?", [session_id]).fetchone()
            level, then = (burst, now) if row is None or row[0] is None else (float(row[0]), float(row[1]))
            # a clock stepped back refills nothing rather than emptying the bucket
            level = min(burst, level + max(0.0, now - then) * rate)
            fits = count <= level
            conn.execute(
                "INSERT INTO capture_rates (session_id, level, at, malformed, flood) VALUES (?, ?, ?, 0, 0) "
                "ON CONFLICT(session_id) DO UPDATE SET level = excluded.level, at = excluded.at",
                [session_id, level - count if fits else level, now])
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return fits

    def refuse(self, session_id: str, count: int, why: str) -> None:
        """Count `count` events of the session refused, as malformed or as a flood."""
        if why not in (MALFORMED, FLOOD):
            raise ValueError(f"a refusal is {MALFORMED} or {FLOOD}, not {why!r}")
        with self.db.conn:
            self.db.execute(
                "INSERT INTO capture_rates (session_id, level, at, malformed, flood) VALUES (?, NULL, NULL, 0, 0) "
                "ON CONFLICT(session_id) DO NOTHING", [session_id])
            self.db.execute(f"UPDATE capture_rates SET {why} = {why} + ? WHERE session_id = ?",
                            [int(count), session_id])

    def refused(self, session_id: str) -> dict[str, int]:
        """How many of the session's events were refused: {"malformed": n, "flood": n}."""
        row = self.db.execute("SELECT malformed, flood FROM capture_rates WHERE session_id = ?",
                              [session_id]).fetchone()
        return {MALFORMED: int(row[0]) if row else 0, FLOOD: int(row[1]) if row else 0}
