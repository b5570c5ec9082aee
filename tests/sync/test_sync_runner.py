"""The blocking client's runner (``_sync_base.py``): one ``trio.run`` per call, closing, login
across runs, threads, callbacks, and what it refuses (an async transport only, not inside trio)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from rossum_trio import SyncRossumAPIClient, Token, UserCredentials
from rossum_trio.errors import ClientClosedError
from tests.support import BASE
from tests.support.clients import sync_client
from tests.support.payloads import task, workspace
from tests.support.wire import Recorder


def test_closed_client_raises() -> None:
    server = Recorder(lambda request: workspace(1))
    client = sync_client(server)
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
    with sync_client(server) as client:
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
    with sync_client(server, credentials=UserCredentials("user", "pw")) as client:
        for _ in range(3):
            client.retrieve_workspace(1)
        assert client.get_token() == "fresh"
    logins = [r for r in server.requests if r.url.path.endswith("/auth/login")]
    assert len(logins) == 1
    assert "pw" not in repr(client)


def test_sync_transport_is_refused() -> None:
    with pytest.raises(TypeError, match="async httpx transport"):
        SyncRossumAPIClient(
            BASE,
            Token("t"),
            transport=httpx.HTTPTransport(),  # type: ignore[arg-type]
        )


def test_refuses_to_run_inside_trio() -> None:
    server = Recorder(lambda request: workspace(1))
    with sync_client(server) as client:

        async def inside() -> None:
            client.retrieve_workspace(1)

        with pytest.raises(RuntimeError, match="AsyncRossumAPIClient"):
            trio.run(inside)
        assert client.retrieve_workspace(1).id == 1


def test_constructor_takes_the_async_options() -> None:
    server = Recorder(lambda request: workspace(1))
    with sync_client(
        server,
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


def test_calls_from_several_threads_are_serialised() -> None:
    import threading

    server = Recorder(lambda request: workspace(int(request.url.path.rsplit("/", 1)[1])))
    errors: list[BaseException] = []
    with sync_client(server) as client:

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
    with sync_client(server) as client:

        def predicate(_: Any) -> bool:
            client.retrieve_task(5)  # inside the running call: refused, not a deadlock
            return True

        with pytest.raises(RuntimeError, match="callback"):
            client.poll_task(5, predicate, timeout=5)
        assert client.retrieve_task(5).id == 5
