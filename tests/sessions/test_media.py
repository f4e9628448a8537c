"""Media files through the store: paths stay inside media/, the session's video is found or
NotFound, images are read (or None) for the analyzer and the web."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from sessions.errors import NotFound
from sessions.media.files import MediaPathError


def test_images_are_read_in_colour_or_grey_and_missing_ones_are_none(store):
    sid = store.sessions.create("P1", consent=True)
    folder = store.media.session_dir(sid, create=True) / "keyframes"
    folder.mkdir()
    image = np.zeros((20, 30, 3), np.uint8)
    image[:, :15] = (0, 0, 255)
    cv2.imwrite(str(folder / "000001.000.png"), image)
    colour = store.media.read_image(sid, "keyframes/000001.000.png")
    assert colour.shape == (20, 30, 3) and tuple(colour[0, 0]) == (0, 0, 255)
    assert store.media.read_image(sid, "keyframes/000001.000.png", grey=True).shape == (20, 30)
    assert store.media.read_image(sid, "keyframes/000002.000.png") is None
    (folder / "000003.000.jpg").write_bytes(b"not an image")
    assert store.media.read_image(sid, "keyframes/000003.000.jpg") is None
    with pytest.raises(MediaPathError):
        store.media.read_image(sid, "../uxlab.db")


def test_the_video_is_the_one_the_device_names_or_not_found(store):
    sid = store.sessions.create("P1", consent=True, device={"video": "other.mp4"})
    with pytest.raises(NotFound, match="has no video"):
        store.media.video(store.sessions.get(sid))
    folder = store.media.session_dir(sid, create=True)
    (folder / "other.mp4").write_bytes(b"x")
    assert store.media.video(store.sessions.get(sid)) == (folder / "other.mp4").resolve()


def test_only_the_store_and_the_recorder_write_media():
    """The web app and the analyzer read media through the store and change it through
    sessions (redaction, clips): none of them writes an image or a video itself."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    writes = re.compile(r"cv2\.imwrite|av\.open\(.*?,\s*[\"']w[\"']|\.write_bytes\(|os\.replace\(|"
                        r"\.save\(\s*(?:str\()?\w*path")
    found = [f"{path.relative_to(root)}: {line.strip()}"
             for package in ("web", "analyzer") for path in sorted((root / package).rglob("*.py"))
             for line in path.read_text(encoding="utf-8").splitlines() if writes.search(line)]
    assert found == []
    assert writes.search('cv2.imwrite(str(path), np.zeros_like(image))')  # what web/views/replay.py did
    assert writes.search('output = av.open(str(target), "w", format="mp4")')
