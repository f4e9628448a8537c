"""Keeping a study's data clean from the web: mark a session pilot or excluded, correct its
participant id or group, delete it, and read the audit log these changes leave.

Researchers only: these decide what the study's numbers are made of.
"""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from sessions.errors import BadRequest
from sessions.events import INCLUSIONS, Role
from web import current
from web.auth.access import requires, wants_json

bp = Blueprint("sessions_admin", __name__)
RESEARCHER = Role.RESEARCHER


def _form() -> dict:
    body = request.get_json(silent=True) if request.is_json else None
    return body if isinstance(body, dict) else request.form


def _done(session_id: str, message: str):
    if wants_json():
        return jsonify({"session": _public(current.store().sessions.get(session_id)), "message": message})
    return redirect(url_for("replay.page", session_id=session_id, done=message))


def _public(row: dict) -> dict:
    return {key: row.get(key) for key in ("id", "participant", "group_name", "inclusion", "inclusion_reason")}


@bp.route("/sessions/<session_id>/inclusion", methods=["POST"])
@requires(RESEARCHER)
def inclusion(session_id: str):
    form = _form()
    value = form.get("inclusion")
    if value not in INCLUSIONS:
        raise BadRequest(f"choose one of {', '.join(INCLUSIONS)}")
    current.store().sessions.set_inclusion(session_id, value, current.login()["name"], form.get("reason"))
    return _done(session_id, f"Marked {value}.")


@bp.route("/sessions/<session_id>/rename", methods=["POST"])
@requires(RESEARCHER)
def rename(session_id: str):
    form = _form()
    current.store().sessions.rename(session_id, current.login()["name"],
                                    participant=form.get("participant"), group=form.get("group"))
    return _done(session_id, "Saved.")


@bp.route("/sessions/<session_id>/attributes", methods=["POST"])
@requires(RESEARCHER)
def attributes(session_id: str):
    """The session's participant's attributes (those study.toml names), from the session page."""
    store = current.store()
    participant = store.sessions.get(session_id)["participant"]
    names = current.study().standards.attributes
    form = _form()
    values = {name: str(form.get(name) or "") for name in names if name in form}
    store.participants.set(participant, values, allowed=names, actor=current.login()["name"])
    return _done(session_id, f"Saved {participant}'s attributes.")


@bp.app_template_global()
def participant_attributes(participant: str) -> list[tuple[str, str]]:
    """(attribute, value) for the session page's form, in study.toml's order."""
    values = current.store().participants.of(participant)
    return [(name, values.get(name, "")) for name in current.study().standards.attributes]


@bp.route("/sessions/<session_id>/delete", methods=["POST"])
@requires(RESEARCHER)
def delete(session_id: str):
    store = current.store()
    row = store.sessions.get(session_id)
    if (_form().get("confirm") or "").strip() != row["participant"]:
        raise BadRequest("to delete, type the participant id of the session")
    store.sessions.delete(session_id, current.login()["name"])
    if wants_json():
        return jsonify({"deleted": session_id})
    return redirect(url_for("dashboard.index"))


@bp.route("/audit")
@requires(RESEARCHER)
def audit():
    rows = [{**r, "detail": json.loads(r["detail"] or "{}")} for r in current.store().audit.all()]
    rows.reverse()
    return render_template("sessions_admin/audit.html", rows=rows)
