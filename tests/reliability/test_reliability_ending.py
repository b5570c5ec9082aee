"""Issue #9, class 5: every call ends.

A listing whose links loop or whose page count lies, a server that trickles a byte at a time
or never answers, an id that never shows up in the poll answers, export streams dropped
without closing, a request made while a stream is being read with every slot taken: each call
ends on its own (with its answer or one of our errors), within a bound, and leaves no slot of
the in-flight cap held.
"""

from __future__ import annotations

import gc
import pathlib
import threading
import time
from typing import Any

import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio import SyncRossumAPIClient, Token
from rossum_trio.errors import (
    APITimeoutError,
    PollingError,
    RossumError,
    UnexpectedResponseError,
)
from tests.support import BASE, TOKEN
from tests.support.clients import borrowed, make_client
from tests.support.figures import Figures
from tests.support.payloads import annotation, page, workspace
from tests.support.servers import RawServer, hang, respond, serve_in_thread, trickle


def _held(figures: Figures, client: Any) -> int:
    figures.add("slots_checked")
    held = borrowed(client)
    figures.add("slots_held", held)
    return held


# -- pagination ------------------------------------------------------------------------------------


@pytest.mark.parametrize("repeat", ["itself", "the previous page", "page 2 again"])
async def test_a_next_link_that_repeats(repeat: str, figures: Figures) -> None:
    links = {
        "itself": {1: "?page=1"},
        "the previous page": {1: "?page=2", 2: "?page=1"},
        "page 2 again": {1: "?page=2", 2: "?page=3", 3: "?page=2"},
    }[repeat]
    requests = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        number = int(request.url.params.get("page", "1"))
        link = links.get(number)
        next_url = f"{BASE}/workspaces{link}" if link else None
        return httpx.Response(200, json=page([workspace(number)], next_url=next_url))

    async with make_client(answer) as client:
        with figures.call(5), pytest.raises(UnexpectedResponseError, match="repeats"):
            [w async for w in client.list_workspaces()]
        assert _held(figures, client) == 0
    assert requests <= 4


@pytest.mark.parametrize(("total", "pages_read"), [(3, 1), (250, 3), (0, 1)])
async def test_an_absurd_total_pages(total: int, pages_read: int, figures: Figures) -> None:
    """``total_pages`` says a billion while ``total`` says a few: we read what ``total`` allows
    (the server below answers every page number, as a hostile one may)."""
    asked: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        asked.append(number)
        items = [workspace(100 * number + i) for i in range(min(100, max(total, 1)))]
        return httpx.Response(200, json=page(items, total=total, total_pages=10**9))

    async with make_client(answer) as client:
        with figures.call(5):
            items = [w async for w in client.list_workspaces()]
        assert _held(figures, client) == 0
    assert sorted(asked) == list(range(1, pages_read + 1))
    assert len(items) == 100 * pages_read if total >= 100 else len(items) == max(total, 1)


async def test_an_empty_page_that_names_a_next_page(figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=page([], next_url=f"{BASE}/workspaces?page={number + 1}"))

    async with make_client(answer) as client:
        with figures.call(5), pytest.raises(UnexpectedResponseError):
            [w async for w in client.list_workspaces()]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    per_page=st.integers(1, 5),
    total=st.one_of(st.none(), st.integers(-5, 40)),
    total_pages=st.one_of(st.none(), st.integers(-3, 10**12)),
    link=st.sampled_from(["none", "self", "next", "cycle", "first"]),
    cursor=st.booleans(),
)
async def test_lying_pagination_ends(
    per_page: int,
    total: int | None,
    total_pages: int | None,
    link: str,
    cursor: bool,
    figures: Figures,
) -> None:
    """Any mix of lying counts and looping links: the listing ends, in a bounded number of
    requests, with its items or our error. (Links cycle through at most 5 distinct URLs: a
    server that invents a new link for every page is an endless list, read until the
    consumer stops.)"""
    requests = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        number = int(request.url.params.get("page", request.url.params.get("cursor", "1")))
        target = {"none": None, "self": number, "next": number + 1, "first": 1}.get(
            link, (number % 5) + 1
        )
        key = "cursor" if cursor else "page"
        next_url = None if target is None else f"{BASE}/hooks?{key}={target}"
        items = [{"id": 10 * number + i} for i in range(per_page)]
        if cursor:
            return httpx.Response(200, json={"results": items, "next": next_url})
        body = page(items, total=total, total_pages=total_pages, next_url=next_url)
        return httpx.Response(200, json=body)

    async with make_client(answer) as client:
        listing = client.request_paginated("hooks")
        if cursor:
            listing = client.request_cursor_paginated("hooks")
        try:
            with figures.call(10):
                async for _ in listing:
                    if requests > 60:
                        break
        except RossumError:
            pass
        assert _held(figures, client) == 0
    follow = cursor or total_pages is None
    endless = (follow and link == "next") or (
        not follow and total is None and (total_pages or 0) > 40
    )
    if not endless:  # an endless list is read until the consumer stops (here: 60 requests)
        assert requests <= 45, requests


