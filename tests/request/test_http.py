"""The request choke point (``_http.py``): retries, Retry-After, auth, errors, timeouts (on
trio's clock)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import trio
import trio.lowlevel

from rossum_trio import AsyncRossumAPIClient, Token, UserCredentials
from rossum_trio.errors import (
    APIClientError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from tests.support import BASE, PASSWORD, TOKEN
from tests.support.clients import make_client, password_client
from tests.support.crud import ITEM
from tests.support.payloads import workspace
from tests.support.wire import Recorder, Wire

WS = workspace(7)


def ok_workspace(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=WS)


# -- retries -------------------------------------------------------------------------------------


async def test_get_is_retried_on_5xx_with_exponential_backoff(autojump_clock: object) -> None:
    script = Recorder.scripted(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json=WS), default=None
    )
    async with make_client(script, n_retries=3, retry_backoff_factor=1.0) as client:
        ws = await client.retrieve_workspace(7)
    assert ws.id == 7
    # waits: 1 * 2**0, then 1 * 2**1 (no jitter configured in the tests)
    assert [b - a for a, b in zip(script.times, script.times[1:], strict=False)] == [1.0, 2.0]


async def test_n_retries_is_the_total_number_of_attempts(autojump_clock: object) -> None:
    script = Recorder.scripted(default=httpx.Response(500, json={"detail": "boom"}))
    async with make_client(script, n_retries=3) as client:
        with pytest.raises(ServerError) as info:
            await client.retrieve_workspace(7)
    assert len(script.requests) == 3
    assert info.value.status_code == 500


async def test_retry_after_is_honoured(autojump_clock: object) -> None:
    script = Recorder.scripted(
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "throttled"}),
        httpx.Response(200, json=WS),
    )
    async with make_client(script, retry_backoff_factor=0.0) as client:
        await client.retrieve_workspace(7)
    assert script.times[1] - script.times[0] == pytest.approx(7.0)


async def test_retry_after_pauses_the_whole_client(autojump_clock: object) -> None:
    throttled = {"done": False}
    starts: dict[str, float] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/workspaces/1") and not throttled["done"]:
            throttled["done"] = True
            return httpx.Response(429, headers={"Retry-After": "5"})
        starts.setdefault(path, trio.current_time())
        return httpx.Response(200, json=workspace(int(path.rsplit("/", 1)[1])))

    async with make_client(handler, retry_backoff_factor=0.0) as client:
        await client.retrieve_workspace(1)  # throttled once, waits 5 s
        await client.retrieve_workspace(2)
    assert starts["/api/v1/workspaces/1"] == pytest.approx(5.0)


async def test_too_long_retry_after_raises_rate_limited(autojump_clock: object) -> None:
    script = Recorder.scripted(default=httpx.Response(429, headers={"Retry-After": "3600"}))
    async with make_client(script) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.retrieve_workspace(7)
    assert len(script.requests) == 1
    assert info.value.retry_after == 3600.0


async def test_post_is_not_retried_after_it_may_have_reached_the_server(
    autojump_clock: object,
) -> None:
    script = Recorder.scripted(default=httpx.Response(503))
    async with make_client(script) as client:
        with pytest.raises(ServerError):
            await client.create_new_workspace({"name": "x"})
    assert len(script.requests) == 1

    script = Recorder.scripted(
        httpx.ReadTimeout("read timed out"), default=httpx.Response(201, json=WS)
    )
    async with make_client(script) as client:
        with pytest.raises(APITimeoutError):
            await client.create_new_workspace({"name": "x"})
    assert len(script.requests) == 1


async def test_post_is_retried_when_nothing_was_sent_or_on_429(autojump_clock: object) -> None:
    script = Recorder.scripted(
        httpx.ConnectError("connection refused"),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(201, json=WS),
    )
    async with make_client(script) as client:
        ws = await client.create_new_workspace({"name": "x"})
    assert ws.id == 7
    assert len(script.requests) == 3


async def test_search_post_is_retried(autojump_clock: object) -> None:
    page = {"pagination": {"total": 0, "total_pages": 1}, "results": []}
    script = Recorder.scripted(httpx.Response(502), default=httpx.Response(200, json=page))
    async with make_client(script) as client:
        found = [a async for a in client.search_for_annotations({"$and": []})]
    assert found == []
    assert len(script.requests) == 2


async def test_transport_errors_become_our_errors(autojump_clock: object) -> None:
    script = Recorder.scripted(default=httpx.ConnectError("refused"))
    async with make_client(script, n_retries=2) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.retrieve_workspace(7)
    assert len(script.requests) == 2
    assert isinstance(info.value, httpx.TransportError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "workspaces/7" in str(info.value)


async def test_errors_not_retried_map_to_the_tree() -> None:
    for status, cls in [(404, NotFoundError), (409, ConflictError), (501, ServerError)]:
        script = Recorder.scripted(default=httpx.Response(status, json={"detail": "nope"}))
        async with make_client(script) as client:
            with pytest.raises(cls) as info:
                await client.retrieve_workspace(7)
        assert len(script.requests) == 1
        error = info.value
        assert isinstance(error, APIClientError)
        assert isinstance(error, httpx.HTTPStatusError)
        assert error.response.status_code == status
        assert error.method == "GET"
        assert error.url == f"{BASE}/workspaces/7"
        assert str(error) == f'[GET] {BASE}/workspaces/7 - HTTP {status} - {{"detail":"nope"}}'


async def test_unreadable_success_body_is_a_clear_error() -> None:
    script = Recorder.scripted(default=httpx.Response(200, content=b"<html>proxy</html>"))
    async with make_client(script) as client:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.retrieve_workspace(7)
    assert "workspaces/7" in str(info.value)


def test_api_client_error_built_by_hand_keeps_the_official_shape() -> None:
    error = APIClientError("GET", "https://x/api/v1/queues/1", 404, '{"detail":"Not found."}')
    assert error.response.status_code == 404
    assert error.status_code == 404
    assert str(error) == '[GET] https://x/api/v1/queues/1 - HTTP 404 - {"detail":"Not found."}'


# -- authentication ------------------------------------------------------------------------------


def login_then(handler: object, logins: list[httpx.Request], key: str = "fresh-key") -> object:
    def wrapped(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            logins.append(request)
            return httpx.Response(200, json={"key": f"{key}-{len(logins)}", "domain": None})
        return handler(request)  # type: ignore[operator,no-any-return]

    return wrapped


async def test_login_is_form_encoded_and_the_token_used_as_bearer() -> None:
    logins: list[httpx.Request] = []
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok_workspace(request)

    async with password_client(login_then(api, logins)) as client:  # type: ignore[arg-type]
        await client.retrieve_workspace(7)
        assert await client.get_token() == "fresh-key-1"
    (login,) = logins
    assert login.method == "POST" and str(login.url) == f"{BASE}/auth/login"
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert login.content == f"username=alice%40example.com&password={PASSWORD}".encode()
    assert seen[0].headers["authorization"] == "Bearer fresh-key-1"


async def test_one_login_for_many_concurrent_first_requests(autojump_clock: object) -> None:
    logins: list[httpx.Request] = []

    async def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            logins.append(request)
            await trio.sleep(0.5)  # a slow login: everyone else waits for it
            return httpx.Response(200, json={"key": "shared-key"})
        assert request.headers["authorization"] == "Bearer shared-key"
        return ok_workspace(request)

    async with password_client(api) as client:
        async with trio.open_nursery() as nursery:
            for _ in range(20):
                nursery.start_soon(client.retrieve_workspace, 7)
    assert len(logins) == 1


async def test_expired_token_relogs_in_once_and_retries(autojump_clock: object) -> None:
    logins: list[httpx.Request] = []
    valid = {"fresh-key-2"}

    def api(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        if token not in valid:
            return httpx.Response(401, json={"detail": "Invalid token."})
        return ok_workspace(request)

    async with password_client(login_then(api, logins)) as client:  # type: ignore[arg-type]
        await client.retrieve_workspace(7)  # first token already "expired"
    assert len(logins) == 2


async def test_concurrent_401s_make_one_relogin() -> None:
    logins: list[httpx.Request] = []

    async def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            logins.append(request)
            await trio.lowlevel.checkpoint()
            return httpx.Response(200, json={"key": f"key-{len(logins)}"})
        if request.headers["authorization"] == "Bearer key-1":
            await trio.sleep(0.01)
            return httpx.Response(401, json={"detail": "expired"})
        return ok_workspace(request)

    async with password_client(api, max_in_flight_requests=8) as client:
        async with trio.open_nursery() as nursery:
            for _ in range(8):
                nursery.start_soon(client.retrieve_workspace, 7)
    assert len(logins) == 2  # the first login, then one re-login for all eight 401s


async def test_persistent_401_with_credentials_raises_after_one_relogin() -> None:
    logins: list[httpx.Request] = []
    calls: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"detail": "no"})

    async with password_client(login_then(api, logins)) as client:  # type: ignore[arg-type]
        with pytest.raises(AuthenticationError):
            await client.retrieve_workspace(7)
    assert len(logins) == 2 and len(calls) == 2


async def test_token_client_401_raises_at_once_and_never_logs_in() -> None:
    script = Recorder.scripted(default=httpx.Response(401, json={"detail": "Invalid token."}))
    async with make_client(script) as client:
        with pytest.raises(AuthenticationError):
            await client.retrieve_workspace(7)
        with pytest.raises(AuthenticationError, match="needs UserCredentials"):
            await client.get_token(refresh=True)
        with pytest.raises(AuthenticationError):
            await client.authenticate()
        assert await client.get_token() == TOKEN
    assert len(script.requests) == 1
    assert script.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


async def test_failed_login_raises_authentication_error() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "Invalid username or password."})

    async with password_client(api) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.retrieve_workspace(7)
    assert info.value.url == f"{BASE}/auth/login"
    assert "hunter2" not in str(info.value)


async def test_login_is_retried_on_429(autojump_clock: object) -> None:
    logins = Recorder.scripted(
        httpx.Response(429, headers={"Retry-After": "2"}),
        default=httpx.Response(200, json={"key": "k"}),
    )

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return logins(request)
        return ok_workspace(request)

    async with password_client(api) as client:
        await client.retrieve_workspace(7)
    assert len(logins.requests) == 2


# -- construction, lifecycle, secrets ------------------------------------------------------------


def test_constructor_rejects_bad_arguments_by_name() -> None:
    creds = Token("t")
    for kwargs, name in [
        ({"n_retries": -1}, "n_retries"),
        ({"max_in_flight_requests": 0}, "max_in_flight_requests"),
        ({"retry_backoff_factor": -1.0}, "retry_backoff_factor"),
        ({"retry_max_jitter": float("nan")}, "retry_max_jitter"),
        ({"timeout": 0}, "timeout"),
        ({"rate_limit_per_second": 0}, "rate_limit_per_second"),
    ]:
        with pytest.raises(ValueError, match=name):
            AsyncRossumAPIClient(BASE, creds, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_url"):
        AsyncRossumAPIClient("elis.rossum.ai/api/v1", creds)
    with pytest.raises(TypeError, match="credentials"):
        AsyncRossumAPIClient(BASE, ("user", "pw"))  # type: ignore[arg-type]


def test_secrets_never_in_reprs() -> None:
    token = Token("db313f24f5738c8e04635e036ec8a45cdd6d6b03")
    creds = UserCredentials("alice", "s3cr3t-pw")
    assert "db313f" not in repr(token)
    assert "s3cr3t" not in repr(creds) and "alice" in repr(creds)
    client = AsyncRossumAPIClient(BASE, token)
    assert "db313f" not in repr(client)


async def test_default_timeout_is_finite() -> None:
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok_workspace(request)

    async with make_client(api) as client:
        await client.retrieve_workspace(7)
    timeouts = seen[0].extensions["timeout"]
    assert all(v is not None and v > 0 for v in timeouts.values())
    async with make_client(api, timeout=3.5) as client:
        await client.retrieve_workspace(7)
    assert set(seen[1].extensions["timeout"].values()) == {3.5}


async def test_closed_client_raises_a_clear_error() -> None:
    client = make_client(ok_workspace)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        await client.retrieve_workspace(7)


async def test_rate_limit_paces_requests(autojump_clock: object) -> None:
    script = Recorder.scripted(default=httpx.Response(200, json=WS))
    async with make_client(script, rate_limit_per_second=4) as client:
        async with trio.open_nursery() as nursery:
            for _ in range(8):
                nursery.start_soon(client.retrieve_workspace, 7)
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert all(g == pytest.approx(0.25) for g in gaps)


async def test_response_post_processor_sees_every_response() -> None:
    seen: list[int] = []
    logins: list[httpx.Request] = []
    statuses = iter([401, 200])

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json=WS)

    async with password_client(
        login_then(api, logins),  # type: ignore[arg-type]
        response_post_processor=lambda r: seen.append(r.status_code),
    ) as client:
        await client.retrieve_workspace(7)
    assert seen == [200, 401, 200, 200]  # login, 401, re-login, retry


async def test_debug_logs_carry_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    logins: list[httpx.Request] = []
    with caplog.at_level(logging.DEBUG, logger="rossum_trio"):
        async with password_client(login_then(ok_workspace, logins, key="tok-SECRET")) as client:  # type: ignore[arg-type]
            await client.retrieve_workspace(7)
    text = caplog.text
    assert f"GET {BASE}/workspaces/7 -> 200" in text
    assert "hunter2" not in text and "SECRET" not in text


async def test_token_client_sends_bearer_and_never_logs_in(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "hooks/3", ITEM)
    await dict_client.retrieve_hook(3)
    assert wire.only().headers["Authorization"] == f"Bearer {TOKEN}"
    assert isinstance(Token("x"), Token)
