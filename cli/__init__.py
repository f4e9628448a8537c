"""The `uxlab` command: one click group, a module per family of verbs."""
from __future__ import annotations

import click

from cli import (
    analyze_commands,
    capture_commands,
    findings_commands,
    record_commands,
    remote_commands,
    session_commands,
    standards_commands,
    study_commands,
    voice_commands,
    web_commands,
)
from cli.errors import UxlabGroup


@click.group(cls=UxlabGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="uxlab")
def main() -> None:
    """uxlab: a local-first usability lab.

    Record moderated sessions, observe them live, replay them and measure them.
    Every command takes a study folder (default: the current directory).
    """


for _module in (study_commands, session_commands, record_commands, analyze_commands, web_commands,
                findings_commands, voice_commands, standards_commands, remote_commands, capture_commands):
    for _command in _module.COMMANDS:
        main.add_command(_command)
