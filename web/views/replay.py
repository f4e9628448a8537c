"""The replay page and what it changes: notes and tags, highlight clips, redaction."""
from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import asdict

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)

from sessions.events import CAPTIONS_FILE, ROLES, AuditAction, Role
from sessions.media.clips import clip_video
from sessions.media.redaction import redact as redact_session
from sessions.media.voices import other_voices, voice_file
from web import current
from web.auth.access import may_play_recordings, requires
from web.blocking import off_loop
from web.timeline import replay_data
from web.view_cache import study_views
from web.views.captions import clip_captions

bp = Blueprint("replay", __name__)
MAX_TAGS, MAX_TAG, MAX_NOTE = 12, 40, 2000


@bp.route("/sessions/<session_id>")
@requires(*ROLES)
def page(session_id: str):
    session = current.store().sessions.get(session_id)
    link = url_for("questionnaire.page", token=session["token"], _external=True)
    answers = current.store().answers.all(session_id)
    return render_template("replay/replay.html", session=session, questionnaire_link=link,
                           answers=readable_answers(session_id, answers), sus=sus_of(answers),
                           tasks=[t.id for t in current.study().tasks], voices=other_voices(session),
                           media_allowed=may_play_recordings())


@bp.route("/sessions/<session_id>/voice/<speaker>.m4a")
@requires(*ROLES)
def voice(session_id: str, speaker: str):
    """One speaker's sound track as a file of its own (sessions.media.voices), with Range
    requests, so the replay's <audio> seeks like the video."""
    store = current.store()
    path = off_loop(lambda: voice_file(store, session_id, speaker))
    return send_file(path, mimetype="audio/mp4", conditional=True, max_age=0)


def readable_answers(session_id: str, answers: list[dict]) -> list[dict]:
    """Answers as a researcher reads them: the question's text and the task it was about,
    rather than item numbers and attempt ids."""
    from web.instruments import instrument
    study = current.study()
    task_of = {a["id"]: a["task"] for a in current.store().attempts.all(session_id)}
    rows = []
    for a in answers:
        try:
            form = instrument(study, a["questionnaire"])
            item = next((i for i in form.items if i.id == a["item"]), None)
        except KeyError:
            item = None
        rows.append({"questionnaire": QUESTIONNAIRE_NAMES.get(a["questionnaire"], a["questionnaire"]),
                     "task": task_of.get(a["attempt_id"]) if a["attempt_id"] is not None else None,
                     "question": item.prompt if item else f"item {a['item']}",
                     "answer": a["text"] if a["value"] is None else f"{a['value']:g}",
                     "scale": f"{item.low}–{item.high}" if item and item.kind == "scale" else ""})
    return rows


QUESTIONNAIRE_NAMES = {"sus": "SUS", "seq": "SEQ", "nps": "NPS", "umux_lite": "UMUX-Lite"}


def sus_of(answers: list[dict]) -> float | None:
    """This participant's SUS score, when all ten items were answered."""
    from analyzer.stats import sus_score
    items = {a["item"]: a["value"] for a in answers
             if a["questionnaire"] == "sus" and a["attempt_id"] is None and a["value"] is not None}
    if not all(str(i) in items for i in range(1, 11)):
        return None
    return sus_score([int(items[str(i)]) for i in range(1, 11)])


@bp.route("/sessions/<session_id>/timeline.json")
@requires(*ROLES)
def timeline(session_id: str):
    """Kept like the heatmaps (web/view_cache.py): a replay opened by many reviewers, or
    reopened, reads its session once."""
    store, study = current.store(), current.study()
    body = study_views("replays").get(store, session_id, lambda: json.dumps(replay_data(store, study, session_id)),
                                      heavy=False)
    return Response(body, mimetype="application/json")


