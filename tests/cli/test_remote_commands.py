"""`uxlab invite` on a real study folder: a link printed once, listed, revoked."""
from __future__ import annotations

import re

from click.testing import CliRunner

from cli import main
from sessions.store import Store


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_invite_prints_a_link_that_opens_the_invitation(study_dir):
    result = run("invite", str(study_dir), "--participant", "P07", "--group", "B", "--mode", "moderated",
                 "--expires", "2h", "--server", "https://lab.example.org/")
    assert result.exit_code == 0, result.output
    (link,) = re.findall(r"https://lab\.example\.org/join/([A-Za-z0-9_-]+)", result.output)
    store = Store(study_dir)
    inv = store.invitations.open(link)
    assert (inv.participant, inv.group, inv.mode) == ("P07", "B", "moderated")
    assert inv.expires - inv.created == 7200
    assert "P07" in run("invite", str(study_dir), "--list").output


def test_without_a_server_address_the_path_is_printed_and_the_gap_said(study_dir):
    result = run("invite", str(study_dir), "--participant", "P08")
    assert result.exit_code == 0
    assert re.search(r"^/join/[A-Za-z0-9_-]{20,}$", result.output, re.M)
    assert "no server address known" in result.output


def test_the_link_names_the_server_serving_the_study(study_dir):
    from sessions import server_address
    server_address.announce(study_dir, "http://lab-pc:8000")    # as `uxlab serve` does while it runs
    try:
        result = run("invite", str(study_dir), "--participant", "P09")
    finally:
        server_address.withdraw(study_dir)
    assert result.exit_code == 0
    assert re.search(r"^http://lab-pc:8000/join/[A-Za-z0-9_-]{20,}$", result.output, re.M)


def test_revoke_closes_the_link(study_dir):
    run("invite", str(study_dir), "--participant", "P07")
    result = run("invite", str(study_dir), "--revoke", "1")
    assert result.exit_code == 0 and "revoked invitation 1 (P07)" in result.output
    assert "revoked" in run("invite", str(study_dir), "--list").output
    assert [a["action"] for a in Store(study_dir).audit.all()] == ["invite", "revoke_invitation"]


def test_bad_input_is_one_sentence_and_changes_nothing(study_dir):
    for args in (["--participant", "P07", "--expires", "soon"], ["--participant", "P07", "--mode", "remote"],
                 [], ["--participant", "P07", "--list"], ["--revoke", "9"]):
        result = run("invite", str(study_dir), *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert Store(study_dir).invitations.all() == []


def vp8_webm(frames: int) -> bytes:
    """A VP8 WebM of changing grey frames at 10 fps, as a browser records a screen."""
    import io
    from fractions import Fraction

    import av
    import numpy as np
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as out:
        video = out.add_stream("libvpx", rate=10)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), i * 11 % 256, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 10)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def test_rebuild_makes_a_browser_sessions_video_from_its_chunks(study_dir):
    from sessions.media.browser_chunks import BrowserChunks
    store = Store(study_dir)
    token, _ = store.invitations.create("P07", actor="rita")
    session, _ = store.invitations.begin(store.invitations.open(token), keystrokes="none", device={})
    chunks = BrowserChunks(store.media, session["id"])
    recording = chunks.new_run("screen", start=0.5, mime="video/webm;codecs=vp8")
    chunks.put("screen", recording.number, 0, vp8_webm(20), 2.5)
    result = run("rebuild", str(study_dir), session["id"])
    assert result.exit_code == 0, result.output
    assert "built" in result.output and "20 frames" in result.output
    assert store.media.video(store.sessions.get(session["id"])).is_file()
    native = store.sessions.create("P08")
    refused = run("rebuild", str(study_dir), native)
    assert refused.exit_code == 2 and "native recorder" in refused.output
