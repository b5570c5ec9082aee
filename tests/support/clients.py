"""Clients under test: on a scripted handler, on the emulator, blocking ones."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import httpx

from rossum_trio import AsyncRossumAPIClient, SyncRossumAPIClient, Token, UserCredentials
from rossum_trio.emulator import Emulator
from tests.support import BASE, PASSWORD, TOKEN, USERNAME

Handler = Callable[[httpx.Request], Any] | httpx.AsyncBaseTransport | None


def _transport(handler: Handler) -> httpx.AsyncBaseTransport | None:
    if handler is None or isinstance(handler, httpx.AsyncBaseTransport):
        return handler
    return httpx.MockTransport(handler)


def _accepted(options: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the client under test knows: older code lacks some, and the
    reliability suite also measures older versions of the client."""
    known = inspect.signature(AsyncRossumAPIClient.__init__).parameters
    return {k: v for k, v in options.items() if k in known}


def make_client(
    handler: Handler = None,
    *,
    base_url: str = BASE,
    credentials: Token | UserCredentials | None = None,
    **options: Any,
) -> AsyncRossumAPIClient:
    """A client on ``handler``: a MockTransport handler (a :class:`~tests.support.wire.Recorder`,
    a router's handler, a function of the request) or a transport; None: no transport (the
    network, or respx's global mock, paced like the network).

    Token auth with :data:`~tests.support.TOKEN` unless ``credentials``; no jitter and a short
    back-off (0.1 s) unless ``options`` say otherwise. An in-process transport is unpaced.
    """
    options.setdefault("retry_backoff_factor", 0.1)
    options.setdefault("retry_max_jitter", 0.0)
    return AsyncRossumAPIClient(
        base_url,
        credentials if credentials is not None else Token(TOKEN),
        transport=_transport(handler),
        **_accepted(options),
    )


def password_client(handler: Handler, **options: Any) -> AsyncRossumAPIClient:
    """:func:`make_client` with ``UserCredentials(USERNAME, PASSWORD)``: logs in first."""
    return make_client(handler, credentials=UserCredentials(USERNAME, PASSWORD), **options)


def sync_client(
    handler: Handler = None,
    *,
    base_url: str = BASE,
    credentials: Token | UserCredentials | None = None,
    **options: Any,
) -> SyncRossumAPIClient:
    """The blocking client on ``handler`` (as :func:`make_client`, with the client's own
    retry defaults)."""
    return SyncRossumAPIClient(
        base_url,
        credentials if credentials is not None else Token(TOKEN),
        transport=_transport(handler),
        **options,
    )


def emulator_client(
    emulator: Emulator, transport: httpx.AsyncBaseTransport | None = None, **options: Any
) -> AsyncRossumAPIClient:
    """A client of ``emulator`` with its token, in-process unless ``transport`` is given."""
    return AsyncRossumAPIClient(
        emulator.base_url,
        Token(emulator.token),
        transport=transport or emulator.transport(),
        **options,
    )


def sync_emulator_client(emulator: Emulator, **options: Any) -> SyncRossumAPIClient:
    """The blocking client of ``emulator`` with its token (in-process)."""
    options.setdefault("credentials", Token(emulator.token))
    return SyncRossumAPIClient(emulator.base_url, transport=emulator.transport(), **options)


def emulator_http(emulator: Emulator) -> httpx.AsyncClient:
    """A plain httpx client bound in-process to ``emulator``, authenticated with its token."""
    return httpx.AsyncClient(
        transport=emulator.transport(),
        base_url=emulator.base_url,
        headers={"Authorization": f"Bearer {emulator.token}"},
    )


def borrowed(client: AsyncRossumAPIClient | SyncRossumAPIClient) -> int:
    """In-flight slots the client holds now."""
    return int(client.limiter.statistics().borrowed_tokens)


def record(resource: Any, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A custom deserializer that returns what it was given: ``(Resource, dict)``."""
    return (resource, data)
