"""Verbs on a study folder itself: init, validate, sessions, export."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import click

from cli.common import emit_rows, folder_argument, open_store
from cli.errors import fail


@click.command()
@folder_argument
def init(folder: Path) -> None:
    """Create a study folder with an example study.toml.

    Example: uxlab init my-study
    """
    from sessions.study import STUDY_FILE
    target = folder / STUDY_FILE
    if target.exists():
        fail(f"{target} already exists; not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "screens").mkdir(exist_ok=True)
    target.write_text(resources.files("sessions").joinpath("templates/study.toml").read_text())
    click.echo(f"created {target}: edit it, then run `uxlab validate {folder}`")


@click.command()
@folder_argument
def validate(folder: Path) -> None:
    """Check a study script and say what is wrong with it: every mistake, in file order.

    Example: uxlab validate my-study
    """
    from sessions.study import StudyError, load_study
    try:
        study = load_study(folder)
    except StudyError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(2) from None
    click.echo(f"{folder / 'study.toml'}: ok: {study.title!r}, {len(study.tasks)} tasks, "
               f"keystrokes {study.capture.keystrokes}")


@click.command("sessions")
@folder_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_sessions(folder: Path, as_json: bool) -> None:
    """List the recorded sessions of a study.

    Example: uxlab sessions my-study --json
    """
    store = open_store(folder)
    rows = store.sessions.all(order="started_at", descending=False)
    keep = ("id", "participant", "group_name", "status", "started_wall", "duration", "completed", "attempted")
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in keep} for r in rows], indent=2))
        return
    if not rows:
        click.echo("no sessions yet")
        return
    click.echo(f"{'session':<24} {'participant':<14} {'group':<10} {'status':<10} {'started':<26} "
               f"{'duration':>9} {'tasks ok':>9}")
    for r in rows:
        click.echo(f"{r['id']:<24} {r['participant']:<14} {r['group_name'] or '-':<10} {r['status']:<10} "
                   f"{r['started_wall']:<26} {r['duration'] or 0:>8.1f}s {r['completed']:>4}/{r['attempted']:<4}")


@click.command()
@folder_argument
@click.option("--events", "what", flag_value="events", help="One row per event (the timeline).")
@click.option("--attempts", "what", flag_value="attempts", help="One row per task attempt, with its measures.")
@click.option("--problems", "what", flag_value="problems", help="Problems with ratings, and the participant x problem matrix.")
@click.option("--transcript", "what", flag_value="transcript",
              help="One row per transcript segment (vtt and srt: subtitles of one --session).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "json", "vtt", "srt"]), default=None,
              help="jsonl or csv (events, attempts, transcript); json or csv (problems); vtt or srt (transcript).")
@click.option("--session", "session_id", help="Only this session (--transcript).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def export(folder: Path, what: str | None, fmt: str, session_id: str | None, output: Path | None) -> None:
    """Export a study's data for R, pandas or a spreadsheet.

    Example: uxlab export my-study --events --format csv -o events.csv
    """
    store = open_store(folder)
    if what is None:
        fail("say what to export: --events, --attempts or --problems (or --transcript)")
    if what == "transcript":
        from cli.voice_commands import export_transcript
        return export_transcript(store, fmt or "jsonl", session_id, output)
    if fmt in ("vtt", "srt") or session_id:
        fail("--format vtt or srt and --session are for --transcript")
    if what == "problems":
        from cli.findings_commands import export_problems
        return export_problems(folder, fmt or "json", output)
    fmt = fmt or "jsonl"
    if fmt == "json":
        fail("--format json is for --problems; events and attempts are jsonl or csv")
    from sessions.export import EXPORT_COLUMNS
    columns = EXPORT_COLUMNS
    if what == "attempts":
        rows, columns = _attempt_rows(store)
    else:
        from sessions.export import study_timeline
        rows = study_timeline(store)
    emit_rows(rows, output, fmt, columns)


def _attempt_rows(store):
    from analyzer.export import ATTEMPT_COLUMNS, attempt_rows
    from sessions.study import load_study
    return attempt_rows(store, load_study(store.folder)), ATTEMPT_COLUMNS


COMMANDS = [init, validate, list_sessions, export]
