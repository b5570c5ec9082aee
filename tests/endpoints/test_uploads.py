"""Uploads and tasks (``_endpoints/uploads.py``) on the wire: upload_document, import_document,
upload_and_wait_until_imported, retrieve_upload, polling tasks; and the blocking client's."""

from __future__ import annotations

import pathlib
from typing import Any

import httpx
import pytest
import respx
import trio

from rossum_trio import AsyncRossumAPIClient
from rossum_trio._sync import WaitTimeoutError
from rossum_trio.errors import APIConnectionError, RossumError, TaskFailedError
from rossum_trio.models import Task, TaskStatus
from tests.support import BASE
from tests.support.clients import make_client, sync_client
from tests.support.payloads import annotation, task
from tests.support.wire import Recorder, parts_of, query_of


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
        parts = [(p.name, p.filename, p.value) for p in parts_of(call.request)]
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
    async with make_client(retry_backoff_factor=0) as client:
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
    assert [(p.name, p.filename) for p in parts_of(route.calls.last.request)] == [
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


# -- the blocking client ---------------------------------------------------------------------------


def test_upload_document_reads_the_task_url(tmp_path: pathlib.Path) -> None:
    """The real answer of POST /uploads is {"url": <task>}; the official sync client fails."""
    files = []
    for n in range(3):
        path = tmp_path / f"doc{n}.pdf"
        path.write_bytes(b"%PDF-" + bytes([n]))
        files.append((path, f"doc{n}.pdf"))

    def route(request: httpx.Request) -> Any:
        if request.method == "POST":
            number = int(request.content.split(b"%PDF-")[1][:1][0])
            return httpx.Response(202, json={"url": f"{BASE}/tasks/{100 + number}"})
        return task(int(request.url.path.rsplit("/", 1)[1]))

    server = Recorder(route)
    with sync_client(server) as client:
        tasks = client.upload_document(42, files, values={"k": "v"})
    assert [t.id for t in tasks] == [100, 101, 102]
    posts = [r for r in server.requests if r.method == "POST"]
    assert {str(r.url) for r in posts} == {f"{BASE}/uploads?queue=42"}
    gets = [r for r in server.requests if r.method == "GET"]
    assert sorted(r.url.params["no_redirect"] for r in gets) == ["True"] * 3


def test_poll_with_timeout_gives_up_cleanly() -> None:
    server = Recorder(lambda request: task(5, "running"))
    with sync_client(server) as client:
        with pytest.raises(WaitTimeoutError) as caught:
            client.poll_task_until_succeeded(5, sleep_s=0.01, timeout=0.2)
        assert isinstance(caught.value, TimeoutError)
        assert isinstance(caught.value, trio.TooSlowError)
        assert isinstance(caught.value, RossumError)
        assert client.limiter.statistics().borrowed_tokens == 0
        polls = len(server.requests)
        assert polls >= 2
        # Usable afterwards; a finished poll within its timeout returns the task.
        server.answer = lambda request: task(5, "succeeded")
        assert client.poll_task_until_succeeded(5, sleep_s=0, timeout=5).status == "succeeded"
        assert client.poll_task(5, lambda t: True).id == 5  # timeout=None: no limit
        with pytest.raises(ValueError, match="timeout"):
            client.poll_task(5, lambda t: True, timeout=-1)
