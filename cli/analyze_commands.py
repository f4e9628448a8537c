"""Verbs that measure a study: analyze, heatmap, report."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from cli.errors import fail


@contextmanager
def _progress(label: str, show: bool = True):
    """A progress bar on stderr fed by the analyzer's (done, total) callback."""
    if not show:
        yield None
        return
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _load(folder: Path):
    from sessions.study import load_study
    store = open_store(folder)
    return store, load_study(folder)


def _fmt(interval: dict | None, scale: float = 1.0, unit: str = "", digits: int = 0) -> str:
    if not interval:
        return "-"
    text = f"{interval['estimate'] * scale:.{digits}f}{unit}"
    if interval["low"] is not None:
        text += f" ({interval['low'] * scale:.{digits}f}-{interval['high'] * scale:.{digits}f})"
    return text


def _table(result: dict) -> str:
    lines = [f"{'task':<16} {'n':>3} {'int':>3} {'completion (95% CI)':<22} {'time s, successes (CI)':<24} "
             f"{'median':>7} {'err/att':>7} {'abandon':>7} {'SEQ (CI)':<16}"]
    for t in result["tasks"]:
        lines.append(
            f"{t['id'][:16]:<16} {t['attempts']:>3} {t['interrupted']:>3} {_fmt(t['completion'], 100, '%'):<22} "
            f"{_fmt(t['time_success'], 1, '', 1):<24} "
            f"{'-' if t['median_time'] is None else format(t['median_time'], '.1f'):>7} "
            f"{'-' if t['errors_per_attempt'] is None else format(t['errors_per_attempt'], '.2f'):>7} "
            f"{'-' if t['abandonment_rate'] is None else format(t['abandonment_rate'] * 100, '.0f') + '%':>7} "
            f"{_fmt(t['seq'], 1, '', 1):<16}")
    q = result["questionnaires"]
    if q["sus"]:
        s = q["sus"]
        ci = f" ({s['low']:.1f}-{s['high']:.1f})" if s["low"] is not None else ""
        lines.append(f"SUS {s['mean']:.1f}{ci}, grade {s['grade']}, percentile {s['percentile']:.0f} (n={s['n']})")
    if q["umux_lite"]:
        u = q["umux_lite"]
        lines.append(f"UMUX-Lite {u['mean']:.1f}, SUS equivalent {u['sus_equivalent']:.1f} (n={u['n']})")
    if q["nps"]:
        lines.append(f"NPS {q['nps']['score']:.0f} (n={q['nps']['n']})")
    if any(t["interrupted"] for t in result["tasks"]):
        lines.append("int: attempts interrupted by a recorder failure, counted in neither completion nor abandonment")
    trouble = [(s["participant"], a["task"]) for s in result["sessions"] for a in s["attempts"] if a["disagreement"]]
    for participant, task in trouble:
        lines.append(f"disagreement: {participant} / {task}: the success screen appeared but no success was marked")
    if result["comparison"]:
        a, b = result["comparison"]["groups"]
        for t in result["comparison"]["tasks"]:
            parts = []
            if t["completion"]:
                parts.append(f"completion {t['completion'][a]['rate']:.0%} vs {t['completion'][b]['rate']:.0%} "
                             f"p={t['completion']['p']:.3f}")
            if t["time"]:
                parts.append(f"time {t['time'][a]['estimate']:.1f}s vs {t['time'][b]['estimate']:.1f}s p={t['time']['p']:.3f}")
            lines.append(f"{a} vs {b}, {t['id']}: {'; '.join(parts) or 'not enough data'}")
    return "\n".join(lines)


