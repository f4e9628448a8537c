"""The study script's fields for element-level capture of a web product (issue 21):
`[capture] origins`, `screens` and `product_url` (with `product_name`), and a task's
`success_url`, `expected_path` and a `first_click` that names an element instead of a
rectangle.

They live apart from `sessions.study` because they describe a web product's pages, not the
lab's recording; the checker is passed in so every mistake is still reported at once, with
its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

# "button 'Export'" names an element by role (or tag) and accessible name; anything else
# is read as a CSS selector
_NAMED = re.compile(r"^\s*([A-Za-z][\w-]*)\s+'(.*)'\s*$")
CAPTURE_FIELDS = {"origins", "screens", "product_url", "product_name"}
JOIN_PARAMETER = "uxlab_join"   # capture.js reads it to pair a remote participant's tab
MAX_PRODUCT_NAME = 60
TASK_FIELDS = {"success_url", "expected_path"}


class Checker(Protocol):
    """What `sessions.study`'s checker lends these readers."""

    def note(self, where: tuple, message: str) -> None: ...
    def fail(self, where: tuple, message: str) -> Any: ...
    def pattern(self, table: dict, key: str, where: tuple) -> re.Pattern | None: ...


@dataclass(frozen=True)
class ElementTarget:
    """A first-click target by element: a role (or tag) and accessible name, or a selector."""

    role: str | None = None
    name: str | None = None
    selector: str | None = None

    def matches(self, element: dict) -> bool:
        """Whether a captured element (`sessions.events.CAPTURE_TARGET_KEYS`) is this target."""
        if self.selector is not None:
            return element.get("selector") == self.selector
        kinds = {str(element.get("role") or "").lower(), str(element.get("tag") or "").lower()}
        label = str(element.get("name") or element.get("text") or "").strip().casefold()
        return (self.role or "").lower() in kinds and label == (self.name or "").strip().casefold()

    def __str__(self) -> str:
        return self.selector if self.selector is not None else f"{self.role} '{self.name}'"


@dataclass(frozen=True)
class WebCapture:
    """`[capture] origins` (pages allowed to send events), `screens` (path patterns that
    make one screen of many URLs, such as "/orders/*") and `product_url` (the product under
    test, which a remote participant's join page offers to open, paired with their session)."""

    origins: tuple[str, ...] = ()
    screens: tuple[str, ...] = ()
    product_url: str | None = None
    product_name: str | None = None

    def product_link(self, join_token: str) -> str | None:
        """The product's address for one remote participant: `?uxlab_join=<token>` added, so
        capture.js in that tab pairs with their session (None when the study names no product)."""
        if self.product_url is None:
            return None
        parts = urlsplit(self.product_url)
        query = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != JOIN_PARAMETER]
        return urlunsplit(parts._replace(query="&".join(query + [f"{JOIN_PARAMETER}={quote(join_token)}"])))

    def allows(self, origin: str) -> bool:
        """Whether a page of `origin` may send events: listed as it is, or by its host with
        any port ("http://127.0.0.1:*", for a product a test or demo serves on a free port)."""
        origin = origin.lower()
        if origin in self.origins:
            return True
        host, _, port = origin.rpartition(":")
        return port.isdigit() and "://" in host and f"{host}:*" in self.origins


@dataclass(frozen=True)
class WebTask:
    """A task's success and first click on a web product's pages."""

    success_url: re.Pattern | None = None
    first_click: ElementTarget | None = None
    expected_path: tuple[str, ...] = ()


def element_target(text: str) -> ElementTarget:
    """Read `first_click = "button 'Export'"` or `first_click = "#export"`."""
    named = _NAMED.match(text)
    if named:
        return ElementTarget(role=named.group(1).lower(), name=named.group(2))
    return ElementTarget(selector=text.strip())


def read_web_capture(check: Checker, table: dict, where: tuple) -> WebCapture:
    """The web fields of `[capture]`; each mistake is noted and the field left out."""
    origins = []
    for index, value in enumerate(_strings(check, table, "origins", where)):
        parts = urlsplit(value.removesuffix(":*"))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
                or parts.query or parts.fragment:
            check.note(where + ("origins", index),
                       f"expected an origin such as \"http://localhost:8000\", got {value!r}")
            continue
        if value.endswith(":*") and parts.port is not None:
            check.note(where + ("origins", index), f"an origin has one port or ':*' for any, got {value!r}")
            continue
        origins.append(f"{parts.scheme}://{parts.netloc}{':*' if value.endswith(':*') else ''}".lower())
    screens = []
    for index, value in enumerate(_strings(check, table, "screens", where)):
        if not value.startswith("/"):
            check.note(where + ("screens", index), f"a screen pattern is a path starting with '/', got {value!r}")
            continue
        screens.append(value)
    web = WebCapture(tuple(origins), tuple(screens))
    product_url = _product_url(check, table, where, web)
    name = table.get("product_name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_PRODUCT_NAME
                             or not name.isprintable()):
        check.note(where + ("product_name",), f"expected a name of 1 to {MAX_PRODUCT_NAME} characters, got {name!r}")
        name = None
    if product_url is None:
        return web
    return WebCapture(web.origins, web.screens, product_url,
                      name.strip() if isinstance(name, str) else urlsplit(product_url).netloc)


def _product_url(check: Checker, table: dict, where: tuple, web: WebCapture) -> str | None:
    """`product_url`: a web address whose origin is one of `origins` (else its pages could not
    send a single event, and the participant's clicks would be lost unnoticed)."""
    value = table.get("product_url")
    if value is None:
        return None
    try:
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
    except ValueError:   # such as an unclosed "[" of an IPv6 host
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or not value.isprintable():
        check.note(where + ("product_url",), f"expected a web address such as \"https://staging.example/\", got {value!r}")
        return None
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if not web.allows(origin):
        check.note(where + ("product_url",), f"the product's origin {origin} is not in [capture] origins, "
                   "so its pages could not send what was clicked")
        return None
    return value.strip()


def read_web_task(check: Checker, table: dict, where: tuple) -> WebTask:
    """A task's web fields; `first_click` is read here only when it is a string."""
    success = check.pattern(table, "success_url", where) if "success_url" in table else None
    first = table.get("first_click")
    target = None
    if isinstance(first, str):
        if not first.strip():
            check.fail(where + ("first_click",), "expected \"role 'name'\", a CSS selector or a rectangle")
        target = element_target(first)
    path = tuple(_strings(check, table, "expected_path", where))
    return WebTask(success, target, path)


def _strings(check: Checker, table: dict, key: str, where: tuple) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        check.note(where + (key,), f"expected a list of non-empty strings, got {value!r}")
        return []
    return [v.strip() for v in value]
