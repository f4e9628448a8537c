"""The questionnaires a participant fills in, item by item, and their validation.

Wording and scales as published: SUS (Brooke 1996, 5 points), UMUX-Lite (Lewis, Utesch &
Maher 2013, 7 points), NPS (Reichheld 2003, 0-10), SEQ (Sauro & Dumas 2009, 7 points), CSAT (5 points) and
CES 2.0 (Gartner, 7 points of agreement).
Custom items come from the study script.
"""
from __future__ import annotations

from dataclasses import dataclass

from sessions.study import Study

AGREE = ("Strongly disagree", "Strongly agree")


@dataclass(frozen=True)
class Item:
    id: str
    prompt: str
    kind: str = "scale"  # scale | text
    low: int = 1
    high: int = 5
    labels: tuple[str, str] = AGREE
    required: bool = True


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    items: tuple[Item, ...]


SUS = Instrument("sus", "About the system as a whole", tuple(
    Item(str(i), text) for i, text in enumerate((
        "I think that I would like to use this system frequently.",
        "I found the system unnecessarily complex.",
        "I thought the system was easy to use.",
        "I think that I would need the support of a technical person to be able to use this system.",
        "I found the various functions in this system were well integrated.",
        "I thought there was too much inconsistency in this system.",
        "I would imagine that most people would learn to use this system very quickly.",
        "I found the system very cumbersome to use.",
        "I felt very confident using the system.",
        "I needed to learn a lot of things before I could get going with this system.",
    ), start=1)))
UMUX_LITE = Instrument("umux_lite", "Two more statements", (
    Item("1", "This system's capabilities meet my requirements.", high=7),
    Item("2", "This system is easy to use.", high=7),
))
NPS = Instrument("nps", "Recommendation", (
    Item("1", "How likely is it that you would recommend this system to a friend or colleague?",
         low=0, high=10, labels=("Not at all likely", "Extremely likely")),
))
SEQ = Instrument("seq", "About the task you just did", (
    Item("1", "Overall, how difficult or easy was the task to complete?", high=7,
         labels=("Very difficult", "Very easy")),
))
# customer-experience measures: CSAT (5-point satisfaction) and CES 2.0 (7-point agreement)
CSAT = Instrument("csat", "Satisfaction", (
    Item("1", "Overall, how satisfied are you with this system?",
         labels=("Very dissatisfied", "Very satisfied")),
))
CES = Instrument("ces", "Effort", (
    Item("1", "The system made it easy for me to do what I wanted to do.", high=7),
))
STANDARD = {i.id: i for i in (SUS, UMUX_LITE, NPS, SEQ, CSAT, CES)}
MAX_TEXT = 2000


def instrument(study: Study, name: str) -> Instrument:
    """A standard instrument, or a study's custom item as a one-item instrument."""
    if name in STANDARD:
        return STANDARD[name]
    custom = study.questionnaires.custom_item(name)
    if custom is None:
        raise KeyError(name)
    item = Item(custom.id, custom.prompt, "text" if custom.type == "text" else "scale",
                1, custom.points, custom.labels, custom.required)
    return Instrument(custom.id, "", (item,))


def field_name(instrument_id: str, item_id: str) -> str:
    return f"{instrument_id}.{item_id}"


def validate(instruments: list[Instrument], form) -> tuple[dict[str, dict], dict[str, str]]:
    """Values per instrument and error messages per field; nothing is stored unless the
    error dict is empty (a SUS with one item missing cannot be scored)."""
    values: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for inst in instruments:
        values[inst.id] = {}
        for item in inst.items:
            name = field_name(inst.id, item.id)
            raw = (form.get(name) or "").strip()
            if not raw:
                if item.required:
                    errors[name] = "Please answer this question."
                continue
            if item.kind == "text":
                if len(raw) > MAX_TEXT:
                    errors[name] = f"Please keep this under {MAX_TEXT} characters."
                else:
                    values[inst.id][item.id] = raw
                continue
            try:
                number = int(raw)
            except ValueError:
                number = None
            if number is None or not item.low <= number <= item.high:
                errors[name] = f"Choose a value from {item.low} to {item.high}."
            else:
                values[inst.id][item.id] = number
    return values, errors
