"""Edits to study.toml from the app keep the researcher's comments and layout."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from sessions.errors import BadRequest, NotFound
from sessions.study import load_study
from sessions.studyfile_edit import save_screen, set_task_screen
from tests.conftest import write_study

STUDY = '''# Our redesign study: comments here must survive
title = "Edits"

[[task]]
id = "first"     # the ticket task
prompt = "Do the first thing."
error_screens = []   # none yet

# the second task has no screens yet
[[task]]
id = "second"
prompt = "Do the second thing."
'''


def png() -> bytes:
    image = np.zeros((20, 30, 3), np.uint8)
    image[5:15, 5:25] = (0, 0, 255)
    return cv2.imencode(".png", image)[1].tobytes()


def test_screens_and_targets_are_written_keeping_comments_and_layout(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    success = save_screen(folder, "second", "success", png())
    again = save_screen(folder, "second", "success", png())
    assert (success, again) == ("screens/second-success.png", "screens/second-success-2.png")
    study = set_task_screen(folder, "second", "success", success)
    assert study.task("second").success_screen == (folder / success).resolve()
    error = save_screen(folder, "first", "error", png())
    set_task_screen(folder, "first", "error", error)
    set_task_screen(folder, "first", "error", error)        # the same screen is listed once
    set_task_screen(folder, "first", "first_click", (10, 20, 300, 40))
    text = (folder / "study.toml").read_text()
    for kept in ("# Our redesign study: comments here must survive", 'id = "first"     # the ticket task',
                 "# the second task has no screens yet", "# none yet"):
        assert kept in text, kept
    assert text.count("screens/first-error.png") == 1
    study = load_study(folder)
    assert study.task("first").error_screens == ((folder / error).resolve(),)
    assert study.task("first").first_click == (10, 20, 300, 40)
    # only the changed values differ from what the researcher wrote
    original = STUDY.splitlines()
    assert [line for line in text.splitlines() if line not in original] == [
        'error_screens = ["screens/first-error.png"]   # none yet',
        "first_click = [10, 20, 300, 40]",
        'success_screen = "screens/second-success.png"']


def test_refusals_leave_the_file_as_it_was(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    before = (folder / "study.toml").read_text()
    with pytest.raises(NotFound):
        set_task_screen(folder, "third", "success", "screens/x.png")
    with pytest.raises(BadRequest, match="would break the study script"):
        set_task_screen(folder, "first", "success", "screens/missing.png")
    with pytest.raises(BadRequest):
        set_task_screen(folder, "first", "first_click", (0, 0, 0, 10))
    with pytest.raises(BadRequest):
        save_screen(folder, "first", "error", b"GIF89a")
    assert (folder / "study.toml").read_text() == before
