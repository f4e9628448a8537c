"""The call's seats are shared (web/live/call_signal.py over web/live/shared_state.py): with
two `uxlab serve` processes on one Redis, the console on one and the join page on the other
see each other, a console on either replaces the other, and only the page holding a seat
relays. Real redis-server, real processes, real python-socketio clients."""
from __future__ import annotations

import asyncio
import re
import uuid

import pytest
import requests

from sessions.events import CALL_NAMESPACE, CallEvent, CallSide
from sessions.store import Store
from tests.live.clients import wait_for
from tests.live.test_call_signal import OFFER, Page
from tests.web.conftest import run_async
from web.auth.accounts import add_user
from web.live.call_signal import SEAT_SECONDS, seat_key
from web.live.shared_state import PREFIX, MemoryState, RedisState

pytestmark = pytest.mark.timeout(60)
MODERATOR = ("ruth", "ruth-password")   # a researcher of this module's own: test_redis locks rita out
ANSWER = {**OFFER, "kind": "answer"}

# the two servers and their redis-server are the package's (tests/live/conftest.py: redis_servers)


@pytest.fixture(params=["memory", "redis"])
def state(request, redis_url):
    return MemoryState() if request.param == "memory" else RedisState(redis_url)


def test_a_seat_is_swapped_whole_freed_only_by_its_holder_and_expires(state):
    key = f"call:{uuid.uuid4().hex}:moderator"
    assert state.swap(key, "first", 60) is None
    assert state.swap(key, "second", 60) == "first"          # the newer page learns whom it replaced
    assert state.drop(key, "first") is False                 # the replaced page leaving frees nothing
    assert state.get(key) == "second"
    assert state.drop(key, "second") is True and state.get(key) is None
    assert state.drop(key, "second") is False
    assert state.swap(key, "third", 0.2) is None
    assert wait_for(lambda: state.get(key) is None, timeout=5)
    assert state.drop(key, "third") is False and state.swap(key, "fourth", 60) is None   # expired: nobody


def _login(url: str, name: str, password: str) -> str:
    """A researcher's login through the real form; the Cookie header of its session."""
    with requests.Session() as browser:
        page = browser.get(f"{url}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = browser.post(f"{url}/login", data={"csrf_token": token, "name": name, "password": password},
                              timeout=10)
        answer.raise_for_status()
        return f"uxlab_session={browser.cookies['uxlab_session']}"


def test_the_two_pages_of_a_call_on_two_processes_share_their_seats(redis_servers, redis_url):
    a, b = redis_servers
    store = Store(a.folder)
    if store.users.get(MODERATOR[0]) is None:
        add_user(store, MODERATOR[0], "researcher", MODERATOR[1])
    token, _ = store.invitations.create("P31", actor="ruth", mode="moderated")
    store.close()
    session_id = requests.post(f"{a.url}/join/{token}/begin", json={}, timeout=10).json()["session"]
    cookie = _login(b.url, *MODERATOR)   # one login: both processes share the secret key
    seats = RedisState(redis_url)

    async def scenario():
        participant, console = Page(), Page()
        assert await participant.connect(a.url, auth={"join": token})
        assert (await participant.call(CallEvent.JOIN, {"session": session_id}))["peer"] is False
        assert await console.connect(b.url, headers={"Cookie": cookie})
        assert (await console.call(CallEvent.JOIN, {"session": session_id}))["peer"] is True   # seen across
        assert await participant.received(CallEvent.PEER) == [{"present": True}]
        ttl = seats.redis.pttl(PREFIX + seat_key(session_id, CallSide.MODERATOR))
        assert 0 < ttl <= SEAT_SECONDS * 1000

        assert (await console.call(CallEvent.SIGNAL, OFFER))["ok"]                # B -> A
        assert await participant.received(CallEvent.SIGNAL) == [OFFER]
        assert (await participant.call(CallEvent.SIGNAL, ANSWER))["ok"]           # A -> B
        assert await console.received(CallEvent.SIGNAL) == [ANSWER]

        # a second console on A takes the call over from the one on B
        second = Page()
        assert await second.connect(a.url, headers={"Cookie": cookie})
        assert (await second.call(CallEvent.JOIN, {"session": session_id}))["peer"] is True
        assert await console.received(CallEvent.REPLACED) == [{}]
        refused = await console.call(CallEvent.SIGNAL, {**OFFER, "n": 2})         # B still thinks it sat
        assert refused["ok"] is False and "taken over" in refused["error"]
        assert (await second.call(CallEvent.SIGNAL, {**OFFER, "n": 3}))["ok"]
        assert [d["n"] for d in await participant.received(CallEvent.SIGNAL, 2)] == [1, 3]
        assert (await participant.call(CallEvent.SIGNAL, {**ANSWER, "n": 3}))["ok"]
        assert (await second.received(CallEvent.SIGNAL))[0]["n"] == 3

        # leaving: the seated console's disconnect frees its seat and the participant is told
        # (that the replaced console's leaving frees nothing is drop's, tested above)
        await console.client.disconnect()
        await second.client.disconnect()
        assert (await participant.received(CallEvent.PEER, 3))[1:] == [{"present": True}, {"present": False}]
        assert seats.get(seat_key(session_id, CallSide.MODERATOR)) is None
        held = seats.get(seat_key(session_id, CallSide.PARTICIPANT))
        assert held == participant.client.get_sid(CALL_NAMESPACE)
        await participant.client.disconnect()
        assert await asyncio.to_thread(wait_for, lambda: seats.get(seat_key(session_id, CallSide.PARTICIPANT))
                                       is None, 5)
        assert [d["n"] for e, d in participant.got if e == CallEvent.SIGNAL] == [1, 3]
        assert [d for e, d in console.got if e == CallEvent.SIGNAL] == [ANSWER]   # nothing after it was replaced

    run_async(scenario())   # in a thread of its own: the suite's Playwright holds this thread's loop
