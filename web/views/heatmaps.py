"""Heatmaps per task, design group and screen state (drawn by analyzer.heatmap), and, for
pages that sent capture events, per page (URL screen) at page coordinates, drawn on the
page as the screen video showed it (analyzer.page_pictures); clicking a hot spot lists the
attempts that clicked there, each linking to the replay at that moment.

Like the dashboard's analysis, the sessions are read once and reused until the study's
database changes, or for a few seconds at a time while a session is being recorded
(web/view_cache.py), so moving between states and groups costs a drawing.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from analyzer import heatmap, url_screens
from analyzer.data.study_data import StudyData, load_study_data
from analyzer.page_pictures import PagePicture, page_pictures
from analyzer.url_screens import WebClick
from sessions.errors import BadRequest, NotFound
from sessions.events import ROLES
from sessions.store import Store
from sessions.study import Study, Task
from web import current
from web.auth.access import requires
from web.view_cache import PerSession, StudyViews, per_session, study_views

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


def _views() -> StudyViews:
    return study_views("heatmaps")


def _data(group: str | None) -> StudyData:
    store, study = current.store(), current.study()
    return _views().get(store, ("data", group), lambda: _read(store, study, group, per_session("readings")))


def _read(store: Store, study: Study, group: str | None, memo: PerSession) -> StudyData:
    """The sessions of a group, those that cannot have changed taken from the last reading."""
    _running, kept, mark = memo.reusable(store)
    data = load_study_data(store, study, group=group, reuse=kept)
    memo.keep(mark, {**kept, **{s.id: s for s in data.sessions}})
    return data


def _groups() -> list[str]:
    return _data(None).groups()


def _group() -> str | None:
    """The design group asked for; with two or more groups, the first one by default, so a
    page never draws two designs as one."""
    group = (request.args.get("group") or "").strip() or None
    groups = _groups()
    if group is not None and group not in groups:
        raise NotFound(f"no counted sessions in group {group!r} (groups here: {', '.join(groups) or 'none'})")
    if group is None and len(groups) > 1:
        group = groups[0]
    return group


@bp.route("/heatmaps")
@requires(*ROLES)
def index():
    return render_template("heatmaps/heatmaps.html", study=current.study(), task=None)


@bp.route("/heatmaps/<task_id>")
@requires(*ROLES)
def task(task_id: str):
    task = _task(task_id)
    group = _group()
    states = heatmap.task_clicks(_data(group), task.id).states
    pages = _pages(task.id, group)
    url = _url(pages)
    picture = _picture(url, group) if url is not None else None
    return render_template("heatmaps/heatmaps.html", study=current.study(), task=task, states=states,
                           screen=_screen(), groups=_groups(), group=group,
                           pages=[(screen, len(clicks)) for screen, clicks in pages.items()],
                           url=url, picture=picture)


# -- per URL: for pages that sent capture events (issue 21) ---------------------------
def _pages(task_id: str, group: str | None) -> dict[str, list[WebClick]]:
    """The task's named clicks by page (URL screen), most clicked first."""
    store, study = current.store(), current.study()
    found = _views().get(store, ("pages", task_id, group),
                         lambda: url_screens.clicks_by_screen(store, study, task_id, group))
    return dict(sorted(found.items(), key=lambda item: (-len(item[1]), item[0])))


def _url(pages: dict[str, list[WebClick]]) -> str | None:
    """The page asked for (`?url=` a screen, as the study's patterns name it), or None."""
    url = request.args.get("url")
    if url in (None, ""):
        return None
    if url not in pages:
        known = ", ".join(pages) or "none"
        raise NotFound(f"no clicks on page {url!r} in this task (pages with clicks: {known})")
    return url


def _named_page(task_id: str) -> tuple[Task, str | None, dict[str, list[WebClick]], str]:
    """The task, the group asked for, the task's clicks by page, and the page named by
    `?url=`, which a page's own image and hot spots cannot do without."""
    task = _task(task_id)
    group = _group()
    pages = _pages(task.id, group)
    url = _url(pages)
    if url is None:
        raise BadRequest("name the page: ?url=<one of the task's pages>")
    return task, group, pages, url


