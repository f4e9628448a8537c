"""The stakeholder report on a constructed two-design study whose issues are known: it is one
self-contained file, leads with verdicts, shows every interval with its n, and lists the
rage-click screen, dead clicks, errors, outcome checks and tagged notes that were planted."""
from __future__ import annotations

import base64
import re
from html import unescape

import cv2
import numpy as np
import pytest

from analyzer import stats
from analyzer.data.study_data import load_study_data
from analyzer.heatmap import screen_states
from analyzer.phash import hamming, phash, to_ints
from analyzer.report.render import render_report
from analyzer.report.thumbnails import THUMB_WIDTH
from analyzer.summary import analyze_study
from analyzer.top_issues import find_issues, pending_flags, tagged_notes, untagged_notes
from sessions import events
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.conftest import (
    DEVICE,
    HEIGHT,
    KEYFRAME_SCALE,
    STUDY_WITH_SCREENS,
    WIDTH,
    add_keyframe,
    click,
    draw_screen,
    write_screens,
)
from tests.conftest import write_study

HOME_TILE = (190, 290)          # a tile on the home screen that does nothing: dead clicks
SUBMIT = (900, 650)             # a form button that does not answer: rage clicks
NASTY = '<script>alert("x")</script> & <b>bold</b>'
TITLES = {"home": "Home · Help desk", "form": "New ticket · Help desk", "error": "Not found <i>404</i>",
          "success": "Ticket sent · Help desk"}      # page titles, as the browser window shows them


class Participant:
    """One constructed session: keyframes, live or dead clicks, markers, notes and answers."""

    def __init__(self, store, name: str, group: str) -> None:
        self.store, self.events = store, []
        self.sid = store.sessions.create(name, group=group, device=DEVICE)
        add_keyframe(store, self.sid, 0.5, "home")
        self.title(0.6, "home")

    def title(self, t: float, screen: str) -> None:
        """The browser's window title changes a moment after the page it names is drawn."""
        self.events.append(events.window(t, f"{TITLES[screen]} - Chromium", "Chromium"))

    def attempt(self, task: str, start: float, end: float, outcome: str) -> int:
        attempt = self.store.attempts.start(self.sid, task, start)
        self.store.attempts.end(attempt, end, outcome)
        return attempt

    def live_click(self, t: float, x: int, y: int, screen: str | None = None) -> None:
        """A click the screen answers within 0.3 s (with a new screen state when `screen`)."""
        self.events += click(t, x, y)
        if screen:
            add_keyframe(self.store, self.sid, t + 0.3, screen)
            self.title(t + 0.5, screen)
        else:
            self.store.frames.append(self.sid, [{"t": t + 0.3, "changed": 0.01}])

    def dead_click(self, t: float, x: int, y: int) -> None:
        self.events += click(t, x, y)

    def rage(self, t: float, x: int, y: int, n: int = 4) -> None:
        for i in range(n):
            self.events += click(t + 0.2 * i, x + 3 * i, y - 2 * i)

    def finish(self, seq: dict[int, int], sus: list[int], nps: int, duration: float) -> str:
        self.store.events.append(self.sid, sorted(self.events, key=lambda e: e["t"]))
        for attempt, rating in seq.items():
            self.store.answers.add(self.sid, "seq", {"1": rating}, attempt_id=attempt)
        self.store.answers.add(self.sid, "sus", {str(i + 1): v for i, v in enumerate(sus)})
        self.store.answers.add(self.sid, "nps", {"1": nps})
        self.store.sessions.update(self.sid, status="complete", duration=duration)
        return self.sid


