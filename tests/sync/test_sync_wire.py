"""Representative blocking calls on the wire (httpx.MockTransport), lifecycle and errors."""

from __future__ import annotations

import json
import pathlib
import warnings
from typing import Any

import httpx
import pytest
import trio

from rossum_trio import ExportFileFormats, SyncRossumAPIClient, Token, UserCredentials
from rossum_trio._sync import SyncByteStream, WaitTimeoutError
from rossum_trio._sync_base import READ_CHUNK_BYTES
from rossum_trio.errors import APIConnectionError, ClientClosedError, NotFoundError, RossumError

BASE = "https://fake.rossum.app/api/v1"


def workspace(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"ws-{i}",
        "url": f"{BASE}/workspaces/{i}",
        "autopilot": False,
        "organization": f"{BASE}/organizations/1",
        "queues": [],
    }


def task(i: int, status: str = "running") -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{BASE}/tasks/{i}",
        "type": "upload_created",
        "status": status,
        "expires_at": "2030-01-01T00:00:00Z",
        "content": {},
    }


class Recorder:
    """A MockTransport handler answering from a routing function; records the requests."""

    def __init__(self, route: Any) -> None:
        self.route = route
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        request.read()
        answer = self.route(request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def client(self, **options: Any) -> SyncRossumAPIClient:
        options.setdefault("credentials", Token("secret-token"))
        return SyncRossumAPIClient(BASE, transport=httpx.MockTransport(self), **options)


def test_crud_on_the_wire() -> None:
    def route(request: httpx.Request) -> Any:
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "POST":
            return {**workspace(9), **json.loads(request.content)}
        return workspace(int(request.url.path.rsplit("/", 1)[1]))

    server = Recorder(route)
    with server.client() as client:
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
    assert all(r.headers["Authorization"] == "Bearer secret-token" for r in server.requests)


def test_generic_requests_and_errors() -> None:
    def route(request: httpx.Request) -> Any:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"detail": "Not found."})
        if request.url.path.endswith("/empty"):
            return httpx.Response(204)
        return {"echo": request.url.params.get("x")}

    with Recorder(route).client() as client:
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
    with server.client() as client:
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
    with server.client() as client:
        assert list(client.request_cursor_paginated("logs")) == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert len(server.requests) == 2


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
    with server.client() as client:
        tasks = client.upload_document(42, files, values={"k": "v"})
    assert [t.id for t in tasks] == [100, 101, 102]
    posts = [r for r in server.requests if r.method == "POST"]
    assert {str(r.url) for r in posts} == {f"{BASE}/uploads?queue=42"}
    gets = [r for r in server.requests if r.method == "GET"]
    assert sorted(r.url.params["no_redirect"] for r in gets) == ["True"] * 3


def test_poll_with_timeout_gives_up_cleanly() -> None:
    server = Recorder(lambda request: task(5, "running"))
    with server.client() as client:
        with pytest.raises(WaitTimeoutError) as caught:
            client.poll_task_until_succeeded(5, sleep_s=0.01, timeout=0.2)
        assert isinstance(caught.value, TimeoutError)
        assert isinstance(caught.value, trio.TooSlowError)
        assert isinstance(caught.value, RossumError)
        assert client.limiter.statistics().borrowed_tokens == 0
        polls = len(server.requests)
        assert polls >= 2
        # Usable afterwards; a finished poll within its timeout returns the task.
        server.route = lambda request: task(5, "succeeded")
        assert client.poll_task_until_succeeded(5, sleep_s=0, timeout=5).status == "succeeded"
        assert client.poll_task(5, lambda t: True).id == 5  # timeout=None: no limit
        with pytest.raises(ValueError, match="timeout"):
            client.poll_task(5, lambda t: True, timeout=-1)


def test_closed_client_raises() -> None:
    server = Recorder(lambda request: workspace(1))
    client = server.client()
    listing = client.list_workspaces()
    client.close()
    client.close()  # idempotent
    with pytest.raises(ClientClosedError):
        client.retrieve_workspace(1)
    with pytest.raises(ClientClosedError):
        next(listing)
    with pytest.raises(ClientClosedError):
        client.list_workspaces()
    assert server.requests == []


def test_context_manager_closes_the_pool() -> None:
    server = Recorder(lambda request: workspace(1))
    with server.client() as client:
        client.retrieve_workspace(1)
    assert client.async_client._http.closed
    with pytest.raises(ClientClosedError):
        client.retrieve_workspace(1)


def test_login_once_across_calls() -> None:
    def route(request: httpx.Request) -> Any:
        if request.url.path.endswith("/auth/login"):
            return {"key": "fresh"}
        return workspace(1)

    server = Recorder(route)
    with server.client(credentials=UserCredentials("user", "pw")) as client:
        for _ in range(3):
            client.retrieve_workspace(1)
        assert client.get_token() == "fresh"
    logins = [r for r in server.requests if r.url.path.endswith("/auth/login")]
    assert len(logins) == 1
    assert "pw" not in repr(client)


def test_retrieve_my_organization_is_deprecated() -> None:
    def route(request: httpx.Request) -> Any:
        if request.url.path.endswith("/auth/user"):
            return {"organization": f"{BASE}/organizations/3"}
        return {
            "id": 3,
            "name": "Org",
            "url": f"{BASE}/organizations/3",
            "workspaces": [],
            "users": [],
            "organization_group": f"{BASE}/organization_groups/1",
            "is_trial": False,
            "created_at": "2024-01-01T00:00:00Z",
            "trial_expires_at": None,
        }

    with Recorder(route).client() as client:
        with pytest.warns(DeprecationWarning, match="retrieve_own_organization") as caught:
            org = client.retrieve_my_organization()
        assert org.id == 3
        assert caught[0].filename == __file__  # warns at the caller's line
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert client.retrieve_own_organization().id == 3


