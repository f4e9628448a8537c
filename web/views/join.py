"""The participant's join page and its capture endpoint: a remote participant's browser
becomes the recorder of one session.

No login: the join link's token is the participant's only key, and it opens this
blueprint's pages for its own session and nothing else (every other page still asks for
a login, and the session's questionnaire token is a different one). The same token stands
in for a CSRF token: a cross-site page cannot know it, so these JSON endpoints are exempt
from the form check the rest of the app makes.

    GET  /join/<token>                    the page (consent, device check, tasks)
    GET  /join/<token>/clock              the server's clock, for the page's clock sync
    POST /join/<token>/begin              consent given: create (or resume) the session
    POST /join/<token>/run                a recorder starts: {track, start, mime, surface}
    POST /join/<token>/chunk/<track>/<run>/<seq>?t=   ~1 s of recording; answered {ack}
    GET  /join/<token>/state              what the page shows now
    POST /join/<token>/task               {action, task, t}
    POST /join/<token>/answers            {key, values}
    POST /join/<token>/marker             {what: share_stopped|share_again|camera_lost|pause|resume, t,
                                           asked: the console's pause}
    POST /join/<token>/end                {t}: the session ends, its media are built
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from sessions.errors import BadRequest, Conflict, UxlabError
from sessions.events import VIDEO_FILE, KeystrokeMode, MarkerKind, SessionStatus
from sessions.invitations import Invitation, Mode
from sessions.media.browser_assembly import build_media
from sessions.media.browser_chunks import TRACKS, BrowserChunks
from web import current
from web.instruments import instrument, validate
from web.views import remote_moderation, remote_tasks

bp = Blueprint("join", __name__)
MARKERS = {"share_stopped": "the participant stopped sharing their screen",
           "share_again": "the participant shared their screen again",
           "camera_lost": "the participant's camera stopped",
           "pause": "the participant paused the recording (privacy pause): nothing recorded",
           "resume": "the participant resumed the recording"}
KINDS = {"camera_lost": MarkerKind.CAMERA_LOST, "pause": MarkerKind.PAUSE, "resume": MarkerKind.RESUME}


@bp.record_once
def _exempt_from_csrf(state: Any) -> None:
    state.app.extensions["csrf"].exempt(bp)


def _invitation(token: str) -> Invitation:
    return current.store().invitations.open(token)


def _session(token: str) -> tuple[Invitation, dict]:
    inv = _invitation(token)
    if inv.session_id is None:
        raise Conflict("The session has not begun yet: give your consent on the join page first.")
    return inv, current.store().sessions.get(inv.session_id)


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the request needs a JSON object")
    return data


@bp.route("/join/<token>")
def page(token: str):
    """The join page, or one sentence saying why this link opens nothing."""
    try:
        inv = _invitation(token)
    except UxlabError as exc:   # a refusal is a page with its sentence
        return render_template("join/closed.html", message=exc.message, study=current.study()), exc.status
    study = current.study()
    return render_template("join/join.html", token=token, study=study, mode=inv.mode,
                           moderated=inv.mode == Mode.MODERATED, microphone=True,
                           resuming=inv.session_id is not None, camera=study.capture.camera)


@bp.route("/join/<token>/clock")
def clock(token: str):
    _invitation(token)
    return jsonify({"server": time.time()})


@bp.route("/join/<token>/begin", methods=["POST"])
def begin(token: str):
    inv = _invitation(token)
    data = _body()
    device: dict[str, Any] = {"source": "browser", "video": VIDEO_FILE,
              "browser": str(data.get("browser") or "")[:300],
              "surface": _surface(data.get("surface")), "microphone": bool(data.get("microphone")),
              "camera": None, "audio": []}
    store = current.store()
    session, resumed = store.invitations.begin(inv, keystrokes=KeystrokeMode.NONE, device=device)
    return jsonify({"session": session["id"], "started_at": session["started_at"], "resumed": resumed,
                    "server": time.time(), "mode": inv.mode})


@bp.route("/join/<token>/run", methods=["POST"])
def run(token: str):
    _, session = _session(token)
    data = _body()
    track = data.get("track")
    if track not in TRACKS:
        raise BadRequest(f"unknown recording track {str(track)[:20]!r}")
    given = data.get("start")
    if isinstance(given, bool) or not isinstance(given, (int, float)):
        raise BadRequest("a run needs its start in session seconds")
    started = max(0.0, min(float(given), remote_tasks.session_now(session) + 2.0))
    new = BrowserChunks(current.store().media, session["id"]).new_run(
        track, start=started, mime=str(data.get("mime") or ""), surface=_surface(data.get("surface")))
    return jsonify({"run": new.number})


@bp.route("/join/<token>/chunk/<track>/<int:number>/<int:seq>", methods=["POST"])
def chunk(token: str, track: str, number: int, seq: int):
    """One chunk, stored whole before it is acknowledged."""
    inv, session = _session(token)
    t = request.args.get("t", type=float)
    stored = BrowserChunks(current.store().media, session["id"]).put(
        track, number, seq, request.get_data(cache=False), t)
    current.store().invitations.beat(session["id"])
    return jsonify({"ack": seq, "stored": stored})


@bp.route("/join/<token>/state")
def state(token: str):
    inv, session = _session(token)
    return jsonify({**remote_tasks.state(current.store(), current.study(), session), "mode": inv.mode})


@bp.route("/join/<token>/task", methods=["POST"])
def task(token: str):
    inv, session = _session(token)
    if inv.mode == Mode.MODERATED:
        raise Conflict("In a moderated session the moderator starts and ends the tasks.")
    data = _body()
    remote_tasks.act(current.store(), current.study(), session, data.get("action"), data.get("task"),
                     data.get("t"))
    return jsonify(remote_tasks.state(current.store(), current.study(), session))


@bp.route("/join/<token>/answers", methods=["POST"])
def answers(token: str):
    _, session = _session(token)
    data = _body()
    store, study = current.store(), current.study()
    shown = remote_tasks.state(store, study, session)
    if data.get("key") != shown["key"] or shown["stage"] not in ("post_task", "post_session"):
        raise Conflict("These questions were already answered; the page shows what comes next.")
    values = data.get("values")
    if not isinstance(values, dict):
        raise BadRequest("answers need their values")
    forms = [instrument(study, i["id"]) for i in shown["instruments"]]
    checked, errors = validate(forms, {str(k): str(v) for k, v in values.items()})
    if errors:
        return jsonify({"error": "Please answer every question.", "fields": errors}), 400
    attempt_id = int(shown["key"].split(":", 1)[1]) if shown["stage"] == "post_task" else None
    for form in forms:
        given = checked[form.id] or {form.items[0].id: ""}   # an optional form left blank was seen
        store.answers.add(session["id"], form.id, given, attempt_id=attempt_id)
    return jsonify(remote_tasks.state(store, study, session))


@bp.route("/join/<token>/marker", methods=["POST"])
def marker(token: str):
    _, session = _session(token)
    data = _body()
    what = data.get("what")
    if what not in MARKERS:
        raise BadRequest(f"unknown marker {str(what)[:30]!r}")
    t = _time(data.get("t"), session)
    kind = KINDS.get(what, MarkerKind.MARKER)
    # a pause the moderator's console asked for is the moderator's, as in the lab
    author = ("moderator" if data.get("asked") is True else "participant") if what in ("pause", "resume") \
        else "browser"
    current.store().markers.add(session["id"], t, kind.value, author=author, text=MARKERS[what])
    if what in ("pause", "resume"):
        remote_moderation.tell_console(session["id"])
    return jsonify({"ok": True})


@bp.route("/join/<token>/end", methods=["POST"])
def end(token: str):
    """The participant ends the session: a running task is abandoned, the media are built
    from every chunk received."""
    _, session = _session(token)
    data = _body()
    store, study = current.store(), current.study()
    t_end = _time(data.get("t"), session)
    t_end = max(t_end, float(session["duration"] or 0.0))
    remote_tasks.abandon_running(store, session, t_end)
    store.invitations.end(session["id"], t_end)
    _build_later(session["id"], study.capture.fps)
    return jsonify({"ended": True, "status": SessionStatus.COMPLETE.value})


def _build_later(session_id: str, fps: float) -> None:
    """Build the session's media from its chunks off the request (re-encoding takes about a
    fifth of the recording's length): the participant need not wait for it, and the device
    record says `built` (a wall-clock time) once the replay can play it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = current.store()

    def work() -> None:
        with app.app_context():
            try:
                built = build_media(store, session_id, fps=fps)
                device = {**(store.sessions.get(session_id).get("device") or {}), **built.device,
                          "built": round(time.time(), 3)}
                store.invitations.set_device(session_id, device)
                app.logger.info("remote session %s built: %d frames, %.1f s of sound, %d gaps",
                                session_id, built.frames, built.seconds_of_sound, len(built.gaps))
            except Exception:   # the chunks stay: building again (a later end) makes the media
                app.logger.exception("building the media of remote session %s failed", session_id)

    if app.config["ASYNC_MODE"] == "gevent":
        import gevent
        gevent.get_hub().threadpool.spawn(work)
    else:
        threading.Thread(target=work, name=f"build-{session_id}", daemon=True).start()


def _surface(value: Any) -> str | None:
    return value if value in ("monitor", "window", "browser") else None


def _time(value: Any, session: dict) -> float:
    now = remote_tasks.session_now(session)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return round(now, 3)
    return round(max(0.0, min(float(value), now)), 3)