# -- slow and silent servers -----------------------------------------------------------------------


async def _elapsed(figures: Figures, call: Any, bound: float) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    error: BaseException | None = None
    try:
        with figures.call(bound):
            await call()
    except trio.TooSlowError:
        raise
    except Exception as exc:
        error = exc
    return time.monotonic() - started, error


@pytest.mark.parametrize("what", ["object", "list", "export stream"])
async def test_a_trickling_server_meets_the_total_deadline(what: str, figures: Figures) -> None:
    """One byte every 0.1 s, with ``timeout=0.5``: per-read timeouts never fire, the total
    deadline does (for every attempt: two here)."""
    server = RawServer(lambda request: trickle(0.1))
    async with server.serving():
        client = make_client(
            base_url=server.base_url, timeout=0.5, n_retries=2, rate_limit_per_second=None
        )
        calls = {
            "object": lambda: client.retrieve_workspace(1),
            "list": lambda: client.request_json("GET", "workspaces"),
            "export stream": lambda: client.export_annotations_to_file(1, "csv").read_all(),
        }
        async with client:
            elapsed, error = await _elapsed(figures, calls[what], 10)
            assert _held(figures, client) == 0
    assert isinstance(error, APITimeoutError), repr(error)
    assert elapsed < 4, elapsed


async def test_a_silent_server(figures: Figures) -> None:
    server = RawServer(lambda request: hang())
    async with server.serving():
        client = make_client(
            base_url=server.base_url, timeout=0.5, n_retries=2, rate_limit_per_second=None
        )
        async with client:
            elapsed, error = await _elapsed(figures, lambda: client.retrieve_queue(1), 10)
            assert _held(figures, client) == 0
    assert isinstance(error, APITimeoutError), repr(error)
    assert elapsed < 4


@pytest.mark.parametrize("what", ["object", "export stream"])
def test_the_blocking_client_against_a_trickling_server(what: str, figures: Figures) -> None:
    with serve_in_thread(RawServer(lambda request: trickle(0.1))) as server:
        with SyncRossumAPIClient(
            server.base_url, Token(TOKEN), timeout=0.5, n_retries=1, rate_limit_per_second=None
        ) as client:
            started = time.monotonic()
            figures.add("calls_started")
            with pytest.raises(APITimeoutError):
                if what == "object":
                    client.retrieve_queue(1)
                else:
                    client.export_annotations_to_file(1, "csv").read_all()
            figures.add("calls_ended")
    assert time.monotonic() - started < 4


# -- waiting for ids -------------------------------------------------------------------------------


async def test_waiting_for_an_id_the_list_never_returns(
    autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in request.url.params["id"].split(",")]
        return httpx.Response(200, json=page([annotation(i) for i in ids if i != 6]))

    async with make_client(answer) as client:
        with figures.call(3600), pytest.raises(PollingError, match="6"):
            await client.wait_until_annotations_imported([5, 6, 7], sleep_s=2)
        assert _held(figures, client) == 0


# -- streams and slots -----------------------------------------------------------------------------


