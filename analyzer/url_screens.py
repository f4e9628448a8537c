"""Screens by URL for web products that send capture events (issue 21).

A page that carries capture.js says which URL it shows and which element each click was
on, so its screen states need no guess from images: a screen is the URL's path, normalised
by the study's `[capture] screens` patterns ("/orders/*" makes one screen of every order),
and a click belongs to the screen its page showed. A single-page app's pushState is a URL
change like any other, so it starts a new screen state. Clicks are at page coordinates
(the document, scroll included), so a heatmap per screen puts a click on a scrolled page
where it was on that page, and never on another page's picture.

Pure functions over the store's read API: sessions in, screens, clicks and measures out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np

from analyzer.heatmap import click_density
from sessions.events import CAPTURE_KINDS, EventKind, element_of
from sessions.store import Store
from sessions.study import Study, Task


@dataclass(frozen=True)
class WebClick:
    """One press on a page's element."""

    t: float
    screen: str
    url: str
    x: int                 # page coordinates
    y: int
    label: str             # "button 'Export'"
    element: dict
    task: str | None
    session: str = ""      # the session it came from

    @property
    def interactive(self) -> bool:
        """Whether it landed on a control (a link, a button, a field); if not, a misclick."""
        return bool(self.element.get("interactive"))


@dataclass(frozen=True)
class Visit:
    """A stretch of a session on one screen, from its URL change to the next."""

    t: float
    screen: str
    url: str
    how: str               # load, push, replace, pop, hash, title


@dataclass
class WebSession:
    """A session's capture events, read once: its screen visits and its named clicks."""

    session_id: str
    visits: list[Visit] = field(default_factory=list)
    clicks: list[WebClick] = field(default_factory=list)

    def visits_between(self, start: float, end: float | None) -> list[Visit]:
        """The visits that began in [start, end], with the one already showing at `start`."""
        stop = float("inf") if end is None else end
        before = [v for v in self.visits if v.t < start]
        inside = [v for v in self.visits if start <= v.t <= stop]
        return ([before[-1]] if before else []) + inside

    def clicks_between(self, start: float, end: float | None) -> list[WebClick]:
        stop = float("inf") if end is None else end
        return [c for c in self.clicks if start <= c.t <= stop]


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    # "*" is one path segment, "**" any number of them
    parts = re.split(r"(\*\*|\*)", pattern.rstrip("/") or "/")
    regex = "".join(".*" if p == "**" else "[^/]+" if p == "*" else re.escape(p) for p in parts)
    return re.compile(f"^{regex}/?$")


def normalise(url: str, patterns: tuple[str, ...] = ()) -> str:
    """The screen a URL shows: its path (no query, no fragment), or the first study pattern
    the path matches."""
    path = urlsplit(url).path or "/"
    for pattern in patterns:
        if _compiled(pattern).match(path):
            return pattern
    return path


def load_web(store: Store, session_id: str, patterns: tuple[str, ...] = ()) -> WebSession:
    """A session's screen visits and named clicks, from its capture events."""
    web = WebSession(session_id)
    last: str | None = None
    for event in store.events.iterate(session_id, kinds=CAPTURE_KINDS):
        url = event.get("window") or ""
        if event["kind"] == EventKind.URL:
            # a title change, or a load of the URL already shown (the snippet pairs again after
            # each load), continues the visit; a new URL of the same screen (a query) is kept
            # for success_url, and paths show the screen once (`screen_path`)
            if url != last:
                web.visits.append(Visit(float(event["t"]), normalise(url, patterns), url, event.get("key") or "load"))
                last = url
        elif event["kind"] == EventKind.PAGE_CLICK:
            element = element_of(event) or {}
            web.clicks.append(WebClick(float(event["t"]), normalise(url, patterns), url, int(event["x"]),
                                       int(event["y"]), event.get("text") or "", element, event.get("task"),
                                       session_id))
    return web


def screen_path(web: WebSession, attempt: dict) -> list[str]:
    """The screens an attempt went through, in order, with no screen twice in a row."""
    path: list[str] = []
    for visit in web.visits_between(attempt["started"], attempt["ended"]):
        if not path or path[-1] != visit.screen:
            path.append(visit.screen)
    return path


def url_success(web: WebSession, attempt: dict, task: Task | None) -> float | None:
    """When a URL matching the task's `success_url` first showed during the attempt (s into
    the session), or None."""
    if task is None or task.web.success_url is None:
        return None
    return next((v.t for v in web.visits if attempt["started"] <= v.t <= (attempt["ended"] or float("inf"))
                 and task.web.success_url.search(v.url)), None)


def element_first_click(web: WebSession, attempt: dict, task: Task | None) -> dict | None:
    """The attempt's first click, named, and whether it was on the task's `first_click`
    element (None when the task names none)."""
    clicks = web.clicks_between(attempt["started"], attempt["ended"])
    if not clicks:
        return None
    first = clicks[0]
    target = task.web.first_click if task is not None else None
    return {"t": round(first.t - attempt["started"], 3), "label": first.label, "screen": first.screen,
            "selector": first.element.get("selector"),
            "hit": None if target is None else target.matches(first.element)}


def attempt_web_measures(web: WebSession, attempt: dict, task: Task | None) -> dict:
    """What a web product's capture adds to an attempt's measures."""
    clicks = web.clicks_between(attempt["started"], attempt["ended"])
    return {"attempt_id": attempt["id"], "task": attempt["task"], "outcome": attempt["outcome"],
            "path": screen_path(web, attempt), "success_url_seen": url_success(web, attempt, task),
            "first_click": element_first_click(web, attempt, task), "clicks": len(clicks),
            "misclicks": [{"t": c.t, "label": c.label, "screen": c.screen} for c in clicks if not c.interactive]}


