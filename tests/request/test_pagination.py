"""The pagination engine (``_pagination.py``), through the public list methods of both clients."""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import trio
import trio.lowlevel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio import AsyncRossumAPIClient, Listing
from rossum_trio.errors import ServerError
from tests.support import BASE
from tests.support.clients import make_client, sync_client
from tests.support.payloads import exported, queue, workspace
from tests.support.servers import ListServer
from tests.support.wire import Recorder

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(
    total=st.integers(0, 700),
    page_size=st.integers(1, 100),
    cap=st.integers(1, 8),
)
async def test_every_item_once_in_order(total: int, page_size: int, cap: int) -> None:
    server = ListServer(total, page_size, latency=0.0)
    async with make_client(server, max_in_flight_requests=cap) as client:
        ids = [w.id async for w in client.list_workspaces()]
        assert client.limiter.statistics().borrowed_tokens == 0
    assert ids == list(range(total))
    assert len(server.requests) == server.total_pages
    # Every page number requested exactly once, each with include_total.
    pages = sorted(int(r.url.params.get("page", "1")) for r in server.requests)
    assert pages == list(range(1, server.total_pages + 1))
    assert all(r.url.params["include_total"] == "true" for r in server.requests)
    assert server.max_in_flight <= cap


@PROPERTY_SETTINGS
@given(
    total=st.integers(1, 900),
    page_size=st.integers(1, 50),
    cap=st.integers(1, 6),
    data=st.data(),
)
async def test_break_after_k_items_leaves_nothing_in_flight(
    total: int, page_size: int, cap: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(1, total))
    server = ListServer(total, page_size, latency=0.0)
    async with make_client(server, max_in_flight_requests=cap) as client:
        seen = []
        async for w in client.list_workspaces():
            seen.append(w.id)
            if len(seen) == k:
                break
        requested = len(server.requests)
        assert server.in_flight == 0
        assert client.limiter.statistics().borrowed_tokens == 0
        await trio.lowlevel.checkpoint()
        assert len(server.requests) == requested  # nothing keeps fetching after the break
    assert seen == list(range(k))
    # At most the windows needed to reach item k were fetched.
    pages_needed = math.ceil(k / page_size)
    assert requested <= 1 + math.ceil(max(0, pages_needed - 1) / cap) * cap


async def test_pages_fetched_concurrently_up_to_the_cap(autojump_clock: object) -> None:
    server = ListServer(total=1000, page_size=10, latency=0.5)
    async with make_client(server, max_in_flight_requests=5) as client:
        start = trio.current_time()
        ids = [w.id async for w in client.list_workspaces()]
        elapsed = trio.current_time() - start
    assert ids == list(range(1000))
    assert server.max_in_flight == 5
    # 1 first page + 99 pages in windows of 5 = 21 round trips of 0.5 s (virtual time).
    assert elapsed == pytest.approx(21 * 0.5)


async def test_cap_is_shared_by_concurrent_listings(autojump_clock: object) -> None:
    server = ListServer(total=300, page_size=10, latency=0.1)
    async with make_client(server, max_in_flight_requests=3) as client:
        results: list[list[int]] = [[], [], []]

        async def consume(i: int) -> None:
            results[i] = [w.id async for w in client.list_workspaces()]

        async with trio.open_nursery() as nursery:
            for i in range(3):
                nursery.start_soon(consume, i)
    assert all(r == list(range(300)) for r in results)
    assert server.max_in_flight == 3


async def test_cancelling_a_listing_cancels_its_requests(autojump_clock: object) -> None:
    server = ListServer(total=1000, page_size=10, latency=1.0)
    async with make_client(server, max_in_flight_requests=4) as client:
        seen = []
        with trio.move_on_after(1.5):  # inside the second window
            async for w in client.list_workspaces():
                seen.append(w.id)
        assert server.in_flight == 0
        assert client.limiter.statistics().borrowed_tokens == 0
        requested = len(server.requests)
        await trio.sleep(10)
        assert len(server.requests) == requested
    assert seen == list(range(10))