def _chunked_export(chunks: int = 5) -> Any:
    async def body() -> Any:
        for i in range(chunks):
            yield f"row {i}\n".encode()
            await trio.lowlevel.checkpoint()

    def answer(request: httpx.Request) -> httpx.Response:
        if "export" in request.url.path:
            return httpx.Response(200, stream=httpx.ByteStream(b"") if chunks == 0 else _Stream())
        return httpx.Response(200, json=workspace(1))

    class _Stream(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            async for part in body():
                yield part

    return answer


#: A stream dropped without closing is cleaned up by trio, which says so (ResourceWarning,
#: like an unclosed file): expected here, where streams are dropped on purpose.
DROPPED = pytest.mark.filterwarnings("ignore::ResourceWarning")


@DROPPED
async def test_dropped_export_streams_keep_no_slot(figures: Figures) -> None:
    async with make_client(_chunked_export(), max_in_flight_requests=2) as client:
        for _ in range(6):
            stream = client.export_annotations_to_file(1, "csv")
            await stream.__anext__()
            del stream  # dropped without aclose()
        gc.collect()
        assert _held(figures, client) == 0
        with figures.call(5):
            await client.retrieve_workspace(1)


@DROPPED
async def test_streams_opened_by_a_task_that_ended(figures: Figures) -> None:
    async with make_client(_chunked_export(), max_in_flight_requests=1) as client:

        async def open_and_forget() -> None:
            stream = client.export_annotations_to_file(1, "csv")
            await stream.__anext__()

        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(open_and_forget)
        assert _held(figures, client) == 0
        with figures.call(5):
            await client.retrieve_workspace(1)


@DROPPED
async def test_dropped_streams_over_sockets_free_their_connections(figures: Figures) -> None:
    """More dropped streams than httpx's pool has connections (100)."""

    def script(request: Any) -> Any:
        return (
            trickle(0.01, size=10**6) if "export" in request.target else respond(200, workspace(1))
        )

    server = RawServer(script)
    async with server.serving():
        client = make_client(
            base_url=server.base_url, timeout=5, n_retries=1, rate_limit_per_second=None
        )
        async with client:
            for _ in range(110):
                stream = client.export_annotations_to_file(1, "csv")
                await stream.__anext__()
                del stream
            gc.collect()
            assert _held(figures, client) == 0
            with figures.call(5):
                await client.retrieve_workspace(1)


async def test_a_request_while_reading_a_stream_with_every_slot_taken(figures: Figures) -> None:
    async with make_client(_chunked_export(), max_in_flight_requests=1) as client:
        with figures.call(5):
            async with client.export_annotations_to_file(1, "csv") as stream:
                async for _ in stream:
                    await client.retrieve_workspace(1)
        assert _held(figures, client) == 0


async def test_cancelled_at_any_point_no_slot_is_held(
    autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """A listing, a stream and an upload cancelled at 40 points in time each."""

    async def answer(request: httpx.Request) -> httpx.Response:
        await trio.sleep(0.1)
        number = int(request.url.params.get("page", "1"))
        if "export" in request.url.path:
            return httpx.Response(200, content=b"a,b\n" * 100)
        items = [workspace(100 * number + i) for i in range(100)]
        return httpx.Response(200, json=page(items, total=1000, total_pages=10))

    async with make_client(answer, max_in_flight_requests=3) as client:
        for step in range(40):
            for work in (
                lambda: client.request_json("GET", "workspaces"),
                lambda: client.export_annotations_to_file(1, "csv").read_all(),
                lambda: _drain(client.list_workspaces()),
            ):
                with trio.move_on_after(step * 0.013):
                    await work()
                assert _held(figures, client) == 0


async def _drain(listing: Any) -> None:
    async for _ in listing:
        pass


async def test_a_file_read_that_blocks_is_abandoned_on_cancel(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    """A read stuck in the kernel (a hung network share) does not hold up a cancel scope."""
    import builtins

    from rossum_trio import _files

    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    release = threading.Event()

    def stuck_open(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return builtins.open(*args, **kwargs)

    monkeypatch.setattr(_files, "open", stuck_open, raising=False)
    recorder_calls: list[Any] = []
    async with make_client(lambda request: recorder_calls.append(request)) as client:
        started = time.monotonic()
        figures.add("calls_started")
        with trio.move_on_after(0.5):
            await client.upload_document(1, [(tmp_path / "a.pdf", "a.pdf")])
        figures.add("calls_ended")
        elapsed = time.monotonic() - started
        release.set()
        assert _held(figures, client) == 0
    assert elapsed < 3 and recorder_calls == []
