"""The request choke point: every HTTP request of a client goes through :class:`HTTPCore`.

One place does base URLs, authentication (single-flight login, one re-login on 401), the
in-flight cap (one :class:`trio.CapacityLimiter` per client), the optional client-wide rate
gate, retries (stamina; idempotency-aware; ``Retry-After`` honoured), timeouts, and the
mapping of statuses and transport failures to :mod:`rossum_trio.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import httpx
import msgspec
import stamina
import trio

from rossum_trio._params import RETRIED_STATUS_CODES, join_url, parse_retry_after
from rossum_trio.dtos import Token, UserCredentials
from rossum_trio.errors import (
    APIClientError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    UnexpectedResponseError,
    error_class_for_status,
)

logger = logging.getLogger("rossum_trio")

#: Used when ``timeout=None``: finite, unlike the official client's "no timeout at all".
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=10.0)

#: Methods that may be repeated without changing the outcome.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})

#: A ``Retry-After`` longer than this is not waited out; the error is raised instead.
MAX_RETRY_AFTER_S: Final = 120.0

#: Longest single backoff between attempts (the official client has no cap).
MAX_BACKOFF_S: Final = 60.0

ResponsePostProcessor = Callable[[httpx.Response], Any]

_LOGIN_KEY_DECODER: Final = msgspec.json.Decoder(dict[str, Any])


def _map_transport_error(exc: httpx.TransportError, method: str, url: str) -> APIConnectionError:
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    text = f"[{method}] {url} - {type(exc).__name__}: {exc or 'no detail'}"
    request = exc._request  # may be unset; never raise while mapping
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return cls(text, request=request, request_sent=sent)


def was_not_sent(exc: BaseException) -> bool:
    """True for a transport error raised before the request could reach the server."""
    return isinstance(exc, APIConnectionError) and not exc.request_sent


class _Gate:
    """Client-wide pacing: an optional steady rate, and a pause after a 429's Retry-After.

    Times are on trio's clock, which is per ``trio.run``; the state resets when the run changes
    (the sync client runs each call in a fresh ``trio.run``).
    """

    def __init__(self, rate_per_second: float | None) -> None:
        self.interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self._run: object = None
        self._next_slot = 0.0
        self._pause_until = 0.0

    def _sync_run(self) -> None:
        run = trio.lowlevel.current_trio_token()
        if run is not self._run:
            self._run, self._next_slot, self._pause_until = run, 0.0, 0.0

    async def wait_turn(self) -> None:
        self._sync_run()
        now = trio.current_time()
        slot = max(now, self._pause_until)
        if self.interval:
            slot = max(slot, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            await trio.sleep_until(slot)

    def pause(self, seconds: float) -> None:
        self._sync_run()
        self._pause_until = max(self._pause_until, trio.current_time() + seconds)


class HTTPCore:
    """Sends requests for one client. Not public: use the client's methods."""

    def __init__(
        self,
        base_url: str,
        credentials: UserCredentials | Token,
        *,
        timeout: float | httpx.Timeout | None,
        n_retries: int,
        retry_backoff_factor: float,
        retry_max_jitter: float,
        max_in_flight_requests: int,
        response_post_processor: ResponsePostProcessor | None,
        transport: httpx.AsyncBaseTransport | None,
        rate_limit_per_second: float | None,
    ) -> None:
        if not isinstance(credentials, UserCredentials | Token):
            raise TypeError(
                "credentials must be rossum_trio.dtos.UserCredentials or Token, "
                f"got {type(credentials).__name__}"
            )
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.n_attempts = max(1, n_retries)
        self.backoff_factor = retry_backoff_factor
        self.max_jitter = retry_max_jitter
        self.post_processor = response_post_processor
        self.limiter = trio.CapacityLimiter(max_in_flight_requests)
        self.gate = _Gate(rate_per_second=rate_limit_per_second)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        self._transport = transport
        self._timeout = timeout
        self.client = self._new_client()
        self.token: str | None = credentials.token if isinstance(credentials, Token) else None
        self._auth_lock = trio.Lock()
        self.closed = False
        #: How many logins this client made (observable for tests and diagnostics).
        self.login_count = 0

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": "rossum-trio"},
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        self.closed = True
        await self.client.aclose()

    def check_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this client is closed; create a new one")

    # -- authentication --------------------------------------------------------------------------

    def _require_user_credentials(self, what: str) -> UserCredentials:
        if not isinstance(self.credentials, UserCredentials):
            raise AuthenticationError(
                "POST",
                join_url(self.base_url, "auth/login"),
                401,
                f"{what} needs UserCredentials; this client was given a Token and cannot log in",
            )
        return self.credentials

    async def login(self) -> str:
        """Log in now (whatever the current token), single-flight; returns the new token."""
        async with self._auth_lock:
            self.token = await self._login_request()
            return self.token

    async def ensure_token(self) -> str:
        """The current token, logging in first if there is none (one login for N callers)."""
        if self.token is not None:
            return self.token
        async with self._auth_lock:
            if self.token is None:
                self.token = await self._login_request()
            return self.token

    async def _relogin_after_401(self, stale: str) -> str:
        async with self._auth_lock:
            if self.token == stale or self.token is None:
                self.token = await self._login_request()
            return self.token

    async def _login_request(self) -> str:
        creds = self._require_user_credentials("logging in")
        url = join_url(self.base_url, "auth/login")
        async for attempt in self._retrying(retry_safe=True):
            with attempt:
                response = await self._send(
                    "POST",
                    url,
                    data={"username": creds.username, "password": creds.password},
                    token=None,
                )
                self._raise_for_status("POST", url, response)
        self.login_count += 1
        try:
            key = _LOGIN_KEY_DECODER.decode(response.content)["key"]
        except (msgspec.DecodeError, KeyError, TypeError) as exc:
            raise UnexpectedResponseError(
                "POST", url, response.status_code, f"no token key in the login answer ({exc})"
            ) from None
        if not isinstance(key, str) or not key:
            raise UnexpectedResponseError("POST", url, response.status_code, "empty token key")
        logger.debug("logged in to %s", self.base_url)
        return key

    # -- retries ---------------------------------------------------------------------------------

    def _retrying(self, *, retry_safe: bool) -> Any:
        def should_retry(exc: Exception) -> bool | float:
            if isinstance(exc, APIClientError):
                if exc.status_code not in RETRIED_STATUS_CODES:
                    return False
                # A 429 was refused before any processing: safe even for a POST.
                if not retry_safe and exc.status_code != 429:
                    return False
                hint = parse_retry_after(exc.response.headers.get("Retry-After"))
                if hint is None:
                    return True
                if hint > MAX_RETRY_AFTER_S:
                    return False
                return hint
            if isinstance(exc, APIConnectionError):
                return retry_safe or was_not_sent(exc)
            return False

        return stamina.retry_context(
            on=should_retry,
            attempts=self.n_attempts,
            timeout=None,
            wait_initial=self.backoff_factor,
            wait_jitter=self.max_jitter,
            wait_max=MAX_BACKOFF_S,
            wait_exp_base=2,
        )

    # -- sending ---------------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        token: str | None,
        stream: bool = False,
        borrower: object = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One HTTP exchange under the in-flight cap; maps transport errors; post-processes.

        With ``stream=True`` the body is not read and the limiter slot stays held on behalf of
        ``borrower`` (released by the caller); otherwise the slot is released on return.
        """
        self.check_open()
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = self.client.build_request(method, url, headers=headers, **kwargs)
        await self.gate.wait_turn()
        if stream:
            await self.limiter.acquire_on_behalf_of(borrower)
            try:
                response = await self._send_mapped(request, method, url, stream=True)
            except BaseException:
                self.limiter.release_on_behalf_of(borrower)
                raise
        else:
            async with self.limiter:
                response = await self._send_mapped(request, method, url, stream=False)
        try:
            logger.debug("%s %s -> %s", method, url, response.status_code)
            if response.status_code == 429:
                hint = parse_retry_after(response.headers.get("Retry-After"))
                if hint is not None:
                    self.gate.pause(min(hint, MAX_RETRY_AFTER_S))
            if self.post_processor is not None:
                self.post_processor(response)
        except BaseException:
            if stream:  # the caller never gets the response: give its slot back here
                await response.aclose()
                self.limiter.release_on_behalf_of(borrower)
            raise
        return response

    async def _send_mapped(
        self, request: httpx.Request, method: str, url: str, *, stream: bool
    ) -> httpx.Response:
        try:
            return await self.client.send(request, stream=stream)
        except httpx.TransportError as exc:
            raise _map_transport_error(exc, method, url) from exc

    async def _send_authenticated(
        self, method: str, url: str, *, stream: bool = False, borrower: object = None, **kw: Any
    ) -> httpx.Response:
        token = await self.ensure_token()
        response = await self._send(
            method, url, token=token, stream=stream, borrower=borrower, **kw
        )
        if response.status_code == 401 and isinstance(self.credentials, UserCredentials):
            # The token expired or was revoked: log in again (once, for all callers) and retry once.
            if stream:
                await response.aclose()
                self.limiter.release_on_behalf_of(borrower)
            token = await self._relogin_after_401(token)
            response = await self._send(
                method, url, token=token, stream=stream, borrower=borrower, **kw
            )
        return response

    def _raise_for_status(self, method: str, url: str, response: httpx.Response) -> None:
        if response.is_success:
            return
        body = response.content.decode("utf-8", errors="replace")
        cls = error_class_for_status(response.status_code)
        raise cls(method, url, response.status_code, body, response=response)

    async def request(
        self,
        method: str,
        url: str,
        *,
        retry_safe: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request with auth, cap, retries and error mapping; the body is read.

        ``retry_safe`` says whether the request may be repeated after it may have reached the
        server (default: by method; POST is not). Connection errors from before sending and 429
        refusals are retried for every method.
        """
        self.check_open()
        method = method.upper()
        url = join_url(self.base_url, url)
        safe = method in IDEMPOTENT_METHODS if retry_safe is None else retry_safe
        async for attempt in self._retrying(retry_safe=safe):
            with attempt:
                response = await self._send_authenticated(method, url, **kwargs)
                self._raise_for_status(method, url, response)
        return response

    async def open_stream(
        self,
        method: str,
        url: str,
        *,
        borrower: object,
        retry_safe: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Like :meth:`request`, but returns once the headers are in; the body is unread.

        The caller owns the returned response: it must close it and then call
        ``limiter.release_on_behalf_of(borrower)``. Retries happen only before this returns,
        so no byte is ever delivered twice.
        """
        self.check_open()
        method = method.upper()
        url = join_url(self.base_url, url)
        safe = method in IDEMPOTENT_METHODS if retry_safe is None else retry_safe
        async for attempt in self._retrying(retry_safe=safe):
            with attempt:
                response = await self._send_authenticated(
                    method, url, stream=True, borrower=borrower, **kwargs
                )
                if not response.is_success:
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                        self.limiter.release_on_behalf_of(borrower)
                    self._raise_for_status(method, url, response)
        return response
