"""The demo's five simulated participants: what each one does, and how they rate it.

Each script is what a moderator would see: a person who pauses, opens the wrong menu,
retries, sometimes gives up; the moderator's hotkeys are part of the script. Steps:
("hotkey", action), ("click", (x, y)), ("clicks", (x, y), n) for a burst,
("type", text), ("wait", seconds), ("say", text): thinking aloud (espeak-ng into the
virtual microphone, while the next steps go on).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from examples.helpdesk.layout import (
    BACK_HOME,
    FORM,
    GET_HELP,
    NAV,
    SERVICES_MENU,
    STATUS_FORM,
    centre,
)
from sessions.events import Action

Step = tuple


@dataclass(frozen=True)
class Participant:
    id: str
    variant: str
    steps: tuple[Step, ...]
    seq: dict[str, int]                 # task id -> Single Ease Question answer (1-7)
    sus: tuple[int, ...]                # the ten SUS answers (1-5)
    nps: int                            # likelihood to recommend (0-10)
    # what an observer wrote during the session: (task, seconds into the attempt, text, tags)
    notes: tuple[tuple[str, float, str, tuple[str, ...]], ...] = field(default=())


def _click(box) -> Step:
    return ("click", centre(box))


def _submit_ticket(subject: str, description: str) -> tuple[Step, ...]:
    return (
        ("hotkey", Action.NEXT_TASK), ("say", "Now the form. I will describe the problem."), ("wait", 0.8),
        _click(FORM["subject"]), ("type", subject), ("wait", 0.4),
        _click(FORM["description"]), ("type", description), ("wait", 0.6),
        _click(FORM["submit"]), ("wait", 1.2), ("hotkey", Action.SUCCESS), ("wait", 0.5),
    )


def _check_status(number: str = "HD-1042") -> tuple[Step, ...]:
    return (
        ("hotkey", Action.NEXT_TASK), ("say", "Where can I see my ticket? Maybe under status."), ("wait", 0.8),
        _click(NAV["status"]), ("wait", 0.8), _click(STATUS_FORM["number"]), ("type", number),
        _click(STATUS_FORM["check"]), ("wait", 1.2), ("hotkey", Action.SUCCESS), ("wait", 0.5),
    )


def _find_via_menu(wrong: tuple[str, ...]) -> tuple[Step, ...]:
    """Variant A: wander into wrong pages first, then Services > Hardware requests."""
    steps: list[Step] = [("hotkey", Action.NEXT_TASK), ("say", "My charger is broken. Where do I ask for a new one?"),
                         ("wait", 1.0)]
    for place in wrong:
        if place == "resources":
            steps += [_click(NAV["resources"])]
        else:
            steps += [_click(NAV["services"]), ("wait", 0.7), _click(SERVICES_MENU[place])]
        steps += [("wait", 1.0), ("hotkey", Action.ERROR), ("wait", 0.4), _click(BACK_HOME), ("wait", 0.8)]
    steps += [_click(NAV["services"]), ("wait", 0.9), _click(SERVICES_MENU["hardware"]),
              ("wait", 1.0), ("hotkey", Action.SUCCESS), ("wait", 0.5)]
    return tuple(steps)


PARTICIPANTS: tuple[Participant, ...] = (
    Participant(
        "P01", "A",
        _find_via_menu(("resources",)) + _submit_ticket("Broken charger", "My laptop charger stopped working.")
        + _check_status() + (("hotkey", Action.END),),
        seq={"find-help": 4, "submit-ticket": 6, "check-status": 7},
        sus=(4, 2, 4, 1, 4, 2, 4, 2, 4, 2), nps=7,
        notes=(("find-help", 2.0, "Expected the ticket form under Resources", ("confusion",)),)),
    Participant(
        "P02", "A",
        (("hotkey", Action.NEXT_TASK), ("wait", 1.0), _click(NAV["services"]), ("wait", 0.7),
         _click(SERVICES_MENU["software"]), ("say", "Software licences? No. Where do I ask for a charger?"),
         ("wait", 1.0), ("hotkey", Action.ERROR),
         ("clicks", (640, 130), 4), ("wait", 1.5), ("hotkey", Action.GAVE_UP), ("wait", 0.5),
         _click(BACK_HOME), ("wait", 0.6), _click(NAV["services"]), ("wait", 0.6),
         _click(SERVICES_MENU["hardware"]), ("wait", 0.8))
        + _submit_ticket("Charger", "Charger broken.") + _check_status() + (("hotkey", Action.END),),
        seq={"find-help": 2, "submit-ticket": 5, "check-status": 6},
        sus=(3, 3, 3, 2, 3, 3, 3, 3, 3, 2), nps=4,
        notes=(("find-help", 3.0, "\"Software licences? No... where do I ask for a charger?\"", ("quote",)),
               ("find-help", 5.0, "Clicks the heading over and over, then gives up", ("confusion",)))),
    Participant(
        "P03", "B",
        (("hotkey", Action.NEXT_TASK), ("say", "Oh, get help. Easy."), ("wait", 1.0), _click(NAV["services"]),
         ("wait", 1.0), ("hotkey", Action.SUCCESS), ("wait", 0.5))
        + _submit_ticket("Charger broken", "The charger for my laptop does not work any more.")
        + _check_status() + (("hotkey", Action.END),),
        seq={"find-help": 7, "submit-ticket": 6, "check-status": 7},
        sus=(5, 1, 5, 1, 4, 1, 5, 1, 5, 2), nps=10,
        notes=(("find-help", 1.5, "\"Oh, Get help, easy.\"", ("quote",)),)),
    Participant(
        "P04", "B",
        (("hotkey", Action.NEXT_TASK), ("wait", 1.6), _click(GET_HELP), ("wait", 1.0),
         ("hotkey", Action.SUCCESS), ("wait", 0.5))
        + _submit_ticket("Laptop charger", "Need a new charger please.")
        + _check_status("HD-1043") + (("hotkey", Action.END),),
        seq={"find-help": 6, "submit-ticket": 7, "check-status": 6},
        sus=(4, 1, 5, 2, 4, 2, 5, 1, 4, 1), nps=9),
    Participant(
        "P05", "A",
        _find_via_menu(("accounts", "resources")) + _submit_ticket("Charger", "It broke.")
        + _check_status() + (("hotkey", Action.END),),
        seq={"find-help": 3, "submit-ticket": 6, "check-status": 6},
        sus=(3, 2, 4, 2, 3, 3, 4, 2, 3, 3), nps=6,
        notes=(("find-help", 3.0, "Looked under Accounts & access for hardware", ("confusion",)),)),
)