def build_study(store) -> dict[str, str]:
    """Six participants, designs A and B. Known issues:
    - rage clicks on the form's submit button: P01 and P02 (design A), one burst each;
    - dead clicks on a home tile: P03, P04 and P05 (one each);
    - the error screen: P02 (twice); a moderator-logged error with text: P02;
    - the success screen seen by P05 whose attempt was marked a failure;
    - notes: two #quote (one with markup in it), one #error, one untagged; one pending flag."""
    ids = {}
    sus_good, sus_poor = [5, 1, 5, 1, 5, 1, 5, 1, 5, 1], [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    for name, group in (("P01", "A"), ("P02", "A"), ("P03", "A"), ("P04", "B"), ("P05", "B"), ("P06", "B")):
        p = Participant(store, name, group)
        seq = {}
        if name in ("P01", "P02"):
            ticket = p.attempt("ticket", 1.0, 30.0, "success" if name == "P01" else "gave_up")
            p.live_click(3.0, 60, 80, screen="form")                # first click on target, opens the form
            p.rage(8.0, *SUBMIT)                                     # the submit button does not answer
            if name == "P02":
                p.live_click(12.0, 700, 300, screen="error")
                p.live_click(15.0, 640, 500, screen="form")
                p.live_click(18.0, 700, 300, screen="error")
                store.markers.add(p.sid, 19.0, "error", text=f"Looked under Software {NASTY}", author="mod",
                                  attempt_id=ticket)
                store.markers.add(p.sid, 20.0, "error", text="maybe lost?", author="obs", attempt_id=ticket,
                                  status="pending")
                store.notes.add(p.sid, 21.0, f"“I would never find this” {NASTY}", "obs", tags=["quote"])
            else:
                p.live_click(20.0, 640, 500, screen="success")
                store.notes.add(p.sid, 9.0, "Hammered the submit button", "obs", tags=["error", "quote"])
        else:
            ticket = p.attempt("ticket", 1.0, 20.0 + int(name[-1]), "failure" if name == "P05" else "success")
            if name in ("P03", "P04", "P05"):
                p.dead_click(2.0, *HOME_TILE)
            p.live_click(5.0, 60, 80, screen="form")
            p.live_click(10.0, 640, 500, screen="success")
            if name == "P06":
                store.notes.add(p.sid, 12.0, "Quick and confident", "obs")
        seq[ticket] = {"P01": 3, "P02": 1, "P03": 6, "P04": 6, "P05": 4, "P06": 7}[name]
        search = p.attempt("search", 40.0, 52.0 + int(name[-1]), "success")
        p.live_click(42.0, 1000, 100)
        seq[search] = 6
        ids[name] = p.finish(seq, sus_poor if group == "A" else sus_good, 9 if group == "B" else 5, 70.0)
    return ids


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One built study for the module's tests that only read it (each built its own, and
    rendered its report, in ~0.7 s)."""
    folder = write_study(tmp_path_factory.mktemp("report") / "helpdesk", STUDY_WITH_SCREENS)
    write_screens(folder)
    store = Store(folder)
    ids = build_study(store)
    yield store, load_study(folder), ids
    store.close()


def _issue(issues, kind, task="ticket"):
    (found,) = [i for i in issues if i["kind"] == kind and i["task"] == task]
    return found


def test_issues_are_found_grouped_by_screen_and_ranked(built):
    store, study, ids = built
    data = load_study_data(store, study)
    result = analyze_study(store, study, data=data)
    issues = find_issues(store, study, result, data)
    rage = _issue(issues, "rage_clicks")
    assert rage["participants"] == ["P01", "P02"] and rage["of"] == 6 and rage["occurrences"] == 2
    assert rage["title"] == "Rage clicks in “ticket” on “New ticket · Help desk”", "named by the window title"
    assert [d["clicks"] for d in rage["details"]] == [4, 4]
    # the burst landed on the form: the issue's screen state is the form's keyframe
    form = phash(cv2.resize(draw_screen("form"), None, fx=KEYFRAME_SCALE, fy=KEYFRAME_SCALE,
                            interpolation=cv2.INTER_AREA))
    state_hash = next(s["phash"] for s in screen_states(store, study, "ticket")
                      if s["index"] == rage["screen"]["state"])
    assert int(hamming(to_ints([state_hash]), to_ints([form]))[0]) <= 10
    assert rage["points"][0] == pytest.approx([SUBMIT[0] / WIDTH, SUBMIT[1] / HEIGHT])
    # the bursts' clicks are dead too (nothing changed after them), but a burst is listed once
    per_attempt = [a["dead_clicks"] for s in result["sessions"] for a in s["attempts"]
                   if s["participant"] in ("P01", "P02") and a["task"] == "ticket"]
    assert per_attempt == [4, 4]
    assert not [i for i in issues if i["kind"] == "dead_clicks" and i["screen"]["state"] == rage["screen"]["state"]]
    dead_home = next(i for i in issues if i["kind"] == "dead_clicks" and i["participants"] == ["P03", "P04", "P05"])
    assert dead_home["occurrences"] == 3 and dead_home["screen"]["state"] != rage["screen"]["state"]
    assert dead_home["title"] == "Dead clicks in “ticket” on “Home · Help desk”"
    screens = _issue(issues, "error_screen")
    assert screens["participants"] == ["P02"] and screens["occurrences"] == 2
    logged = _issue(issues, "moderator_error")
    assert logged["occurrences"] == 1 and logged["details"][0]["text"].startswith("Looked under Software")
    unmarked = _issue(issues, "disagreement")
    assert unmarked["participants"] == ["P05"] and unmarked["details"][0]["outcome"] == "failure"
    # ranked by reach, then occurrences: the three-person dead-click issue leads
    assert issues[0] is dead_home and [i["rank"] for i in issues] == list(range(1, len(issues) + 1))
    reach = [len(i["participants"]) for i in issues]
    assert reach == sorted(reach, reverse=True)


def test_notes_by_tag_and_flags(built):
    store, study, _ = built
    result = analyze_study(store, study)
    notes = tagged_notes(store, result)
    assert list(notes) == ["quote", "error"]        # most used tag first
    assert [n["participant"] for n in notes["quote"]] == ["P01", "P02"]
    assert notes["error"][0]["task"] == "ticket" and notes["error"][0]["t"] == 9.0
    assert untagged_notes(store, result) == 1 and pending_flags(store, result) == 1


@pytest.fixture(scope="module")
def html(built):
    store, study, _ = built
    return render_report(store, study).replace("\xa0", " ")      # non-breaking spaces read as spaces


def test_report_is_one_self_contained_file(html):
    assert html.startswith("<!doctype html>")
    assert not re.search(r"https?://|<script|<link|<iframe|@import|url\(", html, re.I)
    sources = re.findall(r'src="([^"]+)"', html)
    assert sources and all(re.match(r"data:image/(png|jpeg);base64,", s) for s in sources)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs), "links only within the report"
    anchors = set(re.findall(r'id="([^"]+)"', html))
    assert {h[1:] for h in hrefs} <= anchors, "every internal link has its target"
    for src in sources:
        picture = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        assert picture is not None and picture.shape[0] > 50 and picture.shape[1] > 100


def test_every_interval_has_its_n(html):
    notes = re.findall(r'<span class="ci">(.*?)</span>', html)
    assert len(notes) > 30
    assert all(re.fullmatch(r"95 % CI -?[\d.]+–-?[\d.]+( %| s)?, n = \d+|n = \d+, too few for an interval", n)
               for n in notes), notes
    # no interval is written anywhere else: strip the interval notes and no "a–b" range of numbers is left
    text = re.sub(r'<span class="ci">.*?</span>', "", html)
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
    assert not re.search(r"\d\s?%?\s?–\s?\d", unescape(text).replace("1–7", "").replace("0–100", "")
                         .replace("0–10", "").replace("9–10", "").replace("0–6", ""))


def test_executive_summary_leads_with_verdicts_and_satisfaction(html):
    summary = html.split('id="summary"', 1)[1].split("</section>", 1)[0]
    ticket = stats.completion_interval(4, 6)     # P01, P03, P04, P06 succeeded
    assert (f"4 of 6 attempts succeeded: <span class=\"est\">67 %</span> <span class=\"ci\">95 % CI "
            f"{ticket.low * 100:.0f}–{ticket.high * 100:.0f} %, n = 6</span>") in summary
    sus = stats.mean_interval([50.0] * 3 + [100.0] * 3)
    assert f"{sus.estimate:.1f}" in summary and "SUS" in summary
    assert f'class="grade">{stats.sus_grade(sus.estimate)}<' in summary
    assert "Net Promoter Score" in summary and "+0" in summary and "3 promoters, 0 passives, 3 detractors (n = 6)" in summary
    assert "Designs compared: A vs B" in summary
    search = stats.compare_times([13.0, 14.0, 15.0], [16.0, 17.0, 18.0])
    assert re.search(r'successful attempts took <span class="est">14.0 s</span> <span class="ci">[^<]*n = 3</span> vs '
                     r'<span class="est">17.0 s</span> <span class="ci">[^<]*n = 3</span>, '
                     + f"p = {search:.3f}" + r" \(a significant difference\)", summary)
    # the top issues are listed and link to their cards
    assert summary.count('href="#issue-') == 5
    assert "inconclusive" in summary and "Sauro 2011" in summary


def test_issue_cards_show_where_on_the_screen(html):
    cards = re.findall(r'<article class="issue" id="issue-(\d+)">(.*?)</article>', html, re.S)
    rage = next(body for _, body in cards if "Rage clicks in “ticket” on “New ticket · Help desk”" in body)
    assert "2 of 6 participants (P01, P02)" in rage and "4 clicks within a second at (900, 650)" in rage
    (thumb,) = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', rage)
    picture = cv2.imdecode(np.frombuffer(base64.b64decode(thumb), np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[1] == THUMB_WIDTH
    # a red ring around the submit button, none in the opposite corner
    x, y = round(SUBMIT[0] / WIDTH * THUMB_WIDTH), round(SUBMIT[1] / HEIGHT * picture.shape[0])
    b, g, r = (picture[y - 16:y + 17, x - 16:x + 17].astype(int)[..., i] for i in range(3))
    assert ((r > 170) & (g < 90) & (b < 90)).sum() > 20
    corner = picture[:40, :40].astype(int)
    assert not ((corner[..., 2] > 170) & (corner[..., 1] < 90)).any()
    logged = next(body for _, body in cards if "Errors logged by the moderator" in body)
    assert "Looked under Software &lt;script&gt;" in logged
    # the screen each issue happened on is named by its window title, escaped
    assert "<figcaption>on “Not found &lt;i&gt;404&lt;/i&gt;”</figcaption>" in logged


def test_notes_comparison_and_heatmaps(html):
    notes = html.split('id="notes"', 1)[1].split("</section>", 1)[0]
    assert notes.index("#quote") < notes.index("#error")
    assert "Hammered the submit button" in notes
    assert "1 untagged note can be read" in notes and "1 observer error flag still awaits" in notes
    results = html.split('id="results"', 1)[1].split("</section>", 1)[0]
    assert "Comparison of designs: A vs B" in results and "N−1 two-proportion test" in results
    # first click on the target (P01, P02, P06) vs off it (P03, P04, P05): 2 of 3 / 2 of 3 succeeded
    assert "<td>2 of 3 / 2 of 3</td>" in results
    heatmaps = html.split('id="heatmaps"', 1)[1].split("</section>", 1)[0]
    # ticket: clicks on several screen states, one heatmap each; search: one screen
    assert len(re.findall(r'<figure id="heat-ticket-\d+">', heatmaps)) >= 2
    assert re.search(r"screen state \d “New ticket · Help desk”: \d+ clicks", heatmaps)
    assert "“Not found &lt;i&gt;404&lt;/i&gt;”" in heatmaps
    assert heatmaps.count("<img") >= 3


def test_participant_text_is_escaped_everywhere(html, built):
    assert "<script" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_iso_25062_structure(html):
    order = [html.index(f'id="{section}"') for section in ("summary", "method", "results", "issues", "notes",
                                                            "heatmaps", "attempts")]
    assert order == sorted(order)
    for heading in ("Participants", "Tasks", "Environment", "Measures", "Effectiveness", "Efficiency",
                    "Satisfaction"):
        assert f"<h3>{heading}</h3>" in html
    assert "@media print" in html


def test_screen_names_drop_the_application_name():
    from analyzer.data.screen_names import short_title
    assert short_title("Not found · Acme Help Desk - Chromium", "Chromium") == "Not found · Acme Help Desk"
    assert short_title("Budget.xlsx — LibreOffice Calc", "LibreOffice Calc") == "Budget.xlsx"
    assert short_title("Terminal", "xterm") == "Terminal" and short_title(" - Chromium", "Chromium") == "- Chromium"
    assert short_title("Report - Draft", None) == "Report - Draft"


def test_group_names_are_text_in_charts_and_html(screens_study, screens_store):
    # a dollar sign would start matplotlib's math mode; markup must stay text
    for name, group, outcome in (("P1", "<i>old</i> $5", "success"), ("P2", r"new & $\frac{$", "failure")):
        sid = screens_store.sessions.create(name, group=group, device=DEVICE)
        attempt = screens_store.attempts.start(sid, "search", 1.0)
        screens_store.attempts.end(attempt, 9.0, outcome)
    html = render_report(screens_store, load_study(screens_study))
    assert "<i>old</i>" not in html and "&lt;i&gt;old&lt;/i&gt; $5" in html and r"new &amp; $\frac{$" in html
    assert html.count('class="chart"') == 3          # completion, time and the design comparison
    assert "2 sessions (2 recording)" in html, "sessions that did not finish are counted in the header"
