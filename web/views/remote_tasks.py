"""The task timeline of an unmoderated remote session, driven from the join page.

The participant presses Start, "I'm done" or "I give up" (or the time limit passes); each
lands in the same attempts table, with the same outcomes, as a lab session's task runner
writes, so every measure counts a remote attempt as it counts a lab one. Times are the
page's, on the session clock (the page syncs its clock with the server's), checked against
the server's own clock so a wrong one cannot move an attempt into the future.
"""
from __future__ import annotations

import time
from typing import Any

from sessions.errors import BadRequest, Conflict, UxlabError
from sessions.events import MarkerKind, Outcome
from sessions.store import Store
from sessions.study import Study
from web.instruments import instrument
from web.participant_state import participant_state

TASK_ACTIONS = ("start", Outcome.SUCCESS.value, Outcome.GAVE_UP.value, Outcome.TIMED_OUT.value)
CLOCK_SLACK = 2.0   # seconds a page's stamp may run ahead of the server's clock
PAUSE_REQUEST = "pause_request"   # the device record's field for the console's pause wish


def session_now(session: dict) -> float:
    """The server's reading of the session clock."""
    return time.time() - float(session["started_at"])


def state(store: Store, study: Study, session: dict) -> dict[str, Any]:
    """What the join page shows now: a task to start, the running task, questions, or the end."""
    attempts = store.attempts.all(session["id"])
    tasks_total = len(study.tasks)
    done = {a["task"] for a in attempts if a["ended"] is not None}
    now = session_now(session)
    pause = pause_state(store, session)
    base = {"tasks_total": tasks_total, "tasks_done": len(done), "t": round(now, 3),
            "paused": pause["paused"], "asked": pause["asked"]}
    shown = participant_state(store, study, session)
    if shown["stage"] == "task":
        running = [a for a in attempts if a["ended"] is None][-1]
        task = study.task(running["task"])
        return {**base, "stage": "task", "key": shown["key"], "task": running["task"],
                "prompt": shown["prompt"], "started": running["started"],
                "time_limit": task.time_limit if task else None,
                "paused_for": round(paused_within(store, session["id"], float(running["started"]), now), 3)}
    if shown["stage"] in ("post_task", "post_session"):
        return {**base, "stage": shown["stage"], "key": shown["key"],
                "prompt": shown.get("prompt"),
                "instruments": [_instrument(study, name) for name in shown["instruments"]]}
    upcoming = next((t for t in study.tasks if t.id not in done), None)
    if upcoming is not None and shown["stage"] != "done":   # a session ended early starts nothing more
        return {**base, "stage": "ready", "key": f"ready:{upcoming.id}", "task": upcoming.id,
                "prompt": upcoming.prompt, "time_limit": upcoming.time_limit}
    return {**base, "stage": "done", "key": "done"}


def act(store: Store, study: Study, session: dict, action: Any, task: Any, t: Any) -> None:
    """Start the next task, or end the running one with an outcome, at page time `t`."""
    if action not in TASK_ACTIONS:
        raise BadRequest(f"unknown task action {str(action)[:40]!r}")
    now = session_now(session)
    if t is None:
        t = now
    if isinstance(t, bool) or not isinstance(t, (int, float)) or t != t or not 0 <= t <= now + CLOCK_SLACK:
        raise BadRequest("a task action needs a time on the session clock")
    t = min(float(t), now)
    attempts = store.attempts.all(session["id"])
    running = [a for a in attempts if a["ended"] is None]
    if action == "start":
        if running:
            raise Conflict("a task is already running: finish it first")
        shown = state(store, study, session)
        if shown["stage"] != "ready" or shown["task"] != task:
            raise Conflict("that task cannot start now")
        last_end = max((a["ended"] for a in attempts if a["ended"] is not None), default=0.0)
        store.attempts.start(session["id"], str(task), round(max(t, last_end), 3))
        return
    if not running or running[-1]["task"] != task:
        raise Conflict("that task is not running")
    attempt = running[-1]
    defined = study.task(attempt["task"])
    limit = defined.time_limit if defined is not None else None
    ended, outcome = max(t, float(attempt["started"])), str(action)
    paused = paused_within(store, session["id"], float(attempt["started"]), ended)
    if outcome == Outcome.TIMED_OUT and limit is not None \
            and ended - attempt["started"] - paused < limit - CLOCK_SLACK:
        raise Conflict("this task's time limit has not passed yet (privacy pauses do not count)")
    if limit is not None and (outcome == Outcome.TIMED_OUT or ended - attempt["started"] - paused > limit):
        # past the limit the attempt ended at the limit (privacy pauses left out, as in the
        # lab), whatever the page said
        ended, outcome = float(attempt["started"]) + paused + limit, Outcome.TIMED_OUT.value
        paused = paused_within(store, session["id"], float(attempt["started"]), ended)
    elif outcome == Outcome.TIMED_OUT:
        raise BadRequest("this task has no time limit")
    store.attempts.end(attempt["id"], round(ended, 3), outcome, round(paused, 3))


