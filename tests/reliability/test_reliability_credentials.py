"""Issue #9, class 1: credentials stay home.

The ``Authorization`` header (and the login form, and a search body) only ever goes to the
origin of ``base_url``. A link in an answer that points elsewhere ends the call with an
``UnexpectedResponseError`` naming the host; a URL the caller gives that points elsewhere is a
``ValueError``. Nothing is sent to the other origin, with or without credentials.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from rossum_trio import UserCredentials
from rossum_trio.errors import RossumError, UnexpectedResponseError
from tests.support import BASE, EVIL, FOREIGN_LINKS, HOST, PASSWORD, TOKEN, USERNAME
from tests.support.clients import make_client
from tests.support.figures import Figures
from tests.support.payloads import annotation, page, workspace
from tests.support.servers import RawServer, respond
from tests.support.wire import Recorder


def _host_named(error: BaseException, link: str) -> None:
    url = httpx.URL(link)
    assert isinstance(error, UnexpectedResponseError), repr(error)
    assert url.host in str(error), str(error)


def _count(figures: Figures, recorder: Recorder, offered: int = 1) -> None:
    figures.add("foreign_links", offered)
    figures.add("foreign_requests", len(recorder.foreign()))


@pytest.mark.parametrize("link", FOREIGN_LINKS)
async def test_next_link_without_total_pages(link: str, figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page([workspace(1)], next_url=link))

    recorder = Recorder(answer)
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError) as info:
            [w async for w in client.list_workspaces()]
    _count(figures, recorder)
    assert recorder.foreign() == []
    _host_named(info.value, link)


@pytest.mark.parametrize("link", FOREIGN_LINKS[:3])
async def test_cursor_next_link(link: str, figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": [{"id": 1}], "next": link})

    recorder = Recorder(answer)
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError) as info:
            [item async for item in client.request_cursor_paginated("hooks/logs")]
    _count(figures, recorder)
    assert recorder.foreign() == []
    _host_named(info.value, link)


@pytest.mark.parametrize("link", FOREIGN_LINKS[:3])
async def test_search_next_link_gets_neither_token_nor_query(link: str, figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page([annotation(1)], next_url=link))

    recorder = Recorder(answer)
    query = {"$and": [{"field": "status", "$eq": "confidential-query-term"}]}
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError) as info:
            [a async for a in client.search_for_annotations(query=query)]
    _count(figures, recorder)
    assert recorder.foreign() == []
    assert sum(b"confidential" in s.body for s in recorder.seen) == 1
    _host_named(info.value, link)


@pytest.mark.parametrize("sideload", ["documents", "modifiers", "content"])
async def test_sideload_url_elsewhere(sideload: str, figures: Figures) -> None:
    field = {"documents": "document", "modifiers": "modifier", "content": "content"}[sideload]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/annotations/5":
            return httpx.Response(200, json=annotation(5, **{field: f"https://{EVIL}/x/9"}))
        return httpx.Response(200, json={"id": 9, "url": str(request.url), "content": []})

    recorder = Recorder(answer)
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError) as info:
            await client.retrieve_annotation(5, sideloads=[sideload])  # type: ignore[list-item]
    _count(figures, recorder)
    assert recorder.foreign() == []
    _host_named(info.value, f"https://{EVIL}/")


async def test_poll_annotation_sideload_elsewhere(figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=annotation(5, document=f"http://{HOST}/api/v1/d/1"))

    recorder = Recorder(answer)
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError):
            await client.poll_annotation(5, lambda a: True, sideloads=["documents"])
    _count(figures, recorder)
    assert recorder.foreign() == []


async def test_with_a_password_the_login_form_stays_home_too(figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        return httpx.Response(200, json=page([workspace(1)], next_url=FOREIGN_LINKS[0]))

    recorder = Recorder(answer)
    credentials = UserCredentials(USERNAME, PASSWORD)
    async with make_client(recorder, credentials=credentials, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError):
            [w async for w in client.list_workspaces()]
    _count(figures, recorder)
    assert recorder.foreign() == []
    assert [s.url for s in recorder.seen if PASSWORD.encode() in s.body] == [f"{BASE}/auth/login"]


@pytest.mark.parametrize("link", FOREIGN_LINKS[:3])
async def test_caller_urls_elsewhere_are_refused(link: str, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={}))
    async with make_client(recorder) as client:
        for call in (
            lambda: client.request("GET", link),
            lambda: client.request_json("POST", link, json={"a": 1}),
        ):
            with figures.call(), pytest.raises(ValueError, match="credentials"):
                await call()
        with figures.call(), pytest.raises(ValueError, match="credentials"):
            [x async for x in client.request_paginated(link)]
    _count(figures, recorder, offered=3)
    assert recorder.seen == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirects_elsewhere_are_not_followed(status: int, figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Location": f"https://{EVIL}/api/v1/queues/1"})

    recorder = Recorder(answer)
    async with make_client(recorder, n_retries=1) as client:
        with figures.call(), pytest.raises(RossumError):
            await client.retrieve_queue(1)
    _count(figures, recorder)
    assert len(recorder.seen) == 1


async def test_links_on_the_home_origin_are_still_followed(figures: Figures) -> None:
    """The default port spelled out, and a relative link: both are home."""
    links = {1: f"https://{HOST}:443/api/v1/workspaces?cursor=2", 2: "workspaces?cursor=3"}

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("cursor", "1"))
        return httpx.Response(200, json=page([workspace(number)], next_url=links.get(number)))

    recorder = Recorder(answer)
    async with make_client(recorder) as client:
        with figures.call():
            items = [w.id async for w in client.list_workspaces()]
    assert items == [1, 2, 3]
    assert recorder.foreign() == []


async def test_over_sockets_another_port_gets_nothing(figures: Figures) -> None:
    """Two real loopback servers: the home one links to the other; the other sees nothing."""
    elsewhere = RawServer(lambda request: respond(200, page([workspace(2)])))
    async with elsewhere.serving():

        def home_script(request: Any) -> Any:
            return respond(200, page([workspace(1)], next_url=f"{elsewhere.base_url}/workspaces"))

        home = RawServer(home_script)
        async with home.serving():
            client = make_client(base_url=home.base_url, n_retries=1, rate_limit_per_second=None)
            async with client:
                with trio.fail_after(10), figures.call(), pytest.raises(RossumError) as info:
                    [w async for w in client.list_workspaces()]
    figures.add("foreign_links")
    figures.add("foreign_requests", len(elsewhere.requests))
    assert elsewhere.requests == []
    assert [r.headers.get("authorization") for r in home.requests] == [f"Bearer {TOKEN}"]
    assert str(elsewhere.port) in str(info.value)
