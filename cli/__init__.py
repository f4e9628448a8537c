"""The `uxlab` command: one click group, a module per family of verbs."""
from __future__ import annotations

from cli.errors import UxlabGroup


import click


@click.group(cls=UxlabGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="uxlab")
def main() -> None:
    """uxlab: a local-first usability lab.

    Record moderated sessions, observe them live, replay them and measure them.
    Every command takes a study folder (default: the current directory).
    """


def _register() -> None:
    from cli import study_commands
    for module in (study_commands,):
        for command in module.COMMANDS:
            main.add_command(command)
    _register_optional()


def _register_optional() -> None:
    """Verb families that come with their own packages register here when present."""
    import importlib
    for name in ("cli.record_commands", "cli.analyze_commands", "cli.web_commands"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register()
