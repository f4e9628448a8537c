"""The audit log: who changed or removed what, and when. It is the one record a deletion
leaves behind, so it is written through this part alone and never edited."""
from __future__ import annotations

import json

from sessions.events import AuditAction
from sessions.tables.base import Part, now_iso
from sessions.tables.where import Where


class Audit(Part):
    """The `audit` table."""

    def record(self, actor: str, action: AuditAction, session_id: str | None, detail: dict) -> None:
        """Log one change by `actor`; an action the contract does not name is a bug (ValueError)."""
        self.db.table("audit").insert({"at": now_iso(), "actor": actor, "action": AuditAction(action).value,
                                       "session_id": session_id, "detail": json.dumps(detail)})

    def all(self, session_id: str | None = None) -> list[dict]:
        """The log in the order it was written, of one session or of the whole study."""
        where = Where().equal("session_id", session_id)
        return list(self.db.query(f"SELECT * FROM audit{where.sql} ORDER BY id", where.params))
