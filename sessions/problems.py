"""The study's usability problems, their evidence, severity ratings and candidate decisions:
the store's API for the findings tables (schema v3).

Problems are what researchers conclude; evidence points at moments of any session (a note,
an event, a marker, a stretch of the timeline, transcript words). Ratings are one per rater
and problem, so several reviewers rate independently and a second rating replaces the
rater's first. Every change is audited with its actor.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from sessions.errors import BadRequest, NotFound
from sessions.events import (
    DECISIONS,
    EVIDENCE_KINDS,
    SEVERITIES,
    AuditAction,
    Decision,
    decision_action,
)
from sessions.store import Store, now_iso
from sessions.text_checks import checked_text

MAX_TITLE, MAX_TEXT, MAX_TAGS, MAX_TAG = 200, 4000, 12, 40
EDITABLE = ("title", "description", "task", "tags")


class Problems:
    """The findings tables of one study's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- problems -------------------------------------------------------------------------
    def create(self, title: str, *, author: str, description: str = "", task: str | None = None,
               tags: Iterable[str] = ()) -> int:
        """A new problem; its id is what evidence, ratings and the CLI refer to."""
        row = {"title": _title(title), "description": _text(description, "description"),
               "task": _task(task), "tags": json.dumps(_tags(tags)), "author": author,
               "created": now_iso(), "updated": now_iso()}
        problem_id: Any = self.db.table("problems").insert(row).last_pk
        self.store.audit.record(author, AuditAction.CREATE_PROBLEM, None, {"problem": problem_id, "title": row["title"]})
        return int(problem_id or 0)

    def get(self, problem_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM problems WHERE id = ?", [_id(problem_id)]))
        if not rows:
            raise NotFound(f"no problem {problem_id} in this study")
        return _decode(rows[0])

    def all(self) -> list[dict]:
        return [_decode(r) for r in self.db.query("SELECT * FROM problems ORDER BY id")]

    def edit(self, problem_id: int, *, actor: str, **fields: Any) -> dict:
        """Change a problem's title, description, task or tags."""
        self.get(problem_id)
        unknown = sorted(set(fields) - set(EDITABLE))
        if unknown:
            raise BadRequest(f"a problem has no field {unknown[0]!r} to edit (one of {', '.join(EDITABLE)})")
        changes: dict[str, Any] = {}
        if "title" in fields:
            changes["title"] = _title(fields["title"])
        if "description" in fields:
            changes["description"] = _text(fields["description"], "description")
        if "task" in fields:
            changes["task"] = _task(fields["task"])
        if "tags" in fields:
            changes["tags"] = json.dumps(_tags(fields["tags"]))
        changes["updated"] = now_iso()
        self.db.table("problems").update(int(problem_id), changes)
        self.store.audit.record(actor, AuditAction.EDIT_PROBLEM, None, {"problem": int(problem_id), "fields": sorted(fields)})
        return self.get(problem_id)

    def delete(self, problem_id: int, *, actor: str) -> None:
        """Remove a problem with its evidence and ratings; confirmations that made it are
        forgotten, so those candidates are offered again."""
        problem = self.get(problem_id)
        with self.db.conn:
            for table in ("evidence", "ratings"):
                self.db.execute(f"DELETE FROM {table} WHERE problem_id = ?", [problem["id"]])
            self.db.execute("DELETE FROM candidate_decisions WHERE problem_id = ? AND decision = ?",
                            [problem["id"], Decision.CONFIRMED.value])
            self.db.execute("DELETE FROM problems WHERE id = ?", [problem["id"]])
        self.store.audit.record(actor, AuditAction.DELETE_PROBLEM, None, {"problem": problem["id"], "title": problem["title"]})

    def merge(self, into: int, others: Iterable[int], *, actor: str) -> dict:
        """Fold `others` into `into`: their evidence moves, their tags join, a rater's rating
        of `into` wins over the same rater's rating of a merged problem."""
        target = self.get(into)
        merged = [self.get(o) for o in dict.fromkeys(int(o) for o in others) if int(o) != target["id"]]
        if not merged:
            raise BadRequest("name at least one other problem to merge into this one")
        raters = {r["rater"] for r in self.ratings(target["id"])}
        tags = set(target["tags"])
        with self.db.conn:
            for problem in merged:
                tags.update(problem["tags"])
                self.db.execute("UPDATE evidence SET problem_id = ? WHERE problem_id = ?",
                                [target["id"], problem["id"]])
                for rating in self.ratings(problem["id"]):
                    if rating["rater"] not in raters:
                        raters.add(rating["rater"])
                        self.db.execute("UPDATE ratings SET problem_id = ? WHERE id = ?",
                                        [target["id"], rating["id"]])
                self.db.execute("DELETE FROM ratings WHERE problem_id = ?", [problem["id"]])
                self.db.execute("UPDATE candidate_decisions SET problem_id = ? WHERE problem_id = ?",
                                [target["id"], problem["id"]])
                self.db.execute("DELETE FROM problems WHERE id = ?", [problem["id"]])
            self.db.execute("UPDATE problems SET tags = ?, updated = ? WHERE id = ?",
                            [json.dumps(_tags(tags)), now_iso(), target["id"]])
        self.store.audit.record(actor, AuditAction.MERGE_PROBLEMS, None,
                                {"into": target["id"], "merged": [p["id"] for p in merged]})
        return self.get(target["id"])

    # -- evidence ---------------------------------------------------------------------------
    def add_evidence(self, problem_id: int, session_id: str, t: float, *, author: str,
                     kind: str = "stretch", end: float | None = None, ref_id: int | None = None,
                     text: str = "") -> int:
        """Link a moment (or a stretch, t to end) of a session to a problem."""
        problem = self.get(problem_id)
        session = _session(self.store, session_id)
        if kind not in EVIDENCE_KINDS:
            raise BadRequest(f"unknown evidence kind {kind!r} (one of {', '.join(EVIDENCE_KINDS)})")
        limit = float(session["duration"] or 0.0) + 1.0
        start = _seconds(t, "the moment", limit)
        stop = None if end is None else _seconds(end, "the end", limit)
        if stop is not None and stop < start:
            raise BadRequest("the end of a stretch must come after its start")
        if ref_id is not None and (isinstance(ref_id, bool) or not isinstance(ref_id, int)):
            raise BadRequest("a reference must be a whole number")
        evidence_id: Any = self.db.table("evidence").insert({
            "problem_id": problem["id"], "session_id": session["id"], "t": start, "end": stop,
            "kind": kind, "ref_id": ref_id, "text": _text(text, "evidence text"), "author": author,
            "created": now_iso()}).last_pk
        self.db.execute("UPDATE problems SET updated = ? WHERE id = ?", [now_iso(), problem["id"]])
        self.db.conn.commit()
        self.store.audit.record(author, AuditAction.ADD_EVIDENCE, session["id"], {"problem": problem["id"], "t": start})
        return int(evidence_id or 0)

    def remove_evidence(self, evidence_id: int, *, actor: str) -> None:
        rows = list(self.db.query("SELECT * FROM evidence WHERE id = ?", [_id(evidence_id)]))
        if not rows:
            raise NotFound(f"no evidence {evidence_id} in this study")
        self.db.execute("DELETE FROM evidence WHERE id = ?", [rows[0]["id"]])
        self.db.conn.commit()
        self.store.audit.record(actor, AuditAction.REMOVE_EVIDENCE, rows[0]["session_id"], {"problem": rows[0]["problem_id"]})

    def evidence(self, problem_id: int | None = None) -> list[dict]:
        """Evidence of one problem (or of all), in the order it was added (a reel's default order)."""
        if problem_id is None:
            return list(self.db.query("SELECT * FROM evidence ORDER BY problem_id, id"))
        return list(self.db.query("SELECT * FROM evidence WHERE problem_id = ? ORDER BY id",
                                  [_id(problem_id)]))

    def evidence_item(self, evidence_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM evidence WHERE id = ?", [_id(evidence_id)]))
        if not rows:
            raise NotFound(f"no evidence {evidence_id} in this study")
        return rows[0]

    # -- ratings ----------------------------------------------------------------------------
    def rate(self, problem_id: int, rater: str, severity: int, comment: str = "") -> None:
        """The rater's severity (1-4), replacing their earlier rating of this problem."""
        problem = self.get(problem_id)
        if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
            scale = ", ".join(f"{k} {v}" for k, v in SEVERITIES.items())
            raise BadRequest(f"severity must be 1 to 4 ({scale}), got {severity!r}")
        if not rater:
            raise BadRequest("a rating needs a rater")
        self.db.execute(
            "INSERT INTO ratings (problem_id, rater, severity, comment, created) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (problem_id, rater) DO UPDATE SET severity = excluded.severity, "
            "comment = excluded.comment, created = excluded.created",
            [problem["id"], rater, severity, _text(comment, "comment"), now_iso()])
        self.db.conn.commit()
        self.store.audit.record(rater, AuditAction.RATE_PROBLEM, None, {"problem": problem["id"], "severity": severity})

    def ratings(self, problem_id: int | None = None) -> list[dict]:
        if problem_id is None:
            return list(self.db.query("SELECT * FROM ratings ORDER BY problem_id, rater"))
        return list(self.db.query("SELECT * FROM ratings WHERE problem_id = ? ORDER BY rater",
                                  [_id(problem_id)]))

    # -- candidate decisions ----------------------------------------------------------------
    def decide(self, key: str, decision: str, *, actor: str, problem_id: int | None = None) -> None:
        """Remember what was done with the candidate `key` (stable across re-analysis)."""
        if not key or not isinstance(key, str) or len(key) > 300:
            raise BadRequest("a candidate key is a short text")
        if decision not in DECISIONS:
            raise BadRequest(f"unknown decision {decision!r} (one of {', '.join(DECISIONS)})")
        if problem_id is not None:
            self.get(problem_id)
        self.db.execute(
            "INSERT INTO candidate_decisions (key, decision, problem_id, actor, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET decision = excluded.decision, "
            "problem_id = excluded.problem_id, actor = excluded.actor, at = excluded.at",
            [key, decision, problem_id, actor, now_iso()])
        self.db.conn.commit()
        self.store.audit.record(actor, decision_action(decision), None, {"key": key, "problem": problem_id})

    def undecide(self, key: str, *, actor: str) -> None:
        self.db.execute("DELETE FROM candidate_decisions WHERE key = ?", [key])
        self.db.conn.commit()
        self.store.audit.record(actor, AuditAction.CANDIDATE_REOPENED, None, {"key": key})

    def decisions(self) -> dict[str, dict]:
        return {r["key"]: r for r in self.db.query("SELECT * FROM candidate_decisions")}


def severity_summary(severities: Iterable[int]) -> dict:
    """Median, spread and the disagreement flag of independent severity ratings: raters
    more than one step apart disagree, and that is worth a discussion before reporting."""
    values = sorted(int(s) for s in severities)
    if not values:
        return {"n": 0, "median": None, "spread": None, "disagreement": False, "label": None}
    middle = len(values) // 2
    median = float(values[middle]) if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    spread = values[-1] - values[0]
    label = SEVERITIES.get(int(math.ceil(median)))
    return {"n": len(values), "median": median, "spread": spread, "disagreement": spread > 1,
            "label": label}


def _decode(row: dict) -> dict:
    row = dict(row)
    row["tags"] = json.loads(row.get("tags") or "[]")
    return row


def _id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"an id is a whole number, got {value!r}") from None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise BadRequest(f"an id is a whole number, got {value!r}")
    return number


def _session(store: Store, session_id: str) -> dict:
    rows = list(store.db.query("SELECT * FROM sessions WHERE id = ?", [str(session_id)]))
    if not rows:
        raise NotFound(f"no session {session_id!r} in this study")
    return rows[0]


def _title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise BadRequest("a problem needs a title")
    title = " ".join(checked_text(title, "a problem's title").split())
    if len(title) > MAX_TITLE:
        raise BadRequest(f"a problem's title has at most {MAX_TITLE} characters")
    return title


def _text(text: Any, name: str) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise BadRequest(f"the {name} must be text")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"the {name} has at most {MAX_TEXT} characters")
    return checked_text(text, f"the {name}").strip()