async def test_error_on_one_page_raises_that_error_and_stops_the_rest() -> None:
    server = ListServer(total=200, page_size=10, latency=0.0, refuse={4: 400})
    async with make_client(server, max_in_flight_requests=4) as client:
        seen = []
        with pytest.raises(Exception) as info:
            async for w in client.list_workspaces():
                seen.append(w.id)
        assert client.limiter.statistics().borrowed_tokens == 0
    # The real error, not an ExceptionGroup.
    assert type(info.value).__name__ == "BadRequestError"
    assert seen == list(range(10))  # page 1 only: the window 2..5 failed as a whole


async def test_abandoned_listing_needs_no_cleanup() -> None:
    # An iterator dropped mid-way is garbage-collected without warnings (filterwarnings=error).
    server = ListServer(total=500, page_size=10, latency=0.0)
    async with make_client(server) as client:
        iterator = client.list_workspaces()
        first = await iterator.__anext__()
        assert first.id == 0
        del iterator
        gc.collect()
        await trio.lowlevel.checkpoint()


async def test_max_pages_and_start_page() -> None:
    server = ListServer(total=100, page_size=10, latency=0.0)
    async with make_client(server) as client:
        two_pages = [w.id async for w in client.list_workspaces(max_pages=2)]
        from_page_3 = [w.id async for w in client.list_workspaces(page=3, max_pages=2)]
    assert two_pages == list(range(20))
    # A page= filter is where reading starts (the official client mixed pages up).
    assert from_page_3 == list(range(20, 40))


async def test_ordering_and_filters_in_the_query() -> None:
    server = ListServer(total=3, page_size=10, latency=0.0)
    async with make_client(server) as client:
        _ = [w async for w in client.list_workspaces(ordering=["-id", "name"], name="x")]
    (request,) = server.requests
    assert request.url.params.multi_items() == [
        ("page_size", "100"),
        ("ordering", "-id,name"),
        ("sideload", ""),
        ("content.schema_id", ""),
        ("name", "x"),
        ("include_total", "true"),
    ]


async def test_missing_total_pages_follows_next() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        page = int(request.url.params.get("page", "1"))
        nxt = f"{BASE}/workspaces?page={page + 1}&page_size=2" if page < 3 else None
        return httpx.Response(
            200,
            json={
                "pagination": {"total": None, "total_pages": None, "next": nxt},
                "results": [workspace(page * 10), workspace(page * 10 + 1)],
            },
        )

    async with make_client(handler) as client:
        ids = [w.id async for w in client.list_workspaces()]
    assert ids == [10, 11, 20, 21, 30, 31]
    assert calls[1] == f"{BASE}/workspaces?page=2&page_size=2"


async def test_list_shrinking_while_read_stops_at_the_missing_page() -> None:
    server = ListServer(total=50, page_size=10, latency=0.0)

    async def handler(request: httpx.Request) -> httpx.Response:
        response = await server(request)
        if request.url.params.get("page") is None:
            server.total = 25  # items deleted after page 1 was read
        return response

    async with make_client(handler) as client:
        ids = [w.id async for w in client.list_workspaces()]
    # Pages 2 and 3 still exist (items 10..24); pages 4 and 5 are gone: no error, no duplicate.
    assert ids == list(range(25))


async def test_cursor_pagination_follows_top_level_next() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return httpx.Response(200, json={"next": f"{BASE}/things?cursor=b", "results": [1, 2]})
        if cursor == "b":
            return httpx.Response(200, json={"next": f"{BASE}/things?cursor=c", "results": [3]})
        return httpx.Response(200, json={"next": None, "results": [4]})

    async with make_client(handler) as client:
        items = [i async for i in client.request_cursor_paginated("things", ordering=["id"])]
        limited = [i async for i in client.request_cursor_paginated("things", max_pages=2)]
    assert items == [1, 2, 3, 4]
    assert limited == [1, 2, 3]
    first = calls[0].url.params
    assert "include_total" not in first and first["ordering"] == "id"
    assert str(calls[1].url) == f"{BASE}/things?cursor=b"