def study_web_measures(store: Store, study: Study) -> list[dict]:
    """Every counted, finished attempt's web measures, for sessions that sent capture events."""
    patterns = study.capture.web.screens
    found = []
    for session in store.sessions.counted():
        web = load_web(store, session["id"], patterns)
        if not web.visits and not web.clicks:
            continue
        for attempt in store.attempts.all(session["id"]):
            if attempt["ended"] is None or not attempt["outcome"]:
                continue
            found.append({"session": session["id"], "participant": session["participant"],
                          **attempt_web_measures(web, attempt, study.task(attempt["task"]))})
    return found


def clicks_by_screen(store: Store, study: Study, task_id: str | None = None,
                     group: str | None = None) -> dict[str, list[WebClick]]:
    """Every counted session's named clicks by screen (of one task, or all; of one design
    group's sessions, or all)."""
    by_screen: dict[str, list[WebClick]] = {}
    for session in store.sessions.counted():
        if group is not None and session.get("group_name") != group:
            continue
        for click in load_web(store, session["id"], study.capture.web.screens).clicks:
            if task_id is None or click.task == task_id:
                by_screen.setdefault(click.screen, []).append(click)
    return by_screen


def screen_heatmap(clicks: list[WebClick], width: int, height: int, sigma: float = 20.0) -> np.ndarray:
    """The click density of one screen's clicks at page coordinates on a width × height page."""
    x = np.array([c.x for c in clicks], dtype=np.int64)
    y = np.array([c.y for c in clicks], dtype=np.int64)
    return click_density(x, y, width, height, sigma)


def clicks_near_point(clicks: list[WebClick], x: float, y: float, radius: float) -> list[dict]:
    """The clicks within `radius` page pixels of (x, y): which session, when, and where."""
    return [{"session_id": c.session, "t": c.t, "x": c.x, "y": c.y, "label": c.label}
            for c in clicks if (c.x - x) ** 2 + (c.y - y) ** 2 <= radius * radius]


# a page's click (capture.js) and a desktop press whose widget AT-SPI named: both keep the
# element's label in `text`
NAMED_CLICK_KINDS = (EventKind.PAGE_CLICK.value, EventKind.CLICK.value)


def find_clicks(store: Store, query: str, limit: int = 200) -> list[dict]:
    """Named clicks whose element label holds every word of `query` (any case), newest
    session first, for search beside what was said: "Export" finds "button 'Export'" on a
    page and "push button 'Export'" in a desktop application."""
    words = [w.casefold() for w in query.split() if w.strip()]
    if not words:
        return []
    hits = []
    for session in store.sessions.all():
        rows = store.events.rows(session["id"], NAMED_CLICK_KINDS, ("t", "kind", "text", "task", "window"),
                                 presses_only=True)
        for t, kind, label, task, where in rows:
            if label and all(w in label.casefold() for w in words):
                hits.append({"kind": kind, "session": session["id"],
                             "participant": session["participant"], "task": task, "t": float(t),
                             "label": label, "url": where})
                if len(hits) >= limit:
                    return hits
    return hits


def screen_heatmap_size(clicks: list[WebClick], picture: np.ndarray | None = None) -> tuple[int, int]:
    """The page-coordinate canvas a screen's heatmap is drawn on (width, height): the
    picture, every click and clicked element's box, within bounds."""
    boxes = [box for c in clicks if isinstance(box := c.element.get("page"), list)]
    shown = picture.shape[:2] if picture is not None else (400, 1280)
    width = int(max([1280, shown[1]] + [c.x + 40 for c in clicks] + [b[0] + b[2] + 4 for b in boxes]))
    height = int(max([400, shown[0]] + [c.y + 40 for c in clicks] + [b[1] + b[3] + 4 for b in boxes]))
    return min(width, 4000), min(height, 12000)


def screen_heatmap_png(clicks: list[WebClick], sigma: float = 20.0, picture: np.ndarray | None = None,
                       seen: np.ndarray | None = None) -> bytes:
    """One screen's clicks as a PNG at page coordinates, under the click density. A click on a
    scrolled page is drawn where it was on the page, not where the window showed it.

    Drawn over `picture`, the page as the screen video showed it (analyzer.page_pictures,
    `seen` marking the pixels some frame showed), when there is one; the clicked elements'
    boxes, where the page had them, are outlined and named wherever the picture did not show
    them."""
    import cv2

    from analyzer.heatmap import overlay
    width, height = screen_heatmap_size(clicks, picture)
    page = np.full((height, width, 3), 250, dtype=np.uint8)
    known = np.zeros((height, width), bool)
    if picture is not None:
        h, w = min(height, picture.shape[0]), min(width, picture.shape[1])
        page[:h, :w] = picture[:h, :w]
        known[:h, :w] = True if seen is None else seen[:h, :w]
    drawn: set[tuple] = set()
    for click in clicks:
        box = click.element.get("page")
        if not isinstance(box, list) or tuple(box) in drawn:
            continue
        drawn.add(tuple(box))
        x, y, w, h = (int(v) for v in box)
        if known[max(y, 0):max(y + h, 0), max(x, 0):max(x + w, 0)].all() and w > 0 and h > 0:
            continue       # the picture shows the element itself
        cv2.rectangle(page, (x, y), (x + w, y + h), (150, 150, 150), 1)
        cv2.putText(page, click.label[:40], (x + 2, max(y - 4, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (90, 90, 90), 1, cv2.LINE_AA)
    density = screen_heatmap(clicks, width, height, sigma)
    ok, png = cv2.imencode(".png", overlay(page, density))
    if not ok:
        raise ValueError("the screen heatmap could not be encoded")
    return png.tobytes()