def _picture(url: str, group: str | None) -> PagePicture:
    """The page's picture from the screen videos, drawn once until the study changes."""
    store, study = current.store(), current.study()
    return _views().get(store, ("picture", url, group),
                        lambda: page_pictures(store, study, [url], group)[url])


@bp.route("/heatmaps/<task_id>/page.png")
@requires(*ROLES)
def page_image(task_id: str):
    """The task's clicks on one page at page coordinates, drawn on the page's picture: no
    click from another page is on it."""
    task, group, pages, url = _named_page(task_id)
    picture = _picture(url, group)
    png = _views().get(current.store(), ("page.png", task.id, url, group),
                       lambda: url_screens.screen_heatmap_png(pages[url], picture=picture.image, seen=picture.seen))
    return Response(png, mimetype="image/png")


@bp.route("/heatmaps/<task_id>/page_clicks.json")
@requires(*ROLES)
def page_clicks(task_id: str):
    """The task's clicks on one page near (fx, fy), fractions of its heatmap's width and
    height: who clicked there, and when."""
    task, group, pages, url = _named_page(task_id)
    fx, fy = _fraction("fx"), _fraction("fy")
    picture = _picture(url, group)
    width, height = url_screens.screen_heatmap_size(pages[url], picture.image)
    near = url_screens.clicks_near_point(pages[url], fx * width, fy * height, heatmap.NEAR_RADIUS)
    store = current.store()
    for click in near:
        attempt = next((a for a in store.attempts.all(click["session_id"], task.id)
                        if a["started"] <= click["t"] and (a["ended"] is None or click["t"] <= a["ended"])), None)
        click["attempt_id"] = attempt["id"] if attempt else None
    return jsonify([{**c, **_who(c, task.id), "replay": url_for("replay.page", session_id=c["session_id"])
                     + f"#t={max(0.0, float(c['t']) - 2):.1f}"} for c in near])


def _fraction(name: str) -> float:
    try:
        value = float(request.args[name])
    except (KeyError, ValueError):
        raise BadRequest(f"{name} must be a number, a fraction of the picture from 0 to 1") from None
    if not 0 <= value <= 1:
        raise BadRequest(f"{name} is a fraction of the picture, from 0 to 1")
    return value


@bp.route("/heatmaps/<task_id>/heatmap.png")
@requires(*ROLES)
def image(task_id: str):
    task = _task(task_id)
    group, screen = _group(), _screen()
    data = _data(group)
    png = _views().get(current.store(), ("png", task.id, group, screen),
                       lambda: heatmap.heatmap_png(data, task.id, screen=screen))
    return Response(png, mimetype="image/png")


@bp.route("/heatmaps/<task_id>/clicks.json")
@requires(*ROLES)
def clicks(task_id: str):
    """Clicks near the point (fx, fy), given as fractions of the heatmap's width and height."""
    task = _task(task_id)
    try:
        fx, fy = float(request.args["fx"]), float(request.args["fy"])
    except (KeyError, ValueError):
        abort(400, "fx and fy must be numbers")
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise BadRequest("fx and fy are fractions of the picture, from 0 to 1")
    rows = heatmap.hot_spot(_data(_group()), task.id, fx, fy, screen=_screen())
    return jsonify([{**r, **_who(r, task.id), "replay": url_for("replay.page", session_id=r["session_id"])
                     + f"#t={max(0.0, float(r['t']) - 2):.1f}"} for r in rows])


def _who(row: dict, task_id: str) -> dict:
    """What a researcher reads in a hot-spot list: the participant, the task, and how far
    into the attempt the click came (not the store's ids)."""
    store = current.store()
    session = store.sessions.get(row["session_id"])
    attempt = next((a for a in store.attempts.all(row["session_id"], task_id) if a["id"] == row["attempt_id"]), None)
    return {"participant": session["participant"], "group": session["group_name"], "task": task_id,
            "into_task": round(float(row["t"]) - attempt["started"], 3) if attempt else None}
