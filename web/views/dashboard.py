"""The study dashboard: sessions (filtered, sorted and paged in SQL), the task table with
intervals, plots, and the report and CSV downloads."""
from __future__ import annotations

import io
import math
from collections.abc import Sequence

from flask import Blueprint, Response, abort, current_app, render_template, request

from analyzer.paths import task_paths
from analyzer.summary import comparison_groups, measure_session, summarize
from sessions.events import INCLUSIONS, ROLES, SESSION_STATUSES, Outcome, Role
from sessions.store import Store
from sessions.study import Study
from web import current
from web.auth.access import requires
from web.blocking import off_loop
from web.view_cache import PerSession, per_session, study_views

bp = Blueprint("dashboard", __name__)

SORTS = {"started": "started_at", "participant": "participant", "duration": "duration",
         "status": "status", "completed": "completed", "group": "group_name"}


def session_query(args) -> dict:
    """The list's filter, sort and page from query arguments; bad values fall back to defaults."""
    status = args.get("status") or None
    sort = args.get("sort", "started")
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    inclusion = args.get("inclusion") or None
    return {"status": status if status in SESSION_STATUSES else None,
            "inclusion": inclusion if inclusion in INCLUSIONS else None,
            "group": (args.get("group") or "").strip()[:64] or None,
            "participant": (args.get("participant") or "").strip()[:64] or None,
            "attribute": (args.get("attribute") or "").strip()[:260] or None,   # key=value: participants' attribute
            "by": (args.get("by") or "").strip()[:40] or None,                  # compare groups of this attribute
            "sort": sort if sort in SORTS else "started",
            "dir": "asc" if args.get("dir") == "asc" else "desc", "page": page}


@bp.route("/")
@requires(*ROLES)
def index():
    q = session_query(request.args)
    size = current_app.config["PAGE_SIZE"]
    filters = {"status": q["status"], "group": q["group"], "participant": q["participant"],
               "inclusion": q["inclusion"]}
    store = current.store()
    total = store.sessions.count(**filters)
    pages = max(1, math.ceil(total / size))
    q["page"] = min(q["page"], pages)
    rows = store.sessions.all(**filters, order=SORTS[q["sort"]], descending=q["dir"] == "desc",
                              limit=size, offset=(q["page"] - 1) * size)
    return render_template("dashboard/dashboard.html", study=current.study(), rows=rows, total=total,
                           pages=pages, q=q, statuses=SESSION_STATUSES, inclusions=INCLUSIONS)


@bp.route("/summary")
@requires(*ROLES)
def summary():
    """The analyzer's task table and questionnaire scores, loaded into the dashboard after
    the sessions list so a large study never slows the list down; the list's filters apply."""
    q = session_query(request.args)
    result = filtered_summary(current_summary(), q)
    store, study = current.store(), current.study()
    paths = study_views("paths").get(store, "paths", lambda: task_paths(store, study))   # issue 21: web pages
    return render_template("dashboard/summary.html", result=result, q=q, paths=paths)


