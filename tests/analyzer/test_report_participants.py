"""The usual report's participant table shows the participants' attributes that any of them
has (study.toml's order), and no empty columns for the others."""
from __future__ import annotations

import re

from analyzer.report.render import render_report
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.rounds import build_round
from tests.analyzer.test_sum import PEOPLE


def test_attributes_fill_the_participant_table(tmp_path):
    folder = build_round(tmp_path / "round", PEOPLE, {})
    store = Store(folder)
    try:
        names = load_study(folder).standards.attributes
        store.participants.set("P02", {"role": "nurse", "age_band": "25-34"}, allowed=names, actor="rita")
        html = render_report(store, load_study(folder))
    finally:
        store.close()
    method = html.split('<section id="method">')[1].split("</table>")[0]
    assert re.findall(r"<th>(.*?)</th>", method)[:4] == ["participant", "group", "age band", "role"]
    assert "<td>P02</td><td>–</td><td>25-34</td><td>nurse</td>" in method
    assert "<td>P01</td><td>–</td><td>–</td><td>–</td>" in method
