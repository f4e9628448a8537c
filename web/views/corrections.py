"""Correcting a transcript from the replay's panel: a researcher's words for one segment,
and taking them back. The store keeps the machine's text beside them
(sessions/corrections.py), so these requests only name the segment and the words."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from sessions.corrections import Corrections
from sessions.events import SPEAKERS, Role
from web import current
from web.auth.access import requires

bp = Blueprint("corrections", __name__)


def _segment(session_id: str) -> tuple[Corrections, int, dict]:
    """The corrections part, the segment the JSON body names by its start and speaker, and the body."""
    current.store().sessions.get(session_id)  # an unknown session is a 404
    body: Any = request.get_json(silent=True)   # its values as sent: the hub checks them
    if not isinstance(body, dict):
        abort(400, "Send the correction as JSON.")
    speaker, t = body.get("speaker"), body.get("t")
    if speaker not in SPEAKERS:
        abort(400, f"Name the segment's speaker ({', '.join(SPEAKERS)}).")
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        abort(400, "Name the segment by its start, in seconds.")
    corrections = Corrections(current.store())
    return corrections, corrections.segment_at(session_id, float(t), speaker), body


def _reply(corrections: Corrections, segment: dict):
    return jsonify({"t": segment["t"], "end": segment["end"], "speaker": segment["speaker"],
                    "text": segment["text"], "machine_text": segment["machine_text"],
                    "corrected_by": segment["corrected_by"],
                    "words": [list(w) for w in corrections.words_of(segment["id"])]})


@bp.route("/sessions/<session_id>/transcript/correct", methods=["POST"])
@requires(Role.RESEARCHER)
def correct(session_id: str):
    corrections, segment_id, body = _segment(session_id)
    text = body.get("text")
    if not isinstance(text, str):
        abort(400, "Send the segment's corrected words as text.")
    segment = corrections.correct(session_id, segment_id, text, actor=current.login()["name"])
    return _reply(corrections, segment)


@bp.route("/sessions/<session_id>/transcript/revert", methods=["POST"])
@requires(Role.RESEARCHER)
def revert(session_id: str):
    corrections, segment_id, _ = _segment(session_id)
    segment = corrections.revert(session_id, segment_id, actor=current.login()["name"])
    return _reply(corrections, segment)
