"""Annotations (``_endpoints/annotations.py``) on the wire: listing and search, sideloads,
updates, actions, polling."""

from __future__ import annotations

import httpx
import pytest
import respx
import trio

from rossum_trio import AsyncRossumAPIClient
from rossum_trio.errors import AnnotationImportFailedError, APIConnectionError
from rossum_trio.models import Annotation, Document
from tests.support import BASE, LIST_QUERY
from tests.support.clients import make_client
from tests.support.payloads import annotation, document, page
from tests.support.wire import body_of, query_of


async def test_list_annotations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    route = api.get("/annotations").respond(json=page([annotation(1), annotation(2)]))
    found = [a async for a in client.list_annotations(ordering=["-created_at"], status="to_review")]
    assert [a.id for a in found] == [1, 2] and isinstance(found[0], Annotation)
    assert query_of(route.calls.last.request) == {
        **LIST_QUERY,
        "ordering": "-created_at",
        "status": "to_review",
        "include_total": "true",
    }


async def test_list_annotations_with_sideloads(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    dp_url = f"{BASE}/annotations/1/content/55"
    body = page(
        [annotation(1), annotation(2, document=f"{BASE}/documents/999")],
        documents=[document(101)],
        content=[{"id": 55, "url": dp_url, "category": "datapoint", "schema_id": "amount"}],
    )
    route = api.get("/annotations").respond(json=body)
    found = [
        a
        async for a in client.list_annotations(
            sideloads=["documents", "content"], content_schema_ids=["amount"]
        )
    ]
    params = query_of(route.calls.last.request)
    assert params["sideload"] == "documents,content" and params["content.schema_id"] == "amount"
    assert isinstance(found[0].document, Document) and found[0].document.id == 101
    assert found[0].content == [body["content"][0]]
    assert found[1].document == f"{BASE}/documents/999"  # no such sideload: URL kept
    assert found[1].content == []
    with pytest.raises(ValueError, match="content_schema_ids"):
        client.list_annotations(sideloads=["content"])
    api.get("/annotations").mock(side_effect=None)


async def test_search_for_annotations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    route = api.post("/annotations/search").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json=page([annotation(int(request.url.params.get("page", "1")))], total_pages=2),
        )
    )
    query = {"$and": [{"status": {"$eq": "to_review"}}]}
    found = [
        a async for a in client.search_for_annotations(query, {"string": "acme"}, ordering=["id"])
    ]
    assert [a.id for a in found] == [1, 2]
    first, second = route.calls[0].request, route.calls[1].request
    assert body_of(first) == body_of(second) == {"query": query, "query_string": {"string": "acme"}}
    assert query_of(first) == {**LIST_QUERY, "ordering": "id", "include_total": "true"}
    assert query_of(second)["page"] == "2"
    with pytest.raises(ValueError, match="query"):
        client.search_for_annotations()


