"""Verbs on a study's findings: the problem list, candidates, ratings, reels and the
problems export."""
from __future__ import annotations

import getpass
import json
import sys
from functools import wraps
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from cli.errors import UserError, fail, warn
from sessions.errors import UxlabError
from sessions.events import REEL_FILE, Decision

actor_option = click.option("--as", "actor", default=None, metavar="NAME",
                            help="Who does this (default: your login name); kept in the audit log.")


def _user_errors(command):
    """A refusal from the store (`UxlabError`) is the user's to fix: `error: ...`, exit 2."""
    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UxlabError as exc:
            raise UserError(exc.message) from None
    return run


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


def _problems(folder: Path):
    from sessions.problems import Problems
    store = open_store(folder, writer=True)
    return store, Problems(store)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


@click.command()
@folder_argument
@click.option("--json", "as_json", is_flag=True, help="Print the problem list, matrix and discovery as JSON.")
@_user_errors
def problems(folder: Path, as_json: bool) -> None:
    """List the study's problems, most severe and widespread first, and how complete the
    study's discovery is.

    Example: uxlab problems my-study --json
    """
    from analyzer.findings import problem_list
    store = open_store(folder)
    result = problem_list(store)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    if not result["problems"]:
        click.echo("no problems yet (see `uxlab candidates` for what the analysis flagged)")
    else:
        click.echo(f"{'id':>4} {'severity':<16} {'reach (95% CI)':<22} title")
    for p in result["problems"]:
        sev = p["severity"]
        severity = "unrated" if sev["median"] is None else f"{sev['median']:g} {sev['label']}"
        if sev["disagreement"]:
            severity += " !"
        reach = p["reach"]
        share = "-" if reach is None else (f"{len(p['participants'])}/{p['of']} "
                                           f"({_percent(reach['low'])}-{_percent(reach['high'])})")
        click.echo(f"{p['id']:>4} {severity:<16} {share:<22} {p['title']}")
    for pair in result["shared_evidence"]:
        a, b = pair["problems"]
        warn(f"problems {a} and {b} share {pair['moments']} moment{'s' if pair['moments'] != 1 else ''} of "
             f"evidence and count as two in discovery: if they are one problem, merge them with "
             f"`uxlab problem-merge {folder} {a} {b}`")
    d = result["discovery"]
    if d and d["p_observed"] is not None:
        curve = result["curve"]
        click.echo(f"\ndiscovery: p observed {d['p_observed']:.2f}, adjusted {d['p_adjusted']:.2f}; "
                   f"{d['problems_seen']} problems seen of about {d['problems_estimated']:.0f} "
                   f"(~{d['undiscovered']:.0f} undiscovered); {_percent(curve['now'])} of problems this "
                   f"discoverable found with {d['participants']} participants, {curve['needed']} "
                   f"needed for {_percent(curve['goal'])}")


@click.command("problem-add")
@folder_argument
@click.argument("title")
@click.option("--task", default=None, help="The task the problem belongs to.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--description", default="", help="What goes wrong, and why it matters.")
@actor_option
@_user_errors
def problem_add(folder: Path, title: str, task: str | None, tags: tuple[str, ...], description: str,
                actor: str | None) -> None:
    """Create a problem; prints its id.

    Example: uxlab problem-add my-study "Submit button hidden below the fold" --task submit-ticket
    """
    store, p = _problems(folder)
    _known_task(folder, task)
    click.echo(p.create(title, author=_actor(actor), task=task, tags=tags, description=description))


def _known_task(folder: Path, task: str | None) -> None:
    if task is None:
        return
    from sessions.study import load_study
    study = load_study(folder)
    if study.task(task) is None:
        fail(f"no task {task!r} in this study (tasks: {', '.join(t.id for t in study.tasks)})")


