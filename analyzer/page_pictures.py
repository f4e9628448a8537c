"""A picture of a web page at page coordinates, cut from a session's screen video, for the
per-URL heatmaps (issue 21: "heatmaps per URL are drawn on the page as it was at that
scroll").

A page carrying capture.js says where each click was in the document, and the native
recorder saw the same press as a pixel on the screen. The two, paired in time, tell where
the browser's viewport sits on the screen: screen = offset + scale × (page point − scroll),
with the scroll read from the clicked element's page and viewport boxes. Knowing that, the
viewport is cut out of the video frame shown at each click (the page as it was pressed) and
at each scroll rest and page load (the page as it was read), and pasted at its scroll
offset, so a long page is stitched from the parts that were seen.

A remote session has no recorder presses, but its device record says what the participant
shared. A shared tab's video is the tab's viewport itself (offset 0, scale = video width /
viewport width), once its shape is the viewport's. A shared screen or window holds the
viewport where the window's screen position and its chrome, which capture.js sends with the
viewport's size, put it, once the video's size is that screen's (or window's) in device
pixels. Where nothing can be placed (no video, nothing to pair or to read the window's place
from, or numbers that do not agree) there is no picture, and the reason says why.

Frames are read through the store's media API (`sessions.media.stills`), once per session
for every page wanted.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from analyzer.url_screens import WebClick, load_web, normalise
from sessions.errors import NotFound
from sessions.events import CAPTURE_KINDS, EventKind, is_product_press
from sessions.media.browser_assembly import MAX_WIDTH
from sessions.media.stills import frames_at
from sessions.media.video_edit import VideoEditError
from sessions.store import Store
from sessions.study import Study

PAIR_WINDOW = 0.3      # s: the recorder's press and the page's pointerdown are one press
AGREE_PX = 3.0         # screen pixels within which paired presses agree on the offset
MIN_PAIRS = 2          # one pair cannot be told from a coincidence
DEVICE_RATIOS = (1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
REST = 0.4             # s after a scroll or a load when the page is read as at rest
MIN_REST = 0.15        # s a page must stay still for its rest to be read (frames come at ~10 a second)
SCROLL_REPORT = 0.2    # s after a burst of scrolling begins that capture.js reports it
BEFORE = 0.05          # s before a press: the frame shows the page before the press changed it
SESSIONS_PER_PAGE = 3  # the sessions a page's picture is stitched from, most seen first
SAMPLES_PER_PAGE = 40  # moments per session and page
MAX_PAGE = (4000, 12000)
BLANK = 250            # the grey of parts of the page nobody saw
SHAPE_TOLERANCE = 0.02  # relative difference within which a video's size or shape is a viewport's or screen's


@dataclass(frozen=True)
class Placement:
    """Where a session's browser viewport sits on its screen: its top-left corner in screen
    pixels and the screen pixels per CSS pixel (the device pixel ratio)."""

    x: float
    y: float
    scale: float
    pairs: int            # presses that agreed
    lag: float = 0.0      # s the page's clock runs behind the recorder's (its pairing's estimate)
    # the page times of the paired presses, and whether each agreed: a window moved or
    # resized mid-session disagrees from then on, and moments nearest such presses are not used
    checked: tuple[tuple[float, bool], ...] = ()

    def holds_at(self, t: float) -> bool:
        """Whether the press nearest page time `t` agreed with this placement."""
        if not self.checked:
            return True
        times = [c[0] for c in self.checked]
        i = bisect.bisect_left(times, t)
        near = min((j for j in (i - 1, i) if 0 <= j < len(times)), key=lambda j: abs(times[j] - t))
        return self.checked[near][1]


@dataclass(frozen=True)
class Sample:
    """A moment when a page was on screen at a known scroll."""

    t: float              # when to read the frame (session time)
    screen: str
    scroll: tuple[int, int]
    size: tuple[int, int]  # the viewport, CSS pixels
    press: bool = False    # taken at a click (else at a rest)


@dataclass
class PagePicture:
    """A page's picture at page coordinates (CSS pixels), or why there is none."""

    screen: str
    image: np.ndarray | None = None
    seen: np.ndarray | None = None      # which pixels some frame showed
    sessions: list[str] = field(default_factory=list)
    why: str | None = None

    @property
    def caption(self) -> str:
        """What a figure's caption says of its background."""
        if self.image is not None:
            n = len(self.sessions)
            return (f"drawn on the page as the screen video showed it at each click and scroll "
                    f"({n} session{'s' if n != 1 else ''})")
        return f"no picture of the page ({self.why}): the clicked elements' boxes are outlined instead"


