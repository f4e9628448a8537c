"""A/V sync, measured on a real recording: a window changes colour and beeps on each of ten
clicks; in the recorded MP4 each beep's onset and the first frame showing its colour must
agree within 40 ms (the first frame can only come after the change: at 30 fps it is up to
33 ms late by itself). A starved application draws a change late; it says how late, and
that delay of the scene's own is not counted against the recorder."""
from __future__ import annotations

from tests.recorder.av_sync import record_click_beeps, sync_errors

CLICKS = 10


def test_beeps_and_colour_changes_agree_within_40_ms(pulse, display, tmp_path):
    video, _, late = record_click_beeps(display, tmp_path / "sync", pulse.env, clicks=CLICKS)
    errors, changes, onsets = sync_errors(video, late)
    assert len(changes) == CLICKS and len(onsets) == CLICKS and len(late) == CLICKS, (changes, onsets, late)
    assert max(abs(e) for e in errors) <= 0.040, ([round(e * 1000) for e in errors],
                                                  "drawn late (ms):", [round(t * 1000) for t in late])