async def test_request_paginated_positional_order_and_single_page() -> None:
    server = ListServer(total=30, page_size=10, latency=0.0)
    async with make_client(server) as client:
        # async order: ordering, sideloads, content_schema_ids, method, max_pages, json, paginated
        items = [i async for i in client.request_paginated("workspaces", ["id"], (), (), "GET", 2)]
        single = [i async for i in client.request_paginated("workspaces", paginated=False)]
    assert [i["id"] for i in items] == list(range(20))
    assert [i["id"] for i in single] == list(range(10))
    assert "include_total" not in server.requests[-1].url.params


async def test_failed_page_is_retried_before_giving_up(autojump_clock: object) -> None:
    server = ListServer(total=30, page_size=10, latency=0.0)
    failures = {"2": 2}

    async def handler(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page")
        if page in failures and failures[page] > 0:
            failures[page] -= 1
            return httpx.Response(503, json={"detail": "busy"})
        return await server(request)

    async with make_client(handler) as client:
        ids = [w.id async for w in client.list_workspaces()]
    assert ids == list(range(30))
    failures["3"] = 3
    async with make_client(handler) as client:
        with pytest.raises(ServerError):
            _ = [w.id async for w in client.list_workspaces()]


async def test_next_batch_drives_one_window_at_a_time() -> None:
    server = ListServer(total=95, page_size=10, latency=0.0)
    async with make_client(server, max_in_flight_requests=4) as client:
        iterator = client.list_workspaces()
        sizes = []
        while batch := await iterator.next_batch():  # type: ignore[attr-defined]
            sizes.append(len(batch))
    assert sizes == [10, 40, 40, 5]


async def test_bad_paging_arguments_are_named() -> None:
    server = ListServer(total=1, page_size=10, latency=0.0)
    async with make_client(server) as client:
        for kwargs, name in [
            ({"page": "first"}, "page"),
            ({"page": 0}, "page"),
            ({"max_pages": -1}, "max_pages"),
            ({"ordering": "-id"}, "ordering"),
        ]:
            with pytest.raises(ValueError, match=name):
                client.list_workspaces(**kwargs)
    assert server.requests == []


# -- every kind of listing is a Listing, and contextlib.aclosing() stops it ------------------------


def any_list(request: httpx.Request) -> httpx.Response:
    """Page-number lists (``/queues``, the GET export), a cursor list (``/cursor``), a list in
    one answer (automation targets) and the moving (POST) export."""
    path = request.url.path.removeprefix("/api/v1/")
    params = request.url.params
    if path == "cursor":
        at = int(params.get("at", "0"))
        follow = f"{BASE}/cursor?at={at + 10}" if at < 90 else None
        return httpx.Response(
            200, json={"results": [{"id": i} for i in range(at, at + 10)], "next": follow}
        )
    if path == "queues/7/automation/targets":
        target = {"automation_rate_target": 0.9, "error_rate_target": 0.1, "type": "x"}
        return httpx.Response(200, json={"results": [target, target]})
    if path == "queues/7/export" and request.method == "POST":
        ids = [int(i) for i in params["id"].split(",")]
        return httpx.Response(200, json={"results": [exported(i) for i in ids]})
    item = queue if path == "queues" else exported
    number = int(params.get("page", "1"))
    ids = range((number - 1) * 10, number * 10)
    pagination = {"total": 250, "total_pages": 25, "next": None, "previous": None}
    return httpx.Response(200, json={"pagination": pagination, "results": [item(i) for i in ids]})


LISTINGS: dict[str, Callable[[AsyncRossumAPIClient], Listing[Any]]] = {
    "pages": lambda client: client.list_queues(),
    "cursor": lambda client: client.request_cursor_paginated("cursor"),
    "one answer": lambda client: client.list_automation_targets(7),
    "moving export": lambda client: client.export_annotations_to_json(7, to_status="exported"),
}


@pytest.mark.parametrize("kind", LISTINGS)
async def test_aclosing_stops_every_kind_of_listing(kind: str) -> None:
    server = Recorder(any_list)
    async with make_client(server) as client:
        listing = LISTINGS[kind](client)
        assert isinstance(listing, Listing)
        async with contextlib.aclosing(listing) as items:
            async for _ in items:
                break
        sent = len(server.requests)
        assert sent >= 1
        assert [item async for item in listing] == []
        assert await listing.next_batch() == []
        await listing.aclose()  # idempotent
        assert len(server.requests) == sent
        assert client.limiter.statistics().borrowed_tokens == 0


# -- the blocking client: windows of pages fetched at once, nothing after a break ------------------


@pytest.fixture
def list_handler() -> ListServer:
    """Ten pages of three workspaces; each answer takes 20 checkpoints (no sleeping), so
    requests started together overlap and ``max_in_flight`` shows how many ran at once."""
    return ListServer(total=30, page_size=3, latency=0, checkpoints=20)


@pytest.mark.parametrize("cap", [1, 3, 4])
def test_pages_of_a_window_are_fetched_concurrently(list_handler: Any, cap: int) -> None:
    with sync_client(list_handler, max_in_flight_requests=cap) as client:
        items = list(client.list_workspaces())
    assert [w.id for w in items] == list(range(list_handler.total_pages * 3))
    assert sorted(list_handler.pages_requested) == list(range(1, 11))
    # Page 1 alone (it tells the page count), then windows of `cap` pages at once.
    assert list_handler.max_in_flight == cap


def test_early_break_makes_no_further_requests(list_handler: Any) -> None:
    with sync_client(list_handler, max_in_flight_requests=4) as client:
        listing = client.list_workspaces(ordering=["id"])
        assert list_handler.requests == []  # nothing until the first next()
        first = next(listing)
        assert first.id == 0
        assert list_handler.pages_requested == [1]
        for workspace in listing:
            if workspace.id == 3:  # first item of page 2: one window (pages 2-5) fetched
                break
        assert sorted(list_handler.pages_requested) == [1, 2, 3, 4, 5]
        del listing
        # Nothing runs between calls: another call sees no listing traffic.
        assert client.retrieve_workspace(1).id == 1
    assert len(list_handler.requests) == 6
    assert list_handler.requests[-1].url.path.endswith("/workspaces/1")


def test_window_bounds_memory(list_handler: Any) -> None:
    with sync_client(list_handler, max_in_flight_requests=2) as client:
        listing = client.list_workspaces()
        seen = [next(listing).id for _ in range(4)]  # page 1 (3 items) + 1 from pages 2-3
        assert seen == [0, 1, 2, 3]
        assert sorted(list_handler.pages_requested) == [1, 2, 3]


def test_filters_and_max_pages_reach_the_wire(list_handler: Any) -> None:
    with sync_client(list_handler) as client:
        items = list(client.list_workspaces(["name"], name="x", max_pages=2))
    assert len(items) == 6
    first = list_handler.requests[0].url.params
    assert first["ordering"] == "name" and first["name"] == "x"
    assert first["page_size"] == "100" and first["include_total"] == "true"
    assert sorted(list_handler.pages_requested) == [1, 2]


def test_errors_in_a_window_propagate_and_the_client_stays_usable() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        calls.append(page)
        if page == 3:
            return httpx.Response(400, json={"detail": "bad"})
        return httpx.Response(
            200,
            json={
                "pagination": {"total": 50, "total_pages": 5, "next": None, "previous": None},
                "results": [{"id": page}],
            },
        )

    with sync_client(handler) as client:
        with pytest.raises(httpx.HTTPStatusError):
            list(client.request_paginated("things"))
        assert client.limiter.statistics().borrowed_tokens == 0
        assert list(client.request_paginated("things", max_pages=2)) == [{"id": 1}, {"id": 2}]
