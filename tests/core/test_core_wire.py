"""Wire-level tests (respx): each core method sends the official request and decodes the answer."""

from __future__ import annotations

import json
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
import trio
from core_support import (
    BASE,
    LIST_QUERY,
    annotation,
    document,
    organization,
    page,
    queue,
    relation,
    task,
    workspace,
)

from rossum_trio import AsyncRossumAPIClient, ExportFileFormats, Token, UserCredentials
from rossum_trio.errors import AnnotationImportFailedError, APIConnectionError, TaskFailedError
from rossum_trio.models import Annotation, Document, Queue, Task, TaskStatus


@pytest.fixture
async def client() -> AsyncIterator[AsyncRossumAPIClient]:
    async with AsyncRossumAPIClient(
        BASE, Token("tok"), retry_backoff_factor=0.0, retry_max_jitter=0.0
    ) as c:
        yield c


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


def query_of(request: httpx.Request) -> dict[str, str]:
    items = request.url.params.multi_items()
    assert len(items) == len(dict(items)), f"repeated query keys in {request.url}"
    return dict(items)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def multipart_parts(request: httpx.Request) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, content) of each part of a multipart request body."""
    ctype = request.headers["content-type"]
    boundary = ctype.split("boundary=")[1].encode()
    parts = []
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _, body = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = head.split(b"\r\n")[0].decode()
        name = disposition.split('name="')[1].split('"')[0]
        filename = (
            disposition.split('filename="')[1].split('"')[0]
            if "filename=" in head.decode()
            else None
        )
        parts.append((name, filename, body))
    return parts


# -- annotations ---------------------------------------------------------------------------------


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
    async with AsyncRossumAPIClient(BASE, Token("t"), retry_backoff_factor=0) as client:
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


# -- documents, uploads, tasks -------------------------------------------------------------------


async def test_retrieve_document_and_content(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    api.get("/documents/5").respond(json=document(5))
    api.get("/documents/5/content").respond(content=b"%PDF-1.4 ...")
    assert (await client.retrieve_document(5)).original_file_name == "invoice.pdf"
    assert await client.retrieve_document_content(5) == b"%PDF-1.4 ..."


async def test_create_new_document(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    route = api.post("/documents").respond(201, json=document(6))
    parent = f"{BASE}/documents/1"
    result = await client.create_new_document("a.pdf", b"PDF", {"source": "email"}, parent)
    assert result.id == 6
    parts = multipart_parts(route.calls.last.request)
    assert parts == [
        ("content", "a.pdf", b"PDF"),
        ("metadata", None, b'{"source": "email"}'),  # httpx sends no filename for ""
        ("parent", None, parent.encode()),
    ]


async def test_upload_document(
    client: AsyncRossumAPIClient, api: respx.MockRouter, tmp_path: pathlib.Path
) -> None:
    files = []
    for i in range(3):
        path = tmp_path / f"f{i}.pdf"
        path.write_bytes(f"PDF-{i}".encode())
        files.append((str(path), f"invoice-{i}.pdf"))
    counter = iter(range(100, 200))
    upload = api.post("/uploads").mock(
        side_effect=lambda _: httpx.Response(202, json={"url": f"{BASE}/tasks/{next(counter)}"})
    )
    task_routes = [api.get(f"/tasks/{i}").respond(json=task(i)) for i in (100, 101, 102)]
    tasks = await client.upload_document(
        8199, files, values={"upload:unit": "Sales"}, metadata={"batch": 1}
    )
    assert all(isinstance(t, Task) for t in tasks)
    assert sorted(t.id for t in tasks) == [100, 101, 102]
    assert all(query_of(r.calls.last.request) == {"no_redirect": "True"} for r in task_routes)
    assert all(query_of(c.request) == {"queue": "8199"} for c in upload.calls)
    by_file = {}
    for call in upload.calls:
        parts = multipart_parts(call.request)
        assert [(n, f) for n, f, _ in parts] == [
            ("content", parts[0][1]),
            ("values", None),
            ("metadata", None),
        ]
        assert parts[1][2] == b'{"upload:unit": "Sales"}' and parts[2][2] == b'{"batch": 1}'
        by_file[parts[0][1]] = parts[0][2]
    assert by_file == {f"invoice-{i}.pdf": f"PDF-{i}".encode() for i in range(3)}
    with pytest.raises(ValueError, match="files"):
        await client.upload_document(1, "a.pdf")  # type: ignore[arg-type]


async def test_upload_is_not_repeated_after_a_read_error(
    api: respx.MockRouter, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"PDF")
    route = api.post("/uploads").mock(side_effect=httpx.ReadTimeout("slow"))
    async with AsyncRossumAPIClient(BASE, Token("t"), retry_backoff_factor=0) as client:
        with pytest.raises(APIConnectionError):
            await client.upload_document(1, [(path, "a.pdf")])
    assert route.call_count == 1


async def test_import_document_and_upload_and_wait(
    client: AsyncRossumAPIClient,
    api: respx.MockRouter,
    tmp_path: pathlib.Path,
    autojump_clock: object,
) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"PDF")
    answer = {
        "results": [{"annotation": f"{BASE}/annotations/42", "document": f"{BASE}/documents/9"}]
    }
    route = api.post("/queues/8199/upload").respond(201, json=answer)
    with pytest.warns(DeprecationWarning):
        ids = await client.import_document(8199, [(path, "a.pdf")], metadata={"m": 1})
    assert ids == [42]
    assert [(n, f) for n, f, _ in multipart_parts(route.calls.last.request)] == [
        ("content", "a.pdf"),
        ("metadata", None),
    ]
    statuses = iter(["importing", "to_review"])
    api.get("/annotations/42").mock(
        side_effect=lambda _: httpx.Response(200, json=annotation(42, next(statuses)))
    )
    result = await client.upload_and_wait_until_imported(8199, path, "a.pdf", sleep_s=1)
    assert result.id == 42 and result.status == "to_review"


async def test_retrieve_upload(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/uploads/3").respond(
        json={
            "id": 3,
            "url": f"{BASE}/uploads/3",
            "queue": f"{BASE}/queues/1",
            "organization": f"{BASE}/organizations/1",
            "creator": f"{BASE}/users/1",
            "created_at": "2021-01-01T00:00:00Z",
            "documents": [f"{BASE}/documents/1"],
            "annotations": [f"{BASE}/annotations/2"],
        }
    )
    assert (await client.retrieve_upload(3)).annotations == [f"{BASE}/annotations/2"]


async def test_poll_task_until_succeeded(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    statuses = iter(["running", "succeeded"])
    route = api.get("/tasks/7").mock(
        side_effect=lambda _: httpx.Response(200, json=task(7, next(statuses)))
    )
    result = await client.poll_task_until_succeeded(7, sleep_s=1)
    assert result.status is TaskStatus.SUCCEEDED
    assert all(query_of(c.request) == {"no_redirect": "True"} for c in route.calls)


async def test_poll_task_ends_with_a_clear_error_on_failed(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    statuses = iter(["running", "failed"])
    api.get("/tasks/7").mock(
        side_effect=lambda _: httpx.Response(
            200, json=task(7, next(statuses), detail="Unsupported file (error id 123)")
        )
    )
    with pytest.raises(TaskFailedError, match="Unsupported file"):
        await client.poll_task_until_succeeded(7, sleep_s=1)


async def test_poll_task_custom_predicate(
    client: AsyncRossumAPIClient, api: respx.MockRouter, autojump_clock: object
) -> None:
    api.get("/tasks/7").respond(json=task(7, "running"))
    assert (await client.poll_task(7, lambda t: t.status == "running")).id == 7


# -- queues, workspaces, organizations, relations -------------------------------------------------


async def test_queues(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/queues/1").respond(json=queue(1))
    listing = api.get("/queues").respond(json=page([queue(1), queue(2)]))
    create = api.post("/queues").respond(201, json=queue(3))
    delete = api.delete("/queues/3").respond(202)
    assert isinstance(await client.retrieve_queue(1), Queue)
    assert [q.id async for q in client.list_queues(workspace=7, ordering=["-id"])] == [1, 2]
    assert query_of(listing.calls.last.request)["workspace"] == "7"
    data = {"name": "Q", "workspace": f"{BASE}/workspaces/7", "schema": f"{BASE}/schemas/95"}
    assert (await client.create_new_queue(data)).id == 3
    assert body_of(create.calls.last.request) == data
    assert await client.delete_queue(3) is None
    assert delete.called


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


async def test_organizations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/organizations").respond(json=page([organization(1)]))
    org = api.get("/organizations/406").respond(json=organization(406))
    user = api.get("/auth/user").respond(
        json={"id": 1, "url": f"{BASE}/users/1", "organization": f"{BASE}/organizations/406"}
    )
    assert [o.id async for o in client.list_organizations()] == [1]
    assert (await client.retrieve_organization(406)).id == 406
    assert (await client.retrieve_own_organization()).id == 406
    assert user.call_count == 1 and org.call_count == 2


async def test_relations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    listing = api.get("/relations").respond(json=page([relation(1)]))
    create = api.post("/relations").respond(201, json=relation(2))
    found = [r async for r in client.list_relations(type="duplicate", parent=12345)]
    assert found[0].type == "duplicate"
    assert query_of(listing.calls.last.request)["parent"] == "12345"
    data = {"type": "attachment", "parent": f"{BASE}/annotations/1", "annotations": []}
    assert (await client.create_new_relation(data)).id == 2
    assert body_of(create.calls.last.request) == data


# -- export --------------------------------------------------------------------------------------


def exported(i: int) -> dict[str, Any]:
    return {
        "url": f"{BASE}/annotations/{i}",
        "status": "exported",
        "arrived_at": "2019-10-13T21:33:01.509886Z",
        "document": {"url": f"{BASE}/documents/{i}", "file_name": "a.pdf", "file": "..."},
        "modifier": None,
        "schema": {"url": f"{BASE}/schemas/31336"},
        "metadata": {},
        "content": [{"category": "section", "schema_id": "s", "children": []}],
    }


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


class BrokenBody(httpx.AsyncByteStream):
    """Yields some bytes, then fails like a dropped connection."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"AAA"
        raise httpx.ReadError("connection reset")


