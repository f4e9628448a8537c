"""Invitations: the join links that let a remote participant's browser record a session.

A link carries an unguessable token; the study keeps only the token's SHA-256, so a copy
of the database (a study folder handed to a reviewer) opens no session. A link opens the
one session it was made for and nothing else. It expires, it can be revoked, and once its
session has ended it only resumes that session within GRACE_SECONDS (a participant who
pressed "End" by mistake, or whose tab closed as the session ended, comes back to it;
nobody comes back a day later). Every invitation made or revoked is in the audit log.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sessions.errors import BadRequest, NotFound, UxlabError
from sessions.events import AuditAction, SessionStatus

GRACE_SECONDS = 15 * 60.0
DEFAULT_EXPIRES = "7d"
MAX_PARTICIPANT = 64
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*\Z")
_UNITS = {"": 86400.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}\Z")


class Mode(StrEnum):
    MODERATED = "moderated"       # the moderator drives the tasks from the console
    UNMODERATED = "unmoderated"   # the join page walks the participant through the tasks


MODES = tuple(m.value for m in Mode)


class Source(StrEnum):
    """What recorded a session."""

    NATIVE = "native"     # `uxlab record` on an X11 desktop
    BROWSER = "browser"   # the participant's browser, through a join link


class UnknownInvitation(NotFound):
    """A link that is no invitation of this study (mistyped, or another study's)."""


class InvitationClosed(UxlabError):
    """A link revoked, expired, or whose session ended too long ago (410: gone for good)."""

    status = 410


@dataclass(frozen=True)
class Invitation:
    id: int
    participant: str
    group: str | None
    mode: str
    created: float
    expires: float
    revoked: float | None
    session_id: str | None


def parse_duration(text: str) -> float:
    """Seconds in "90s", "30m", "12h", "7d", "2w" (a bare number is days)."""
    match = _DURATION.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise BadRequest(f"{text!r} is not a duration: write it like 30m, 12h, 7d or 2w")
    return float(match.group(1)) * _UNITS[match.group(2)]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitations:
    """A study's invitations; reached as `store.invitations`."""

    def __init__(self, store: Any) -> None:
        # the Store that hangs this part off itself (typed loosely: the store imports this module)
        self.store = store

    def create(self, participant: str, *, actor: str, group: str | None = None,
               mode: str = Mode.UNMODERATED.value, expires: str = DEFAULT_EXPIRES,
               now: float | None = None) -> tuple[str, Invitation]:
        """A new invitation and its token (shown once: only its hash is kept)."""
        participant = (participant or "").strip()
        if not participant or len(participant) > MAX_PARTICIPANT or not participant.isprintable():
            raise BadRequest(f"a participant id must be 1 to {MAX_PARTICIPANT} printable characters")
        group = (group or "").strip() or None
        if group is not None and (len(group) > 64 or not group.isprintable()):
            raise BadRequest("a group name is at most 64 printable characters")
        if mode not in MODES:
            raise BadRequest(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
        seconds = parse_duration(expires)
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(24)
        row = {"token_hash": token_hash(token), "participant": participant, "group_name": group,
               "mode": mode, "created": now, "created_by": actor, "expires": now + seconds,
               "revoked": None, "session_id": None}
        with self.store.db.conn:
            pk: Any = self.store.db.table("invitations").insert(row).last_pk
        self.store.audit.record(actor, AuditAction.INVITE, None, {"invitation": pk, "participant": participant,
                                                 "group": group, "mode": mode,
                                                 "expires": round(now + seconds)})
        return token, self._row(int(pk))

    def all(self) -> list[Invitation]:
        return [_invitation(r) for r in self.store.db.query("SELECT * FROM invitations ORDER BY id")]

    def revoke(self, *, actor: str, invitation_id: int | None = None,
               participant: str | None = None, now: float | None = None) -> list[Invitation]:
        """Revoke one invitation by id, or every open one of a participant; returns them."""
        if (invitation_id is None) == (participant is None):
            raise BadRequest("name the invitation to revoke: its id or its participant")
        if invitation_id is not None:
            rows = [self._row(invitation_id)]
        else:
            rows = [i for i in self.all() if i.participant == (participant or "").strip()]
            if not rows:
                raise UnknownInvitation(f"no invitation for participant {participant!r}")
        now = time.time() if now is None else now
        closed = [i for i in rows if i.revoked is None]
        with self.store.db.conn:
            for inv in closed:
                self.store.db.execute("UPDATE invitations SET revoked = ? WHERE id = ?", [now, inv.id])
        for inv in closed:
            self.store.audit.record(actor, AuditAction.REVOKE_INVITATION, inv.session_id,
                                    {"invitation": inv.id, "participant": inv.participant})
        return [self._row(i.id) for i in closed]

    def open(self, token: str, *, now: float | None = None) -> Invitation:
        """The invitation a link names, if it may still be used; else one sentence why not."""
        rows = (list(self.store.db.query("SELECT * FROM invitations WHERE token_hash = ?",
                                         [token_hash(token)]))
                if isinstance(token, str) and TOKEN_SHAPE.match(token) else [])
        if not rows:
            raise UnknownInvitation("This link is not an invitation to this study: check that it "
                                    "was copied whole, or ask the researcher for a new one.")
        inv = _invitation(rows[0])
        now = time.time() if now is None else now
        if inv.revoked is not None:
            raise InvitationClosed("This invitation was withdrawn by the researcher; "
                                   "nothing will be recorded.")
        if inv.session_id is None and now >= inv.expires:
            raise InvitationClosed("This invitation has expired; ask the researcher for a new one.")
        if inv.session_id is not None:
            session = self._session_or_none(inv.session_id)
            if session is None:
                raise InvitationClosed("The session of this invitation was deleted; nothing will be recorded.")
            if not self._resumable(session, now):
                raise InvitationClosed("This session has ended; thank you for taking part.")
        return inv

    def begin(self, inv: Invitation, *, keystrokes: str, device: dict[str, Any],
              now: float | None = None) -> tuple[dict, bool]:
        """The invitation's session, created on first use (consent given, recorded by the
        browser) or reopened within the grace period; returns (session, resumed)."""
        now = time.time() if now is None else now
        if inv.session_id is not None:
            session = self.store.sessions.get(inv.session_id)
            if not self._resumable(session, now):
                raise InvitationClosed("This session has ended; thank you for taking part.")
            if session["status"] != SessionStatus.RECORDING:
                self.store.db.execute("UPDATE sessions SET status = ? WHERE id = ?",
                                      [SessionStatus.RECORDING.value, session["id"]])
                self.store.db.conn.commit()
            self.beat(session["id"], now)
            return self.store.sessions.get(inv.session_id), True
        sid = self.store.sessions.create(inv.participant, group=inv.group, consent=True,
                                         keystrokes=keystrokes, device=device, started_at=now)
        with self.store.db.conn:
            # no pid: the server's own may be restarted under a live session; recovery then
            # judges a browser session by its heartbeat (sessions.recovery.STALE_AFTER)
            self.store.db.execute("UPDATE sessions SET source = ?, pid = NULL WHERE id = ?",
                                  [Source.BROWSER.value, sid])
            cursor = self.store.db.execute(
                "UPDATE invitations SET session_id = ? WHERE id = ? AND session_id IS NULL", [sid, inv.id])
        if cursor.rowcount != 1:   # another tab began it a moment ago: that session wins
            self.store.sessions.delete(sid, "join")
            return self.begin(self._row(inv.id), keystrokes=keystrokes, device=device, now=now)
        self.store.audit.record("join", AuditAction.JOIN, sid, {"invitation": inv.id, "participant": inv.participant})
        return self.store.sessions.get(sid), False

    def beat(self, session_id: str, now: float | None = None) -> None:
        """The participant's page is alive: the heartbeat, and how far the session got."""
        now = time.time() if now is None else now
        session = self.store.sessions.get(session_id)
        self.store.sessions.heartbeat(session_id, max(float(session["duration"] or 0.0), now - session["started_at"]))

    def end(self, session_id: str, t_end: float) -> None:
        """The participant ended the session at session time `t_end`."""
        self.store.sessions.update(session_id, status=SessionStatus.COMPLETE.value, duration=t_end)

    def set_device(self, session_id: str, device: dict[str, Any]) -> None:
        self.store.sessions.update(session_id, device=device)

    def _resumable(self, session: dict, now: float) -> bool:
        """`resumable`, and never once a black-out made the built video final (it deleted
        the upload that a resumed recording would be added to)."""
        from sessions.media.browser_chunks import is_final
        if session["status"] != SessionStatus.RECORDING and is_final(self.store.media, session["id"]):
            return False
        return resumable(session, now)

    def _row(self, invitation_id: int) -> Invitation:
        rows = list(self.store.db.query("SELECT * FROM invitations WHERE id = ?", [invitation_id]))
        if not rows:
            raise UnknownInvitation(f"no invitation {invitation_id} in this study")
        return _invitation(rows[0])

    def _session_or_none(self, session_id: str) -> dict | None:
        try:
            return self.store.sessions.get(session_id)
        except NotFound:
            return None


def resumable(session: dict, now: float) -> bool:
    """Whether a join link may still (re)open its session: while it records, and for
    GRACE_SECONDS after it ended."""
    if session["status"] == SessionStatus.RECORDING:
        return True
    ended = float(session["started_at"]) + float(session["duration"] or 0.0)
    return now - ended <= GRACE_SECONDS


def _invitation(row: dict) -> Invitation:
    return Invitation(int(row["id"]), row["participant"], row["group_name"], row["mode"],
                      float(row["created"]), float(row["expires"]),
                      None if row["revoked"] is None else float(row["revoked"]), row["session_id"])

