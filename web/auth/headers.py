"""Defence-in-depth headers on every response: the pages load scripts, styles and media
from this server only, cannot be framed by another site, and are never sniffed into
another type; the login cookie is Secure over HTTPS (web.auth.cookies)."""
from __future__ import annotations

from flask import Flask, Response

# frames arrive as JPEG blobs (live), heatmaps as images, the replay's video from /media
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
          "media-src 'self' blob:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    from web.auth import cookies
    cookies.init_app(app)
    app.after_request(_add)


def _add(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
