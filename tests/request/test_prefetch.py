"""prefetch(): the next window of pages is fetched while the consumer works on the current one."""

from __future__ import annotations

import pytest
import trio

from rossum_trio import prefetch
from rossum_trio.errors import BadRequestError
from tests.support.clients import make_client
from tests.support.servers import ListServer


async def consume(listing: object, work_per_item: float) -> tuple[list[int], float]:
    start = trio.current_time()
    ids = []
    async for item in listing:  # type: ignore[attr-defined]
        ids.append(item.id)
        await trio.sleep(work_per_item)
    return ids, trio.current_time() - start


async def test_prefetch_overlaps_fetching_and_work(autojump_clock: object) -> None:
    server = ListServer(total=90, page_size=10, latency=1.0)
    async with make_client(server, max_in_flight_requests=4) as client:
        plain_ids, plain = await consume(client.list_workspaces(), 0.1)
        async with prefetch(client.list_workspaces()) as items:
            ids, overlapped = await consume(items, 0.1)
    assert ids == plain_ids == list(range(90))
    # plain: 3 fetch rounds (1 + 4 + 4 pages) of 1 s + 9 s of work; prefetched: the 2nd and 3rd
    # fetches hide behind the work.
    assert plain == pytest.approx(12.0)
    assert overlapped == pytest.approx(10.0)


async def test_leaving_the_block_stops_prefetching(autojump_clock: object) -> None:
    server = ListServer(total=1000, page_size=10, latency=1.0)
    async with make_client(server, max_in_flight_requests=4) as client:
        async with prefetch(client.list_workspaces()) as items:
            async for item in items:
                if item.id == 15:
                    break
        requested = len(server.requests)
        assert server.in_flight == 0
        assert client.limiter.statistics().borrowed_tokens == 0
        await trio.sleep(10)
        assert len(server.requests) == requested <= 9  # page 1, a window, and the next window


async def test_errors_come_out_as_themselves() -> None:
    server = ListServer(total=100, page_size=10, latency=0.0, refuse={3: 400})
    reached_the_end = False
    async with make_client(server) as client:
        with pytest.raises(BadRequestError):
            async with prefetch(client.list_workspaces()) as items:
                async for _ in items:
                    pass
                reached_the_end = True  # a failed listing must not look like a finished one
        assert client.limiter.statistics().borrowed_tokens == 0
    assert not reached_the_end


async def test_prefetch_needs_a_listing() -> None:
    async def gen():  # type: ignore[no-untyped-def]
        yield 1

    with pytest.raises(TypeError, match="listing"):
        async with prefetch(gen()):
            pass
