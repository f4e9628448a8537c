"""Hostile and broken study files: deep, huge and malformed scripts and screens, a few hundred
generated here, each refused by `load_study` (and `uxlab validate`) with one sentence saying
which bound was passed, well within 5 s, never a traceback or a hang."""
from __future__ import annotations

import random
import struct
import subprocess
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from sessions.study import StudyError, load_study
from sessions.studyfile_bounds import MAX_DIGITS, MAX_KEY_PARTS, MAX_NESTING

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")
TASK = 'title = "A study"\n[[task]]\nid = "t"\nprompt = "Do it."\n'
DEPTHS = [max(MAX_KEY_PARTS, MAX_NESTING) + 1, 50, 1000, 100_000]


def hostile_scripts() -> list[tuple[str, str]]:
    cases = []
    for n in DEPTHS:
        cases.append((f"header-{n}", TASK + "[" + ".".join(["a"] * n) + "]\nx = 1\n"))
        cases.append((f"array-header-{n}", TASK + "[[" + ".".join(["a"] * n) + "]]\n"))
        cases.append((f"dotted-key-{n}", TASK + ".".join(["k"] * n) + " = 1\n"))
        cases.append((f"quoted-dotted-key-{n}", TASK + ".".join(['"k"'] * n) + " = 1\n"))
        cases.append((f"nested-arrays-{n}", TASK + "x = " + "[" * n + "]" * n + "\n"))
        cases.append((f"nested-tables-{n}", TASK + "x = " + "{a = " * n + "1" + "}" * n + "\n"))
        cases.append((f"inline-dotted-{n}", TASK + "x = {" + ".".join(["a"] * n) + " = 1}\n"))
    for digits in (MAX_DIGITS + 1, 5000, 1_000_000):
        cases.append((f"integer-{digits}", TASK + "time_limit = " + "9" * digits + "\n"))
        cases.append((f"float-{digits}", TASK + "[capture]\nfps = 1." + "1" * digits + "\n"))
    for count in (1001, 200_000):
        screens = ", ".join(['"s.png"'] * count)
        cases.append((f"error-screens-{count}", TASK + f"error_screens = [{screens}]\n"))
        cases.append((f"tasks-{count}", 'title = "T"\n' + "".join(f'[[task]]\nid = "t{i}"\nprompt = "p"\n' for i in range(count))))
    for groups in (51, 5000):
        cases.append((f"regex-groups-{groups}", TASK + 'success_title = "' + "(" * groups + "a" + ")" * groups + '"\n'))
    cases.append(("regex-long", TASK + 'success_title = "' + "a" * 5000 + '"\n'))
    cases.append(("huge-file", TASK + "# " + "x" * 1_100_000 + "\n"))
    rng = random.Random(20261201)
    alphabet = '[]{}.=,"\'#\n abc123_-+:\\\t'
    for i in range(200):
        size = rng.choice((10, 100, 1000, 20_000))
        cases.append((f"random-{i}", "".join(rng.choice(alphabet) for _ in range(size))))
    for i in range(40):
        cases.append((f"bytes-{i}", bytes(rng.randrange(256) for _ in range(rng.choice((50, 5000)))).decode("latin-1")))
    return cases


CASES = hostile_scripts()


def refuse_quickly(folder: Path) -> str:
    started = time.monotonic()
    try:
        load_study(folder)
        message = ""
    except StudyError as exc:
        message = exc.message
    assert time.monotonic() - started < 5, folder
    return message


def test_hostile_scripts_are_refused_in_one_sentence(tmp_path):
    assert len(CASES) > 250
    for name, text in CASES:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "study.toml").write_text(text, encoding="utf-8", errors="surrogateescape")
        message = refuse_quickly(folder)
        if name.startswith(("random-", "bytes-")):
            continue   # these may by chance be a valid (if odd) study or be refused for any reason
        assert message and "\n" not in message, (name, message)


@pytest.mark.parametrize("name, words", [("header-100000", "dotted parts"), ("dotted-key-100000", "dotted parts"),
                                         ("nested-arrays-100000", "nested"), ("integer-5000", "digits"),
                                         ("error-screens-1001", "more than 1000 items"),
                                         ("regex-groups-5000", "regular expression"),
                                         ("huge-file", "larger than")])
def test_the_sentence_names_the_bound(tmp_path, name, words):
    (tmp_path / "study.toml").write_text(dict(CASES)[name])
    assert words in refuse_quickly(tmp_path)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its (tiny) data does not hold."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("content, words", [(b"", "is empty"), (b"not an image at all", "is not an image"),
                                            (png_claiming(100_000, 100_000), "claims more pixels"),
                                            (png_claiming(20_000, 10), "claims 20000x10")])
def test_screens_that_are_not_usable_images(tmp_path, content, words):
    (tmp_path / "screens").mkdir()
    (tmp_path / "screens" / "s.png").write_bytes(content)
    (tmp_path / "study.toml").write_text(TASK + 'success_screen = "screens/s.png"\n')
    assert words in refuse_quickly(tmp_path)
    cv2.imwrite(str(tmp_path / "screens" / "s.png"), np.full((10, 10, 3), 90, np.uint8))
    assert load_study(tmp_path).tasks[0].success_screen is not None


@pytest.mark.parametrize("name", ["header-100000", "integer-1000000", "regex-groups-5000", "error-screens-200000"])
def test_validate_says_one_sentence(tmp_path, name):
    (tmp_path / "study.toml").write_text(dict(CASES)[name])
    started = time.monotonic()
    result = subprocess.run([UXLAB, "validate", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 10   # the interpreter's start included
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
