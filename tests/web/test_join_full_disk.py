"""The study server's disk fills up during a remote session: the study's media folder is a
real 2 MB tmpfs (tests/conftest.py small_disk) filled to the last byte. Chunks that do not fit
get the server's one sentence, the join page shows it and keeps them, what was received
before stays whole, and once there is room again everything kept arrives, nothing lost."""
from __future__ import annotations

import pytest

from sessions.media.browser_chunks import BrowserChunks
from tests.conftest import write_study
from tests.web.remote import ONE_TASK_STUDY, join_and_share, participant_browser, until


@pytest.fixture
def study_dir(tmp_path, small_disk):
    folder = write_study(tmp_path / "study", ONE_TASK_STUDY)
    (folder / "media").symlink_to(small_disk, target_is_directory=True)   # the media on their own disk
    return folder


def fill(disk) -> None:
    """Write to the disk until it refuses another byte."""
    with open(disk / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_is_said_the_page_keeps_the_chunks_and_nothing_is_lost(chromium, live_server, web_store,
                                                                          small_disk):
    token, _ = web_store.invitations.create("P07", actor="rita")
    browser = participant_browser(chromium)
    try:
        page = join_and_share(browser, live_server, token)
        page.click("#start")
        (session,) = web_store.sessions.all()
        chunks = BrowserChunks(web_store.media, session["id"])
        until(lambda: len(chunks.acknowledged("screen", 0)) >= 2, "no chunks before the disk filled")

        fill(small_disk)
        received = {p.name: p.read_bytes() for p in chunks.run("screen", 0).chunks()}
        # the server's sentence, on the page; the chunks wait in the browser
        until(lambda: page.is_visible("#problem"), "the page said nothing")
        said = page.text_content("#problem")
        assert said.startswith("the server could not store the recording (No space left on device)"), said
        assert "what it received before is kept" in said
        until(lambda: int(page.get_attribute("#join", "data-pending") or 0) >= 2, "the page kept nothing")
        assert "kept on this computer" in page.text_content("#status")
        run = chunks.run("screen", 0)
        assert all((run.folder / name).read_bytes() == data for name, data in received.items())   # whole
        assert not [p for p in run.folder.iterdir() if p.name.endswith(".tmp")]        # no half chunk left

        (small_disk / "filler").unlink()                       # room again: what waited goes out
        until(lambda: page.get_attribute("#join", "data-pending") == "0", "the kept chunks never went out", 30.0)
        until(lambda: not page.is_visible("#problem"), "the sentence stayed after the disk had room")
        page.click("#done")
        until(lambda: page.get_attribute("#join", "data-ended") == "1", "the session never ended", 60.0)
    finally:
        browser.close()

    (run,) = chunks.runs("screen")
    seqs = sorted(int(p.stem) for p in run.chunks())
    assert seqs == list(range(len(seqs))) == [row["seq"] for row in run.times()]   # each stored once, none lost
    for name, data in received.items():
        assert (run.folder / name).read_bytes() == data
