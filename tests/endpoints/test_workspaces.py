"""Workspaces (``_endpoints/workspaces.py``) on the wire, from both clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from rossum_trio import AsyncRossumAPIClient, Resource
from tests.support import BASE, TOKEN
from tests.support.clients import sync_client
from tests.support.crud import create_tests, delete_tests, list_tests, retrieve_tests
from tests.support.payloads import page, workspace
from tests.support.wire import Recorder, body_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_workspace", Resource.Workspace, "workspaces/7"))
test_create = create_tests(("create_new_workspace", Resource.Workspace, "workspaces"))
test_delete = delete_tests(("delete_workspace", "workspaces/7"))
test_list, test_list_defaults = list_tests(
    ("list_workspaces", Resource.Workspace, "workspaces", ["name"], {"organization": "3"})
)


async def test_workspaces(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/workspaces/7").respond(json=workspace(7))
    api.get("/workspaces").respond(json=page([workspace(7)]))
    create = api.post("/workspaces").respond(201, json=workspace(8))
    api.delete("/workspaces/8").respond(204)
    assert (await client.retrieve_workspace(7)).name == "ws-7"
    assert [w.id async for w in client.list_workspaces()] == [7]
    data = {"name": "W", "organization": f"{BASE}/organizations/1"}
    assert (await client.create_new_workspace(data)).id == 8
    assert body_of(create.calls.last.request) == data
    await client.delete_workspace(8)


# -- the blocking client ---------------------------------------------------------------------------


def test_crud_on_the_wire() -> None:
    def route(request: httpx.Request) -> Any:
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "POST":
            return {**workspace(9), **json.loads(request.content)}
        return workspace(int(request.url.path.rsplit("/", 1)[1]))

    server = Recorder(route)
    with sync_client(server) as client:
        assert client.retrieve_workspace(7).name == "ws-7"
        created = client.create_new_workspace({"name": "new", "organization": "o"})
        assert created.name == "new"
        client.delete_workspace(9)
    sent = [(r.method, str(r.url)) for r in server.requests]
    assert sent == [
        ("GET", f"{BASE}/workspaces/7"),
        ("POST", f"{BASE}/workspaces"),
        ("DELETE", f"{BASE}/workspaces/9"),
    ]
    assert json.loads(server.requests[1].content) == {"name": "new", "organization": "o"}
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in server.requests)
