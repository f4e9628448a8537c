"""Verbs of the web app: serve a study, add a user."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from sessions.events import ROLES


@click.command()
@folder_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes; more than 1 needs UXLAB_REDIS_URL.")
@click.option("--connections", default=1000, show_default=True, type=click.IntRange(8, 20000),
              help="Open connections per process (each live viewer holds one).")
@click.option("--dev", is_flag=True, help="Werkzeug's development server instead (for debugging).")
@click.option("--https", "https", is_flag=True,
              help="Browsers reach this server over HTTPS: login cookies are Secure (UXLAB_SECURE_COOKIES=1).")
@click.option("--behind-proxy", is_flag=True,
              help="A reverse proxy stands in front: believe its X-Forwarded-Proto/-For/-Host (UXLAB_PROXY=1).")
def serve(folder: Path, host: str, port: int, workers: int, connections: int, dev: bool,
          https: bool = False, behind_proxy: bool = False) -> None:
    """Serve a study's dashboard, replays, questionnaires, live view and moderator console.

    Runs gunicorn with gevent (WebSocket included). The first serve of a study with no
    accounts creates a researcher and prints a one-time password, to be replaced at the
    first login. Settings come from UXLAB_* variables (see the README).

    Example: uxlab serve my-study --host 0.0.0.0 --port 8000
    """
    import os

    from web.auth.accounts import ensure_first_user
    from web.settings import assemble
    store = open_store(folder, writer=True)
    from sessions.study import load_study
    load_study(folder)   # a broken script is one sentence here, not a worker that fails to boot
    created = ensure_first_user(store)
    store.close()
    # assembled once here, so every worker shares one secret key even when none was set
    flags = {"SESSION_COOKIE_SECURE": True} if https else {}
    flags.update({"BEHIND_PROXY": True} if behind_proxy else {})
    settings = assemble({"STUDY_DIR": str(folder), **flags}, os.environ)
    if created:
        name, password = created
        click.echo(f"created user {name!r} (researcher) with password: {password}")
        click.echo("a one-time password, shown only once: it is replaced at the first login; "
                   "add more users with `uxlab user add`")
    click.echo(f"serving {folder} on http://{host}:{port}/", err=True)
    from sessions import server_address
    # recorders and invitations print links to this server while it runs
    server_address.announce(folder, server_address.public_url(host, port))
    try:
        if dev:
            from web import create_app
            app = create_app(settings)
            app.extensions["uxlab"]["socketio"].run(app, host=host, port=port,
                                                     allow_unsafe_werkzeug=True, log_output=False)
            return
        from web import serving
        serving.run(settings, host, port, workers, connections)
    finally:
        server_address.withdraw(folder)


@click.group()
def user() -> None:
    """Manage the accounts that can log in to a study."""


@user.command("add")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="researcher: everything; observer: live sessions and notes; reviewer: replay and reports.")
def add_user(folder: Path, name: str, role: str) -> None:
    """Add a user; the password is read from stdin, or generated and printed once (a
    one-time password, which the user replaces at the first login).

    Example: echo 's3cret-pass' | uxlab user add my-study alice --role reviewer
    """
    store = open_store(folder, writer=True)
    from web.auth.accounts import add_user as create
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

    The old password and every open login of the user stop working at once; a generated
    password is one-time, replaced at the next login.

    Example: uxlab user password my-study researcher
    """
    store = open_store(folder, writer=True)
    from web.auth.accounts import set_password as change
    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    shown = change(store, name, password)
    click.echo(f"new password for {name!r}")
    if password is None:
        click.echo(f"password: {shown}  (shown only once)")


@user.command("list")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def list_users(folder: Path) -> None:
    """List the study's accounts, their roles, and who still has a one-time password.

    Example: uxlab user list my-study
    """
    store = open_store(folder)
    for row in store.users.all():
        waiting = "  (one-time password not yet replaced)" if row["must_change"] else ""
        click.echo(f"{row['name']}\t{row['role']}\tsince {row['created']}{waiting}")


@user.command("remove")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("name")
def remove_user(folder: Path, name: str) -> None:
    """Remove an account; its open logins end at once.

    Example: uxlab user remove my-study olga
    """
    store = open_store(folder, writer=True)
    from web.auth.accounts import remove_user as remove
    remove(store, name)
    click.echo(f"removed {name!r}")


COMMANDS = [serve, user]