async def test_retrieve_annotation_with_sideloads(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    api.get("/annotations/1").respond(json=annotation(1))
    doc = api.get("/documents/101").respond(json=document(101))
    content = api.get("/annotations/1/content").respond(json={"content": [{"id": 5}]})
    plain = await client.retrieve_annotation(1)
    assert plain.document == f"{BASE}/documents/101"
    full = await client.retrieve_annotation(
        1,
        sideloads=["documents", "content", "automation_blockers"],
        sideload_query_params={"content": {"schema_id": "amount"}},
    )
    assert isinstance(full.document, Document)
    assert full.content == [{"id": 5}]
    assert full.automation_blocker is None
    assert query_of(content.calls.last.request) == {"schema_id": "amount"}
    assert doc.call_count == 1
    with pytest.raises(ValueError, match="not requested"):
        await client.retrieve_annotation(1, sideload_query_params={"content": {}})


@pytest.mark.parametrize(
    ("method_name", "http_method", "path"),
    [
        ("update_annotation", "PUT", "/annotations/3"),
        ("update_part_annotation", "PATCH", "/annotations/3"),
    ],
)
async def test_annotation_updates(
    client: AsyncRossumAPIClient,
    api: respx.MockRouter,
    method_name: str,
    http_method: str,
    path: str,
) -> None:
    route = api.route(method=http_method, path=path).respond(json=annotation(3, "postponed"))
    result = await getattr(client, method_name)(3, {"status": "postponed"})
    assert result.status == "postponed"
    assert body_of(route.calls.last.request) == {"status": "postponed"}


async def test_create_new_annotation(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    route = api.post("/annotations").respond(201, json=annotation(4, "created"))
    data = {"status": "created", "document": f"{BASE}/documents/1", "queue": f"{BASE}/queues/2"}
    assert (await client.create_new_annotation(data)).id == 4
    assert body_of(route.calls.last.request) == data


async def test_bulk_update_annotation_data(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    route = api.post("/annotations/3/content/operations").respond(json={"content": []})
    ops = [{"op": "replace", "id": "198143", "value": {"content": {"value": "John"}}}]
    assert await client.bulk_update_annotation_data(3, ops) is None
    assert body_of(route.calls.last.request) == {"operations": ops}


@pytest.mark.parametrize(
    ("method_name", "action", "status"),
    [
        ("start_annotation", "start", 200),
        ("confirm_annotation", "confirm", 204),
        ("cancel_annotation", "cancel", 204),
        ("delete_annotation", "delete", 204),
    ],
)
async def test_annotation_actions(
    client: AsyncRossumAPIClient,
    api: respx.MockRouter,
    method_name: str,
    action: str,
    status: int,
) -> None:
    body = {"annotation": f"{BASE}/annotations/3"} if status == 200 else None
    route = api.post(f"/annotations/3/{action}").respond(status, json=body)
    assert await getattr(client, method_name)(3) is None
    request = route.calls.last.request
    assert request.content == b"" and query_of(request) == {}


async def test_annotation_action_is_never_retried(api: respx.MockRouter) -> None:
    route = api.post("/annotations/3/confirm").mock(side_effect=httpx.ReadError("reset"))
    async with make_client(retry_backoff_factor=0) as client:
        with pytest.raises(APIConnectionError):
            await client.confirm_annotation(3)
    assert route.call_count == 1


async def test_processing_duration(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    durations = {
        "annotation": f"{BASE}/annotations/3",
        "time_spent_active": 1.0,
        "time_spent_overall": 2.0,
        "time_spent_edit": 0.5,
        "time_spent_blockers": 0.0,
        "time_spent_emails": 0.0,
        "time_spent_opening": 0.1,
        "duration_latest_validate_started": None,
        "duration_latest_validate_updated_before_confirm": None,
        "brand_new_field": True,
    }
    api.get("/annotations/3/processing_duration").respond(json=durations)
    result = await client.retrieve_annotation_processing_duration(3)
    assert result.time_spent_overall == 2.0


async def test_poll_annotation_until_imported(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    statuses = iter(["importing", "importing", "to_review"])
    route = api.get("/annotations/3").mock(
        side_effect=lambda _: httpx.Response(200, json=annotation(3, next(statuses)))
    )
    start = trio.current_time()
    result = await client.poll_annotation_until_imported(3, sleep_s=2)
    assert result.status == "to_review"
    assert route.call_count == 3 and trio.current_time() - start == pytest.approx(4.0)


async def test_poll_annotation_raises_on_failed_import(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    statuses = iter(["importing", "failed_import"])
    api.get("/annotations/3").mock(
        side_effect=lambda _: httpx.Response(200, json=annotation(3, next(statuses)))
    )
    with pytest.raises(AnnotationImportFailedError) as info:
        await client.poll_annotation_until_imported(3, sleep_s=1)
    assert info.value.annotation_id == 3


async def test_poll_annotation_with_sideloads(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    api.get("/annotations/3").respond(json=annotation(3, "confirmed"))
    api.get("/documents/103").respond(json=document(103))
    result = await client.poll_annotation(3, lambda a: a.status == "confirmed", 1, ["documents"])
    assert isinstance(result.document, Document)