def _box(element: dict, key: str) -> list[int] | None:
    box = element.get(key)
    return box if isinstance(box, list) and len(box) == 4 and all(isinstance(v, int) for v in box) else None


def scroll_of(click: WebClick) -> tuple[int, int] | None:
    """The page's scroll offset at a click: its element's page box less its viewport box."""
    page, view = _box(click.element, "page"), _box(click.element, "view")
    if page is None or view is None:
        return None
    return page[0] - view[0], page[1] - view[1]


def viewport_placement(presses: list[tuple[float, float, float]], clicks: list[WebClick]) -> Placement | None:
    """Where the viewport sits on the screen, from the recorder's presses (t, x, y in screen
    pixels) paired in time with the page's clicks; None unless at least MIN_PAIRS agree."""
    times = [p[0] for p in presses]
    client, screen, lags, when = [], [], [], []
    for click in clicks:
        scroll = scroll_of(click)
        i = bisect.bisect_left(times, click.t)
        near = [j for j in (i - 1, i) if 0 <= j < len(times) and abs(times[j] - click.t) <= PAIR_WINDOW]
        if scroll is None or not near:
            continue
        j = min(near, key=lambda k: abs(times[k] - click.t))
        client.append((click.x - scroll[0], click.y - scroll[1]))
        screen.append(presses[j][1:])
        lags.append(times[j] - click.t)
        when.append(click.t)
    if len(client) < MIN_PAIRS:
        return None
    c, s = np.array(client, dtype=float), np.array(screen, dtype=float)
    candidates = [1.0]
    spread = c - c.mean(axis=0)
    if float((spread ** 2).sum()) > len(c) * 50.0 ** 2:
        # the device pixel ratio: the common ones, and one scale for both axes by least
        # squares rounded to a twentieth; whichever most presses agree on (1 when tied)
        fitted = float((spread * (s - s.mean(axis=0))).sum() / (spread ** 2).sum())
        candidates += [*DEVICE_RATIOS, *([round(fitted * 20) / 20] if 0.5 <= fitted <= 4 else [])]
    best: tuple[int, float, np.ndarray, np.ndarray] | None = None
    for scale in candidates:
        offsets = s - scale * c
        agree = np.abs(offsets - np.median(offsets, axis=0)).max(axis=1) <= AGREE_PX
        if best is None or int(agree.sum()) > best[0]:
            best = (int(agree.sum()), scale, offsets, agree)
    assert best is not None
    count, scale, offsets, agree = best
    if count < max(MIN_PAIRS, 0.6 * len(c)):
        return None
    x, y = np.median(offsets[agree], axis=0)
    lag = float(np.median(np.array(lags)[agree]))
    checked = tuple(sorted(zip(when, (bool(a) for a in agree))))
    return Placement(float(x), float(y), scale, int(agree.sum()), lag, checked)


def session_samples(store: Store, session_id: str, patterns: tuple[str, ...]) -> list[Sample]:
    """The moments a session showed each page at a known, still scroll (on the page's
    clock): each click (just before it, unless the page was scrolling then), and each scroll
    rest and load once settled, before the page moved on.

    capture.js reports a scroll 200 ms after a burst of scrolling begins, at the place the
    page has then; a burst that goes on is reported again 200 ms later. So a rest is the
    time from a report to 250 ms before the next one, and a report followed at once by
    another was taken mid-scroll and shows no rest at all."""
    rows = [(float(r[0]), r[1], r[2], r[3], r[4] or "") for r in store.events.rows(
        session_id, list(CAPTURE_KINDS), ("t", "kind", "x", "y", "window"))]
    clicks = {round(c.t, 6): c for c in load_web(store, session_id, patterns).clicks}
    scrolls = [t for t, kind, *_ in rows if kind == EventKind.PAGE_SCROLL]
    samples: list[Sample] = []
    size: tuple[int, int] | None = None
    scroll = (0, 0)
    last_url: str | None = None
    for index, (t, kind, x, y, url) in enumerate(rows):
        if kind == EventKind.VIEWPORT:
            size = (int(x), int(y)) if x and y else size
            continue
        if kind == EventKind.URL and url != last_url:
            scroll, last_url = (0, 0), url
        elif kind == EventKind.PAGE_SCROLL and x is not None and y is not None:
            scroll = (int(x), int(y))
        elif kind == EventKind.PAGE_CLICK:
            click = clicks.get(round(t, 6))
            scroll = (scroll_of(click) if click is not None else None) or scroll
        if size is None and kind == EventKind.URL:
            # a page sends its viewport's size just after its URL, when it pairs
            size = next(((int(r[2]), int(r[3])) for r in rows[index + 1:index + 3]
                         if r[1] == EventKind.VIEWPORT and r[2] and r[3] and r[0] - t < 1.0), None)
        if size is None:
            continue
        screen = normalise(url, patterns)
        if kind == EventKind.PAGE_CLICK:
            k = bisect.bisect_right(scrolls, t - SCROLL_REPORT)
            if k == len(scrolls) or scrolls[k] > t + SCROLL_REPORT + BEFORE:
                samples.append(Sample(max(0.0, t - BEFORE), screen, scroll, size, press=True))
        elif kind in (EventKind.URL, EventKind.PAGE_SCROLL):
            until = _rest_end(rows, index)
            if until - t >= MIN_REST:
                samples.append(Sample(min(t + REST, until), screen, scroll, size))
    return samples


