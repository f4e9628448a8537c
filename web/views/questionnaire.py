"""The participant's page, opened from a tokenised link with no login (a second screen or
a tablet in the lab). The token is the session's own unguessable token; it only ever
reaches this session's questions."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from web import current
from web.instruments import field_name, instrument, validate
from web.participant_state import participant_state

bp = Blueprint("questionnaire", __name__)


def _session(token: str) -> dict:
    session = current.store().sessions.by_token(token) if 8 <= len(token) <= 64 else None
    if session is None:
        abort(404)
    return session


def _render(token: str, state: dict, errors: dict | None = None, form=None, code: int = 200):
    instruments = [instrument(current.study(), name) for name in state.get("instruments", [])]
    return render_template("questionnaire/questionnaire.html", token=token, state=state, instruments=instruments,
                           errors=errors or {}, form=form or {}, field_name=field_name,
                           study=current.study()), code


@bp.route("/q/<token>")
def page(token: str):
    session = _session(token)
    return _render(token, participant_state(current.store(), current.study(), session))


@bp.route("/q/<token>/state.json")
def state(token: str):
    session = _session(token)
    return jsonify({"key": participant_state(current.store(), current.study(), session)["key"]})


@bp.route("/q/<token>", methods=["POST"])
def submit(token: str):
    session = _session(token)
    state = participant_state(current.store(), current.study(), session)
    if request.form.get("key") != state["key"] or state["stage"] not in ("post_task", "post_session"):
        return redirect(url_for("questionnaire.page", token=token))  # the page was stale
    instruments = [instrument(current.study(), name) for name in state["instruments"]]
    values, errors = validate(instruments, request.form)
    if errors:
        return _render(token, state, errors, request.form, 400)
    attempt_id = state.get("attempt_id")
    for inst in instruments:
        if values[inst.id]:
            current.store().answers.add(session["id"], inst.id, values[inst.id], attempt_id=attempt_id)
        elif not any(i.required for i in inst.items):
            # an optional item left blank still counts as seen, so it is not asked again
            current.store().answers.add(session["id"], inst.id, {inst.items[0].id: ""}, attempt_id=attempt_id)
    return redirect(url_for("questionnaire.page", token=token))