def filtered_summary(result: dict, q: dict) -> dict:
    """The study's analysis narrowed to the sessions the list's filters keep (group, status,
    participant), with each group's measures side by side when two or more remain."""
    from analyzer import questionnaires
    from analyzer.summary import compare_groups, task_summary
    study, store = current.study(), current.store()
    wanted = (q.get("participant") or "").casefold()
    sessions = [s for s in result["sessions"]
                if (not q.get("group") or s["group"] == q["group"])
                and (not q.get("status") or s["status"] == q["status"])
                and (not wanted or wanted in (s["participant"] or "").casefold())]
    sessions = by_attributes(sessions, q, study.standards.attributes)
    filtered = q.get("group") or q.get("status") or wanted or q.get("attribute")

    def measures(chosen: list[dict]) -> dict:
        ids = {s["id"] for s in chosen}
        tasks = []
        for task in study.tasks:
            every = [a for s in chosen for a in s["attempts"] if a["task"] == task.id]
            counted = [a for a in every if a["outcome"] != Outcome.INTERRUPTED]
            tasks.append(task_summary(task.id, task.prompt, counted, interrupted=len(every) - len(counted)))
        return {"session_count": len(chosen), "tasks": tasks,
                "questionnaires": {name: getattr(questionnaires, f"{name}_summary")(store, ids)
                                   for name in result["questionnaires"]}}

    out = {**result, **(measures(sessions) if filtered else {"session_count": len(sessions)}),
           "filtered": bool(filtered), "total_sessions": len(result["sessions"])}
    names = sorted({s["group"] for s in sessions if s["group"]})
    out["groups"] = None
    if len(names) >= 2:
        by_group = {g: measures([s for s in sessions if s["group"] == g]) for g in names}
        reference = names[0]   # with more than two groups, each is tested against the first
        tests = {g: compare_groups(study, sessions, (reference, g)) for g in names[1:]}
        out["groups"] = {"names": names, "reference": reference, "measures": by_group,
                         "tests": {g: {row["id"]: row for row in t["tasks"]} for g, t in tests.items()}}
    return out


def by_attributes(sessions: list[dict], q: dict, names: tuple[str, ...]) -> list[dict]:
    """Keep the sessions whose participant has the `attribute` (key=value) asked for; with
    `by`, the participants' value of that attribute becomes each session's group, so the
    groups' measures and tests compare, say, novices with experts."""
    if not q.get("attribute") and q.get("by") not in names:
        return sessions
    attributes = current.store().participants.all()
    key, _, value = (q.get("attribute") or "").partition("=")
    if key:
        sessions = [s for s in sessions if attributes.get(s["participant"], {}).get(key.strip()) == value.strip()]
    if q.get("by") in names:
        sessions = [{**s, "group": attributes.get(s["participant"], {}).get(q["by"])} for s in sessions]
    return sessions


def current_summary() -> dict:
    """The study's analysis, kept across page views like every whole-study view
    (web/view_cache.py: it stands while nothing changed, or for a few seconds while a session
    is being recorded). When it is drawn again, only the sessions that may have changed are
    measured again (PerSession)."""
    store, study = current.store(), current.study()
    return study_views("summary").get(store, "summary", lambda: _analyse(store, study, per_session("measures")))


def _analyse(store: Store, study: Study, memo: PerSession) -> dict:
    _running, kept, mark = memo.reusable(store)
    measured = {row["id"]: kept[row["id"]] if row["id"] in kept else measure_session(store, study, row)
                for row in store.sessions.counted()}
    memo.keep(mark, measured)
    sessions = [m for m, _ in measured.values()]
    matched = set().union(*(screens for _, screens in measured.values()))
    return summarize(store, study, sessions, comparison_groups(store), matched)


@bp.route("/download/report.html")
@requires(Role.RESEARCHER, Role.REVIEWER)
def report():
    from analyzer.report.render import render_report
    store, study, base = current.store(), current.study(), request.host_url
    html = off_loop(lambda: render_report(store, study, replay_base=base))
    return Response(html, mimetype="text/html",
                    headers={"Content-Disposition": 'attachment; filename="report.html"'})


@bp.route("/download/<what>.csv")
@requires(Role.RESEARCHER, Role.REVIEWER)
def download_csv(what: str):
    from sessions.export import EXPORT_COLUMNS, study_timeline, write_rows
    columns: Sequence[str]
    if what == "events":
        rows, columns = study_timeline(current.store()), EXPORT_COLUMNS
    elif what == "attempts":
        from analyzer.export import ATTEMPT_COLUMNS, attempt_rows
        rows, columns = attempt_rows(current.store(), current.study()), ATTEMPT_COLUMNS
    else:
        abort(404)
    out = io.StringIO()
    write_rows(rows, out, "csv", columns=columns)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{what}.csv"'})
