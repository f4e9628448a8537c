"""How the report writes numbers and small pieces of HTML.

Every estimate goes through `estimate()`, which always prints its 95 % interval and its n
(or says n is too small for an interval), so no number in the report can lose them; and
every piece of text that came from a person goes through `escape`.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

NBSP = "\u00a0"      # keeps "n = 5" and "95 % CI" on one line when a table cell wraps


def estimate(value: str, low: str | None, high: str | None, n: int) -> str:
    """An estimate with its interval and n: `<b>40 %</b> <span class="ci">95 % CI 12–77 %, n = 5</span>`."""
    count = f"n{NBSP}={NBSP}{n}"
    if low is None or high is None:
        note = f"{count}, too few for an interval"
    else:
        note = f"95{NBSP}%{NBSP}CI {low}–{high}, {count}"
    return f'<span class="est">{value}</span> <span class="ci">{note}</span>'


def percent(interval: dict | None, n: int) -> str:
    """A proportion (0..1) with its interval, in whole percent."""
    if not interval:
        return '<span class="muted">–</span>'
    low = None if interval["low"] is None else f"{interval['low'] * 100:.0f}"
    high = None if interval["high"] is None else f"{interval['high'] * 100:.0f} %"
    return estimate(f"{interval['estimate'] * 100:.0f} %", low, high, n)


def number(interval: dict | None, n: int, unit: str = "", digits: int = 1,
           scale: tuple[float, float] | None = None) -> str:
    """A mean (or geometric mean) with its interval; `interval` has estimate or mean, low, high.

    A t interval can reach past the ends of a rating scale (a SUS mean near 100, an error
    count near 0); the limits are shown clipped to `scale`, since no value lies outside it.
    """
    if not interval:
        return '<span class="muted">–</span>'
    value = interval["estimate"] if "estimate" in interval else interval["mean"]
    low, high = interval["low"], interval["high"]
    if scale is not None and low is not None:
        low, high = max(low, scale[0]), min(high, scale[1])
    low_text = None if low is None else f"{low:.{digits}f}"
    high_text = None if high is None else f"{high:.{digits}f}{unit}"
    return estimate(f"{value:.{digits}f}{unit}", low_text, high_text, n)


def image(data: bytes | None, alt: str, mime: str = "image/png", css: str = "") -> str:
    """An embedded image (the report is one file), or a short note when there is nothing to show."""
    if not data:
        return f'<p class="muted">{escape(alt)}: no data yet.</p>'
    klass = f' class="{css}"' if css else ""
    return f'<img{klass} alt="{escape(alt)}" src="data:{mime};base64,{base64.b64encode(data).decode()}">'


def table(head: Iterable[str], rows: Iterable[Iterable[str]], css: str = "") -> str:
    """A table of already-escaped cells; headings are escaped here."""
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def clock(seconds: float | None) -> str:
    """Session time as m:ss, the way the replay page shows it."""
    if seconds is None:
        return "–"
    minutes, rest = divmod(max(0.0, float(seconds)), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def duration(seconds: float | None) -> str:
    """A session length a reader takes in at once (2 min 05 s)."""
    if not seconds:
        return "–"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def plural(count: int, word: str, many: str | None = None) -> str:
    """“1 click”, “2 clicks”: counts read naturally in sentences."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