def _rest_end(rows: list[tuple], index: int) -> float:
    """When the page at rest since event `index` moved on: shortly before the next event
    that is not a viewport's size (long before it, for a scroll report)."""
    for t, kind, *_ in rows[index + 1:]:
        if kind == EventKind.VIEWPORT:
            continue
        return t - (SCROLL_REPORT + BEFORE if kind == EventKind.PAGE_SCROLL else BEFORE)
    return float("inf")


def cut_viewport(frame: np.ndarray, placement: Placement, size: tuple[int, int],
                 screen_width: int) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The part of a video frame the viewport showed, in CSS pixels, and where in the
    viewport that part begins (the viewport may reach past the screen's edge)."""
    video = frame.shape[1] / float(screen_width or frame.shape[1])     # video pixels per screen pixel
    per_css = placement.scale * video
    left, top = placement.x * video, placement.y * video
    x0, y0 = max(0, round(left)), max(0, round(top))
    x1 = min(frame.shape[1], round(left + size[0] * per_css))
    y1 = min(frame.shape[0], round(top + size[1] * per_css))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    width, height = round((x1 - x0) / per_css), round((y1 - y0) / per_css)
    part = frame[y0:y1, x0:x1]
    if (width, height) != (part.shape[1], part.shape[0]):
        part = cv2.resize(part, (max(1, width), max(1, height)), interpolation=cv2.INTER_AREA
                          if per_css > 1 else cv2.INTER_LINEAR)
    return part, (round((x0 - left) / per_css), round((y0 - top) / per_css))


def page_pictures(store: Store, study: Study, screens: list[str], group: str | None = None) -> dict[str, PagePicture]:
    """The picture of each of `screens`, stitched from the counted sessions (of one design
    group, when given) that showed it most, each session's video read once."""
    pictures = {s: PagePicture(s) for s in screens}
    sessions, found = _gather(store, study, screens, group)
    frames, placements, reasons = _read_frames(store, study, sessions, found)
    for screen, picture in pictures.items():
        for sid, mine in found[screen]:
            if sid not in placements:
                continue
            width = int((sessions[sid].get("device") or {}).get("width") or 0)
            first = not picture.sessions
            for sample in sorted(mine, key=lambda m: (m.press, m.t)):
                image = frames.get((sid, sample.t))
                if image is not None and placements[sid].holds_at(sample.t):
                    _paste(picture, image, placements[sid], sample, width, first=first)
            if picture.image is not None and sid not in picture.sessions:
                picture.sessions.append(sid)
        if picture.image is None:
            picture.why = next((reasons[sid] for sid, _ in found[screen] if sid in reasons),
                               "no session showed this page with its viewport size" if not found[screen]
                               else "no frame of the screen video showed it")
    return pictures


def _gather(store: Store, study: Study, screens: list[str], group: str | None
            ) -> tuple[dict[str, dict], dict[str, list[tuple[str, list[Sample]]]]]:
    """The sessions to stitch each page from (most moments first) and their moments."""
    wanted = set(screens)
    found: dict[str, list[tuple[str, list[Sample]]]] = {s: [] for s in screens}
    sessions: dict[str, dict] = {}
    for session in store.sessions.counted():
        if group is not None and session.get("group_name") != group:
            continue
        samples = [s for s in session_samples(store, session["id"], study.capture.web.screens) if s.screen in wanted]
        for screen in wanted:
            mine = [s for s in samples if s.screen == screen][:SAMPLES_PER_PAGE]
            if mine:
                sessions[session["id"]] = session
                found[screen].append((session["id"], mine))
    for screen in screens:
        found[screen] = sorted(found[screen], key=lambda item: -len(item[1]))[:SESSIONS_PER_PAGE]
    return sessions, found


def _read_frames(store: Store, study: Study, sessions: dict[str, dict],
                 found: dict[str, list[tuple[str, list[Sample]]]]
                 ) -> tuple[dict[tuple[str, float], np.ndarray | None], dict[str, Placement], dict[str, str]]:
    """Each used session's frames at its moments, its placement, or why it has none."""
    frames: dict[tuple[str, float], np.ndarray | None] = {}
    placements: dict[str, Placement] = {}
    reasons: dict[str, str] = {}
    for sid, session in sessions.items():
        moments = sorted({s.t for chosen in found.values() for owner, mine in chosen if owner == sid for s in mine})
        if not moments:
            continue
        placement, why = _placement(store, session, study)
        if placement is None:
            reasons[sid] = why
            continue
        try:
            images = frames_at(store.media.video(session), [t + placement.lag for t in moments])
        except NotFound:
            reasons[sid] = "no screen video was recorded"
            continue
        except VideoEditError as exc:
            reasons[sid] = exc.message
            continue
        placements[sid] = placement
        frames.update({(sid, t): image for t, image in zip(moments, images)})
    return frames, placements, reasons


def _placement(store: Store, session: dict, study: Study) -> tuple[Placement | None, str]:
    """A session's viewport placement, or why it has none."""
    if session.get("source") == "browser":
        rows = store.events.rows(session["id"], [EventKind.VIEWPORT.value], ("x", "y", "text"))
        return shared_placement(session.get("device") or {}, [
            Viewport(int(x), int(y), window_geometry(text)) for x, y, text in rows if x and y])
    rows = store.events.rows(session["id"], [EventKind.CLICK.value], ("t", "x", "y", "pressed", "target"),
                             presses_only=True)
    presses = [(float(t), float(x), float(y)) for t, x, y, pressed, target in rows
               if x is not None and y is not None and is_product_press(EventKind.CLICK, pressed, target)]
    if not presses:
        return None, "no clicks from a screen recorder to place the page on the screen video"
    placement = viewport_placement(presses, load_web(store, session["id"], study.capture.web.screens).clicks)
    if placement is None:
        return None, "the page's clicks and the screen recorder's did not agree on where the browser was"
    return placement, ""


@dataclass(frozen=True)
class Geometry:
    """Where a page's window sat on its screen, in CSS pixels, as capture.js read it."""

    screen: tuple[int, int]                # screen.width, screen.height
    window: tuple[int, int, int, int]      # screenX, screenY, outerWidth, outerHeight
    ratio: float                           # devicePixelRatio


@dataclass(frozen=True)
class Viewport:
    """A viewport event: the viewport's size (CSS pixels) and, when sent, its window's place."""

    width: int
    height: int
    geometry: Geometry | None = None


def window_geometry(text: Any) -> Geometry | None:
    """The window's place a viewport event's text carries, or None (an older snippet, or
    numbers that cannot be a window on a screen)."""
    try:
        raw: Any = json.loads(text) if isinstance(text, str) else None
        if not isinstance(raw, dict):
            return None
        screen, window, ratio = raw["screen"], raw["window"], raw["dpr"]
        numbers = [*screen, *window, ratio]
        if len(screen) != 2 or len(window) != 4 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    if min(screen[0], screen[1], window[2], window[3]) <= 0 or not 0.25 <= ratio <= 8:
        return None
    return Geometry((int(screen[0]), int(screen[1])), (int(window[0]), int(window[1]), int(window[2]),
                    int(window[3])), float(ratio))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= SHAPE_TOLERANCE * max(abs(a), abs(b))


def _video_scale(video: tuple[int, int], expected: tuple[float, float]) -> float | None:
    """Video pixels per device pixel when the video is the expected surface (device pixels):
    1, or less when the rebuild scaled a wider surface down to its MAX_WIDTH."""
    k = video[0] / expected[0]
    if not _close(video[1] / expected[1], k):
        return None
    if _close(k, 1.0):
        return 1.0
    return k if k < 1 and video[0] == MAX_WIDTH else None


def shared_placement(device: dict, viewports: list[Viewport]) -> tuple[Placement | None, str]:
    """Where the product's viewport sits in a remote session's shared video (in video pixels),
    from what was shared and the page's viewport events, or why that cannot be known."""
    surfaces = set(device.get("surfaces") or ([device["surface"]] if device.get("surface") else []))
    video = (int(device.get("video_width") or device.get("width") or 0),
             int(device.get("video_height") or device.get("height") or 0))
    if not surfaces:
        return None, "the shared screen's kind (a screen, a window or a tab) is not known"
    if len(surfaces) > 1:
        return None, f"the participant shared a {' and then a '.join(sorted(surfaces))}, so the page's place changed"
    if min(video) <= 0:
        return None, "no screen video was recorded"
    if not viewports:
        return None, "the page sent no viewport size"
    if len({(v.width, v.height) for v in viewports}) > 1:
        return None, "the page's viewport changed size during the session"
    view = viewports[0]
    (surface,) = surfaces
    if surface == "browser":
        if not _close(video[0] / video[1], view.width / view.height):
            return None, (f"the shared tab's video ({video[0]}×{video[1]}) is not the shape of the page's "
                          f"viewport ({view.width}×{view.height}): another tab was shared")
        return Placement(0.0, 0.0, video[0] / view.width, 0), ""
    places = {v.geometry for v in viewports}
    if None in places:
        return None, "the page did not say where its window was on the shared screen"
    if len(places) > 1:
        return None, "the page's window moved or changed on the screen during the session"
    g = viewports[0].geometry
    assert g is not None
    wx, wy, outer_w, outer_h = g.window
    border = (outer_w - view.width) / 2        # the window's side frame, taken as its bottom one too
    top = outer_h - view.height - border      # the toolbar and tab strip above the viewport
    if border < 0 or top < 0:
        return None, "the page's window is smaller than its viewport"
    if surface == "monitor":
        left, upper, expected = wx + border, wy + top, (g.screen[0] * g.ratio, g.screen[1] * g.ratio)
        if left < 0 or upper < 0 or left + view.width > g.screen[0] + 1 or upper + view.height > g.screen[1] + 1:
            return None, "the page's viewport was not wholly on the shared screen"
    else:
        left, upper, expected = border, top, (outer_w * g.ratio, outer_h * g.ratio)
    k = _video_scale(video, expected)
    if k is None:
        return None, (f"the shared {'screen' if surface == 'monitor' else 'window'}'s video "
                      f"({video[0]}×{video[1]}) is not the size the page's window gives "
                      f"({round(expected[0])}×{round(expected[1])})")
    return Placement(left * g.ratio * k, upper * g.ratio * k, g.ratio * k, 0), ""


def _paste(picture: PagePicture, frame: np.ndarray, placement: Placement, sample: Sample,
           screen_width: int, *, first: bool) -> None:
    """Paste the viewport at its scroll offset: over what was there for the first session,
    only where nothing was yet for the others (each session's page may differ a little)."""
    cut = cut_viewport(frame, placement, sample.size, screen_width)
    if cut is None:
        return
    part, (dx, dy) = cut
    x, y = sample.scroll[0] + dx, sample.scroll[1] + dy
    need_w, need_h = min(MAX_PAGE[0], x + part.shape[1]), min(MAX_PAGE[1], y + part.shape[0])
    if x < 0 or y < 0 or need_w <= x or need_h <= y:
        return
    _grow(picture, need_w, need_h)
    assert picture.image is not None and picture.seen is not None
    part = part[:need_h - y, :need_w - x]
    region = picture.image[y:need_h, x:need_w]
    seen = picture.seen[y:need_h, x:need_w]
    if first:
        region[:] = part
    else:
        region[~seen] = part[~seen]
    seen[:] = True


def _grow(picture: PagePicture, width: int, height: int) -> None:
    """Make the picture at least width × height, new parts blank and unseen."""
    if picture.image is None or picture.seen is None:
        picture.image = np.full((height, width, 3), BLANK, np.uint8)
        picture.seen = np.zeros((height, width), bool)
        return
    h, w = picture.seen.shape
    if width <= w and height <= h:
        return
    image = np.full((max(h, height), max(w, width), 3), BLANK, np.uint8)
    seen = np.zeros(image.shape[:2], bool)
    image[:h, :w], seen[:h, :w] = picture.image, picture.seen
    picture.image, picture.seen = image, seen