def _task(task: Any) -> str | None:
    if task is None or task == "":
        return None
    if not isinstance(task, str) or len(task) > MAX_TAG * 4:
        raise BadRequest("a task is named by its id")
    return task.strip()


def _tags(tags: Any) -> list[str]:
    items = tags.split(",") if isinstance(tags, str) else list(tags or [])
    if not all(isinstance(t, str) for t in items):
        raise BadRequest("tags must be words")
    clean = sorted({checked_text(t, "a tag").strip().lower() for t in items if t.strip()})
    if len(clean) > MAX_TAGS or any(len(t) > MAX_TAG for t in clean):
        raise BadRequest(f"at most {MAX_TAGS} tags of up to {MAX_TAG} characters")
    return clean


def _seconds(value: Any, name: str, limit: float) -> float:
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be a number of seconds")
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a number of seconds") from None
    if not math.isfinite(t) or t < 0 or t > limit:
        raise BadRequest(f"{name} must be between 0 and {limit - 1:.1f} seconds")
    return t



def segments_saying(store: Store, phrases: Iterable[str], session_ids: Iterable[str] | None = None) -> list[dict]:
    """Transcript segments whose text contains any of `phrases` (case-insensitive), in time
    order: how candidate problems find what participants said while they struggled."""
    phrases = [p.lower() for p in phrases if p]
    if not phrases:
        return []
    sql = ("SELECT id, session_id, t, end, speaker, text FROM segments WHERE ("
           + " OR ".join("instr(lower(text), ?) > 0" for _ in phrases) + ")")
    params: list[Any] = list(phrases)
    if session_ids is not None:
        ids = list(session_ids)
        if not ids:
            return []
        sql += f" AND session_id IN ({', '.join('?' for _ in ids)})"
        params += ids
    return list(store.db.query(sql + " ORDER BY session_id, t", params))


def confirm_candidate(problems: Problems, key: str, moments: Iterable[dict], *, actor: str,
                      problem_id: int | None = None, title: str | None = None,
                      task: str | None = None, kind: str = "stretch") -> int:
    """Turn a candidate's moments into evidence, of a new problem titled `title` or of the
    existing `problem_id`, and remember the candidate as confirmed."""
    moments = list(moments)
    if not moments:
        raise BadRequest("this candidate has no moments to keep as evidence")
    if problem_id is None:
        problem_id = problems.create(title or "Untitled problem", author=actor, task=task)
    else:
        problems.get(problem_id)
    for m in moments:
        problems.add_evidence(problem_id, m["session_id"], m["t"], end=m.get("end"), kind=kind,
                              text=m.get("text") or "", author=actor)
    problems.decide(key, Decision.CONFIRMED.value, actor=actor, problem_id=problem_id)
    return problem_id
