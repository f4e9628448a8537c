"""What people and detectors say about moments of a session: markers (errors, pauses, gaps,
lost stretches, each confirmed or proposed) and observers' notes with their tags."""
from __future__ import annotations

import json
from collections.abc import Iterable

from sessions.errors import StoreError
from sessions.events import MARKER_KINDS, MARKER_STATUSES, MarkerStatus
from sessions.tables.base import Part, now_iso
from sessions.tables.where import Where
from sessions.text_checks import checked_text


class Markers(Part):
    """The `markers` table."""

    def add(self, session_id: str, t: float, kind: str, *, text: str | None = None,
            author: str | None = None, attempt_id: int | None = None,
            status: str = MarkerStatus.CONFIRMED.value) -> int:
        """A marker of one of the contract's kinds at session time `t`; returns its id."""
        if kind not in MARKER_KINDS:
            raise StoreError(f"unknown marker kind {kind!r}")
        if status not in MARKER_STATUSES:
            raise StoreError(f"unknown marker status {status!r}")
        if text is not None:
            text = checked_text(text, "a flag's or marker's text")
        return self._insert("markers", {"session_id": session_id, "t": float(t), "kind": kind,
                                        "text": text, "author": author,
                                        "attempt_id": attempt_id, "status": status})

    def set_status(self, marker_id: int, status: str) -> None:
        """Confirm or reject a proposed marker."""
        if status not in MARKER_STATUSES:
            raise StoreError(f"unknown marker status {status!r}")
        self.db.table("markers").update(marker_id, {"status": status})

    def all(self, session_id: str, kind: str | None = None) -> list[dict]:
        """A session's markers in time order, of one kind or of all."""
        where = Where().equal("session_id", session_id).equal("kind", kind or None)
        return list(self.db.query(f"SELECT * FROM markers{where.sql} ORDER BY t, id", where.params))


class Notes(Part):
    """The `notes` table."""

    def add(self, session_id: str, t: float, text: str, author: str, *,
            tags: Iterable[str] = (), source: str = "live") -> int:
        """An observer's note at session time `t`; returns its id."""
        if not text or not text.strip():
            raise StoreError("a note needs some text")
        text = checked_text(text, "a note")
        return self._insert("notes", {
            "session_id": session_id, "t": float(t), "text": text.strip(), "author": author,
            "created": now_iso(), "tags": json.dumps(_checked_tags(tags)), "source": source,
        })

    def set_tags(self, note_id: int, tags: Iterable[str]) -> None:
        """Replace a note's tags (kept sorted and unique)."""
        self.db.table("notes").update(note_id, {"tags": json.dumps(_checked_tags(tags))})

    def all(self, session_id: str | None = None) -> list[dict]:
        """Notes of one session or of the study, tags decoded."""
        where = Where().equal("session_id", session_id)
        rows = list(self.db.query(f"SELECT * FROM notes{where.sql} ORDER BY session_id, t, id", where.params))
        for row in rows:
            row["tags"] = json.loads(row.get("tags") or "[]")
        return rows


def _checked_tags(tags: Iterable[str]) -> list[str]:
    """Tags sorted and unique, each free of control characters."""
    return sorted({checked_text(tag, "a tag") for tag in tags})