@click.command("problem-edit")
@folder_argument
@click.argument("problem_id", type=int)
@click.option("--title", default=None)
@click.option("--task", default=None, help="A task id, or '' for none.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeat for more).")
@click.option("--description", default=None)
@actor_option
@_user_errors
def problem_edit(folder: Path, problem_id: int, title, task, tags, description, actor) -> None:
    """Change a problem's title, task, tags or description.

    Example: uxlab problem-edit my-study 3 --title "Search ignores typos"
    """
    store, p = _problems(folder)
    fields = {k: v for k, v in (("title", title), ("task", task), ("description", description)) if v is not None}
    if tags:
        fields["tags"] = list(tags)
    if not fields:
        fail("say what to change: --title, --task, --tag or --description")
    _known_task(folder, task or None)
    p.edit(problem_id, actor=_actor(actor), **fields)


@click.command("problem-merge")
@folder_argument
@click.argument("into", type=int)
@click.argument("others", type=int, nargs=-1, required=True)
@actor_option
@_user_errors
def problem_merge(folder: Path, into: int, others: tuple[int, ...], actor) -> None:
    """Fold problems into one: evidence moves, tags join, ratings of INTO win.

    Example: uxlab problem-merge my-study 2 5 7
    """
    store, p = _problems(folder)
    p.merge(into, others, actor=_actor(actor))


@click.command("problem-delete")
@folder_argument
@click.argument("problem_id", type=int)
@actor_option
@_user_errors
def problem_delete(folder: Path, problem_id: int, actor) -> None:
    """Delete a problem with its evidence and ratings.

    Example: uxlab problem-delete my-study 4
    """
    store, p = _problems(folder)
    p.delete(problem_id, actor=_actor(actor))


@click.command("evidence-add")
@folder_argument
@click.argument("problem_id", type=int)
@click.argument("session")
@click.argument("t", type=float)
@click.option("--end", type=float, default=None, help="End of a stretch (seconds).")
@click.option("--text", default="", help="What happened there.")
@actor_option
@_user_errors
def evidence_add(folder: Path, problem_id: int, session: str, t: float, end, text: str, actor) -> None:
    """Link a moment (or a stretch) of a session to a problem.

    Example: uxlab evidence-add my-study 3 20261130T101500-a1b2c3 84.5 --end 97 --text "scrolls past it"
    """
    store, p = _problems(folder)
    click.echo(p.add_evidence(problem_id, session, t, end=end, text=text, author=_actor(actor),
                              kind="stretch"))


@click.command("problem-rate")
@folder_argument
@click.argument("problem_id", type=int)
@click.argument("severity", type=click.IntRange(1, 4))
@click.option("--comment", default="")
@actor_option
@_user_errors
def problem_rate(folder: Path, problem_id: int, severity: int, comment: str, actor) -> None:
    """Rate a problem's severity, 1 cosmetic, 2 minor, 3 major, 4 critical (one rating per
    rater: a new one replaces yours).

    Example: uxlab problem-rate my-study 3 4 --as ana --comment "blocks the task"
    """
    store, p = _problems(folder)
    p.rate(problem_id, _actor(actor), severity, comment)


def _candidates(folder: Path, *, writer: bool = False):
    from analyzer.candidates import study_candidates
    from sessions.study import load_study
    store = open_store(folder, writer=True)
    return store, study_candidates(store, load_study(folder))


@click.command()
@folder_argument
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "show_all", is_flag=True, help="Also list confirmed and dismissed candidates.")
@_user_errors
def candidates(folder: Path, as_json: bool, show_all: bool) -> None:
    """Candidate problems the analysis found, grouped by task and screen state.

    Example: uxlab candidates my-study
    """
    _, found = _candidates(folder)
    if not show_all:
        found = [c for c in found if c["decision"] is None]
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("no open candidates")
    for c in found:
        state = f" [{c['decision']}]" if c["decision"] else ""
        click.echo(f"{len(c['participants'])}/{c['of']} {c['occurrences']:>3}x  {c['title']}{state}\n"
                   f"        key: {c['key']}")


