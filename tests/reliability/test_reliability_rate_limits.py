"""Issue #9, class 6: one refused 429 does not stall the client.

A ``429`` whose ``Retry-After`` is beyond what the client will wait (``rate_limit_max_wait_s``)
fails that call at once, and does not pause the others. A ``429`` within the bound pauses the
client (the account is over its budget: every request waits), and is retried without using up
``n_retries``. However a server plays 429s, a call ends within the bound.
"""

from __future__ import annotations

import httpx
import pytest
import trio
import trio.testing

from rossum_trio.errors import RateLimitedError, ServerError
from tests.support.clients import borrowed, make_client
from tests.support.figures import Figures
from tests.support.payloads import workspace


def _refuse(path: str, status: int, retry_after: str) -> object:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(path):
            return httpx.Response(status, headers={"Retry-After": retry_after}, json={})
        return httpx.Response(200, json=workspace(1))

    return answer


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimitedError), (503, ServerError)], ids=["429", "503"]
)
async def test_a_refusal_beyond_the_bound_fails_alone(
    status: int,
    error: type[Exception],
    autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    answer = _refuse("/queues/1", status, "100000")
    async with make_client(answer, n_retries=3) as client:  # type: ignore[arg-type]
        started = trio.current_time()
        with figures.call(3600), pytest.raises(error):
            await client.retrieve_queue(1)
        refused_after = trio.current_time() - started
        with figures.call(3600):
            await client.retrieve_workspace(1)
        figures.add("slots_checked")
        figures.add("slots_held", borrowed(client))
    assert refused_after < 1
    assert trio.current_time() - started < 1, "an unrelated call waited for the refusal"


async def test_unrelated_concurrent_calls_go_on(
    autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    answer = _refuse("/queues/1", 429, "100000")
    finished: list[float] = []
    async with make_client(answer) as client:  # type: ignore[arg-type]

        async def unrelated() -> None:
            for _ in range(5):
                await client.retrieve_workspace(1)
                finished.append(trio.current_time())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(unrelated)
            with figures.call(3600), pytest.raises(RateLimitedError):
                await client.retrieve_queue(1)
    assert len(finished) == 5 and max(finished) < 1


@pytest.mark.parametrize("retry_after", ["2", "0", "soon", "-5", "1e400", "nan", ""])
async def test_429s_within_the_bound_are_waited_out(
    retry_after: str, autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    refusals = 5

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal refusals
        if refusals:
            refusals -= 1
            return httpx.Response(429, headers={"Retry-After": retry_after}, json={})
        return httpx.Response(200, json=workspace(1))

    async with make_client(answer, n_retries=1) as client:
        with figures.call(3600):
            ws = await client.retrieve_workspace(1)
    assert ws.id == 1


@pytest.mark.parametrize("retry_after", ["0", "1", "30"])
async def test_429_forever_ends_within_the_wait_bound(
    retry_after: str, autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    requests = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        return httpx.Response(429, headers={"Retry-After": retry_after}, json={})

    async with make_client(answer, rate_limit_max_wait_s=60) as client:
        started = trio.current_time()
        with figures.call(3600), pytest.raises(RateLimitedError):
            await client.retrieve_workspace(1)
        figures.add("slots_checked")
        figures.add("slots_held", borrowed(client))
    assert trio.current_time() - started <= 60 + 2  # the bound, plus one slot at the lowest pace
    assert requests <= 200, requests  # the pacer slows down: no hammering with Retry-After: 0