@click.command()
@folder_argument
@click.option("--json", "as_json", is_flag=True, help="Print the whole analysis as JSON.")
@click.option("--compare", nargs=2, metavar="GROUP GROUP", help="The two session groups to compare.")
def analyze(folder: Path, as_json: bool, compare: tuple[str, str] | None) -> None:
    """Measure a study: completion, time on task, errors, SEQ, SUS, UMUX-Lite, NPS.

    Example: uxlab analyze my-study --json > analysis.json
    """
    from analyzer.summary import analyze_study
    store, study = _load(folder)
    with _progress("analysing sessions") as progress:
        result = analyze_study(store, study, groups=compare or None, progress=progress)
    click.echo(json.dumps(result, indent=2, allow_nan=False) if as_json else _table(result))
    for screen in result["unmatched_screens"]:
        click.echo(f"warning: the {screen['kind']} screen {screen['screen']} of task {screen['task']} "
                   f"matched in no session: check the screenshot", err=True)


@click.command()
@folder_argument
@click.option("--task", "task_id", required=True, help="The task id.")
@click.option("--screen", type=int, help="Only clicks on this screen state (see --list).")
@click.option("--group", help="Only the sessions of this design group.")
@click.option("--list", "list_states", is_flag=True, help="List the task's screen states instead.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="PNG file to write.")
def heatmap(folder: Path, task_id: str, screen: int | None, group: str | None, list_states: bool,
            output: Path | None) -> None:
    """Draw a task's click heatmap over the screen participants saw.

    Example: uxlab heatmap my-study --task submit-ticket --group redesign -o clicks.png
    """
    from analyzer.heatmap import render_heatmap, screen_states
    store, study = _load(folder)
    if list_states:
        for s in screen_states(store, study, task_id, group=group):
            click.echo(f"{s['index']:>3}  {s['clicks']:>5} clicks  {len(s['sessions'])} sessions  "
                       f"{s['group'] or '-':<10} {s['session_id']}/{s['keyframe']}")
        return
    if output is None:
        fail("say where to write the heatmap: -o FILE.png")
    png = render_heatmap(store, study, task_id, screen, group=group)
    output.write_bytes(png)
    click.echo(f"wrote {output}", err=True)


@click.command()
@folder_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write.")
@click.option("--replay-url", default="", metavar="URL",
              help="The lab server's address, so quotes link to their replay (e.g. http://lab:5000).")
@click.option("--format", "fmt", type=click.Choice(["html", "cif"]), default="html", show_default=True,
              help="cif: the ISO/IEC 25062 Common Industry Format report (HTML, or Word with -o FILE.docx).")
@click.option("--compare-with", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="An earlier round's study folder: adds the section \"compared with round ...\".")
def report(folder: Path, output: Path, replay_url: str, fmt: str, compare_with: Path | None) -> None:
    """Write a self-contained HTML report with charts and heatmaps, or the ISO/IEC 25062
    Common Industry Format report (--format cif; .docx when -o ends in .docx).

    Example: uxlab report my-study --format cif -o report.docx --compare-with round-1
    """
    store, study = _load(folder)
    comparison = None
    if compare_with is not None:
        from analyzer.compare import compare_rounds, round_data
        from sessions.study import load_study
        earlier = open_store(compare_with)
        try:
            (a, problems_a), (b, problems_b) = round_data(earlier, load_study(compare_with)), round_data(store, study)
        finally:
            earlier.close()
        comparison = compare_rounds(a, b, problems_a, problems_b, (compare_with.name, folder.resolve().name))
    if output.suffix.lower() == ".docx" and fmt != "cif":
        fail("a .docx report is the Common Industry Format one: add --format cif")
    with _progress("analysing sessions") as progress:
        if fmt == "cif":
            from analyzer.report.cif import cif_report, render_cif_html
            blocks = cif_report(store, study, comparison, progress=progress)
            if output.suffix.lower() == ".docx":
                from analyzer.report.cif_docx import render_cif_docx
                output.write_bytes(render_cif_docx(blocks))
            else:
                output.write_text(render_cif_html(blocks, study.title), encoding="utf-8")
        else:
            from analyzer.report.render import render_report
            html = render_report(store, study, progress=progress, replay_base=replay_url, comparison=comparison)
            output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


COMMANDS = [analyze, heatmap, report]
