"""The study's attempts download keeps a formula typed as a participant id from running."""
from __future__ import annotations

import csv
import io

from tests.web.recordings import record_session


def test_the_web_download_neutralises_formulas(app, as_role, web_store):
    record_session(web_store, participant="-2+3")
    body = as_role("researcher")[0].get("/download/attempts.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and {r["participant"] for r in rows} == {"'-2+3"}