def paused_within(store: Store, session_id: str, start: float, end: float) -> float:
    """Seconds of privacy pause between `start` and `end` (pause to the next resume, or to
    `end` while still paused): time on task leaves them out, as in the lab."""
    total, since = 0.0, None
    for marker in store.markers.all(session_id):
        if marker["kind"] == MarkerKind.PAUSE and since is None:
            since = float(marker["t"])
        elif marker["kind"] == MarkerKind.RESUME and since is not None:
            total += max(0.0, min(float(marker["t"]), end) - max(since, start))
            since = None
    if since is not None:
        total += max(0.0, end - max(since, start))
    return total


def pause_state(store: Store, session: dict) -> dict[str, Any]:
    """The privacy pause as the page and the console see it: `paused` (a pause marker with
    no resume after it), `by` (that marker's author), and `asked`: "pause" or "resume"
    when the moderator's console asked the page for it and the page has not done it yet.

    The console's wish is kept in the session's device record (`pause_request`: the wish,
    who, and the last marker id when it was made): the page answers it with the pause or
    resume marker its own button would leave, which is what makes a wish answered, so a
    reloaded page is never asked twice."""
    markers = [m for m in store.markers.all(session["id"]) if m["kind"] in (MarkerKind.PAUSE, MarkerKind.RESUME)]
    running = None
    for marker in markers:
        if marker["kind"] == MarkerKind.PAUSE and running is None:
            running = marker
        elif marker["kind"] == MarkerKind.RESUME:
            running = None
    request = (session.get("device") or {}).get(PAUSE_REQUEST)
    asked = None
    if isinstance(request, dict) and not any(m["id"] > int(request.get("after") or 0) for m in markers):
        wanted = request.get("pause") is True
        if wanted != (running is not None):
            asked = "pause" if wanted else "resume"
    return {"paused": running is not None, "by": running["author"] if running else None, "asked": asked}


def abandon_running(store: Store, session: dict, t: float) -> None:
    """The session ended while a task ran: that attempt is abandoned, as in the lab."""
    for attempt in store.attempts.all(session["id"]):
        if attempt["ended"] is None:
            store.attempts.end(attempt["id"], round(max(t, float(attempt["started"])), 3),
                               Outcome.ABANDONED.value)


def _instrument(study: Study, name: str) -> dict[str, Any]:
    form = instrument(study, name)
    return {"id": form.id, "title": form.title,
            "items": [{"id": i.id, "prompt": i.prompt, "kind": i.kind, "low": i.low, "high": i.high,
                       "labels": list(i.labels), "required": i.required} for i in form.items]}


def live_session_of(store: Store, token: Any) -> str | None:
    """The running session a join token may publish live for (the same stream a native
    recorder sends, under the same rules), or None: the join token stands in for the lab's
    live token, and only ever for its own session."""
    if not isinstance(token, str):
        return None
    try:
        inv = store.invitations.open(token)
    except UxlabError:
        return None
    return inv.session_id
