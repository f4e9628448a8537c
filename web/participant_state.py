"""What the participant's page should show now, from the session's attempts and answers:
the running task's prompt, the post-task questions of the task that just ended, the
post-session questionnaires at the end, or a short wait."""
from __future__ import annotations

from sessions.events import SessionStatus
from sessions.store import Store
from sessions.study import Study


def participant_state(store: Store, study: Study, session: dict) -> dict:
    """{"stage": task|post_task|post_session|waiting|done, ...} with a key that changes
    whenever the page must change."""
    attempts = store.attempts.all(session["id"])
    answered_post_task = {(a["attempt_id"], a["questionnaire"]) for a in store.answers.all(session["id"])
                          if a["attempt_id"] is not None}
    running = [a for a in attempts if a["ended"] is None]
    if running:
        a = running[-1]
        task = study.task(a["task"])
        return {"stage": "task", "key": f"task:{a['id']}", "prompt": task.prompt if task else a["task"]}
    done_tasks = {a["task"] for a in attempts if a["ended"] is not None}
    finished = session["status"] != SessionStatus.RECORDING or all(t.id in done_tasks for t in study.tasks)
    # while tasks go on, the latest task's questions are asked and older ones wait; at the end
    # every question not yet answered is asked: the latest task's first, then the older tasks'
    # in order, each naming its task
    for a in (attempts[-1:] + attempts[:-1] if finished else attempts[-1:]):
        task = study.task(a["task"])
        wanted = study.post_task_for(task) if task else ()
        missing = [q for q in wanted if (a["id"], q) not in answered_post_task]
        if missing and task is not None:
            late = a is not attempts[-1]
            return {"stage": "post_task", "key": f"post_task:{a['id']}", "attempt_id": a["id"],
                    "task": task.id, "prompt": task.prompt, "instruments": missing, "late": late}
    if not finished:
        return {"stage": "waiting", "key": f"waiting:{len(attempts)}"}
    answered = {a["questionnaire"] for a in store.answers.all(session["id"]) if a["attempt_id"] is None}
    missing = [q for q in study.questionnaires.post_session if q not in answered]
    if missing:
        return {"stage": "post_session", "key": "post_session", "instruments": missing}
    return {"stage": "done", "key": "done"}
