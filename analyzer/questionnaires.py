"""Study-level satisfaction: SUS, UMUX-Lite, NPS, CSAT and CES from the post-session answers.

A participant counts once per instrument, with their latest answer to each item; a
questionnaire left incomplete is left out rather than guessed.
"""
from __future__ import annotations

from collections import defaultdict

from analyzer import stats
from sessions.errors import BadRequest
from sessions.store import Store

SUS_ITEMS = tuple(str(i) for i in range(1, 11))


def latest_answers(store: Store, questionnaire: str, session_ids: set[str]) -> dict[str, dict[str, float]]:
    """session -> item -> value, the last answer winning, post-session answers only."""
    answers: dict[str, dict[str, float]] = defaultdict(dict)
    for row in store.answers.all(questionnaire=questionnaire):
        if row["session_id"] in session_ids and row["attempt_id"] is None and row["value"] is not None:
            answers[row["session_id"]][row["item"]] = row["value"]
    return answers


def _scored(session_id: str, score, *args) -> float:
    """Score one participant's answers, naming the session when an answer is off the scale."""
    try:
        return score(*args)
    except stats.OffTheScale as exc:
        raise BadRequest(f"session {session_id}: {exc}") from None


def sus_summary(store: Store, session_ids: set[str]) -> dict | None:
    scores = {sid: _scored(sid, stats.sus_score, [items[i] for i in SUS_ITEMS])
              for sid, items in latest_answers(store, "sus", session_ids).items()
              if all(i in items for i in SUS_ITEMS)}
    if not scores:
        return None
    interval = rating_interval(scores.values(), 0, 100)
    return {"n": len(scores), **_interval(interval), "grade": stats.sus_grade(interval.estimate),
            "percentile": round(stats.sus_percentile(interval.estimate)), "scores": scores}


def umux_lite_summary(store: Store, session_ids: set[str]) -> dict | None:
    scores = {sid: _scored(sid, stats.umux_lite, items["1"], items["2"])
              for sid, items in latest_answers(store, "umux_lite", session_ids).items()
              if "1" in items and "2" in items}
    if not scores:
        return None
    interval = rating_interval(scores.values(), 0, 100)
    return {"n": len(scores), **_interval(interval),
            "sus_equivalent": 0.65 * interval.estimate + 22.9, "scores": scores}


def nps_summary(store: Store, session_ids: set[str]) -> dict | None:
    answers = latest_answers(store, "nps", session_ids)
    values = [items["1"] for items in answers.values() if "1" in items]
    if not values:
        return None
    for sid, items in answers.items():
        if "1" in items:
            _scored(sid, stats.nps, [items["1"]])
    return {"n": len(values), "score": stats.nps(values),
            "promoters": sum(v >= 9 for v in values), "passives": sum(7 <= v <= 8 for v in values),
            "detractors": sum(v <= 6 for v in values)}


def _single_item(store: Store, questionnaire: str, session_ids: set[str], score) -> dict[str, float]:
    """Each session's answer to a one-item questionnaire, each checked on its scale."""
    values = {sid: items["1"] for sid, items in latest_answers(store, questionnaire, session_ids).items()
              if "1" in items}
    for sid, value in values.items():
        _scored(sid, score, [value])
    return values


def csat_summary(store: Store, session_ids: set[str]) -> dict | None:
    """CSAT: the top-two-box share (4-5 of 5) with its adjusted-Wald interval."""
    values = _single_item(store, "csat", session_ids, stats.csat)
    if not values:
        return None
    interval = stats.csat(values.values())
    return {"n": len(values), **_interval(interval), "satisfied": sum(v >= 4 for v in values.values())}


def ces_summary(store: Store, session_ids: set[str]) -> dict | None:
    """CES: the mean agreement (1-7) with its t interval and the share agreeing (5-7)."""
    values = _single_item(store, "ces", session_ids, stats.ces)
    if not values:
        return None
    agree = stats.ces_agreement(values.values())
    return {"n": len(values), **_interval(stats.ces(values.values())),
            "agree": agree.as_dict(), "agreeing": sum(v >= 5 for v in values.values())}


def rating_interval(values, lowest: float, highest: float) -> stats.Interval:
    """A t interval on a bounded rating scale, its limits truncated to the scale.

    With few participants the t limits can pass the scale's ends (a SEQ mean of 4 from two
    answers spans -2 to 10); a mean rating cannot lie there, so the limits stop at the scale.
    """
    interval = stats.mean_interval(values)
    def clip(v: float | None) -> float | None:
        return None if v is None else min(highest, max(lowest, v))

    return stats.Interval(interval.estimate, clip(interval.low), clip(interval.high))


def _interval(interval: stats.Interval) -> dict:
    return {"mean": interval.estimate, "low": interval.low, "high": interval.high}
