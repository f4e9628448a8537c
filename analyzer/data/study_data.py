"""A study's counted sessions, each read once, shared by every view of the analysis.

The measures, the issues, the heatmaps and the report all take one StudyData: a report
reads each session's clicks, frames and titles a single time, and every view counts the
same sessions, the ones the store says are counted (pilot and excluded ones never are).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.data.session_data import SessionData, load_session
from sessions.errors import BadRequest
from sessions.store import Store
from sessions.study import Study

Progress = Callable[[int, int], None]


@dataclass
class StudyData:
    store: Store
    study: Study
    sessions: list[SessionData]           # counted sessions, oldest first
    group: str | None = None              # the design group these sessions were chosen by
    cache: dict[Any, Any] = field(default_factory=dict)   # views computed from them

    def session(self, session_id: str) -> SessionData:
        return next(s for s in self.sessions if s.id == session_id)

    def groups(self) -> list[str]:
        """The named design groups of these sessions."""
        return sorted({s.group for s in self.sessions if s.group})


def load_study_data(store: Store, study: Study, *, group: str | None = None,
                    progress: Progress | None = None,
                    reuse: Mapping[str, SessionData] | None = None) -> StudyData:
    """Read every counted session (of one design group, if given) once; sessions in `reuse`
    (read earlier, and known by the caller not to have changed since) are not read again."""
    rows = store.sessions.counted()
    if group is not None:
        names = sorted({r["group_name"] for r in rows if r["group_name"]})
        if group not in names:
            raise BadRequest(f"no counted sessions in group {group!r} (groups here: {', '.join(names) or 'none'})")
        rows = [r for r in rows if r["group_name"] == group]
    sessions = []
    for done, row in enumerate(rows, start=1):
        known = reuse.get(row["id"]) if reuse else None
        sessions.append(known if known is not None else load_session(store, row))
        if progress is not None:
            progress(done, len(rows))
    return StudyData(store, study, sessions, group)
