"""Heatmaps per task and per screen state (drawn by analyzer.heatmap); clicking a hot spot
lists the attempts that clicked there, each linking to the replay at that moment."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from analyzer import heatmap
from sessions.events import ROLES
from web import current
from web.access import requires

bp = Blueprint("heatmaps", __name__)


def _task(task_id: str):
    task = current.study().task(task_id)
    if task is None:
        abort(404)
    return task


def _screen():
    raw = request.args.get("screen")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400, "screen must be a number")


def _screen_size() -> tuple[int, int] | None:
    for s in current.store().sessions(limit=20):
        d = s["device"] or {}
        if d.get("width") and d.get("height"):
            return int(d["width"]), int(d["height"])
    return None


@bp.route("/heatmaps")
@requires(*ROLES)
def index():
    return render_template("heatmaps.html", study=current.study(), task=None)


@bp.route("/heatmaps/<task_id>")
@requires(*ROLES)
def task(task_id: str):
    task = _task(task_id)
    states = heatmap.screen_states(current.store(), current.study(), task.id)
    return render_template("heatmaps.html", study=current.study(), task=task, states=states,
                           screen=_screen(), size=_screen_size())


@bp.route("/heatmaps/<task_id>/heatmap.png")
@requires(*ROLES)
def image(task_id: str):
    task = _task(task_id)
    png = heatmap.render_heatmap(current.store(), current.study(), task.id, screen=_screen())
    return Response(png, mimetype="image/png")


@bp.route("/heatmaps/<task_id>/clicks.json")
@requires(*ROLES)
def clicks(task_id: str):
    task = _task(task_id)
    try:
        x, y = float(request.args["x"]), float(request.args["y"])
    except (KeyError, ValueError):
        abort(400, "x and y must be numbers")
    width, height = _screen_size() or (1, 1)   # the analyzer finds hot spots by fractions of the screen
    rows = heatmap.clicks_near(current.store(), current.study(), task.id, x / width, y / height, screen=_screen())
    return jsonify([{**r, **_who(r, task.id), "replay": url_for("replay.page", session_id=r["session_id"])
                     + f"#t={max(0.0, float(r['t']) - 2):.1f}"} for r in rows])


def _who(row: dict, task_id: str) -> dict:
    """What a researcher reads in a hot-spot list: the participant, the task, and how far
    into the attempt the click came (not the store's ids)."""
    store = current.store()
    session = store.session(row["session_id"])
    attempt = next((a for a in store.attempts(row["session_id"], task_id) if a["id"] == row["attempt_id"]), None)
    return {"participant": session["participant"], "group": session["group_name"], "task": task_id,
            "into_task": round(float(row["t"]) - attempt["started"], 3) if attempt else None}
