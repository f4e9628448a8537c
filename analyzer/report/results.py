"""The report's results, laid out after ISO/IEC 25062 §5.3: effectiveness, efficiency and
satisfaction per task, a comparison of two designs, and every attempt in an appendix; with
the few measures the summary does not carry (errors per attempt with an interval, the
likelihood-to-recommend ratings behind the NPS)."""
from __future__ import annotations

from html import escape

from analyzer import stats
from analyzer.questionnaires import latest_answers
from analyzer.report import charts
from analyzer.report.format import image, number, percent, plural, table
from analyzer.report.standards import sum_section
from sessions.events import ABANDONED_OUTCOMES, Outcome
from sessions.store import Store

# the ends of each scale, to which displayed interval limits are clipped
SEQ, HUNDRED, ELEVEN, ERRORS = (1.0, 7.0), (0.0, 100.0), (0.0, 10.0), (0.0, float("inf"))


def attempts_of(result: dict, task_id: str) -> list[dict]:
    """The task's counted attempts across sessions, as the analysis measured them: an
    attempt the recorder lost (interrupted) is the lab's fault, not the participant's."""
    return [a for s in result["sessions"] for a in s["attempts"]
            if a["task"] == task_id and a["outcome"] != Outcome.INTERRUPTED]


def errors_cell(result: dict, task: dict) -> str:
    """Errors per attempt as a mean with its t interval."""
    counts = [a["errors"] for a in attempts_of(result, task["id"])]
    if not counts:
        return '<span class="muted">–</span>'
    return number(stats.mean_interval(counts).as_dict(), len(counts), digits=2, scale=ERRORS)


def abandonment_cell(result: dict, task: dict) -> str:
    """Gave up, timed out or abandoned, as a proportion with its adjusted-Wald interval."""
    attempts = attempts_of(result, task["id"])
    if not attempts:
        return '<span class="muted">–</span>'
    gone = sum(a["outcome"] in ABANDONED_OUTCOMES for a in attempts)
    return percent(stats.completion_interval(gone, len(attempts)).as_dict(), len(attempts))


def _after_first_click(split: dict | None) -> str:
    """Successes after an on-target and an off-target first click: a gap says the trouble
    starts with where people look first."""
    if not split:
        return "–"
    hit, missed = split["hit"], split["missed"]
    return f"{hit['successes']} of {hit['attempts']} / {missed['successes']} of {missed['attempts']}"


def nps_counts(nps: dict) -> str:
    """Promoters, passives and detractors in words: the NPS alone hides how it was reached."""
    return (f"{plural(nps['promoters'], 'promoter')}, {plural(nps['passives'], 'passive')}, "
            f"{plural(nps['detractors'], 'detractor')}")


def recommend(store: Store, result: dict) -> dict | None:
    """Mean likelihood to recommend (0–10) with its t interval: the NPS itself is a difference
    of two proportions, so its spread is shown through the ratings it is computed from."""
    ids = {s["id"] for s in result["sessions"]}
    values = [items["1"] for items in latest_answers(store, "nps", ids).values() if "1" in items]
    return {**stats.mean_interval(values).as_dict(), "n": len(values)} if values else None


def results_section(result: dict, ltr: dict | None) -> str:
    """Effectiveness, efficiency and satisfaction per task, each chart beside its table."""
    tasks = result["tasks"]
    effectiveness = table(
        ["task", "completion", "errors per attempt", "abandonment", "interrupted", "first click on target",
         "success after first click on / off target"],
        [[f"<strong>{escape(t['id'])}</strong>", percent(t["completion"], t["attempts"]), errors_cell(result, t),
          abandonment_cell(result, t), str(t.get("interrupted", 0)),
          percent(t["first_click_success"], t["first_click_success"]["n"]) if t["first_click_success"] else "–",
          _after_first_click(t["success_after_first_click"])]
         for t in tasks])
    efficiency = table(
        ["task", "successful attempts: geometric mean", "median", "all attempts: geometric mean"],
        [[f"<strong>{escape(t['id'])}</strong>", number(t["time_success"], t["successes"], " s"),
          "–" if t["median_time"] is None else f"{t['median_time']:.1f} s (n = {t['successes']})",
          number(t["time_all"], len([a for a in attempts_of(result, t["id"]) if a["time"] > 0]), " s")]
         for t in tasks])
    seq = table(["task", "SEQ (1–7)"], [[f"<strong>{escape(t['id'])}</strong>",
                                         number(t["seq"], t["seq"]["n"], scale=SEQ) if t["seq"] else "–"] for t in tasks])
    return (f'<section id="results"><h2>Results</h2>'
            f'<h3>Effectiveness</h3>{image(charts.completion_chart(tasks), "completion rate per task", css="chart")}'
            f"{effectiveness}"
            f'<h3>Efficiency</h3>{image(charts.time_chart(tasks), "time on task per task", css="chart")}{efficiency}'
            f'<h3>Satisfaction</h3>{image(charts.seq_chart(tasks), "SEQ per task", css="chart")}{seq}'
            f'{image(charts.sus_chart(result["questionnaires"]["sus"]), "SUS scores", css="chart")}'
            f"{_questionnaires(result, ltr)}{sum_section(result)}{_comparison(result)}</section>")