def test_sync_transport_is_refused() -> None:
    with pytest.raises(TypeError, match="async httpx transport"):
        SyncRossumAPIClient(
            BASE,
            Token("t"),
            transport=httpx.HTTPTransport(),  # type: ignore[arg-type]
        )


def test_refuses_to_run_inside_trio() -> None:
    server = Recorder(lambda request: workspace(1))
    with server.client() as client:

        async def inside() -> None:
            client.retrieve_workspace(1)

        with pytest.raises(RuntimeError, match="AsyncRossumAPIClient"):
            trio.run(inside)
        assert client.retrieve_workspace(1).id == 1


def test_constructor_takes_the_async_options() -> None:
    server = Recorder(lambda request: workspace(1))
    with server.client(
        max_in_flight_requests=7,
        n_retries=1,
        retry_backoff_factor=0.0,
        retry_max_jitter=0.0,
        timeout=5.0,
        rate_limit_per_second=100.0,
    ) as client:
        assert client.limiter.total_tokens == 7
        assert client.base_url == BASE
    with pytest.raises(ValueError, match="max_in_flight_requests"):
        SyncRossumAPIClient(BASE, Token("t"), max_in_flight_requests=0)


# -- file export streams ---------------------------------------------------------------------


class ChunkedBody(httpx.AsyncByteStream):
    """A response body sent in ``count`` chunks of ``size`` bytes; counts what was sent."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size
        self.sent = 0

    async def __aiter__(self) -> Any:
        for index in range(self.count):
            self.sent += 1
            await trio.lowlevel.checkpoint()
            yield bytes([index % 256]) * self.size

    @property
    def body(self) -> bytes:
        return b"".join(bytes([i % 256]) * self.size for i in range(self.count))


def _export_client(body: ChunkedBody, **options: Any) -> tuple[Recorder, SyncRossumAPIClient]:
    def route(request: httpx.Request) -> Any:
        assert request.url.path.endswith("/queues/7/export")
        return httpx.Response(200, stream=body, headers={"Content-Type": "text/csv"})

    server = Recorder(route)
    return server, server.client(**options)


def test_export_file_stream_is_downloaded_in_one_run_then_chunked() -> None:
    body = ChunkedBody(count=40, size=10_000)
    server, client = _export_client(body)
    with client:
        stream = client.export_annotations_to_file(7, ExportFileFormats.CSV, status="exported")
        assert isinstance(stream, SyncByteStream)
        assert server.requests == []  # lazy: sent on the first next()
        first = next(stream)
        assert body.sent == body.count  # whole body read in that one run
        # Nothing is held between calls: no open response, no in-flight slot.
        assert client.limiter.statistics().borrowed_tokens == 0
        assert len(first) == READ_CHUNK_BYTES
        assert first + b"".join(stream) == body.body
        assert next(stream, None) is None
        assert server.requests[0].url.params["format"] == "csv"
        assert server.requests[0].url.params["status"] == "exported"


def test_export_read_all_and_early_close() -> None:
    body = ChunkedBody(count=5, size=100_000)
    _, client = _export_client(body)
    with client:
        assert client.export_annotations_to_file(7, "csv").read_all() == body.body
        with client.export_annotations_to_file(7, "csv") as stream:
            assert next(stream) == body.body[:READ_CHUNK_BYTES]
        assert list(stream) == []  # closed
        never_read = client.export_annotations_to_file(7, "csv")
        never_read.close()
        assert list(never_read) == []


def test_large_export_spools_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rossum_trio._sync_base.SPOOL_MEMORY_BYTES", 50_000)
    body = ChunkedBody(count=20, size=10_000)
    _, client = _export_client(body)
    with client, client.export_annotations_to_file(7, "xml") as stream:
        chunks = list(stream)
    assert b"".join(chunks) == body.body


def test_export_failure_mid_body_hands_out_nothing() -> None:
    class Broken(ChunkedBody):
        async def __aiter__(self) -> Any:
            yield b"partial"
            raise httpx.ReadError("connection dropped")

    _, client = _export_client(Broken(1, 1), n_retries=1)
    with client:
        stream = client.export_annotations_to_file(7, "csv")
        with pytest.raises(APIConnectionError):
            next(stream)
        assert list(stream) == []  # no partial body, no replay
        assert client.limiter.statistics().borrowed_tokens == 0


def test_why_streams_cannot_stay_open_across_runs() -> None:
    """Trio closes suspended async generators when a run ends (httpx bodies are ones)."""

    async def agen() -> Any:
        yield 1
        yield 2

    iterator = agen()
    assert trio.run(iterator.__anext__) == 1
    with pytest.raises(StopAsyncIteration):  # closed by trio at the end of the first run
        trio.run(iterator.__anext__)


def test_calls_from_several_threads_are_serialised() -> None:
    import threading

    server = Recorder(lambda request: workspace(int(request.url.path.rsplit("/", 1)[1])))
    errors: list[BaseException] = []
    with server.client() as client:

        def work(offset: int) -> None:
            try:
                for i in range(1, 21):
                    assert client.retrieve_workspace(offset + i).id == offset + i
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n * 100,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert client.limiter.statistics().borrowed_tokens == 0
    assert errors == []
    assert len(server.requests) == 80


def test_a_callback_cannot_call_the_client_reentrantly() -> None:
    server = Recorder(lambda request: task(5, "running"))
    with server.client() as client:

        def predicate(_: Any) -> bool:
            client.retrieve_task(5)  # inside the running call: refused, not a deadlock
            return True

        with pytest.raises(RuntimeError, match="callback"):
            client.poll_task(5, predicate, timeout=5)
        assert client.retrieve_task(5).id == 5
