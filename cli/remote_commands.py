"""Verbs for remote participants: invite one (a join link their browser records through),
list the invitations, revoke one."""
from __future__ import annotations

import os
import pwd
from datetime import UTC, datetime
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from cli.errors import fail

SERVER_VARIABLE = "UXLAB_SERVER_URL"


def _actor() -> str:
    """Who invited, as the audit log keeps it: the login name."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return os.environ.get("USER") or "cli"


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@click.command("invite")
@folder_argument
@click.option("--participant", help="The participant id the session will carry (e.g. P07).")
@click.option("--group", help="The participant's group, for comparisons.")
@click.option("--mode", type=click.Choice(["unmoderated", "moderated"]), default="unmoderated", show_default=True,
              help="unmoderated: the join page walks through the tasks; moderated: the console drives them.")
@click.option("--expires", default="7d", show_default=True, help="How long the link may first be used: 30m, 12h, 7d, 2w.")
@click.option("--server", metavar="URL", envvar=SERVER_VARIABLE,
              help=f"The address participants reach `uxlab serve` at (or ${SERVER_VARIABLE}).")
@click.option("--revoke", "revoke", metavar="ID", type=int, help="Revoke the invitation with this id instead.")
@click.option("--revoke-participant", metavar="P", help="Revoke every invitation of this participant instead.")
@click.option("--list", "listing", is_flag=True, help="List the study's invitations instead.")
def invite(folder: Path, participant: str | None, group: str | None, mode: str, expires: str,
           server: str | None, revoke: int | None, revoke_participant: str | None, listing: bool) -> None:
    """Invite a remote participant: print a join link that records their session through
    their browser, on any computer. The link opens that one session and nothing else; the
    study keeps only a hash of it, so it is shown once.

    Examples:
      uxlab invite my-study --participant P07 --group B --server https://lab.example.org
      uxlab invite my-study --list
      uxlab invite my-study --revoke 3
    """
    chosen = [name for name, on in (("--participant", participant is not None), ("--revoke", revoke is not None),
                                    ("--revoke-participant", revoke_participant is not None),
                                    ("--list", listing)) if on]
    if len(chosen) != 1:
        fail("say what to do: --participant P (invite), --revoke ID, --revoke-participant P or --list")
    store = open_store(folder, writer=True)
    invitations = store.invitations
    if listing:
        rows = invitations.all()
        if not rows:
            click.echo("no invitations yet")
        for inv in rows:
            state = ("revoked" if inv.revoked is not None else f"session {inv.session_id}" if inv.session_id
                     else f"open until {_when(inv.expires)}")
            click.echo(f"{inv.id:>4}  {inv.participant:<12} {inv.group or '-':<8} {inv.mode:<12} {state}")
        return
    if revoke is not None or revoke_participant is not None:
        closed = invitations.revoke(actor=_actor(), invitation_id=revoke, participant=revoke_participant)
        if not closed:
            click.echo("already revoked: nothing changed")
        for inv in closed:
            click.echo(f"revoked invitation {inv.id} ({inv.participant}): its link opens nothing now")
        return
    token, inv = invitations.create(participant or "", actor=_actor(), group=group, mode=mode, expires=expires)
    path = f"/join/{token}"
    click.echo(f"invitation {inv.id} for {inv.participant} ({inv.mode}), usable until {_when(inv.expires)}:")
    if not server:
        from sessions.server_address import known_server
        server = known_server(folder)   # the server that serves this study now, if one does
    if server:
        click.echo(server.rstrip("/") + path)
    else:
        click.echo(path)
        click.echo(f"(no server address known: put the address participants reach `uxlab serve` at in front, "
                   f"or pass --server URL / set {SERVER_VARIABLE}; participants on the internet need HTTPS)",
                   err=True)
    click.echo("The link is shown only this once: the study keeps a hash of it.", err=True)


@click.command("rebuild")
@folder_argument
@click.argument("session_id")
def rebuild(folder: Path, session_id: str) -> None:
    """Build a remote (browser) session's media again from the chunks its page uploaded:
    after the server stopped while building, or when the participant's page never came back
    to end the session. The chunks on disk are the recording; this makes its video.

    Example: uxlab rebuild my-study 20260101T100000-a1b2c3
    """
    from sessions.invitations import Source
    from sessions.media.browser_assembly import build_media
    store = open_store(folder, writer=True)
    session = store.sessions.get(session_id)
    if session.get("source") != Source.BROWSER:
        fail(f"session {session_id} was recorded by the native recorder: its video is already the recording")
    built = build_media(store, session_id, fps=_fps(folder))
    if not built.frames:
        fail(f"session {session_id} has no uploaded recording to build from")
    store.invitations.set_device(session_id, {**(session.get("device") or {}), **built.device})
    click.echo(f"built {session_id}: {built.frames} frames, {built.seconds_of_sound:.1f} s of sound, "
               f"{len(built.gaps)} gap(s) marked")


def _fps(folder: Path) -> float:
    from sessions.study import load_study
    return load_study(folder).capture.fps


COMMANDS = [invite, rebuild]
