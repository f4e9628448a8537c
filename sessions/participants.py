"""Participants as people: the attributes a study records about each participant (age band,
experience, role and any the study names in study.toml's [participants] table), so reports
can describe who took part and the dashboard can compare groups of them.

One row per participant and attribute (schema v6); an empty value removes the attribute.
Values are short text a researcher or a screener's export gives; every change is audited.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sessions.errors import BadRequest
from sessions.events import AuditAction
from sessions.tables.audit import Audit
from sessions.tables.base import Connected, Part, now_iso

MAX_VALUE = 200
PARTICIPANT_COLUMNS = ("participant", "participant_id", "id")   # a screener's id column


class Participants(Part):
    """The `participant_attributes` table."""

    def __init__(self, owner: Connected, audit: Audit) -> None:
        super().__init__(owner)
        self._audit = audit

    def set(self, participant: str, values: Mapping[str, str], *, allowed: Iterable[str], actor: str) -> dict[str, str]:
        """Set (or, with an empty value, remove) attributes of one participant; an attribute
        the study does not define is refused and nothing changes. Returns the participant's
        attributes afterwards."""
        participant = _participant(participant)
        checked = _checked(values, tuple(allowed))
        now = now_iso()
        with self.db.conn:     # the rows and their audit entry are written together or not at all
            for key, value in checked.items():
                if value:
                    self.db.execute(
                        "INSERT INTO participant_attributes (participant, key, value, updated) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (participant, key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
                        [participant, key, value, now])
                else:
                    self.db.execute("DELETE FROM participant_attributes WHERE participant = ? AND key = ?",
                                    [participant, key])
            self._audit.record(actor, AuditAction.PARTICIPANT_ATTRIBUTES, None,
                               {"participant": participant, "set": checked})
        return self.of(participant)

    def of(self, participant: str) -> dict[str, str]:
        """One participant's attributes."""
        rows = self.db.query("SELECT key, value FROM participant_attributes WHERE participant = ? ORDER BY key",
                             [participant])
        return {r["key"]: r["value"] for r in rows}

    def all(self) -> dict[str, dict[str, str]]:
        """participant -> attributes, for every participant with any."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for r in self.db.query("SELECT participant, key, value FROM participant_attributes ORDER BY participant, key"):
            found[r["participant"]][r["key"]] = r["value"]
        return dict(found)

    def import_csv(self, text: str, *, allowed: Iterable[str], actor: str) -> int:
        """Import a screener's CSV export: a participant column (participant, participant_id
        or id) and one column per attribute; other columns are refused by name, and a bad row
        refuses the whole file. Returns the participants imported."""
        allowed = tuple(allowed)
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip() for h in reader.fieldnames or []]
        id_column = next((h for h in header if h.lower() in PARTICIPANT_COLUMNS), None)
        if id_column is None:
            raise BadRequest(f"the CSV needs a participant column ({', '.join(PARTICIPANT_COLUMNS)}), "
                             f"got {', '.join(header) or 'no header'}")
        unknown = [h for h in header if h != id_column and h not in allowed]
        if unknown:
            raise BadRequest(f"column {unknown[0]!r} is not an attribute of this study "
                             f"(study.toml [participants] attributes: {', '.join(allowed)})")
        rows = []
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            if None in raw:
                raise BadRequest(f"line {line} of the CSV has more fields than its header")
            try:
                rows.append((_participant(row.get(id_column, "")),
                             _checked({k: v for k, v in row.items() if k != id_column}, allowed)))
            except BadRequest as exc:
                raise BadRequest(f"line {line} of the CSV: {exc.message}") from None
        for participant, values in rows:
            self.set(participant, {k: v for k, v in values.items() if v}, allowed=allowed, actor=actor)
        return len(rows)


def _participant(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 64 or not value.isprintable():
        raise BadRequest(f"a participant id is 1 to 64 printable characters, got {value!r}")
    return value.strip()


def _checked(values: Mapping[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    checked = {}
    for key, value in values.items():
        if key not in allowed:
            raise BadRequest(f"{key!r} is not an attribute of this study "
                             f"(study.toml [participants] attributes: {', '.join(allowed)})")
        if not isinstance(value, str) or len(value) > MAX_VALUE or not value.isprintable():
            raise BadRequest(f"the value of {key} must be at most {MAX_VALUE} printable characters, got {value!r}")
        checked[key] = value.strip()
    return checked
