"""Verbs that keep a study's data clean: mark, rename or delete a session, and read the
audit log that every such change leaves."""
from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from cli.errors import fail
from sessions.events import Inclusion


def actor() -> str:
    """Who made a change from the command line: the login name, as the audit log keeps it."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return os.environ.get("USER") or "cli"


@click.command("session")
@folder_argument
@click.argument("session_id")
@click.option("--exclude", "reason", metavar="REASON", help="Exclude the session from every measure, saying why.")
@click.option("--pilot", is_flag=True, help="Mark it a pilot session: kept and shown, counted nowhere.")
@click.option("--include", is_flag=True, help="Count the session again.")
@click.option("--participant", help="Correct the participant id.")
@click.option("--group", help="Correct the group (an empty string clears it).")
@click.option("--delete", is_flag=True, help="Delete the session and its media for good.")
@click.option("--yes", is_flag=True, help="With --delete: do not ask for confirmation.")
def session(folder: Path, session_id: str, reason: str | None, pilot: bool, include: bool,
            participant: str | None, group: str | None, delete: bool, yes: bool) -> None:
    """Mark, rename or delete one session; every change goes to the audit log.

    Examples:
      uxlab session my-study 20260101T100000-a1b2c3 --exclude "fire alarm mid-session"
      uxlab session my-study 20260101T100000-a1b2c3 --participant P07 --group redesign
    """
    marks = [name for name, on in (("--exclude", reason is not None), ("--pilot", pilot),
                                   ("--include", include), ("--delete", delete)) if on]
    if len(marks) > 1:
        fail(f"{' and '.join(marks)} exclude each other: give one")
    if not marks and participant is None and group is None:
        fail("say what to change: --exclude REASON, --pilot, --include, --participant, --group or --delete")
    if delete and (participant is not None or group is not None):
        fail("--delete cannot be combined with a rename")
    store = open_store(folder, writer=True)
    row = store.sessions.get(session_id)
    who = actor()
    if delete:
        if not yes and not click.confirm(
                f"Delete session {session_id} ({row['participant']}) and its media for good?"):
            fail("nothing deleted")
        store.sessions.delete(session_id, who)
        click.echo(f"deleted {session_id} ({row['participant']})")
        return
    if participant is not None or group is not None:
        store.sessions.rename(session_id, who, participant=participant, group=group)
    if marks:
        inclusion = {"--exclude": Inclusion.EXCLUDED, "--pilot": Inclusion.PILOT,
                     "--include": Inclusion.INCLUDED}[marks[0]]
        store.sessions.set_inclusion(session_id, inclusion.value, who, reason)
    after = store.sessions.get(session_id)
    why = f" ({after['inclusion_reason']})" if after.get("inclusion_reason") else ""
    click.echo(f"{session_id}: participant {after['participant']}, group {after['group_name'] or '-'}, "
               f"{after['inclusion']}{why}")


@click.command("audit")
@folder_argument
@click.option("--session", "session_id", help="Only this session's entries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def audit(folder: Path, session_id: str | None, as_json: bool) -> None:
    """Show the audit log: who redacted, excluded, renamed or deleted what, and when.

    Example: uxlab audit my-study
    """
    store = open_store(folder)
    rows = store.audit.all(session_id)
    if as_json:
        click.echo(json.dumps([{**r, "detail": json.loads(r["detail"] or "{}")} for r in rows], indent=2))
        return
    if not rows:
        click.echo("the audit log is empty")
        return
    for r in rows:
        click.echo(f"{r['at']}  {r['actor']:<12} {r['action']:<16} {r['session_id'] or '-':<24} "
                   f"{describe(json.loads(r['detail'] or '{}'))}")


def describe(detail: dict) -> str:
    """An audit entry's details as `key: value` words rather than JSON."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            value = f"{value['from'] or '-'} -> {value['to'] or '-'}"
        if value is not None:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)


COMMANDS = [session, audit]
