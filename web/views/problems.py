"""The findings pages: the problem list with its matrix and discovery curve, a problem with
its evidence and ratings, candidates to confirm or dismiss, and highlight reels built in the
background with progress.

Researchers create and edit; reviewers rate and comment (their rating's comment); observers
may look but neither create nor rate.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
)

from analyzer.candidates import study_candidates
from analyzer.findings import problem_list, task_at
from analyzer.report.charts import discovery_chart
from analyzer.report.thumbnails import screen_thumbnail
from sessions.errors import UxlabError
from sessions.events import (
    RATER_ROLES,
    REEL_FILE,
    ROLES,
    SEVERITIES,
    AuditAction,
    Decision,
    Role,
)
from sessions.media.reels import build_reel, clips_for_problem
from sessions.problems import Problems, confirm_candidate
from sessions.tables.jobs import JobsBusy
from web import current
from web.auth.access import requires, wants_json

bp = Blueprint("problems", __name__)
RESEARCHER = Role.RESEARCHER.value
REEL_ROLES = RATER_ROLES
MAX_JOBS = 20   # ended reels kept for download, per study


@bp.errorhandler(UxlabError)
def _refused(exc: UxlabError):
    if wants_json():
        return jsonify({"error": exc.message}), exc.status
    return render_template("error.html", code=exc.status, message=exc.message), exc.status


def _problems() -> Problems:
    return Problems(current.store())


def _body() -> Any:
    """The request's JSON object; its values are as sent, and the hub (sessions/problems.py)
    refuses a wrong type or range in one sentence."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send the request as JSON.")
    return body


def _name() -> str:
    return current.login()["name"]


def _listing() -> dict:
    """The problem list, reused until the study's database changes."""
    store, cache = current.store(), current_app.extensions["uxlab"].setdefault("problems", {})
    mark = store.fingerprint()
    if cache.get("mark") != mark:
        cache.update(result=problem_list(store), mark=mark)
    return cache["result"]


def _candidates() -> list[dict]:
    store, cache = current.store(), current_app.extensions["uxlab"].setdefault("candidates", {})
    mark = store.fingerprint()
    if cache.get("mark") != mark:
        cache.update(result=study_candidates(store, current.study()), mark=mark)
    return cache["result"]


# -- pages ------------------------------------------------------------------------------------
@bp.route("/problems")
@requires(*ROLES)
def index():
    return render_template("problems/problems.html", result=_listing(), severities=SEVERITIES,
                           tasks=[t.id for t in current.study().tasks])


@bp.route("/problems.json")
@requires(*ROLES)
def index_json():
    return jsonify(_listing())


@bp.route("/problems/discovery.png")
@requires(*ROLES)
def discovery_png():
    result = _listing()
    if not result["curve"]:
        abort(404)
    return Response(discovery_chart(result["curve"], len(result["participants"])), mimetype="image/png")


def _view(problem_id: int) -> dict:
    for problem in _listing()["problems"]:
        if problem["id"] == problem_id:
            return problem
    _problems().get(problem_id)     # NotFound for an unknown id
    abort(404)


@bp.route("/problems/<int:problem_id>")
@requires(*ROLES)
def page(problem_id: int):
    problem = _view(problem_id)
    others = [p for p in _listing()["problems"] if p["id"] != problem_id]
    mine = next((r for r in problem["ratings"] if r["rater"] == _name()), None)
    return render_template("problems/problem.html", problem=problem, severities=SEVERITIES, others=others,
                           mine=mine, tasks=[t.id for t in current.study().tasks])


@bp.route("/problems/<int:problem_id>.json")
@requires(*ROLES)
def page_json(problem_id: int):
    return jsonify(_view(problem_id))


