"""Verbs of the web app: serve a study, add a user."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.study_commands import folder_argument, open_store
from sessions.events import ROLES


@click.command()
@folder_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(folder: Path, host: str, port: int) -> None:
    """Serve a study's dashboard, replays, questionnaires and moderator console.

    The first serve of a study with no accounts creates a researcher and prints its
    password once. For a shared lab server, see `web` (gunicorn).

    Example: uxlab serve my-study --host 0.0.0.0 --port 8000
    """
    store = open_store(folder, writer=True)
    from web import create_app
    from web.accounts import ensure_first_user
    app = create_app({"STUDY_DIR": str(folder)})
    created = ensure_first_user(store)
    if created:
        name, password = created
        click.echo(f"created user {name!r} (researcher) with password: {password}")
        click.echo("this password is shown only once; add more users with `uxlab user add`")
    click.echo(f"serving {folder} on http://{host}:{port}/", err=True)
    socketio = app.extensions["uxlab"]["socketio"]
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


@click.group()
def user() -> None:
    """Manage the accounts that can log in to a study."""


@user.command("add")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="researcher: everything; observer: live sessions and notes; reviewer: replay and reports.")
def add_user(folder: Path, name: str, role: str) -> None:
    """Add a user; the password is read from stdin, or generated and printed once.

    Example: echo 's3cret-pass' | uxlab user add my-study alice --role reviewer
    """
    store = open_store(folder, writer=True)
    from web.accounts import add_user as create
    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    shown = create(store, name, role, password)
    click.echo(f"added {name!r} ({role})")
    if password is None:
        click.echo(f"password: {shown}  (shown only once)")


@user.command("password")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("name")
def set_password(folder: Path, name: str) -> None:
    """Give a user a new password, read from stdin, or generated and printed once.

    For a lost one-time password: the old password stops working at once.

    Example: uxlab user password my-study researcher
    """
    store = open_store(folder, writer=True)
    from web.accounts import set_password as change
    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    shown = change(store, name, password)
    click.echo(f"new password for {name!r}")
    if password is None:
        click.echo(f"password: {shown}  (shown only once)")


COMMANDS = [serve, user]
