"""The capture rate bound's bucket in the store (schema v9): it spends, refills at its
rate up to its burst, and counts refusals per session."""
from __future__ import annotations

import pytest


def test_the_bucket_refills_at_its_rate(store):
    session = store.sessions.create("P01")
    rates = store.capture_rates
    assert rates.take(session, 100, rate=10, burst=100, now=1000.0)
    assert not rates.take(session, 1, rate=10, burst=100, now=1000.0)
    assert not rates.take(session, 30, rate=10, burst=100, now=1002.0)   # 20 back after 2 s
    assert rates.take(session, 20, rate=10, burst=100, now=1002.0)
    assert rates.take(session, 100, rate=10, burst=100, now=1100.0)      # full again, never above
    assert not rates.take(session, 1, rate=10, burst=100, now=1100.0)
    assert not rates.take(session, 1, rate=10, burst=100, now=900.0)     # a clock stepped back
    rates.refuse(session, 3, "flood")
    assert rates.refused(session) == {"malformed": 0, "flood": 3}
    with pytest.raises(ValueError):
        rates.refuse(session, 1, "bored")
