"""Screens from the replay: a researcher pauses on a frame, drags a rectangle over it and
keeps it as a task's success or error screen, or as its first-click target area.

The crop is cut from the recorded video at full screen size (the analyzer shrinks screens
as it shrinks keyframes), written by the study folder's own code, and study.toml is updated
in place; the next analysis uses it at once.
"""
from __future__ import annotations

import math

import cv2
from flask import Blueprint, current_app, jsonify, request

from sessions.errors import BadRequest, NotFound
from sessions.events import Role, screen_action
from sessions.media.video_edit import VideoEditError, frame_at
from sessions.studyfile_edit import SCREEN_KINDS, save_screen, set_task_screen
from web import current
from web.auth.access import requires

bp = Blueprint("screen_picker", __name__)


def _number(body: dict, key: str, low: float, high: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise BadRequest(f"{key} must be a number from {low:g} to {high:g}")
    return float(value)


@bp.route("/sessions/<session_id>/screens", methods=["POST"])
@requires(Role.RESEARCHER)
def save(session_id: str):
    store, study = current.store(), current.study()
    session = store.sessions.get(session_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send the area as JSON")
    task, kind = body.get("task"), body.get("kind")
    if not isinstance(task, str) or study.task(task) is None:
        raise NotFound(f"no task {task!r} in this study")
    if kind not in SCREEN_KINDS:
        raise BadRequest(f"keep the area as one of {', '.join(SCREEN_KINDS)}")
    device = session["device"] or {}
    width, height = int(device.get("width") or 0), int(device.get("height") or 0)
    if not width or not height:
        raise BadRequest("this session does not say its screen size")
    x, y = round(_number(body, "x", 0, width - 1)), round(_number(body, "y", 0, height - 1))
    w = round(_number(body, "w", 1, width - x))
    h = round(_number(body, "h", 1, height - y))
    if w < 4 or h < 4:
        raise BadRequest("drag a larger area (at least 4 × 4 screen pixels)")
    rect = (x, y, w, h)
    value: str | tuple[int, int, int, int]
    if kind == "first_click":
        value = rect
    else:
        t = _number(body, "t", 0, (session["duration"] or 0) + 1)
        value = save_screen(store.folder, task, kind, _crop(session, t, rect, width, height))
    extensions = current_app.extensions["uxlab"]
    extensions["study"] = set_task_screen(store.folder, task, kind, value)
    extensions.pop("summary", None)   # the task table is analysed again on its next visit
    store.audit.record(current.login()["name"], screen_action(kind), session_id,
                       {"task": task, "area": list(rect), "screen": value if kind != "first_click" else None})
    return jsonify({"task": task, "kind": kind, "area": list(rect),
                    "screen": None if kind == "first_click" else value}), 201


def _crop(session: dict, t: float, rect: tuple[int, int, int, int], width: int, height: int) -> bytes:
    """The area of the frame shown at `t`, in screen pixels, as PNG."""
    path = current.store().media.video(session)
    try:
        frame = frame_at(path, t)
    except VideoEditError as exc:
        raise BadRequest(str(exc)) from None
    sx, sy = frame.shape[1] / width, frame.shape[0] / height
    x, y, w, h = rect
    part = frame[round(y * sy):max(round((y + h) * sy), round(y * sy) + 1),
                 round(x * sx):max(round((x + w) * sx), round(x * sx) + 1)]
    if part.shape[:2] != (h, w):   # a video recorded smaller than the screen
        part = cv2.resize(part, (w, h), interpolation=cv2.INTER_CUBIC)
    ok, encoded = cv2.imencode(".png", part)
    if not ok:
        raise BadRequest("the area could not be encoded")
    return encoded.tobytes()