async def test_export_stream_is_never_replayed() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, stream=BrokenBody())

    async with AsyncRossumAPIClient(
        BASE, Token("t"), transport=httpx.MockTransport(handler), retry_backoff_factor=0
    ) as client:
        received = []
        with pytest.raises(APIConnectionError):
            async for chunk in client.export_annotations_to_file(7, "csv"):
                received.append(chunk)
        assert client.limiter.statistics().borrowed_tokens == 0
    assert received == [b"AAA"] and len(calls) == 1


# -- generic requests and auth helpers -----------------------------------------------------------


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
    async with AsyncRossumAPIClient(BASE, UserCredentials("u", "p")) as client:
        assert await client.get_token() == "k1"
        assert await client.get_token() == "k1"
        assert await client.get_token(refresh=True) == "k2"
        await client.authenticate()
        assert await client.get_token() == "k3"
    assert login.call_count == 3


async def test_export_with_to_status_and_a_custom_deserializer(api: respx.MockRouter) -> None:
    api.get("/queues/7/export").respond(json=page([exported(1), exported(2)]))
    moving = api.post("/queues/7/export").respond(json=page([exported(1), exported(2)]))
    seen: list[Any] = []

    def deserializer(resource: Any, data: dict[str, Any]) -> dict[str, Any]:
        seen.append(resource)
        return data

    async with AsyncRossumAPIClient(BASE, Token("t"), deserializer=deserializer) as client:
        found = [a async for a in client.export_annotations_to_json(7, to_status="exported")]
    assert [a["id"] for a in found] == [1, 2]
    assert query_of(moving.calls.last.request)["id"] == "1,2"
    assert {r.value for r in seen} == {"annotations"}


async def test_failing_post_processor_on_a_stream_gives_the_slot_back() -> None:
    def explode(response: httpx.Response) -> None:
        raise RuntimeError("post-processor failed")

    async with AsyncRossumAPIClient(
        BASE,
        Token("t"),
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=b"a,b\n")),
        response_post_processor=explode,
    ) as client:
        with pytest.raises(RuntimeError, match="post-processor"):
            await client.export_annotations_to_file(7, "csv").read_all()
        assert client.limiter.statistics().borrowed_tokens == 0
