"""Demo-like study folders built through the Store API with every value known: the help-desk
portal's three tasks, participants with their outcomes, times, SEQ ratings, errors and SUS
answers, and problems with evidence, so SUM, the round comparison and the CIF report can
be checked against hand computations."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sessions.problems import Problems
from sessions.store import Store
from tests.conftest import write_study

ROUND_STUDY = """
title = "Help-desk portal redesign"

[[task]]
id = "find-help"
prompt = "Find the page where you can ask the help desk for a new charger."
time_limit = 60

[[task]]
id = "submit-ticket"
prompt = "Send the help desk a ticket about the broken charger."
time_limit = 90

[[task]]
id = "check-status"
prompt = "Check the status of your earlier ticket, HD-1042."
time_limit = 60

[questionnaires]
post_task = ["seq"]
post_session = ["sus"]

[sum]
satisfaction_spec = 5.5
time_spec = { "find-help" = 30 }
error_opportunities = { "submit-ticket" = 4 }

[report]
product = "Help-desk portal 2.1"
objectives = "Can staff ask for help and follow their tickets without assistance?"
facility = "Usability lab, room 2"
"""


@dataclass
class Person:
    """One participant: per task (outcome, seconds, SEQ, errors), SUS answers, problems met."""

    id: str
    tasks: dict[str, tuple[str, float, int | None, int]]
    sus: list[int] = field(default_factory=lambda: [4, 2, 4, 2, 4, 2, 4, 2, 4, 2])
    problems: tuple[str, ...] = ()


def build_round(folder: Path, people: list[Person], problems: dict[str, list[str]],
                text: str = ROUND_STUDY) -> Path:
    """Write the study and record every person's session; `problems` maps a title to tags."""
    write_study(folder, text)
    store = Store(folder)
    try:
        sessions = {}
        for person in people:
            sid = store.sessions.create(person.id, device={"width": 1280, "height": 800})
            t = 1.0
            for task, (outcome, seconds, seq, errors) in person.tasks.items():
                attempt = store.attempts.start(sid, task, t)
                for k in range(errors):
                    store.markers.add(sid, t + (k + 1) * seconds / (errors + 1), "error", attempt_id=attempt)
                store.attempts.end(attempt, t + seconds, outcome)
                if seq is not None:
                    store.answers.add(sid, "seq", {"1": seq}, attempt_id=attempt)
                t += seconds + 5
            store.answers.add(sid, "sus", {str(i + 1): v for i, v in enumerate(person.sus)})
            store.sessions.update(sid, status="complete", duration=t)
            sessions[person.id] = (sid, t)
        source = Problems(store)
        for title, tags in problems.items():
            pid = source.create(title, author="rita", task=None, tags=tags)
            for person in people:
                if title in person.problems:
                    sid, end = sessions[person.id]
                    source.add_evidence(pid, sid, 2.0, author="rita")
    finally:
        store.close()
    return folder