def _tags(raw) -> list[str]:
    """Tags are free text, defined whenever a reviewer needs one; a list or a comma string."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        abort(400, "Tags must be a list of words.")
    tags = sorted({t.strip().lower() for t in items if t.strip()})
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        abort(400, f"At most {MAX_TAGS} tags of up to {MAX_TAG} characters.")
    return tags


def _seconds(value, name: str, duration: float) -> float:
    try:
        t = float(value)
    except (TypeError, ValueError):
        abort(400, f"{name} must be a number of seconds.")
    if not math.isfinite(t) or t < 0 or t > duration + 1:
        abort(400, f"{name} must be between 0 and {duration:.1f} seconds.")
    return t


def _range(session: dict, form) -> tuple[float, float]:
    duration = session["duration"] or 0.0
    start = _seconds(form.get("start"), "Start", duration)
    end = _seconds(form.get("end"), "End", duration)
    if end <= start:
        abort(400, "The end must come after the start.")
    return start, end


@bp.route("/sessions/<session_id>/notes", methods=["POST"])
@requires(*ROLES)
def add_note(session_id: str):
    session = current.store().sessions.get(session_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send the note as JSON.")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE:
        abort(400, f"A note needs 1 to {MAX_NOTE} characters of text.")
    t = _seconds(body.get("t"), "The note's time", session["duration"] or 0.0)
    note_id = current.store().notes.add(session_id, t, text, current.login()["name"],
                                        tags=_tags(body.get("tags")), source="replay")
    note = next(n for n in current.store().notes.all(session_id) if n["id"] == note_id)
    return jsonify({"id": note_id, "t": note["t"], "text": note["text"],
                    "author": note["author"], "tags": note["tags"]}), 201


@bp.route("/sessions/<session_id>/notes/<int:note_id>/tags", methods=["POST"])
@requires(*ROLES)
def set_tags(session_id: str, note_id: int):
    notes = {n["id"]: n for n in current.store().notes.all(session_id)}
    if note_id not in notes:
        abort(404)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send the tags as JSON.")
    tags = _tags(body.get("tags"))
    current.store().notes.set_tags(note_id, tags)
    return jsonify({"id": note_id, "tags": tags})


@bp.route("/sessions/<session_id>/clip", methods=["POST"])
@requires(Role.RESEARCHER, Role.REVIEWER)
def clip(session_id: str):
    """A highlight: the video of a time range plus the notes inside it (JSON and WebVTT
    subtitles, so the notes show over the clip in any player)."""
    session = current.store().sessions.get(session_id)
    start, end = _range(session, request.form)
    notes = [n for n in current.store().notes.all(session_id) if start <= n["t"] <= end]
    store = current.store()
    video = off_loop(lambda: clip_video(store, session_id, start, end))  # a UxlabError is the app's to show
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("clip.mp4", video)
        archive.writestr("notes.json", json.dumps(
            [{"t": round(n["t"] - start, 3), "session_t": n["t"], "text": n["text"],
              "author": n["author"], "tags": n["tags"]} for n in notes], indent=2))
        archive.writestr("notes.vtt", _webvtt(notes, start, end))
        if (captions := clip_captions(session_id, start, end)) is not None:
            archive.writestr(CAPTIONS_FILE, captions)
    buffer.seek(0)
    current.store().audit.record(current.login()["name"], AuditAction.EXPORT_CLIP, session_id, {"start": start, "end": end})
    name = f"{session_id}-{start:.0f}-{end:.0f}.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)


def _webvtt(notes: list[dict], start: float, end: float) -> str:
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
    cues = ["WEBVTT", ""]
    for n in notes:
        t = n["t"] - start
        tags = f" [{', '.join(n['tags'])}]" if n["tags"] else ""
        cues += [f"{stamp(t)} --> {stamp(min(t + 4, end - start))}", f"{n['author']}: {n['text']}{tags}", ""]
    return "\n".join(cues)


@bp.route("/sessions/<session_id>/redact", methods=["POST"])
@requires(Role.RESEARCHER)
def redact(session_id: str):
    """Black out a time range (sessions.media.redaction says all it changes); the reason goes to
    the audit log. Runs in the request (off the server's loop): a re-encode
    takes seconds per minute."""
    store = current.store()
    session = store.sessions.get(session_id)
    start, end = _range(session, request.form)
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > 500:
        abort(400, "Say why this range is redacted (up to 500 characters).")
    actor = current.login()["name"]
    done = off_loop(lambda: redact_session(store, session_id, start, end, actor=actor, reason=reason))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(asdict(done))
    return render_template("replay/redacted.html", session=session, start=start, end=end, done=done)
