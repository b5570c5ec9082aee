"""The generic requests and auth helpers (``_endpoints/generic.py``): request, request_json,
request_(cursor_)paginated, get_token, authenticate; from both clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from rossum_trio import AsyncRossumAPIClient, UserCredentials
from rossum_trio.errors import NotFoundError
from tests.support import BASE
from tests.support.clients import make_client, sync_client
from tests.support.wire import Recorder


async def test_request_and_request_json(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    api.post("/custom/endpoint").respond(json={"ok": True})
    api.delete("/custom/thing").respond(204)
    raw = api.get(f"{BASE}/absolute").respond(content=b"\x00\x01")
    assert await client.request_json("POST", "custom/endpoint", json={"data": 1}) == {"ok": True}
    assert await client.request_json("DELETE", "/custom/thing") == {}
    response = await client.request("GET", url=f"{BASE}/absolute")
    assert response.content == b"\x00\x01" and raw.called
    # Absolute URLs elsewhere never get the credentials (differences.md).
    with pytest.raises(ValueError, match="refusing to send credentials to 'localhost'"):
        await client.request("GET", url="http://localhost:8000/absolute")


async def test_get_token_and_authenticate(api: respx.MockRouter) -> None:
    keys = iter(["k1", "k2", "k3"])
    login = api.post("/auth/login").mock(
        side_effect=lambda _: httpx.Response(200, json={"key": next(keys)})
    )
    async with make_client(credentials=UserCredentials("u", "p")) as client:
        assert await client.get_token() == "k1"
        assert await client.get_token() == "k1"
        assert await client.get_token(refresh=True) == "k2"
        await client.authenticate()
        assert await client.get_token() == "k3"
    assert login.call_count == 3


# -- the blocking client ---------------------------------------------------------------------------


def test_generic_requests_and_errors() -> None:
    def route(request: httpx.Request) -> Any:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"detail": "Not found."})
        if request.url.path.endswith("/empty"):
            return httpx.Response(204)
        return {"echo": request.url.params.get("x")}

    with sync_client(Recorder(route)) as client:
        assert client.request_json("GET", "things", params={"x": "1"}) == {"echo": "1"}
        assert client.request_json("DELETE", "empty") == {}
        response = client.request("GET", url="things")
        assert isinstance(response, httpx.Response) and response.json() == {"echo": None}
        with pytest.raises(NotFoundError) as caught:
            client.request_json("GET", "missing")
        assert caught.value.status_code == 404
        assert isinstance(caught.value, httpx.HTTPStatusError)
        # The client is still usable after an error.
        assert client.request_json("GET", "things") == {"echo": None}


def test_request_paginated_keeps_the_official_sync_positional_order() -> None:
    def route(request: httpx.Request) -> Any:
        return {
            "pagination": {"total": 300, "total_pages": 3, "next": None, "previous": None},
            "results": [{"page": request.url.params.get("page", "1")}],
        }

    server = Recorder(route)
    with sync_client(server) as client:
        # sync order: ordering, sideloads, content_schema_ids, method, json, max_pages
        items = list(client.request_paginated("hooks", ["id"], (), (), "POST", {"q": 1}, 2))
        assert items == [{"page": "1"}, {"page": "2"}]
        assert [r.method for r in server.requests] == ["POST", "POST"]
        assert all(json.loads(r.content) == {"q": 1} for r in server.requests)
        assert server.requests[0].url.params["ordering"] == "id"
        server.requests.clear()
        # paginated=False (7th positional): one request
        assert list(client.request_paginated("hooks", (), (), (), "GET", None, None, False)) == [
            {"page": "1"}
        ]
        assert len(server.requests) == 1
        with pytest.raises(TypeError, match="multiple values"):
            client.request_paginated("hooks", ["id"], ordering=["x"])


def test_request_cursor_paginated_follows_next() -> None:
    def route(request: httpx.Request) -> Any:
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return {"results": [{"n": 1}, {"n": 2}], "next": f"{BASE}/logs?cursor=b"}
        return {"results": [{"n": 3}], "next": None}

    server = Recorder(route)
    with sync_client(server) as client:
        assert list(client.request_cursor_paginated("logs")) == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert len(server.requests) == 2