def _questionnaires(result: dict, ltr: dict | None) -> str:
    q, rows = result["questionnaires"], []
    if q["sus"]:
        s = q["sus"]
        rows.append(["SUS (0–100)", number(s, s["n"], scale=HUNDRED), f"grade {escape(s['grade'])}, {s['percentile']:.0f}th percentile"])
    if q["umux_lite"]:
        u = q["umux_lite"]
        rows.append(["UMUX-Lite (0–100)", number(u, u["n"], scale=HUNDRED), f"SUS equivalent {u['sus_equivalent']:.1f}"])
    if q["nps"]:
        n = q["nps"]
        rows.append(["NPS (−100…100)", f'<span class="est">{n["score"]:+.0f}</span> <span class="muted">n = {n["n"]}</span>',
                     nps_counts(n)])
    if ltr:
        rows.append(["likelihood to recommend (0–10)", number(ltr, ltr["n"], scale=ELEVEN), "the ratings behind the NPS"])
    return table(["questionnaire", "score", "interpretation"], rows) if rows else \
        '<p class="muted">No post-session questionnaires answered yet.</p>'


def _comparison(result: dict) -> str:
    comparison = result["comparison"]
    if not comparison:
        return ""
    a, b = comparison["groups"]
    rows = []
    for t in comparison["tasks"]:
        rows.append([f"<strong>{escape(t['id'])}</strong>", _group_completion(t, a), _group_completion(t, b),
                     f'<span class="p">p = {t["completion"]["p"]:.3f}</span>' if t["completion"] else "–",
                     group_time(result, t, a), group_time(result, t, b),
                     f'<span class="p">p = {t["time"]["p"]:.3f}</span>' if t["time"] else "too few successes"])
    head = ["task", f"completion {a}", f"completion {b}", "N−1 test",
            f"time {a}", f"time {b}", "Welch's t"]
    return (f"<h3>Comparison of designs: {escape(a)} vs {escape(b)}</h3>"
            f"{image(charts.comparison_chart(comparison), 'completion by design', css='chart')}{table(head, rows)}"
            f'<p class="note">p values are two-sided: the N−1 two-proportion test for completion, Welch\'s t '
            f"test on log times for the times of successful attempts; below 0.05 the designs differ.</p>")


def _group_completion(task: dict, group: str) -> str:
    if not task["completion"]:
        return "–"
    c = task["completion"][group]
    return percent(stats.completion_interval(c["successes"], c["n"]).as_dict(), c["n"])


def group_time(result: dict, task: dict, group: str) -> str:
    """One design's geometric mean time of successful attempts with its interval and n."""
    if not task["time"]:
        return "–"
    n = sum(1 for s in result["sessions"] if s["group"] == group for a in s["attempts"]
            if a["task"] == task["id"] and a["outcome"] == Outcome.SUCCESS and a["time"] > 0)
    return number(task["time"][group], n, " s")


def appendix_section(result: dict) -> str:
    """Every attempt on one line, for a reader who wants to check a number."""
    rows = []
    for s in result["sessions"]:
        for a in s["attempts"]:
            first = a["first_click"]
            first_text = "–" if not first else f"{first['t']:.1f} s" + (
                "" if first["hit"] is None else (" on target" if first["hit"] else " off target"))
            rows.append([escape(s["participant"]), escape(s["group"] or "–"), escape(a["task"]),
                         f'<span class="outcome {escape(a["outcome"])}">{escape(a["outcome"].replace("_", " "))}</span>',
                         f"{a['time']:.1f}", str(a["errors"]), str(a["clicks"]), str(a["keystrokes"]),
                         str(a["rage_clicks"]), str(a["dead_clicks"]), first_text,
                         "—" if a["seq_rating"] is None else f"{a['seq_rating']:g}",
                         "success screen seen" if a["disagreement"] else ""])
    content = table(["participant", "group", "task", "outcome", "time (s)", "errors", "clicks", "keys", "rage",
                     "dead", "first click", "SEQ", "check"], rows, "compact") if rows else \
        '<p class="muted">No attempts yet.</p>'
    return f'<section id="attempts"><h2>Appendix: every attempt</h2>{content}</section>'
