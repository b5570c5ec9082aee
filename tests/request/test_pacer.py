"""Flow control (``_pacer.py``): the client keeps within a rate budget and adapts to 429 +
Retry-After.

All on trio's autojump clock: the waits are asserted, never slept.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import trio

from rossum_trio import AsyncRossumAPIClient, Token
from rossum_trio.errors import RateLimitedError, ServerError
from tests.support import BASE, TOKEN
from tests.support.clients import make_client, sync_client
from tests.support.payloads import workspace
from tests.support.wire import Recorder, numbered


def workspace_server(script: Callable[[int, httpx.Request], Any] | None = None) -> Recorder:
    """Answers every request with a workspace, or what ``script(n, request)`` says for the
    ``n``-th request (when it says something)."""
    return Recorder(numbered(script) if script else None, default=workspace(1))


def too_many(retry_after: str | None = "2") -> httpx.Response:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return httpx.Response(429, headers=headers, json={"detail": "Request was throttled."})


async def test_the_pace_holds_under_many_concurrent_tasks(autojump_clock: object) -> None:
    server = workspace_server()
    async with make_client(server, rate_limit_per_second=5, max_in_flight_requests=8) as client:
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            for i in range(1, 51):
                nursery.start_soon(client.retrieve_workspace, i)
        elapsed = trio.current_time() - start
    assert len(server.times) == 50
    assert min(server.gaps()) >= 0.2 - 1e-9  # never faster than 5/s
    assert elapsed == pytest.approx(49 * 0.2, abs=0.05)  # and not slower either
    assert client.request_stats.requests == 50


async def test_default_pace_is_the_api_budget_for_network_transports() -> None:
    network = AsyncRossumAPIClient(BASE, Token(TOKEN))
    in_process = AsyncRossumAPIClient(BASE, Token(TOKEN), transport=workspace_server().transport())
    explicit = AsyncRossumAPIClient(
        BASE,
        Token(TOKEN),
        transport=workspace_server().transport(),
        rate_limit_per_second=3,
    )
    async with network, in_process, explicit:
        assert network.rate_limit == 9.0  # the API's 10/s less a margin for jitter
        assert in_process.rate_limit is None  # in-process: nothing to protect
        assert explicit.rate_limit == 3


async def test_a_429_pauses_the_whole_client_and_lowers_the_pace(autojump_clock: object) -> None:
    # Request 5 is refused with Retry-After: 2; everything else succeeds.
    server = workspace_server(lambda n, _: too_many("2") if n == 5 else None)
    async with make_client(server, rate_limit_per_second=10, max_in_flight_requests=4) as client:
        async with trio.open_nursery() as nursery:
            for i in range(1, 21):
                nursery.start_soon(client.retrieve_workspace, i)
        lowered = client.rate_limit
        refused_at = server.times[4]
        after = server.times[5:]
        # Nothing was sent during the pause (requests queued behind it) ...
        assert all(t >= refused_at + 2 - 1e-9 for t in after)
        # ... the pace went down (0.7x) and every request still succeeded (21 exchanges).
        assert lowered is not None and lowered < 10
        assert len(server.times) == 21 and client.request_stats.rate_limited == 1
        # Answers bring the pace back, gradually, to the ceiling.
        for i in range(60):
            await client.retrieve_workspace(i + 1)
        assert client.rate_limit == 10


async def test_concurrent_429s_of_one_episode_lower_the_pace_once(autojump_clock: object) -> None:
    # Four requests are in flight (100 ms each) when the first 429 comes back: one episode.
    server = workspace_server(lambda n, _: too_many("1") if n <= 4 else None)

    async def slow(request: httpx.Request) -> httpx.Response:
        await trio.sleep(0.1)
        return await server(request)

    async with make_client(slow, rate_limit_per_second=100, max_in_flight_requests=4) as client:
        async with trio.open_nursery() as nursery:
            for i in range(1, 5):
                nursery.start_soon(client.retrieve_workspace, i)
        # The pace was cut once (to 70), then recovered by 1 per answer (four answers).
        assert client.request_stats.rate_limited == 4
        assert client.rate_limit == pytest.approx(100 * 0.7 + 4 * 1.0)


async def test_429s_do_not_use_up_the_ordinary_retries(autojump_clock: object) -> None:
    server = workspace_server(lambda n, _: too_many("1") if n <= 5 else None)
    async with make_client(server, n_retries=1, rate_limit_per_second=None) as client:
        ws = await client.retrieve_workspace(1)  # one attempt, five 429s waited out
    assert ws.id == 1 and server.statuses == [429] * 5 + [200]


async def test_a_post_refused_with_429_is_sent_again(autojump_clock: object) -> None:
    # A 429 is a refusal before any processing: safe to repeat even for a create.
    server = workspace_server(lambda n, _: too_many("1") if n == 1 else None)
    async with make_client(server, rate_limit_per_second=None) as client:
        ws = await client.create_new_workspace({"name": "x", "organization": f"{BASE}/o/1"})
    assert ws.id == 1 and server.statuses == [429, 200]


async def test_a_5xx_on_a_post_is_not_repeated(autojump_clock: object) -> None:
    server = workspace_server(lambda n, _: httpx.Response(503) if n == 1 else None)
    async with make_client(server, rate_limit_per_second=None) as client:
        with pytest.raises(ServerError):
            await client.create_new_workspace({"name": "x", "organization": f"{BASE}/o/1"})
    assert server.statuses == [503]


async def test_the_waiting_bound_ends_in_rate_limited_error(autojump_clock: object) -> None:
    server = workspace_server(lambda n, _: too_many("2"))
    async with make_client(server, rate_limit_per_second=None, rate_limit_max_wait_s=5) as client:
        start = trio.current_time()
        with pytest.raises(RateLimitedError) as caught:
            await client.retrieve_workspace(1)
        waited = trio.current_time() - start
    assert caught.value.retry_after == 2
    assert caught.value.status_code == 429
    # Waited 2 + 2 s; a third wait would pass the 5 s bound, so it raised at once.
    assert waited == pytest.approx(4, abs=0.01)
    assert server.statuses == [429, 429, 429]
    assert "rate_limit_max_wait_s=5" in "".join(getattr(caught.value, "__notes__", []))


async def test_a_refused_429_does_not_stall_other_calls(autojump_clock: object) -> None:
    # One endpoint asks for an hour; the call gives up at once and the client is not paused.
    def script(n: int, request: httpx.Request) -> httpx.Response | None:
        return too_many("3600") if request.url.path.endswith("/workspaces/1") else None

    server = workspace_server(script)
    async with make_client(server, rate_limit_per_second=None) as client:
        start = trio.current_time()
        with pytest.raises(RateLimitedError):
            await client.retrieve_workspace(1)
        await client.retrieve_workspace(2)
        assert trio.current_time() - start < 0.01


async def test_a_429_without_retry_after_waits_a_second(autojump_clock: object) -> None:
    server = workspace_server(lambda n, _: too_many(None) if n == 1 else None)
    async with make_client(server, rate_limit_per_second=None) as client:
        await client.retrieve_workspace(1)
    assert server.gaps() == [pytest.approx(1.0)]


async def test_no_ceiling_engages_the_pace_from_the_measured_rate(autojump_clock: object) -> None:
    # An in-process transport has no ceiling; a first 429 turns pacing on at 0.7 x the
    # measured rate, capped by what was measured (here: 10 requests in the last second).
    def script(n: int, request: httpx.Request) -> httpx.Response | None:
        return too_many("1") if n == 11 else None

    server = workspace_server(script)
    async with make_client(server, max_in_flight_requests=1) as client:
        assert client.rate_limit is None
        for i in range(1, 12):
            await client.retrieve_workspace(i)
            await trio.sleep(0.05)
        assert client.rate_limit is not None and client.rate_limit < 10


def _now() -> float:
    return time.monotonic()


def test_the_blocking_client_paces_across_calls() -> None:
    # Each call is its own trio.run: the pace still holds from one call to the next.
    times: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        times.append(_now())
        return httpx.Response(200, json=workspace(1))

    with sync_client(handler, rate_limit_per_second=20) as client:
        for i in range(1, 12):
            client.retrieve_workspace(i)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 11
    # 20/s: slots 50 ms apart across eleven trio.runs (a late wake-up may bring the next
    # send closer, never the average). Without carry-over the calls take ~1 ms each.
    assert times[-1] - times[0] >= 10 * 0.05 - 0.005
    assert min(gaps) >= 0.025


def test_a_429_pause_carries_over_to_the_next_blocking_call() -> None:
    # Call 1 is refused once (Retry-After 1) and then answered; its pause started at the
    # refusal. Call 2 is paced after it, on the real clock, in a new trio.run.
    times: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        times.append(_now())
        if len(times) == 1:
            return too_many("1")
        return httpx.Response(200, json=workspace(1))

    with sync_client(handler, rate_limit_per_second=4) as client:
        client.retrieve_workspace(1)
        client.retrieve_workspace(2)
    assert len(times) == 3
    assert times[1] - times[0] >= 1.0 - 0.01  # the pause
    # After the 429 the pace is 0.7 x 4 = 2.8/s (plus one answer's recovery): about 0.35 s.
    assert times[2] - times[1] >= 1 / (2.8 + 0.04) - 0.01
    assert math.isfinite(times[2])
