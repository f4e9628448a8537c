"""Inviting remote participants from the dashboard: the same invitations as `uxlab invite`
(sessions/invitations.py makes, lists and revokes them, and writes their audit entries), with
the join link shown once beside its QR code, so a researcher can hand it over without a
terminal.

Researchers only, as for every action that decides who is recorded. The link's token is not
kept (the study stores its hash), so the page that shows it is the answer to the form itself
and is never shown again.

    GET  /invitations          the form and the study's invitations with their state
    POST /invitations          invite: {participant, group, mode, expires}
    POST /invitations/revoke   {invitation}: its link opens nothing from now on
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from enum import StrEnum

from flask import Blueprint, redirect, render_template, request, url_for

from sessions.errors import BadRequest, UxlabError
from sessions.events import Role, SessionStatus
from sessions.invitations import DEFAULT_EXPIRES, MODES, Invitation, Mode
from web import current
from web.auth.access import requires

bp = Blueprint("invitations", __name__)


class State(StrEnum):
    """Where an invitation stands, as the list shows it."""

    OPEN = "open"          # not used yet, and not expired
    USED = "used"          # its session is being recorded
    ENDED = "ended"        # its session ended (or was deleted)
    REVOKED = "revoked"
    EXPIRED = "expired"    # never used before it expired


def state_of(invitation: Invitation, sessions: dict[str, dict], now: float) -> State:
    """The state of one invitation; `sessions` maps session ids to their rows."""
    if invitation.revoked is not None:
        return State.REVOKED
    if invitation.session_id is None:
        return State.EXPIRED if now >= invitation.expires else State.OPEN
    session = sessions.get(invitation.session_id)
    return State.USED if session is not None and session["status"] == SessionStatus.RECORDING else State.ENDED


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _page(status: int = 200, *, made: dict | None = None, problem: str | None = None,
          form: dict | None = None):
    store = current.store()
    sessions = {s["id"]: s for s in store.sessions.all()}
    now = time.time()
    rows = [{"invitation": inv, "state": state_of(inv, sessions, now), "expires": _when(inv.expires)}
            for inv in reversed(store.invitations.all())]
    groups = sorted({s["group_name"] for s in sessions.values() if s["group_name"]}
                    | {inv.group for inv in store.invitations.all() if inv.group})
    return render_template("invitations/invitations.html", rows=rows, made=made, problem=problem,
                           form=form or {"mode": Mode.UNMODERATED.value, "expires": DEFAULT_EXPIRES},
                           modes=MODES, groups=groups, done=request.args.get("done")), status


@bp.route("/invitations")
@requires(Role.RESEARCHER)
def page():
    return _page()


@bp.route("/invitations", methods=["POST"])
@requires(Role.RESEARCHER)
def invite():
    """Make an invitation and show its link once; bad input is one sentence, nothing stored."""
    form = {key: str(request.form.get(key) or "") for key in ("participant", "group", "mode", "expires")}
    try:
        token, inv = current.store().invitations.create(
            form["participant"], actor=current.login()["name"], group=form["group"],
            mode=form["mode"] or Mode.UNMODERATED.value, expires=form["expires"] or DEFAULT_EXPIRES)
    except UxlabError as exc:
        return _page(exc.status, problem=exc.message, form=form)
    link = url_for("join.page", token=token, _external=True)
    return _page(made={"invitation": inv, "link": link, "expires": _when(inv.expires)})


@bp.route("/invitations/revoke", methods=["POST"])
@requires(Role.RESEARCHER)
def revoke():
    raw = str(request.form.get("invitation") or "").strip()
    if not raw.isdigit():
        raise BadRequest("name the invitation to revoke by its number")
    closed = current.store().invitations.revoke(actor=current.login()["name"], invitation_id=int(raw))
    done = (f"Revoked invitation {closed[0].id} ({closed[0].participant}): its link opens nothing now."
            if closed else f"Invitation {raw} was already revoked: nothing changed.")
    return redirect(url_for("invitations.page", done=done))
