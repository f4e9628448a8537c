"""Where the study is being served: `uxlab serve` leaves its address in the study folder while
it runs, so a recorder (the questionnaire link) and an invitation (the join link) can print a
link that reaches this study's server rather than a guessed default, or say that none is known.

The note names the server's process; a note whose process is gone is stale and ignored.
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

SERVER_FILE = ".uxlab-server.json"


def public_url(host: str, port: int) -> str:
    """The address others reach a server on: a wildcard bind is named by this machine's name."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn() or socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def announce(folder: str | Path, url: str, pid: int | None = None) -> None:
    """Note that the server at `url` (process `pid`, this one by default) serves the study."""
    path = Path(folder) / SERVER_FILE
    pid = pid or os.getpid()
    # a temporary name of the announcing process's own: two servers started on one study at once
    # must not move each other's half-written note away
    temporary = path.with_name(f"{SERVER_FILE}.{pid}.tmp")
    temporary.write_text(json.dumps({"url": url.rstrip("/"), "pid": pid}))
    temporary.replace(path)


def withdraw(folder: str | Path, pid: int | None = None) -> None:
    """Remove the note when the server that left it stops."""
    path = Path(folder) / SERVER_FILE
    note = _read(path)
    if note is not None and note.get("pid") == (pid or os.getpid()):
        path.unlink(missing_ok=True)


def known_server(folder: str | Path) -> str | None:
    """The address of the server that serves the study now, if one announced itself."""
    note = _read(Path(folder) / SERVER_FILE)
    if note is None or not isinstance(note.get("url"), str) or not _alive(note.get("pid")):
        return None
    return note["url"]


def _read(path: Path) -> dict | None:
    try:
        note = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
