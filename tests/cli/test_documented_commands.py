"""Every `uxlab` command printed in the README and docs/ names a real verb with options and
arguments it accepts: each line in a shell block is parsed by the command's own click parser
(nothing is run), so a renamed verb or option shows here before a reader types it."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(?:sh|bash|console|shell)\n(.*?)```", re.S)


def documented() -> list[tuple[str, str]]:
    lines = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text()):
            for line in block.replace("\\\n", " ").splitlines():
                for part in re.split(r"\s(?:&&|&|;|\|)\s", line):
                    part = part.strip().removesuffix("&").strip()
                    if part.startswith("uxlab "):
                        lines.append((page.name, part.split(" #")[0].strip()))
    return lines


def parse(line: str) -> None:
    words = shlex.split(line.replace("$(", "(").replace("$", ""))[1:]
    command: click.Command = main
    context = None
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        name = words.pop(0)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"no verb {name!r}"
        command = found
    context = command.make_context(command.name or "uxlab", list(words), resilient_parsing=False)
    context.close()


COMMANDS = documented()


def test_the_docs_print_commands():
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("page, line", COMMANDS, ids=[f"{p}:{line[:60]}" for p, line in COMMANDS])
def test_a_documented_command_parses(page, line, tmp_path, monkeypatch):
    # the files a command reads (a screener's CSV) exist where the reader runs it
    monkeypatch.chdir(tmp_path)
    for word in shlex.split(line):
        if re.fullmatch(r"[\w.-]+\.(csv|toml|wav|mp4)", word):
            (tmp_path / word).touch()
    try:
        parse(line)
    except click.exceptions.Exit:
        pass   # --help, --version
    except click.ClickException as exc:
        pytest.fail(f"{page}: `{line}`: {exc.format_message()}")


@pytest.mark.parametrize("line", ["uxlab record my-study --participant P1 --no-such-option",
                                  "uxlab recrod my-study", "uxlab user ad my-study x --role observer",
                                  "uxlab serve my-study --port many"])
def test_the_checker_refuses_what_would_not_run(line):
    with pytest.raises((click.ClickException, AssertionError)):
        parse(line)
