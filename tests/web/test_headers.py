"""Defence in depth: every response says where scripts, styles and media may come from,
that no other site may frame it, and that its type is not to be sniffed."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/login", "/", "/static/app.css", "/no-such-page", "/q/not-a-token"])
def test_every_response_carries_the_security_headers(app, as_role, path):
    client, _ = as_role("researcher")
    response = client.get(path)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
