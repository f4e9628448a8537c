"""One row per task attempt with its measures, flat, for R, pandas or a spreadsheet."""
from __future__ import annotations

from collections.abc import Iterator

from sessions.store import Store
from sessions.study import Study

ATTEMPT_COLUMNS = (
    "session", "participant", "group", "attempt_id", "task", "seq", "started", "ended", "outcome",
    "time", "paused", "errors", "moderator_errors", "clicks", "keystrokes", "rage_clicks",
    "dead_clicks", "mouse_distance", "screens_visited", "first_click_t", "first_click_x",
    "first_click_y", "first_click_hit", "success_screen_seen", "disagreement", "seq_rating",
)


def attempt_rows(store: Store, study: Study | None = None) -> Iterator[dict]:
    """Every ended attempt of the study's counted sessions, session by session, as flat rows
    of ATTEMPT_COLUMNS."""
    from analyzer.attempts import Thresholds
    from analyzer.data.study_data import load_study_data
    from analyzer.summary import session_measures
    if study is None:
        from sessions.study import load_study
        study = load_study(store.folder)
    for data in load_study_data(store, study).sessions:
        measured = session_measures(store, study, data, Thresholds())
        for a in measured["attempts"]:
            first = a["first_click"] or {}
            hit = first.get("hit")
            row = {**a, "session": measured["id"], "participant": measured["participant"],
                   "group": measured["group"], "first_click_t": first.get("t"), "first_click_x": first.get("x"),
                   "first_click_y": first.get("y"), "first_click_hit": None if hit is None else int(hit)}
            yield {column: row[column] for column in ATTEMPT_COLUMNS}
