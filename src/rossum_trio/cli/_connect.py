"""Where a command runs (a real account or the embedded emulator), and errors in one line.

An error that would fail every file (the API refuses the credentials, the queue does not
exist, the host cannot be reached) is found by one request before any work starts, and is
said once, as a :class:`FatalError` (exit status 3).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from rossum_trio._client import AsyncRossumAPIClient
from rossum_trio._http import RateLimit
from rossum_trio.cli._checks import UsageError, check_base_url
from rossum_trio.dtos import Token, UserCredentials, validate_credentials
from rossum_trio.errors import (
    APIClientError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RossumError,
    ServerError,
    UnexpectedResponseError,
)
from rossum_trio.models import Queue


class FatalError(Exception):
    """An error that stops the whole command (exit status 3); its text is one line."""


@dataclass
class Target:
    """A client and where it points."""

    client: AsyncRossumAPIClient
    #: ``None`` for the embedded emulator.
    base_url: str | None
    queue_id: int | None

    @property
    def name(self) -> str:
        """How to name the target in messages."""
        return self.base_url or "the embedded emulator"


def _credentials(options: argparse.Namespace) -> Token | UserCredentials:
    """Flags first, then the environment; a token wins over a username in the environment."""
    token, username, password = options.token, options.username, options.password
    if token and (username or password):
        raise UsageError("give --token, or --username and --password, not both")
    if token:
        return _token(token, "--token")
    if username or password:
        username = username or os.environ.get("ROSSUM_USERNAME")
        password = password or os.environ.get("ROSSUM_PASSWORD")
    elif os.environ.get("ROSSUM_TOKEN"):
        return _token(os.environ["ROSSUM_TOKEN"], "ROSSUM_TOKEN")
    else:
        username = os.environ.get("ROSSUM_USERNAME")
        password = os.environ.get("ROSSUM_PASSWORD")
    if username and not password and sys.stdin.isatty():
        password = getpass.getpass(f"Rossum password for {username}: ")
    if not username or not password:
        raise UsageError(
            "--base-url needs credentials: --token (or ROSSUM_TOKEN), or --username and "
            "--password (or ROSSUM_USERNAME and ROSSUM_PASSWORD)"
        )
    return UserCredentials(username, password)


def _token(value: str, source: str) -> Token:
    token = Token(value)
    try:
        validate_credentials(token)
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from None
    return token


def connect(options: argparse.Namespace, *, preload: int = 0) -> Target:
    """The client for ``options`` (not yet used: nothing is sent here)."""
    common: dict[str, Any] = {
        "max_in_flight_requests": options.max_in_flight,
        "n_retries": options.retries,
    }
    if options.base_url:
        base_url = check_base_url(options.base_url)
        credentials = _credentials(options)
        rate: RateLimit = "auto" if options.rate_limit is None else options.rate_limit
        client = AsyncRossumAPIClient(base_url, credentials, rate_limit_per_second=rate, **common)
        return Target(client, base_url, options.queue)
    for flag in ("token", "username", "password"):
        if getattr(options, flag):
            raise UsageError(f"--{flag} needs --base-url (without it, the embedded emulator runs)")
    from rossum_trio.emulator import Emulator

    delay = getattr(options, "import_delay", None)
    emulator = Emulator(import_delay_s=1.0 if delay is None else delay, preload_invoices=preload)
    client = AsyncRossumAPIClient(
        emulator.base_url, Token(emulator.token), transport=emulator.transport(), **common
    )
    return Target(client, None, options.queue or emulator.seeded.queue_id)


async def check_queue(target: Target) -> Queue:
    """One request that fails the way every other would: credentials, queue, host."""
    assert target.queue_id is not None
    with fatal_errors(target):
        return await target.client.retrieve_queue(target.queue_id)


@contextlib.contextmanager
def fatal_errors(target: Target) -> Iterator[None]:
    """Within the block, an error of the API becomes a one-line :class:`FatalError`."""
    try:
        yield
    except RossumError as exc:
        raise FatalError(describe_fatal(exc, target)) from None


def describe_fatal(exc: BaseException, target: Target) -> str:
    """One line saying what went wrong, for an error that stops everything."""
    where = target.name
    if isinstance(exc, AuthenticationError):
        if exc.url.rstrip("/").endswith("auth/login"):
            return f"login failed at {where}: the API refused the username or password (HTTP 401)"
        return (
            f"the API at {where} refused the token (HTTP 401: {detail(exc)}); "
            "check --token or ROSSUM_TOKEN"
        )
    if isinstance(exc, PermissionDeniedError):
        return f"this user may not do that at {where} (HTTP 403: {detail(exc)})"
    if isinstance(exc, NotFoundError):
        if target.queue_id is not None and f"/queues/{target.queue_id}" in exc.url:
            return f"queue {target.queue_id} does not exist at {where} (or this user cannot see it)"
        return f"not found at {where}: {exc.method} {_path(exc.url)} (HTTP 404)"
    if isinstance(exc, RateLimitedError):
        return (
            f"the API at {where} kept answering 429 (rate limit) too long; try again later, "
            "or lower --max-in-flight"
        )
    if isinstance(exc, APIClientError):
        return f"the API at {where} answered HTTP {exc.status_code}: {detail(exc)}"
    if isinstance(exc, APITimeoutError):
        return f"no answer from {_host(where)} in time: {_cause(exc)}"
    if isinstance(exc, APIConnectionError):
        return f"cannot reach {_host(where)}: {_cause(exc)}"
    if isinstance(exc, UnexpectedResponseError):
        return f"{where} does not answer like the Rossum API: {exc}"
    return f"{type(exc).__name__}: {exc}"


def describe(exc: BaseException | None) -> str:
    """A short reason for one file's error."""
    if exc is None:
        return ""
    if isinstance(exc, ServerError | APIClientError):
        return f"HTTP {exc.status_code} from {exc.method} {_path(exc.url)}: {detail(exc)}"
    if isinstance(exc, APIConnectionError):
        return _cause(exc)
    return str(exc)


def detail(exc: APIClientError) -> str:
    """The server's message: its ``detail`` if it sent JSON with one, else the text (short)."""
    text = str(exc.error)
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError:
        data = None
    if isinstance(data, dict):
        if isinstance(data.get("detail"), str):
            text = data["detail"]
        else:
            text = "; ".join(f"{k}: {_flat(v)}" for k, v in data.items())
    text = " ".join(text.split())
    return text[:200] + ("..." if len(text) > 200 else "") if text else "no detail"


def _flat(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _cause(exc: APIConnectionError) -> str:
    cause = exc.__cause__
    text = str(cause) if cause is not None and str(cause) else str(exc)
    if isinstance(cause, httpx.ConnectError) and not str(cause):
        text = "connection failed"
    return text


def _path(url: str) -> str:
    return httpx.URL(url).path


def _host(where: str) -> str:
    try:
        return httpx.URL(where).host or where
    except (httpx.InvalidURL, ValueError):
        return where