@click.command("candidate-confirm")
@folder_argument
@click.argument("key")
@click.option("--problem", "problem_id", type=int, default=None, help="Add to this problem instead of a new one.")
@click.option("--title", default=None, help="Title of the new problem (default: the candidate's).")
@actor_option
@_user_errors
def candidate_confirm(folder: Path, key: str, problem_id, title, actor) -> None:
    """Confirm a candidate: a new problem (prints its id) or evidence for an existing one.

    Example: uxlab candidate-confirm my-study "submit-ticket|rage_clicks|c3c3..." --problem 2
    """
    from sessions.problems import Problems, confirm_candidate
    store, found = _candidates(folder, writer=True)
    candidate = next((c for c in found if c["key"] == key), None)
    if candidate is None:
        fail(f"no candidate {key!r} (see `uxlab candidates {folder}`)")
    click.echo(confirm_candidate(Problems(store), key, candidate["moments"], actor=_actor(actor),
                                 problem_id=problem_id, title=title or candidate["title"],
                                 task=candidate["task"]))


@click.command("candidate-dismiss")
@folder_argument
@click.argument("key")
@actor_option
@_user_errors
def candidate_dismiss(folder: Path, key: str, actor) -> None:
    """Dismiss a candidate; it stays dismissed when the study is analysed again.

    Example: uxlab candidate-dismiss my-study "submit-ticket|dead_clicks|none"
    """
    store, p = _problems(folder)
    p.decide(key, Decision.DISMISSED, actor=_actor(actor))


@click.command()
@folder_argument
@click.option("--problem", "problem_id", type=int, default=None, help="The problem whose evidence to show.")
@click.option("--tag", default=None, help="Notes with this tag, quoted on the title cards.")
@click.option("--search", default=None, help="Notes and transcript words containing this text.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path(REEL_FILE),
              show_default=True)
@click.option("--reencode", is_flag=True, help="Re-encode every clip (slower; the benchmark's reference).")
@_user_errors
def reel(folder: Path, problem_id: int | None, tag: str | None, search: str | None, output: Path,
         reencode: bool) -> None:
    """Cut a highlight reel: each clip after a title card, with sound and captions where
    the sessions have them.

    Example: uxlab reel my-study --problem 3 -o reel.mp4
    """
    from sessions.media.reels import (
        build_reel,
        clips_for_problem,
        clips_for_search,
        clips_for_tag,
    )
    if sum(x is not None for x in (problem_id, tag, search)) != 1:
        fail("say what to show: --problem ID, --tag TAG or --search TEXT")
    store = open_store(folder)
    if problem_id is not None:
        clips = clips_for_problem(store, problem_id)
    elif tag is not None:
        clips = clips_for_tag(store, tag)
    else:
        clips = clips_for_search(store, search or "")
    with click.progressbar(length=2 * len(clips) + 1, label="cutting", file=sys.stderr) as bar:
        result = build_reel(store, clips, output, encode_all=reencode,
                            progress=lambda done, total: bar.update(done - bar.pos))
    click.echo(f"wrote {output}: {result['clips']} clips, {result['duration']:.1f} s "
               f"({result['copied']} copied, {result['encoded']} encoded) in {result['seconds']:.1f} s", err=True)


def export_problems(folder: Path, fmt: str, output: Path | None) -> None:
    """`uxlab export --problems`: JSON (problems with ratings and evidence, the matrix and the
    discovery statistics) or CSV (one row per problem, a blank line, then the matrix)."""
    from analyzer.findings import (
        PROBLEM_COLUMNS,
        matrix_rows,
        problem_list,
        problem_rows,
    )
    from sessions.csv_cells import CsvDictWriter
    result = problem_list(open_store(folder))
    out = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        if fmt == "csv":
            writer = CsvDictWriter(out, PROBLEM_COLUMNS)
            writer.writeheader()
            writer.writerows(problem_rows(result))
            out.write("\n")
            matrix = matrix_rows(result)
            columns = ["participant"] + [f"problem_{p['id']}" for p in result["problems"]]
            writer = CsvDictWriter(out, columns)
            writer.writeheader()
            writer.writerows(matrix)
        else:
            json.dump({k: result[k] for k in ("problems", "participants", "matrix", "discovery")},
                      out, indent=2, default=str)
            out.write("\n")
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"wrote {len(result['problems'])} problems to {output}", err=True)


COMMANDS = [problems, problem_add, problem_edit, problem_merge, problem_delete, evidence_add, problem_rate,
            candidates, candidate_confirm, candidate_dismiss, reel]
