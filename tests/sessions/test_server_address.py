"""The note `uxlab serve` leaves in a study folder: servers that start on one study at once
each leave a whole note, and the last one standing is the one named."""
from __future__ import annotations

import multiprocessing
import os

from sessions import server_address


def _announce_many(folder: str, port: int, start) -> None:
    start.wait()
    for _ in range(300):
        server_address.announce(folder, f"http://127.0.0.1:{port}")


def test_servers_announcing_on_one_study_at_once_never_fail_or_leave_a_torn_note(tmp_path):
    context = multiprocessing.get_context("fork")
    start = context.Event()
    announcers = [context.Process(target=_announce_many, args=(str(tmp_path), port, start))
                  for port in (8001, 8002, 8003)]
    for process in announcers:
        process.start()
    start.set()
    for process in announcers:
        process.join(60)
    assert [process.exitcode for process in announcers] == [0, 0, 0]
    note = server_address._read(tmp_path / server_address.SERVER_FILE)
    assert note is not None and note["url"] in {f"http://127.0.0.1:{p}" for p in (8001, 8002, 8003)}
    assert [p.name for p in tmp_path.iterdir()] == [server_address.SERVER_FILE]   # no temporary left


def test_a_note_names_a_running_server_and_is_withdrawn_only_by_it(tmp_path):
    server_address.announce(tmp_path, "http://lab-pc:8123/")
    assert server_address.known_server(tmp_path) == "http://lab-pc:8123"
    server_address.withdraw(tmp_path, pid=os.getpid() + 1)     # another server's stop
    assert server_address.known_server(tmp_path) == "http://lab-pc:8123"
    server_address.withdraw(tmp_path)
    assert server_address.known_server(tmp_path) is None
