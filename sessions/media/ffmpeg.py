"""The ffmpeg command line, for the edits that PyAV makes long-winded (joining parts, mixing
sound tracks): found on the PATH, run quietly, a failure said in one line."""
from __future__ import annotations

import shutil
import subprocess

from sessions.errors import Unavailable


def ffmpeg() -> str:
    """The ffmpeg program, or Unavailable saying how to get it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise Unavailable("ffmpeg is not installed (tools/setup-system.sh installs it)")
    return path


def run_ffmpeg(args: list[str], what: str) -> None:
    """Run ffmpeg with `args` (after the program); a failure is Unavailable("ffmpeg could not
    `what`: <its last line>")."""
    done = subprocess.run([ffmpeg(), "-y", "-loglevel", "error", *args], capture_output=True, text=True)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        raise Unavailable(f"ffmpeg could not {what}: {tail[0]}")


def mix_filter(tracks: int) -> str:
    """A filter graph mixing the first input's `tracks` sound tracks into one, each at its
    own level (normalize=0: a voice is not made quieter because another track exists)."""
    return "".join(f"[0:a:{i}]" for i in range(tracks)) + f"amix=inputs={tracks}:duration=longest:normalize=0"
