"""Study scripts: valid ones load; each kind of broken one gets one message naming file, line, field."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from sessions.study import DEFAULT_HOTKEYS, StudyError, load_study
from tests.conftest import write_study

GOOD = """
title = "Help-desk portal redesign"

[capture]
fps = 15
scale = 0.5
keystrokes = "full"

[[task]]
id = "submit-ticket"
prompt = "Your printer is broken. Ask the help desk for help."
time_limit = 180
success_screen = "screens/sent.png"
error_screens = ["screens/404.png"]
first_click = [10, 20, 100, 40]

[[task]]
id = "status"
prompt = "Check your ticket."
post_task = ["seq", "confidence"]

[questionnaires]
post_task = ["seq"]
post_session = ["sus", "umux_lite", "nps", "comments"]

[[questionnaires.custom]]
id = "confidence"
prompt = "I am confident I did it right."
points = 5

[[questionnaires.custom]]
id = "comments"
prompt = "Anything else?"
type = "text"
required = false

[hotkeys]
end = "ctrl+alt+x"
"""


def _with_screens(folder: Path, text: str) -> Path:
    write_study(folder, text)
    (folder / "screens").mkdir(exist_ok=True)
    for name in ("sent.png", "404.png"):
        cv2.imwrite(str(folder / "screens" / name), np.full((20, 40, 3), 200, np.uint8))
    return folder


def test_a_full_study_loads_with_every_section(tmp_path):
    study = load_study(_with_screens(tmp_path, GOOD))
    assert study.title == "Help-desk portal redesign"
    assert (study.capture.fps, study.capture.scale, study.capture.keystrokes) == (15, 0.5, "full")
    first, second = study.tasks
    assert first.id == "submit-ticket" and first.time_limit == 180
    assert first.success_screen == (tmp_path / "screens/sent.png").resolve()
    assert first.error_screens == ((tmp_path / "screens/404.png").resolve(),)
    assert first.first_click == (10, 20, 100, 40)
    assert second.time_limit is None and study.post_task_for(second) == ("seq", "confidence")
    assert study.post_task_for(first) == ("seq",)
    assert study.questionnaires.post_session == ("sus", "umux_lite", "nps", "comments")
    assert study.questionnaires.custom_item("comments").type == "text"
    assert study.hotkeys["end"] == "ctrl+alt+x"
    assert study.hotkeys["next_task"] == DEFAULT_HOTKEYS["next_task"]


def test_defaults_redact_keystrokes(study_dir):
    study = load_study(study_dir)
    assert study.capture.keystrokes == "redacted"
    assert study.capture.scale == 1.0


def test_audio_is_off_unless_the_study_names_a_source(study_dir, tmp_path):
    assert load_study(study_dir).capture.audio == "none"
    folder = _with_screens(tmp_path / "a", GOOD.replace('keystrokes = "full"', 'keystrokes = "full"\naudio = "default"'))
    assert load_study(folder).capture.audio == "default"
    message = _error(tmp_path / "b", GOOD.replace('keystrokes = "full"', 'keystrokes = "full"\naudio = 3'))
    assert "field capture.audio" in message and "expected a non-empty string" in message


def _error(tmp_path: Path, text: str) -> str:
    folder = _with_screens(tmp_path / "s", text)
    with pytest.raises(StudyError) as info:
        load_study(folder)
    message = str(info.value)
    assert "\n" not in message.strip(), "one message, one line"
    assert str(folder / "study.toml") in message
    return message


def test_bad_toml_names_the_line(tmp_path):
    message = _error(tmp_path, 'title = "x"\n\n[[task]]\nid = "a\nprompt = "p"\n')
    assert "not valid TOML" in message and "line 4" in message


def test_unknown_field_names_line_and_field(tmp_path):
    text = GOOD.replace("time_limit = 180", "time_limit = 180\ntimelimit = 5")
    message = _error(tmp_path, text)
    assert 'task "submit-ticket".timelimit' in message and "unknown field" in message
    line = text.splitlines().index("timelimit = 5") + 1
    assert f"line {line}:" in message


def test_unknown_top_level_section(tmp_path):
    message = _error(tmp_path, GOOD + "\n[recording]\nfps = 3\n")
    assert "field recording: unknown field" in message


def test_wrong_type(tmp_path):
    text = GOOD.replace("fps = 15", 'fps = "fast"')
    message = _error(tmp_path, text)
    assert "field capture.fps" in message and "expected a number" in message
    line = text.splitlines().index('fps = "fast"') + 1
    assert f"line {line}:" in message


def test_out_of_range_and_bad_enum(tmp_path):
    assert "between 1 and 30" in _error(tmp_path, GOOD.replace("fps = 15", "fps = 120"))
    message = _error(tmp_path / "b", GOOD.replace('keystrokes = "full"', 'keystrokes = "all"'))
    assert "capture.keystrokes" in message and "redacted, full, none" in message


def test_duplicate_task_id(tmp_path):
    text = GOOD.replace('id = "status"', 'id = "submit-ticket"')
    message = _error(tmp_path, text)
    assert "duplicate task id 'submit-ticket'" in message
    lines = text.splitlines()
    second = [i for i, line in enumerate(lines) if line == 'id = "submit-ticket"'][1] + 1
    assert f"line {second}:" in message


def test_missing_image_file(tmp_path):
    message = _error(tmp_path, GOOD.replace("screens/404.png", "screens/missing.png"))
    assert "error_screens" in message and "'screens/missing.png' not found" in message


def test_image_outside_the_study_folder(tmp_path):
    message = _error(tmp_path, GOOD.replace("screens/sent.png", "../../etc/passwd"))
    assert "success_screen" in message and "inside the study folder" in message


def test_empty_task_list(tmp_path):
    message = _error(tmp_path, 'title = "Nothing to do"\n')
    assert "no tasks" in message and "field task" in message


def test_missing_required_field(tmp_path):
    message = _error(tmp_path, GOOD.replace('prompt = "Check your ticket."\n', ""))
    assert 'task "status".prompt: is required' in message


def test_bad_first_click_rectangle(tmp_path):
    message = _error(tmp_path, GOOD.replace("[10, 20, 100, 40]", "[10, 20, 0]"))
    assert "first_click" in message and "[x, y, width, height]" in message


def test_unknown_questionnaire(tmp_path):
    message = _error(tmp_path, GOOD.replace('"sus", "umux_lite"', '"sus", "sux"'))
    assert "questionnaires.post_session" in message and "unknown questionnaire 'sux'" in message


def test_bad_hotkey(tmp_path):
    message = _error(tmp_path, GOOD.replace('end = "ctrl+alt+x"', 'end = "banana"'))
    assert "hotkeys.end" in message


def test_hotkey_clash(tmp_path):
    message = _error(tmp_path, GOOD.replace('end = "ctrl+alt+x"', 'end = "ctrl+alt+n"'))
    assert "share the same key combination" in message


def test_missing_script(tmp_path):
    with pytest.raises(StudyError, match="no study script"):
        load_study(tmp_path)
