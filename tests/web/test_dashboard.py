"""The dashboard: sessions filtered, sorted and paged in SQL; the analyzer's task table;
downloads; heatmap pages."""
from __future__ import annotations

import re

from sessions import events
from tests.web.recordings import CLICKS, SCREEN, record_session


def _participants(html: str) -> list[str]:
    body = html.split('<table class="data" id="sessions">')[1].split("</table>")[0]
    return re.findall(r'<td><a href="/sessions/[^"]+">([^<]+)</a></td>', body)


def test_sessions_are_paged_filtered_and_sorted(app, as_role, web_store):
    app.config["PAGE_SIZE"] = 4
    for i in range(10):
        sid = web_store.sessions.create(f"P{i:02d}", group="A" if i % 2 else "B", started_at=1_700_000_000 + i)
        web_store.sessions.update(sid, status="complete" if i < 7 else "aborted", duration=100 - i)
    client, _ = as_role("reviewer")
    first = client.get("/").text
    assert _participants(first) == ["P09", "P08", "P07", "P06"]
    assert "Page 1 of 3" in first
    assert _participants(client.get("/?page=3").text) == ["P01", "P00"]
    assert _participants(client.get("/?page=99").text) == ["P01", "P00"]
    assert _participants(client.get("/?sort=duration&dir=asc").text) == ["P09", "P08", "P07", "P06"]
    assert _participants(client.get("/?sort=participant&dir=asc&group=A").text) == ["P01", "P03", "P05", "P07"]
    assert _participants(client.get("/?status=aborted").text) == ["P09", "P08", "P07"]
    assert _participants(client.get("/?participant=P0&status=complete&sort=started&dir=asc").text) == \
        ["P00", "P01", "P02", "P03"]
    # junk parameters fall back to defaults instead of failing
    assert client.get("/?sort=;drop&dir=sideways&page=x&status=bogus").status_code == 200


def test_summary_shows_tasks_with_intervals_and_questionnaires(as_role, web_store):
    sid = record_session(web_store)
    web_store.answers.add(sid, "sus", {str(i): v for i, v in enumerate([4, 2, 5, 1, 4, 2, 5, 1, 4, 2], 1)})
    client, _ = as_role("reviewer")
    html = client.get("/summary").text
    assert "Do the first thing." in html and "100%" in html and "17%–100%" in html
    assert "85.0" in html  # the SUS score of these responses (Brooke's scoring)
    assert "<svg" in html
    # a new answer, written as the participant's page would, shows at the next visit
    other = record_session(web_store)
    web_store.answers.add(other, "sus", {str(i): 3 for i in range(1, 11)})
    again = client.get("/summary").text
    assert "85.0" not in again and "67.5" in again   # the mean of 85.0 and 50.0


def test_downloads(as_role, session_id):
    client, _ = as_role("reviewer")
    events = client.get("/download/events.csv")
    assert events.status_code == 200 and events.mimetype == "text/csv"
    assert events.text.splitlines()[0].startswith("session,t,kind")
    assert events.text.count(",click,") == len(CLICKS)  # a press and its release are one click
    attempts = client.get("/download/attempts.csv")
    assert attempts.status_code == 200 and len(attempts.text.strip().splitlines()) == 3
    report = client.get("/download/report.html")
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert client.get("/download/passwords.csv").status_code == 404
    observer, _ = as_role("observer")
    assert observer.get("/download/report.html").status_code == 403


def test_replay_data_leaves_out_moves_and_releases(as_role, session_id):
    client, _ = as_role("reviewer")
    data = client.get(f"/sessions/{session_id}/timeline.json").json
    assert [c[0] for c in data["clicks"]] == [2.5, 4.25, 6.5]
    assert len(data["keys"]) == 5 and data["keys"][0][1] == "letter"
    assert [a["outcome"] for a in data["attempts"]] == ["success", "failure"]
    assert data["video"] == "screen.mp4" and data["session"]["width"] == 1280
    assert {m["kind"] for m in data["markers"]} == {"error", "marker"}
    assert "move" not in str(data["clicks"])
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200 and "Redact" not in page.text  # a reviewer sees no redaction form
    assert client.get("/sessions/no-such-session").status_code == 404


