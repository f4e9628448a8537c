"""Questionnaire answers: one row per item of a filled-in questionnaire, after a task or a
session. A submit may arrive twice (a double click, a retry), so writing is idempotent."""
from __future__ import annotations

from typing import Any

from sessions.tables.base import Part, now_iso
from sessions.tables.where import Where


class Answers(Part):
    """The `answers` table."""

    def add(self, session_id: str, questionnaire: str, values: dict[str, Any], *,
            attempt_id: int | None = None) -> None:
        """Store one filled-in questionnaire; numbers go to `value`, free text to `text`."""
        created = now_iso()
        rows = [{"session_id": session_id, "attempt_id": attempt_id, "questionnaire": questionnaire,
                 "item": str(item),
                 "value": float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None,
                 "text": v if isinstance(v, str) else None, "created": created}
                for item, v in values.items()]
        # answers_once (schema v3) makes a repeated or parallel submit of the same page a no-op
        with self.db.conn:
            self.db.table("answers").insert_all(rows, ignore=True)

    def all(self, session_id: str | None = None, questionnaire: str | None = None) -> list[dict]:
        """Answers of one session or questionnaire (or all), in the order they were given."""
        where = Where().equal("session_id", session_id).equal("questionnaire", questionnaire)
        return list(self.db.query(f"SELECT * FROM answers{where.sql} ORDER BY session_id, id", where.params))
