"""``deserializer=`` and ``response_post_processor=`` behave as the official ones document.

* ``deserializer(resource, payload_dict)`` is called for every returned object (single objects,
  each list item, created/updated objects) and its result is returned as is;
* without one, the msgspec models come back (the same result as ``deserialize_default``);
* ``response_post_processor(response)`` is called, synchronously, on every HTTP response,
  error responses included; its return value is ignored.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rossum_api.models import deserialize_default
from rossum_trio import Resource
from rossum_trio.errors import NotFoundError
from rossum_trio.models import Hook, Workspace
from tests.support import BASE
from tests.support.clients import make_client
from tests.support.payloads import REFERENCE_WORKSPACE, page
from tests.support.wire import Wire

WORKSPACE = {**REFERENCE_WORKSPACE, "brand_new_field": {"the API": "grows"}}
HOOK = {
    "id": 5,
    "name": "My hook",
    "url": f"{BASE}/hooks/5",
    "active": True,
    "config": {"url": "https://example.com/hook"},
    "test": {},
    "guide": None,
    "read_more_url": None,
    "extension_image_url": None,
    "events": ["annotation_content.initialize", "some.future_event"],
}


class Deserializer:
    """A custom deserializer that records what it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Resource, dict[str, Any]]] = []

    def __call__(self, resource: Resource, payload: dict[str, Any]) -> Any:
        self.calls.append((resource, payload))
        return {"deserialized": payload["id"]}


async def test_deserializer_gets_resource_and_plain_dict(wire_client: Any, wire: Wire) -> None:
    recorder = Deserializer()
    wire.on("GET", "workspaces/7540", WORKSPACE)
    wire.on("PATCH", "hooks/5", HOOK)
    wire.on("GET", "hooks", page([HOOK, {**HOOK, "id": 6}]))
    async with wire_client(deserializer=recorder) as client:
        assert await client.retrieve_workspace(7540) == {"deserialized": 7540}
        assert await client.update_part_hook(5, {"active": False}) == {"deserialized": 5}
        assert [h async for h in client.list_hooks()] == [
            {"deserialized": 5},
            {"deserialized": 6},
        ]
    assert recorder.calls == [
        (Resource.Workspace, WORKSPACE),  # unknown fields reach the deserializer untouched
        (Resource.Hook, HOOK),
        (Resource.Hook, HOOK),
        (Resource.Hook, {**HOOK, "id": 6}),
    ]


async def test_default_models_equal_deserialize_default(wire_client: Any, wire: Wire) -> None:
    wire.on("GET", "workspaces/7540", WORKSPACE)
    wire.on("GET", "hooks/5", HOOK)
    async with wire_client() as client:
        workspace = await client.retrieve_workspace(7540)
        hook = await client.retrieve_hook(5)
    async with wire_client(deserializer=deserialize_default) as client:
        assert await client.retrieve_workspace(7540) == workspace
        assert await client.retrieve_hook(5) == hook
    assert isinstance(workspace, Workspace) and workspace.name == "East West Trading Co"
    assert isinstance(hook, Hook)
    assert hook.events == ["annotation_content.initialize", "some.future_event"]


async def test_deserializer_may_return_anything(wire_client: Any, wire: Wire) -> None:
    wire.on("GET", "schemas", page([{"id": 1}, {"id": 2}]))
    async with wire_client(deserializer=lambda resource, payload: payload["id"]) as client:
        assert [s async for s in client.list_schemas()] == [1, 2]


def test_deserializer_must_be_callable() -> None:
    from rossum_trio import AsyncRossumAPIClient, Token

    with pytest.raises(ValueError, match="deserializer"):
        AsyncRossumAPIClient(BASE, Token("t"), deserializer="not callable")  # type: ignore[arg-type]


async def test_post_processor_sees_every_response(wire_client: Any, wire: Wire) -> None:
    seen: list[tuple[str, int]] = []

    def post_process(response: httpx.Response) -> str:
        seen.append((response.request.url.path, response.status_code))
        return "ignored"

    wire.on("GET", "workspaces/7540", WORKSPACE)
    wire.on("GET", "workspaces/1", {"detail": "Not found."}, status=404)
    wire.on("POST", "auth/password/reset", {"detail": "sent"})
    async with wire_client(response_post_processor=post_process) as client:
        await client.retrieve_workspace(7540)
        with pytest.raises(NotFoundError):
            await client.retrieve_workspace(1)
        assert await client.reset_user_password("a@b.c") == {"detail": "sent"}
    assert seen == [
        ("/api/v1/workspaces/7540", 200),
        ("/api/v1/workspaces/1", 404),
        ("/api/v1/auth/password/reset", 200),
    ]


async def test_post_processor_sees_the_login_response(wire: Wire) -> None:
    from rossum_trio import UserCredentials

    seen: list[str] = []
    wire.on("POST", "auth/login", {"key": "k"})
    wire.on("GET", "rules/3", {"id": 3})
    async with make_client(
        wire.handler,
        credentials=UserCredentials("u", "p"),
        deserializer=lambda r, d: d,
        response_post_processor=lambda response: seen.append(response.request.url.path),
    ) as client:
        assert await client.retrieve_rule(3) == {"id": 3}
    assert seen == ["/api/v1/auth/login", "/api/v1/rules/3"]
