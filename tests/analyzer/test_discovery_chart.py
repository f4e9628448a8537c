"""The discovery chart counts participants in whole numbers on its axis (it showed 2.5, 7.5
and 17.5 participants)."""
from __future__ import annotations

import pytest

from analyzer.findings import discovery_curve
from analyzer.report.charts import discovery_chart, discovery_figure


@pytest.mark.parametrize("p, participants", [(0.31, 5), (0.1, 3), (0.05, 12)])
def test_the_participant_axis_has_whole_numbers(p, participants):
    curve = discovery_curve({"p_adjusted": p}, participants)
    axes = discovery_figure(curve, participants).axes[0]
    low, high = axes.get_xlim()
    ticks = [t for t in axes.get_xticks() if low <= t <= high]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks
    assert discovery_chart(curve, participants).startswith(b"\x89PNG")