@bp.route("/problems/evidence/<int:evidence_id>/still.jpg")
@requires(*ROLES)
def still(evidence_id: int):
    row = _problems().evidence_item(evidence_id)
    frames = current.store().frames.all(row["session_id"], end=row["t"], keyframes_only=True) or \
        current.store().frames.all(row["session_id"], keyframes_only=True)[:1]
    jpeg = screen_thumbnail(current.store(), {"session_id": row["session_id"], "keyframe": frames[-1]["keyframe"]}) \
        if frames else None
    if jpeg is None:
        abort(404)
    return Response(jpeg, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=300"})


# -- changes ----------------------------------------------------------------------------------
@bp.route("/problems", methods=["POST"])
@requires(RESEARCHER)
def create():
    """A new problem; with session_id and t, the moment is its first evidence."""
    body = _body()
    task = body.get("task") or None
    if task is not None and current.study().task(task) is None:
        abort(400, f"There is no task {task!r} in this study.")
    problems = _problems()
    moment = body.get("session_id")
    if moment is not None:
        current.store().sessions.get(moment)
        if task is None and isinstance(body.get("t"), (int, float)):
            # a problem made from a moment belongs to the task running then, as its page shows
            task = task_at(current.store().attempts.all(moment), float(body["t"]))
    problem_id = problems.create(body.get("title"), author=_name(), task=task,
                                 description=body.get("description") or "", tags=body.get("tags") or [])
    if moment is not None:
        try:
            _add_moment(problems, problem_id, body)
        except UxlabError:
            problems.delete(problem_id, actor=_name())     # a bad moment leaves nothing behind
            raise
    return jsonify(problems.get(problem_id)), 201


def _add_moment(problems: Problems, problem_id: int, body: Any) -> int:
    return problems.add_evidence(problem_id, body.get("session_id"), body.get("t"), end=body.get("end"),
                                 kind=body.get("kind") or "stretch", ref_id=body.get("ref_id"),
                                 text=body.get("text") or "", author=_name())


@bp.route("/problems/<int:problem_id>", methods=["POST"])
@requires(RESEARCHER)
def edit(problem_id: int):
    body = _body()
    fields = {k: body[k] for k in ("title", "description", "task", "tags") if k in body}
    if fields.get("task") and current.study().task(fields["task"]) is None:
        abort(400, f"There is no task {fields['task']!r} in this study.")
    return jsonify(_problems().edit(problem_id, actor=_name(), **fields))


@bp.route("/problems/<int:problem_id>/delete", methods=["POST"])
@requires(RESEARCHER)
def delete(problem_id: int):
    _problems().delete(problem_id, actor=_name())
    return jsonify({"deleted": problem_id})


@bp.route("/problems/<int:problem_id>/merge", methods=["POST"])
@requires(RESEARCHER)
def merge(problem_id: int):
    others = _body().get("others")
    if not isinstance(others, list) or not all(isinstance(o, int) for o in others):
        abort(400, "Name the problems to merge as a list of ids.")
    return jsonify(_problems().merge(problem_id, others, actor=_name()))


@bp.route("/problems/<int:problem_id>/evidence", methods=["POST"])
@requires(RESEARCHER)
def add_evidence(problem_id: int):
    evidence_id = _add_moment(_problems(), problem_id, _body())
    return jsonify({"id": evidence_id, "problem_id": problem_id}), 201


@bp.route("/problems/evidence/<int:evidence_id>/delete", methods=["POST"])
@requires(RESEARCHER)
def remove_evidence(evidence_id: int):
    _problems().remove_evidence(evidence_id, actor=_name())
    return jsonify({"deleted": evidence_id})


@bp.route("/problems/<int:problem_id>/rating", methods=["POST"])
@requires(*RATER_ROLES)
def rate(problem_id: int):
    body = _body()
    problems = _problems()
    problems.rate(problem_id, _name(), body.get("severity"), body.get("comment") or "")
    return jsonify(_view(problem_id))


# -- candidates -------------------------------------------------------------------------------
@bp.route("/problems/candidates")
@requires(*ROLES)
def candidates():
    found = _candidates()
    return render_template("problems/candidates.html", candidates=found, problems=_listing()["problems"])


@bp.route("/problems/candidates.json")
@requires(*ROLES)
def candidates_json():
    return jsonify(_candidates())


def _candidate(key) -> dict:
    found = next((c for c in _candidates() if c["key"] == key), None)
    if found is None:
        abort(404)
    return found


@bp.route("/problems/candidates/confirm", methods=["POST"])
@requires(RESEARCHER)
def confirm():
    body = _body()
    candidate = _candidate(body.get("key"))
    problem_id = body.get("problem_id")
    if problem_id is not None and (isinstance(problem_id, bool) or not isinstance(problem_id, int)):
        abort(400, "Name the problem by its id.")
    made = confirm_candidate(_problems(), candidate["key"], candidate["moments"], actor=_name(),
                             problem_id=problem_id, title=body.get("title") or candidate["title"],
                             task=candidate["task"])
    return jsonify({"problem_id": made}), 201


@bp.route("/problems/candidates/dismiss", methods=["POST"])
@requires(RESEARCHER)
def dismiss():
    candidate = _candidate(_body().get("key"))
    _problems().decide(candidate["key"], Decision.DISMISSED, actor=_name())
    return jsonify({"dismissed": candidate["key"]})


# -- reels ------------------------------------------------------------------------------------
# a reel job's state is in the store (store.jobs), so any worker of the study answers a poll
REEL_JOB = "reel"


@bp.route("/problems/<int:problem_id>/reel", methods=["POST"])
@requires(*REEL_ROLES)
def start_reel(problem_id: int):
    """Start cutting the problem's reel in a background thread; poll its progress. At most
    MAX_REELS reels are cut at once across the study's workers; past that the answer is 409
    with a sentence saying to try again."""
    store = current.store()
    clips = clips_for_problem(store, problem_id)
    for old in store.jobs.ended_beyond(REEL_JOB, MAX_JOBS - 1):
        shutil.rmtree(old["folder"], ignore_errors=True)
        store.jobs.delete(old["id"])
    folder = Path(tempfile.mkdtemp(prefix="uxlab-reel-job-"))
    try:
        job = store.jobs.start(REEL_JOB, _name(), subject=problem_id, total=2 * len(clips) + 1,
                               folder=str(folder), limit=current_app.config["MAX_REELS"])
    except JobsBusy:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job_id = job["id"]

    def progress(done: int, total: int) -> None:
        store.jobs.progress(job_id, done, total)

    def run() -> None:
        try:
            store.jobs.finish(job_id, build_reel(store, clips, folder / REEL_FILE, progress=progress))
        except UxlabError as exc:
            store.jobs.fail(job_id, exc.message)
        except Exception:
            current_app_logger.exception("reel failed")
            store.jobs.fail(job_id, "The reel could not be built; the details are in the server log.")

    current_app_logger = current_app.logger
    store.audit.record(_name(), AuditAction.BUILD_REEL, None, {"problem": problem_id, "clips": len(clips)})
    threading.Thread(target=run, name=f"reel-{job_id[:8]}", daemon=True).start()
    return jsonify(_job_view(job)), 202


def _job_view(job: dict) -> dict:
    view = {k: job[k] for k in ("id", "state", "done", "total", "error")}
    view["problem_id"] = job["subject"]
    if job["state"] == "done":
        view["download"] = f"/problems/reels/{job['id']}/{REEL_FILE}"
        view["duration"] = job["result"]["duration"]
        # the reel's own caption track is mov_text, which browsers do not show: the page's
        # preview takes the same captions as WebVTT, also offered as a file for any player
        view["captions"] = f"/problems/reels/{job['id']}/reel.vtt" if job["result"]["captions"] else None
    return view


def _job(job_id: str) -> dict:
    job = current.store().jobs.get(job_id)
    if job is None or job["kind"] != REEL_JOB or job["owner"] != _name():
        abort(404)
    return job


@bp.route("/problems/reels/<job_id>.json")
@requires(*REEL_ROLES)
def reel_state(job_id: str):
    return jsonify(_job_view(_job(job_id)))


@bp.route(f"/problems/reels/<job_id>/{REEL_FILE}")
@requires(*REEL_ROLES)
def reel_file(job_id: str):
    job = _job(job_id)
    if job["state"] != "done":
        abort(404)
    # Range requests too (conditional): the page's preview seeks in the same file
    return send_file(Path(job["folder"]) / REEL_FILE, mimetype="video/mp4", as_attachment=True,
                     download_name=f"problem-{job['subject']}-{REEL_FILE}", conditional=True)


@bp.route("/problems/reels/<job_id>/reel.vtt")
@requires(*REEL_ROLES)
def reel_captions(job_id: str):
    job = _job(job_id)
    if job["state"] != "done" or not job["result"]["captions"]:
        abort(404)
    return send_file(job["result"]["captions"], mimetype="text/vtt", as_attachment=True,
                     download_name=f"problem-{job['subject']}-reel.vtt")
