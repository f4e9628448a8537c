"""The web app's settings, assembled once: defaults, then the environment, then the mapping
given to `create_app` (as the Flask tutorial does). Views read `current_app.config` only;
nothing below `create_app` looks at the environment.

| setting | environment | default |
| --- | --- | --- |
| STUDY_DIR | UXLAB_STUDY | (required) |
| SECRET_KEY | UXLAB_SECRET_KEY | random per process (logins end at a restart) |
| LIVE_TOKEN | UXLAB_LIVE_TOKEN | none: recorders cannot publish live |
| REDIS_URL | UXLAB_REDIS_URL | none: one process keeps its own state |
| SESSION_COOKIE_SECURE | UXLAB_SECURE_COOKIES=1 (`serve --https`) | off, but on for a request that came over HTTPS (over plain http a Secure cookie never returns) |
| BEHIND_PROXY | UXLAB_PROXY=1 (`serve --behind-proxy`) | off: X-Forwarded-Proto/-For/-Host from one proxy are believed only when on |
| IDLE_MINUTES | UXLAB_IDLE_MINUTES | 120: a login unused this long ends |
| LOGIN_CHECK_SECONDS | | 1: how often live observers' logins are re-read (an ended one is disconnected) |
| MAX_REQUESTS | UXLAB_MAX_REQUESTS | 4 page requests at once; more wait their turn |
| QUEUE_SECONDS | UXLAB_QUEUE_SECONDS | 5: a request waiting longer gets 503 |
| MAX_REELS | UXLAB_MAX_REELS | 2 highlight reels cut at once, across the study's workers; more get 409 |
| ICE_SERVERS | UXLAB_ICE_SERVERS (JSON: `[{"urls": "turn:host:3478", "username": ..., "credential": ...}]`) | none: a remote session's call uses host candidates only (loopback, a LAN) |
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sessions.errors import BadRequest

# setting -> (environment variable, how to read its text)
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "STUDY_DIR": ("UXLAB_STUDY", str),
    "SECRET_KEY": ("UXLAB_SECRET_KEY", str),
    "LIVE_TOKEN": ("UXLAB_LIVE_TOKEN", str),
    "REDIS_URL": ("UXLAB_REDIS_URL", str),
    "SESSION_COOKIE_SECURE": ("UXLAB_SECURE_COOKIES", lambda text: text == "1"),
    "BEHIND_PROXY": ("UXLAB_PROXY", lambda text: text == "1"),
    "IDLE_MINUTES": ("UXLAB_IDLE_MINUTES", float),
    "MAX_REQUESTS": ("UXLAB_MAX_REQUESTS", int),
    "QUEUE_SECONDS": ("UXLAB_QUEUE_SECONDS", float),
    "MAX_REELS": ("UXLAB_MAX_REELS", int),
    "ICE_SERVERS": ("UXLAB_ICE_SERVERS", lambda text: ice_servers(text)),
}


def defaults() -> dict[str, Any]:
    """What a study's server uses when nothing else is said."""
    return {
        "STUDY_DIR": None,
        "SECRET_KEY": None,
        "LIVE_TOKEN": None,
        "REDIS_URL": None,
        "SESSION_COOKIE_NAME": "uxlab_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "BEHIND_PROXY": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # a login's last use is rewritten every SEEN_EVERY seconds (web/auth/access.py), which
        # renews the cookie; signing it afresh on every response would only cost time
        "SESSION_REFRESH_EACH_REQUEST": False,
        "IDLE_MINUTES": 120.0,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "PAGE_SIZE": 50,
        "LOGIN_MAX_FAILURES": 5,            # per name and address
        "LOGIN_MAX_ADDRESS_FAILURES": 20,   # per address, whatever the names tried
        "LOGIN_WINDOW_SECONDS": 300,
        "NOTES_PER_MINUTE": 30,
        # how often a process re-reads its live observers' logins (web/live/login_sweep.py)
        "LOGIN_CHECK_SECONDS": 1.0,
        # one process has one interpreter lock: past a few requests at once each only slows
        # the others, and a short fair queue serves a crowd sooner (bench/serve.py)
        "MAX_REQUESTS": 4,
        "QUEUE_SECONDS": 5.0,
        # cutting a reel keeps ffmpeg busy on a core: a few at once, the rest asked to wait
        "MAX_REELS": 2,
        "ASYNC_MODE": None,   # gevent when the server patched for it (`uxlab serve`), else threads
        "ICE_SERVERS": [],    # STUN/TURN servers for the moderator's call (web/live/call_signal.py)
    }


def ice_servers(text: str) -> list[dict[str, Any]]:
    """The STUN/TURN servers a remote session's call may use, as WebRTC's RTCIceServer
    list: each with `urls` (stun:, turn: or turns: addresses) and, for TURN, `username` and
    `credential`. A ValueError for anything else, which `assemble` turns into a sentence."""
    servers = json.loads(text)
    if not isinstance(servers, list) or len(servers) > 10:
        raise ValueError("a list of at most 10 servers")
    for server in servers:
        urls = server.get("urls") if isinstance(server, dict) else None
        urls = [urls] if isinstance(urls, str) else urls
        if not isinstance(urls, list) or not urls or not all(
                isinstance(u, str) and u.split(":", 1)[0] in ("stun", "turn", "turns") for u in urls):
            raise ValueError("each server needs urls starting stun:, turn: or turns:")
        if set(server) - {"urls", "username", "credential"} or not all(
                isinstance(server.get(k, ""), str) for k in ("username", "credential")):
            raise ValueError("a server has urls, username and credential only")
    return servers


def assemble(mapping: Mapping[str, Any] | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """Defaults < environment < mapping; a bad environment value is one clear sentence."""
    settings = defaults()
    for key, (variable, parse) in ENVIRONMENT.items():
        text = environ.get(variable)
        if text:
            try:
                settings[key] = parse(text)
            except ValueError:
                raise BadRequest(f"{variable}={text[:40]!r} is not a valid value") from None
    settings.update({k: v for k, v in (mapping or {}).items()})
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = secrets.token_hex(32)
    if not settings["STUDY_DIR"]:
        raise BadRequest("no study folder: pass STUDY_DIR or set UXLAB_STUDY")
    return settings
