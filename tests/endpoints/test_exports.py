"""Queue exports (``_endpoints/exports.py``) on the wire: the JSON listing (moving with
``to_status``), the file stream and its formats (how streams end:
``tests/request/test_streams.py``)."""

from __future__ import annotations

from typing import Any

import httpx
import respx

from rossum_trio import AsyncRossumAPIClient, ExportFileFormats
from tests.support import BASE, LIST_QUERY
from tests.support.clients import make_client
from tests.support.payloads import exported, page
from tests.support.wire import query_of


async def test_export_annotations_to_json(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    route = api.get("/queues/7/export").respond(json=page([exported(1), exported(2)]))
    found = [a async for a in client.export_annotations_to_json(7, status="confirmed")]
    assert [a.id for a in found] == [1, 2]
    assert found[0].schema == f"{BASE}/schemas/31336"
    assert query_of(route.calls.last.request) == {
        **LIST_QUERY,
        "format": "json",
        "status": "confirmed",
        "include_total": "true",
    }


async def test_export_with_to_status_exports_each_annotation_once(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    matching = list(range(1, 151))  # 150 confirmed annotations, 2 pages of 100

    def read_only(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        chunk = matching[(number - 1) * 100 : number * 100]
        return httpx.Response(200, json=page([exported(i) for i in chunk], total_pages=2))

    def move(request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in request.url.params["id"].split(",")]
        return httpx.Response(200, json=page([exported(i) for i in ids]))

    api.get("/queues/7/export").mock(side_effect=read_only)
    moving = api.post("/queues/7/export").mock(side_effect=move)
    found = [
        a.id
        async for a in client.export_annotations_to_json(
            7, status="confirmed", to_status="exported"
        )
    ]
    assert found == matching
    assert moving.call_count == 2
    params = query_of(moving.calls[0].request)
    assert params["to_status"] == "exported" and params["format"] == "json"
    assert params["id"] == ",".join(map(str, range(1, 101)))


async def test_export_annotations_to_file(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    route = api.get("/queues/7/export").respond(content=b"meta_file_name,Invoice number\na.pdf,1\n")
    chunks = [
        c
        async for c in client.export_annotations_to_file(
            7, ExportFileFormats.CSV, status="exported", columns=["meta_file_name", "document_id"]
        )
    ]
    assert b"".join(chunks) == b"meta_file_name,Invoice number\na.pdf,1\n"
    assert query_of(route.calls.last.request) == {
        "format": "csv",
        "status": "exported",
        "columns": "meta_file_name,document_id",
    }
    async with client.export_annotations_to_file(7, "xml") as stream:  # a plain string works
        await stream.read_all()
    assert query_of(route.calls.last.request) == {"format": "xml"}
    assert client.limiter.statistics().borrowed_tokens == 0


async def test_export_to_file_with_to_status_is_a_post(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    route = api.post("/queues/7/export").respond(content=b"<export/>")
    async with client.export_annotations_to_file(7, "xml", to_status="exported") as stream:
        assert await stream.read_all() == b"<export/>"
    assert query_of(route.calls.last.request) == {"format": "xml", "to_status": "exported"}


async def test_export_with_to_status_and_a_custom_deserializer(api: respx.MockRouter) -> None:
    api.get("/queues/7/export").respond(json=page([exported(1), exported(2)]))
    moving = api.post("/queues/7/export").respond(json=page([exported(1), exported(2)]))
    seen: list[Any] = []

    def deserializer(resource: Any, data: dict[str, Any]) -> dict[str, Any]:
        seen.append(resource)
        return data

    async with make_client(deserializer=deserializer) as client:
        found = [a async for a in client.export_annotations_to_json(7, to_status="exported")]
    assert [a["id"] for a in found] == [1, 2]
    assert query_of(moving.calls.last.request)["id"] == "1,2"
    assert {r.value for r in seen} == {"annotations"}