def test_heatmap_pages(as_role, session_id):
    client, _ = as_role("reviewer")
    page = client.get("/heatmaps/first")
    assert page.status_code == 200 and "Screen 0" in page.text
    png = client.get("/heatmaps/first/heatmap.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    near = client.get(f"/heatmaps/first/clicks.json?fx={645 / SCREEN[0]}&fy={395 / SCREEN[1]}").json
    assert [(r["session_id"], r["t"]) for r in near] == [(session_id, 2.5)]
    assert near[0]["replay"] == f"/sessions/{session_id}#t=0.5"
    assert client.get("/heatmaps/first/clicks.json?fx=0.004&fy=0.006").json == []
    assert client.get("/heatmaps/first/heatmap.png?screen=99").status_code == 404
    assert client.get("/heatmaps/nope").status_code == 404
    assert client.get("/heatmaps/first/clicks.json?fx=a&fy=1").status_code == 400
    assert client.get("/heatmaps/first/clicks.json?fx=2&fy=1").status_code == 400
    assert client.get("/heatmaps/first?group=nope").status_code == 404


def test_a_page_of_sessions_is_the_same_slice_of_the_full_order(web_store):
    import random
    rng = random.Random(5)
    for i in range(30):
        sid = web_store.sessions.create(f"P{i:02d}", group=rng.choice("AB"), started_at=1_700_000_000 + rng.randrange(5))
        web_store.sessions.update(sid, status=rng.choice(["complete", "aborted"]), duration=rng.choice([10.0, 20.0]))
        for _ in range(rng.randrange(3)):
            a = web_store.attempts.start(sid, "first", 1.0)
            web_store.attempts.end(a, 2.0, rng.choice(["success", "failure"]))
    for order in ("started_at", "participant", "duration", "status", "group_name", "completed"):
        for descending in (True, False):
            full = [s["id"] for s in web_store.sessions.all(order=order, descending=descending, status="complete")]
            paged = [s["id"] for offset in range(0, 30, 7) for s in
                     web_store.sessions.all(order=order, descending=descending, status="complete", limit=7, offset=offset)]
            assert paged == full, (order, descending)


def test_idle_spans_count_moves_clicks_and_screen_changes(as_role, web_store):
    sid = web_store.sessions.create("P1")
    web_store.events.append(sid, [events.move(t, 0, 0) for t in (1.0, 2.0, 10.0, 11.0, 30.0)]
                            + [events.click(t, 0, 0) for t in (0.5, 12.0)])
    web_store.frames.append(sid, [{"t": t, "changed": 0.5} for t in (0.0, 5.0, 20.0, 40.0)]
                            + [{"t": 25.0, "changed": 0.0}])  # an unchanged frame is not activity
    web_store.sessions.update(sid, duration=41.0)
    client, _ = as_role("reviewer")
    idle = client.get(f"/sessions/{sid}/timeline.json").json["idle"]
    assert idle == [[2.0, 5.0], [5.0, 10.0], [12.0, 20.0], [20.0, 30.0], [30.0, 40.0]]


def test_counts_read_in_the_singular_and_percentiles_round_one_way(as_role, web_store, study_dir):
    from analyzer.report.render import render_report
    from analyzer.stats import sus_percentile
    from sessions.study import load_study
    sid = record_session(web_store)
    web_store.answers.add(sid, "nps", {"1": 7})
    web_store.answers.add(sid, "sus", {str(i): v for i, v in enumerate([4, 2, 4, 2, 4, 2, 4, 2, 4, 3], 1)})
    client, _ = as_role("reviewer")
    html = client.get("/summary").text
    assert "0 promoters · 1 passive · 0 detractors" in html
    # SUS 72.5: the same whole percentile on the dashboard and in the report
    whole = round(sus_percentile(72.5))
    assert f"{whole}th percentile" in html and f"{sus_percentile(72.5):.1f}th" not in html
    report = render_report(web_store, load_study(study_dir))
    assert f"{whole}th percentile" in report and "1 passive," in report


def test_the_favicon_is_served_to_anyone(app, as_role):
    anonymous = app.test_client()
    icon = anonymous.get("/static/favicon.svg")
    body = icon.data
    icon.close()  # a sent file stays open until its response is closed
    assert icon.status_code == 200 and b"<svg" in body
    client, _ = as_role("reviewer")
    assert 'rel="icon"' in client.get("/").text


def test_hot_spot_lists_name_participant_task_and_time(as_role, web_store):
    sid = record_session(web_store, "P07")
    client, _ = as_role("reviewer")
    [row] = client.get(f"/heatmaps/first/clicks.json?fx={645 / SCREEN[0]}&fy={395 / SCREEN[1]}").json
    assert (row["participant"], row["task"]) == ("P07", "first")
    assert row["into_task"] == 1.5       # the click at 2.5 s, in the attempt that began at 1.0 s
    assert row["replay"] == f"/sessions/{sid}#t=0.5"


def test_times_from_fewer_than_three_successes_have_no_interval(as_role, web_store):
    record_session(web_store)
    client, _ = as_role("reviewer")
    row = [r for r in client.get("/summary").text.split("<tr>") if "<strong>first</strong>" in r][0]
    assert "too few for an interval" in row
    for _ in range(2):
        record_session(web_store)
    row = [r for r in client.get("/summary").text.split("<tr>") if "<strong>first</strong>" in r][0]
    assert "too few for an interval" not in row and '<span class="ci">' in row
