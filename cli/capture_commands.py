"""`uxlab snippet`: the one <script> tag a researcher adds to a web product under test, so
its pages send what was clicked to the session being recorded (web/static/capture.js)."""
from __future__ import annotations

from pathlib import Path

import click

from cli.common import folder_argument
from cli.errors import fail, warn


def snippet_tag(server: str) -> str:
    """The tag for pages served anywhere: the script finds the lab from its own address."""
    return f'<script src="{server.rstrip("/")}/static/capture.js" defer></script>'


@click.command()
@folder_argument
@click.option("--url", "server", default=None,
              help="The lab's address as the product's pages reach it (default: the running `uxlab serve`).")
def snippet(folder: Path, server: str | None) -> None:
    """Print the <script> tag that adds element capture to a web product's pages.

    The product's origins must be listed in study.toml ([capture] origins = [...]); under a
    Content-Security-Policy, its script-src and connect-src must allow the lab's address.

    Example:

        uxlab snippet my-study --url http://lab.local:5000
    """
    from sessions import server_address
    from sessions.study import StudyError, load_study
    try:
        study = load_study(folder)
    except StudyError as exc:
        fail(exc.message)
    server = server or server_address.known_server(folder)
    if server is None:
        fail(f"no `uxlab serve` is running for {folder}: start it, or give its address with --url")
    if not server.startswith(("http://", "https://")):
        fail(f"--url must be an http:// or https:// address, got {server!r}")
    click.echo(snippet_tag(server))
    if not study.capture.web.origins:
        warn("study.toml lists no [capture] origins: the lab refuses every page's events until it does")


COMMANDS = [snippet]
