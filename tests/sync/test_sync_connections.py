"""One connection pool per blocking client, reused across trio.run calls (TCP and TLS), and
calls interrupted by Ctrl-C leave the client usable. Real sockets on 127.0.0.1."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from rossum_trio import APIConnectionError, SyncRossumAPIClient, UserCredentials
from tests.support.clients import sync_client


def loopback_client(server: Any, **options: Any) -> SyncRossumAPIClient:
    # Unpaced: these tests watch connections, which a paced listing would use one at a time.
    options.setdefault("rate_limit_per_second", None)
    return sync_client(options.pop("transport", None), base_url=server.base_url, **options)


def check_reuse(server: Any, client: SyncRossumAPIClient) -> None:
    with client:
        for i in range(1, 11):
            assert client.retrieve_workspace(i).id == i
        assert server.connections == 1  # ten runs, one keep-alive connection
        # A listing fetches a window of pages at once: up to the cap (4) connections...
        assert len(list(client.list_workspaces())) == 50
        opened = server.connections
        assert 1 < opened <= 4
        # ...which stay in the pool for the next runs.
        assert len(list(client.list_workspaces())) == 50
        for i in range(1, 6):
            client.retrieve_workspace(i)
        assert server.connections == opened
    assert len(server.requests) == 10 + 5 + 5 + 5


def test_keep_alive_connections_are_reused_across_runs(loopback: Any) -> None:
    check_reuse(loopback, loopback_client(loopback))


def test_tls_connections_are_reused_across_runs(tls_loopback: Any) -> None:
    server, client_ctx = tls_loopback
    transport = httpx.AsyncHTTPTransport(verify=client_ctx)
    check_reuse(server, loopback_client(server, transport=transport))


def test_tls_certificate_is_checked(tls_loopback: Any) -> None:
    server, _ = tls_loopback
    with loopback_client(server, n_retries=1) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.retrieve_workspace(1)  # self-signed: refused by the default context
        assert isinstance(caught.value.__cause__, httpx.ConnectError)


@contextmanager
def ctrl_c_after(seconds: float) -> Iterator[None]:
    """Deliver a real SIGINT to the main thread after ``seconds`` (as Ctrl-C would)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(seconds, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGINT, previous)


def assert_idle(client: SyncRossumAPIClient) -> None:
    assert client.limiter.statistics().borrowed_tokens == 0
    assert not client.async_client._http._auth_lock.locked()


@pytest.mark.parametrize("tls", [False, True])
def test_ctrl_c_during_a_call_leaves_the_client_usable(
    loopback: Any, tls_loopback: Any, tls: bool
) -> None:
    server, options = loopback, {}
    if tls:
        server, client_ctx = tls_loopback
        options = {"transport": httpx.AsyncHTTPTransport(verify=client_ctx)}
    with loopback_client(server, **options) as client:
        client.retrieve_workspace(1)
        assert server.connections == 1
        with ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
            client.request_json("GET", "slow")  # the server does not answer
        assert_idle(client)
        # The interrupted connection was closed, not returned to the pool half-used.
        assert client.retrieve_workspace(2).id == 2
        assert server.connections == 2
        assert client.retrieve_workspace(3).id == 3
        assert server.connections == 2


def test_ctrl_c_during_a_listing_window(loopback: Any) -> None:
    with loopback_client(loopback) as client:
        listing = client.list_workspaces()
        next(listing)  # page 1
        loopback.latency = 30  # the next window hangs
        with ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
            list(listing)
        assert_idle(client)
        loopback.latency = 0
        assert len(list(client.list_workspaces())) == 50


def test_ctrl_c_during_login_releases_the_auth_lock(loopback: Any) -> None:
    loopback.slow_login = True
    with loopback_client(loopback, credentials=UserCredentials("user", "pw")) as client:
        with ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
            client.retrieve_workspace(1)
        assert_idle(client)
        assert client.async_client._http.token is None
        loopback.slow_login = False
        assert client.retrieve_workspace(1).id == 1
        assert client.retrieve_workspace(2).id == 2
        assert client.async_client._http.login_count == 1


def test_timeout_on_a_hanging_poll_cancels_cleanly(loopback: Any) -> None:
    with loopback_client(loopback) as client:
        client.retrieve_workspace(1)
        with pytest.raises(TimeoutError):
            client.poll_task(1, lambda t: True, timeout=0.3)  # the task never answers
        assert_idle(client)
        assert client.retrieve_workspace(2).id == 2
