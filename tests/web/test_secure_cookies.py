"""The login cookie (which holds the CSRF token too) is Secure when browsers reach the server
over HTTPS (issue 22, item 5): with `uxlab serve --https`, or behind a proxy that says so in
X-Forwarded-Proto when `--behind-proxy` (UXLAB_PROXY=1) tells the server to believe it. A
forwarded scheme is ignored without that setting. Each case runs against a real `uxlab serve`
with its options: one per set of options, shared by the module's cases."""
from __future__ import annotations

import re
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.conftest import write_study
from tests.live.clients import USERS, UXLAB, Server, add_users, wait_for
from tests.live.conftest import start_all, stop_all
from web.settings import assemble


class ServerWith(Server):
    """`uxlab serve` with extra options."""

    def __init__(self, folder, *options: str) -> None:
        super().__init__(folder)
        self.options = options

    def start(self) -> "ServerWith":
        self.process = subprocess.Popen([str(UXLAB), "serve", str(self.folder), "--port", str(self.port),
                                         *self.options], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        if not wait_for(self._listening, timeout=90):
            self.stop()
            raise RuntimeError(f"uxlab serve did not start on {self.port}")
        return self


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _cookies(url: str, headers: dict[str, str]) -> tuple[str, str]:
    """The Set-Cookie of the login page (the anonymous CSRF token) and of a login."""
    opener = urllib.request.build_opener(NoRedirect())
    with opener.open(urllib.request.Request(f"{url}/login", headers=headers)) as page:
        anonymous = page.headers["Set-Cookie"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "name": "otto", "password": USERS["otto"][1]}).encode()
    request = urllib.request.Request(f"{url}/login", data=form,
                                     headers={**headers, "Cookie": anonymous.split(";")[0]})
    try:
        opener.open(request)
    except urllib.error.HTTPError as redirected:   # the 302 after a login, not followed
        assert redirected.code == 302
        redirected.close()
        return anonymous, redirected.headers["Set-Cookie"]
    raise AssertionError("a login should answer 302")


def _secure(set_cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in set_cookie.split(";")]


HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lab.example.org"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A `uxlab serve` of one study for each set of options the cases use, started side by side."""
    folder = write_study(tmp_path_factory.mktemp("cookies") / "study")
    add_users(folder)
    running = {options: ServerWith(folder, *options) for options in ((), ("--behind-proxy",), ("--https",))}
    start_all(list(running.values()))
    yield running
    stop_all(list(running.values()))


@pytest.mark.parametrize("options, headers, secure", [
    ((), {}, False),
    ((), HTTPS, False),                          # nobody said there is a proxy: not believed
    (("--behind-proxy",), {}, False),            # a proxy that forwarded plain http
    (("--behind-proxy",), HTTPS, True),
    (("--https",), {}, True),
], ids=["plain", "forwarded-but-no-proxy", "proxy-http", "proxy-https", "https"])
def test_login_and_csrf_cookies_are_secure_only_over_https(servers, options, headers, secure):
    anonymous, logged_in = _cookies(servers[options].url, headers)
    assert anonymous.startswith("uxlab_session=") and logged_in.startswith("uxlab_session=")
    assert (_secure(anonymous), _secure(logged_in)) == (secure, secure)
    assert "HttpOnly" in logged_in and "SameSite=Lax" in logged_in


def test_the_environment_says_the_same():
    settings = assemble({"STUDY_DIR": "s"}, {"UXLAB_PROXY": "1", "UXLAB_SECURE_COOKIES": "1"})
    assert settings["BEHIND_PROXY"] is True and settings["SESSION_COOKIE_SECURE"] is True
    plain = assemble({"STUDY_DIR": "s"}, {})
    assert plain["BEHIND_PROXY"] is False and plain["SESSION_COOKIE_SECURE"] is False
