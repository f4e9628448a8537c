"""The study script's tables for standardised results: [sum] (SUM's specification limits),
[report] (what a Common Industry Format report needs but no session can know) and
[participants] (the attributes a study records about its participants).

They live apart from the task and capture checks in `sessions.study` because they describe
the study's reporting, not its recording; the checker is passed in so every mistake is
still reported at once, with its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

# Sauro & Kindlund (2005) set satisfaction's specification at 4 on a 5-point scale, 75 % of
# the way up; the same point of SEQ's 1-7 scale is 5.5 (also SEQ's historical mean).
DEFAULT_SATISFACTION_SPEC = 5.5
DEFAULT_TIME_SPEC = 120.0      # seconds, for a task with neither a time_spec nor a time_limit
REPORT_FIELDS = ("product", "version", "organisation", "objectives", "context_of_use", "facility",
                 "environment", "equipment", "design", "instructions", "contact", "date")
DEFAULT_ATTRIBUTES = ("age_band", "experience", "role")
_ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class SumSpec:
    """SUM's specification limits: per task a time (s) and error opportunities (none: the
    three-measure variant), one satisfaction level on SEQ's 1-7 scale."""

    satisfaction: float = DEFAULT_SATISFACTION_SPEC
    time: dict[str, float] = field(default_factory=dict)
    error_opportunities: dict[str, int] = field(default_factory=dict)

    def time_for(self, task_id: str, time_limit: float | None) -> tuple[float, str]:
        """The task's time spec and where it came from (the report says)."""
        if task_id in self.time:
            return self.time[task_id], "study.toml [sum] time_spec"
        if time_limit is not None:
            return time_limit, "the task's time_limit"
        return DEFAULT_TIME_SPEC, "the default"


@dataclass(frozen=True)
class Standards:
    """The reporting tables of a study script."""

    sum: SumSpec = field(default_factory=SumSpec)
    report: dict[str, str] = field(default_factory=dict)
    attributes: tuple[str, ...] = DEFAULT_ATTRIBUTES


def read_standards(checker: Any, task_ids: set[str]) -> Standards:
    """Check the [sum], [report] and [participants] tables with the study checker."""
    spec = checker.guarded(lambda: _sum(checker, task_ids), SumSpec())
    report = checker.guarded(lambda: _report(checker), {})
    attributes = checker.guarded(lambda: _attributes(checker), DEFAULT_ATTRIBUTES)
    return Standards(spec, report, attributes)


def _sum(checker: Any, task_ids: set[str]) -> SumSpec:
    table = checker.table("sum")
    where = ("sum",)
    checker.only(table, {"satisfaction_spec", "time_spec", "error_opportunities"}, where)
    satisfaction = checker.guarded(lambda: checker.number(table, "satisfaction_spec", where, 1, 7))
    times = checker.guarded(lambda: _per_task(checker, table, "time_spec", task_ids, 1, 24 * 3600), {})
    chances = checker.guarded(lambda: _per_task(checker, table, "error_opportunities", task_ids, 1, 1000,
                                                whole=True), {})
    return SumSpec(DEFAULT_SATISFACTION_SPEC if satisfaction is None else satisfaction, times,
                   {k: int(v) for k, v in chances.items()})


def _per_task(checker: Any, table: dict, key: str, task_ids: set[str], low: float, high: float,
              whole: bool = False) -> dict[str, float]:
    value = table.get(key, {})
    where = ("sum", key)
    if not isinstance(value, dict):
        checker.fail(where, f'expected a table of task id = number, e.g. {key} = {{ "login" = 3 }}, got {value!r}')
    result = {}
    for task_id, number in value.items():
        if task_id not in task_ids:
            checker.note(where + (task_id,), f"no task {task_id!r} in this study")
            continue
        if whole and (isinstance(number, bool) or not isinstance(number, int)):
            checker.note(where + (task_id,), f"expected a whole number, got {number!r}")
            continue
        got = checker.guarded(partial(checker.number, value, task_id, where, low, high))
        if got is not None:
            result[task_id] = got
    return result


def _report(checker: Any) -> dict[str, str]:
    table = checker.table("report")
    checker.only(table, set(REPORT_FIELDS), ("report",))
    found = {}
    for key in REPORT_FIELDS:
        text = checker.guarded(partial(checker.string, table, key, ("report",)))
        if text is not None:
            found[key] = text.strip()
    return found


def _attributes(checker: Any) -> tuple[str, ...]:
    table = checker.table("participants")
    where = ("participants",)
    checker.only(table, {"attributes"}, where)
    names = table.get("attributes", list(DEFAULT_ATTRIBUTES))
    if not isinstance(names, list) or not names:
        checker.fail(where + ("attributes",), f"expected a list of attribute names, got {names!r}")
    bad = [n for n in names if not isinstance(n, str) or not _ATTRIBUTE.match(n)]
    if bad:
        checker.fail(where + ("attributes",),
                     f"attribute names are lower-case letters, digits and '_', got {bad[0]!r}")
    if len(set(names)) != len(names):
        checker.fail(where + ("attributes",), "an attribute is named twice")
    return tuple(names)
