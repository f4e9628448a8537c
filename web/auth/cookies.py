"""The login cookie's `Secure` flag. The session cookie (which also holds the CSRF token:
Flask-WTF keeps it in the session) is marked Secure when the server is told it is reached
over HTTPS (`uxlab serve --https`, UXLAB_SECURE_COOKIES=1) or when the request itself came
over HTTPS. Behind a TLS-terminating proxy the request reaches this server over plain http,
so the proxy's X-Forwarded-Proto (and -For, -Host) is honoured, but only when a setting says
there is such a proxy (`uxlab serve --behind-proxy`, UXLAB_PROXY=1): otherwise any client
could claim a scheme or an address, and the login limiter counts failures per address.
"""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix


class SchemeAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure also whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Install the session interface, and trust one proxy's forwarded headers if told to."""
    app.session_interface = SchemeAwareSessions()
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
