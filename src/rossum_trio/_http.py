"""The request choke point: every HTTP request of a client goes through :meth:`HTTPCore.send`.

One routine does, for every request (listings, uploads, streams, login alike):

* where it may go: relative URLs join ``base_url``; absolute ones must stay on its origin
  (credentials never leave home);
* authentication: single-flight login, one re-login and resend on 401;
* flow control: the client's :class:`~rossum_trio._pacer.Pacer` (rate budget; 429 pauses the
  whole client and is retried without using up ``n_retries``, up to a bound on waiting);
* the in-flight cap: one :class:`trio.CapacityLimiter` slot, taken and given back here only;
* retries (stamina; idempotency-aware; ``Retry-After`` honoured);
* time and size: a total deadline per attempt, a cap on the bytes read;
* errors: statuses and transport failures mapped to :mod:`rossum_trio.errors`, with the
  request detached from its credentials and secrets redacted from every text.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

import httpx
import msgspec
import stamina
import trio

from rossum_trio._bodies import BodyReader
from rossum_trio._concurrency import check_under_trio
from rossum_trio._pacer import Pacer
from rossum_trio._params import RETRIED_STATUS_CODES, parse_retry_after, validate_base_url
from rossum_trio._stats import COUNTERS, RequestStats
from rossum_trio.dtos import Token, UserCredentials, check_token, validate_credentials
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
#: Longest one attempt of a request may take, start to end of body, when ``timeout=None``.
DEFAULT_TOTAL_TIMEOUT_S: Final = 300.0

#: Methods that may be repeated without changing the outcome.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})

#: A ``Retry-After`` of a 5xx longer than this is not waited out; the error is raised instead.
MAX_RETRY_AFTER_S: Final = 120.0
#: Longest single backoff between attempts (the official client has no cap).
MAX_BACKOFF_S: Final = 60.0

#: The API's documented budget (requests per second, all requests of an account).
API_RATE_BUDGET: Final = 10.0
#: Default pace against the API: its budget less a margin for network jitter.
DEFAULT_RATE_LIMIT: Final = 9.0
#: Default bound on the time one request may spend waiting out 429s.
DEFAULT_RATE_LIMIT_MAX_WAIT_S: Final = 300.0

#: Most bytes read into memory for one answer (larger: UnexpectedResponseError).
MAX_BODY_BYTES: Final = 256 * 1024 * 1024
#: Most bytes of an error answer kept (the rest is not read).
MAX_ERROR_BODY_BYTES: Final = 64 * 1024

RateLimit = float | Literal["auto"] | None

ResponsePostProcessor = Callable[[httpx.Response], Any]

_LOGIN_KEY_DECODER: Final = msgspec.json.Decoder(dict[str, Any])
_SECRET_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
#: Response headers an error does not keep (the body it keeps is decoded; cookies are secrets).
_DROPPED_ERROR_HEADERS: Final = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "set-cookie"}
)


def was_not_sent(exc: BaseException) -> bool:
    """True for a transport error raised before the request could reach the server."""
    return isinstance(exc, APIConnectionError) and not exc.request_sent


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def _origin_text(origin: tuple[str, str, int | None]) -> str:
    scheme, host, port = origin
    return f"{scheme}://{host}:{port}" if port is not None else f"{scheme}://{host}"


def _without_userinfo(url: str, parsed: httpx.URL | None) -> str:
    """``url`` for a message: a user name or password in it is not shown."""
    if parsed is None:
        return "(an invalid URL)"
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


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
        rate_limit_per_second: RateLimit,
        rate_limit_max_wait_s: float | None,
    ) -> None:
        url = validate_base_url(base_url)
        self.credentials = validate_credentials(credentials)
        self.base_url = str(url).rstrip("/")
        self._origin = _origin(url)
        self.n_attempts = max(1, n_retries)
        self.backoff_factor = retry_backoff_factor
        self.max_jitter = retry_max_jitter
        self.post_processor = response_post_processor
        self.limiter = trio.CapacityLimiter(max_in_flight_requests)
        if rate_limit_per_second == "auto":
            in_process = transport is not None and not isinstance(
                transport, httpx.AsyncHTTPTransport
            )
            rate_limit_per_second = None if in_process else DEFAULT_RATE_LIMIT
        self.pacer = Pacer(rate_limit_per_second)
        self.rate_limit_max_wait_s = (
            math.inf if rate_limit_max_wait_s is None else rate_limit_max_wait_s
        )
        self.stats = RequestStats()
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        if isinstance(timeout, httpx.Timeout):
            self.total_timeout = timeout.read if timeout.read else DEFAULT_TOTAL_TIMEOUT_S
            if timeout is DEFAULT_TIMEOUT:
                self.total_timeout = DEFAULT_TOTAL_TIMEOUT_S
        else:
            self.total_timeout = float(timeout)
        self._transport = transport
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": "rossum-trio"},
        )
        self.token: str | None = credentials.token if isinstance(credentials, Token) else None
        self._auth_lock = trio.Lock()
        self.closed = False
        #: How many logins this client made (observable for tests and diagnostics).
        self.login_count = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        self.closed = True
        await self.client.aclose()

    def check_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this client is closed; create a new one")

    # -- secrets ---------------------------------------------------------------------------------

    def _secrets(self) -> list[str]:
        """The secrets this client knows, as written and as JSON or a form would encode them."""
        secrets = [self.token]
        if isinstance(self.credentials, UserCredentials):
            secrets.append(self.credentials.password)
        elif isinstance(self.credentials, Token):
            secrets.append(self.credentials.token)
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= 4:
                forms.update(
                    (secret, json.dumps(secret)[1:-1], urllib.parse.quote_plus(secret, safe=""))
                )
        return sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret this client knows replaced by ``***``."""
        for secret in self._secrets():
            text = text.replace(secret, "***")
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` with every secret this client knows replaced by ``***``."""
        for secret in self._secrets():
            data = data.replace(secret.encode(), b"***")
        return data

    @staticmethod
    def _detached(request: httpx.Request) -> httpx.Request:
        """A copy of ``request`` without credentials or body, safe to keep on an error."""
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS]
        return httpx.Request(request.method, request.url, headers=headers)

    # -- where requests may go -------------------------------------------------------------------

    def resolve(self, url: str, *, link: bool = False) -> str:
        """An absolute URL on ``base_url``'s origin for ``url``.

        Relative URLs join ``base_url``. An absolute URL elsewhere (another scheme, host or
        port) is refused: a :class:`ValueError` when the caller gave it, an
        :class:`UnexpectedResponseError` when it came from an answer (``link=True``).
        """
        if not isinstance(url, str) or not url:
            if link:
                raise UnexpectedResponseError("GET", repr(url), 200, "the answer links to no URL")
            raise ValueError(f"url must be a non-empty string, got {url!r}")
        if not url.startswith(("http://", "https://")):
            segments = url.split("?", 1)[0].split("/")
            if any(s in (".", "..") for s in segments):
                if link:
                    raise UnexpectedResponseError(
                        "GET", url, 200, "the answer links to a path with '.' or '..' segments"
                    )
                raise ValueError(f"url must not contain '.' or '..' segments, got {url!r}")
            joined = f"{self.base_url}/{url.lstrip('/')}"
            if link:
                try:
                    httpx.URL(joined)
                except (httpx.InvalidURL, ValueError):
                    raise UnexpectedResponseError(
                        "GET", repr(url), 200, "the answer links to an invalid URL"
                    ) from None
            return joined
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            target = None
        if target is None or _origin(target) != self._origin:
            where = "an invalid URL" if target is None else _origin_text(_origin(target))
            home = _origin_text(self._origin)
            if link:
                raise UnexpectedResponseError(
                    "GET",
                    _without_userinfo(url, target),
                    200,
                    f"the answer links to {where}, not to this client's API ({home}): "
                    "not followed (credentials are only sent to the origin of base_url)",
                )
            if target is None:
                raise ValueError(f"url is not a valid URL (this client's API is {home})")
            raise ValueError(
                f"refusing to send credentials to {target.host!r} ({where}): only {home} is "
                "this client's API (the origin of base_url)"
            )
        return url

    # -- authentication --------------------------------------------------------------------------

    def _require_user_credentials(self, what: str) -> UserCredentials:
        if not isinstance(self.credentials, UserCredentials):
            raise AuthenticationError(
                "POST",
                self.resolve("auth/login"),
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
        response = await self.send(
            "POST",
            "auth/login",
            authenticate=False,
            retry_safe=True,
            data={"username": creds.username, "password": creds.password},
        )
        self.login_count += 1
        try:
            key = _LOGIN_KEY_DECODER.decode(response.content)["key"]
        except (msgspec.DecodeError, KeyError, TypeError, RecursionError) as exc:
            raise UnexpectedResponseError(
                "POST", str(response.request.url), response.status_code, f"no token key ({exc})"
            ) from None
        if not isinstance(key, str) or not key:
            raise UnexpectedResponseError(
                "POST", str(response.request.url), response.status_code, "empty token key"
            )
        try:
            check_token(key)
        except ValueError as exc:
            raise UnexpectedResponseError(
                "POST", str(response.request.url), response.status_code, str(exc)
            ) from None
        logger.debug("logged in to %s", self.base_url)
        return key

    # -- the request routine ---------------------------------------------------------------------

    def _retrying(self, *, retry_safe: bool) -> Any:
        def should_retry(exc: Exception) -> bool | float:
            if isinstance(exc, APIClientError):
                # 429s are flow control, handled in _attempt; they never reach here retried.
                if exc.status_code == 429 or exc.status_code not in RETRIED_STATUS_CODES:
                    return False
                if not retry_safe:
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

    async def send(
        self,
        method: str,
        url: str,
        *,
        retry_safe: bool | None = None,
        stream: bool = False,
        authenticate: bool = True,
        link: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request: the only way any request of the client reaches the network.

        ``retry_safe`` says whether the request may be repeated after it may have reached the
        server (default: by method; POST is not). Connection errors from before sending and
        429 refusals are retried for every method. ``link=True`` marks a URL taken from an
        answer. Other keyword arguments go to httpx (``params``, ``json``, ``files``, ...).

        Returns a response with its body read, or with ``stream=True`` as soon as the
        headers are in (retries happen only until then; no in-flight slot is held after the
        return: the caller reads the body, under the cap, and closes the response).
        """
        check_under_trio()
        self.check_open()
        method = method.upper()
        target = self.resolve(url, link=link)
        safe = method in IDEMPOTENT_METHODS if retry_safe is None else retry_safe
        throttle = _Throttle()
        async for attempt in self._retrying(retry_safe=safe):
            with attempt:
                response = await self._attempt(
                    method,
                    target,
                    kwargs,
                    stream=stream,
                    authenticate=authenticate,
                    throttle=throttle,
                )
        return response

    async def _attempt(
        self,
        method: str,
        url: str,
        kwargs: dict[str, Any],
        *,
        stream: bool,
        authenticate: bool,
        throttle: _Throttle,
    ) -> httpx.Response:
        """One attempt: resent after 429s (within the wait bound) and once after a 401."""
        relogged = False
        while True:
            token = await self.ensure_token() if authenticate else None
            response = await self._exchange(method, url, token, kwargs, stream=stream)
            status = response.status_code
            if status == 429:
                self._wait_out_429(method, response, throttle)
                continue
            self.pacer.on_answer()
            if (
                status == 401
                and token is not None
                and isinstance(self.credentials, UserCredentials)
                and not relogged
            ):
                # The token expired or was revoked: log in again (once, for all callers).
                await response.aclose()
                await self._relogin_after_401(token)
                relogged = True
                continue
            if not response.is_success:
                raise self._status_error(method, response)
            return response

    def _wait_out_429(self, method: str, response: httpx.Response, throttle: _Throttle) -> None:
        """Pause the client for a 429, or raise RateLimitedError past the wait bound."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        now = trio.current_time()
        if throttle.since is None:
            throttle.since = now
        pause = 1.0 if retry_after is None else retry_after
        for stats in (self.stats, *COUNTERS.get()):
            stats.rate_limited += 1
        if now - throttle.since + pause > self.rate_limit_max_wait_s:
            # Not waited out: the client is not paused for it (other calls go on).
            error = self._status_error(method, response)
            error.add_note(
                f"gave up after waiting {now - throttle.since:.1f} s out of 429s "
                f"(rate_limit_max_wait_s={self.rate_limit_max_wait_s:g})"
            )
            raise error
        before = self.pacer.paused_for
        self.pacer.on_throttled(retry_after)
        extended = self.pacer.paused_for - before
        for stats in (self.stats, *COUNTERS.get()):
            stats.paused_s += max(0.0, extended)
        logger.info("429 from %s: pausing the client %.1f s", response.request.url, pause)

    async def _exchange(
        self,
        method: str,
        url: str,
        token: str | None,
        kwargs: dict[str, Any],
        *,
        stream: bool,
    ) -> httpx.Response:
        """One HTTP exchange: in-flight slot, pace, deadline, bounded body, mapped errors."""
        self.check_open()
        headers = dict(kwargs.get("headers") or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        options = {k: v for k, v in kwargs.items() if k != "headers"}
        try:
            request = self.client.build_request(method, url, headers=headers, **options)
            if not isinstance(request.stream, httpx.ByteStream):
                # Multipart and form bodies (already in memory) become plain bytes: httpx would
                # send them through an async generator, which a cancellation mid-body leaves
                # to trio's finaliser (a ResourceWarning).
                request.read()
        except (httpx.InvalidURL, httpx.StreamError, TypeError, ValueError) as exc:
            raise ValueError(
                self.redact(f"cannot build the request {method} {url}: {exc}")
            ) from None
        async with self.limiter:
            await self.pacer.wait_turn()
            for stats in (self.stats, *COUNTERS.get()):
                stats.requests += 1
            with trio.move_on_after(self.total_timeout) as deadline:
                try:
                    response = await self.client.send(request, stream=True)
                    if not response.is_success:
                        await self._read_body(response, MAX_ERROR_BODY_BYTES, truncate=True)
                    elif not stream:
                        await self._read_body(response, MAX_BODY_BYTES, truncate=False)
                except httpx.TransportError as exc:
                    raise self.map_transport_error(exc, request) from exc
            if deadline.cancelled_caught:
                raise APITimeoutError(
                    f"[{method}] {request.url} - no complete answer within "
                    f"{self.total_timeout:g} s (timeout=)",
                    request=self._detached(request),
                    request_sent=True,
                )
        logger.debug("%s %s -> %s", method, request.url, response.status_code)
        if self.post_processor is not None:
            try:
                self.post_processor(response)
            except BaseException:
                await response.aclose()
                raise
        return response

    async def _read_body(self, response: httpx.Response, limit: int, *, truncate: bool) -> None:
        """Read the body into ``response.content``: at most ``limit`` bytes.

        Beyond the limit the rest is left unread and the answer is refused
        (:class:`UnexpectedResponseError`), or with ``truncate`` cut short (error answers).
        """
        reader = BodyReader(response)
        declared = response.headers.get("Content-Length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            await reader.aclose()
            raise self._too_large(response, limit)
        parts: list[bytes] = []
        size = 0
        try:
            while (part := await reader.next()) is not None:
                parts.append(part)
                size += len(part)
                if size > limit:
                    if not truncate:
                        raise self._too_large(response, limit)
                    break
        except httpx.DecodingError as exc:
            # The body does not match its Content-Encoding. An error answer keeps what could
            # be read (its status says enough); a success answer is unusable.
            if not truncate:
                raise self.undecodable(response, exc) from None
        finally:
            await reader.aclose()
        # What httpx's own aread() does once the bytes are in.
        response._content = b"".join(parts)[:limit]

    @staticmethod
    def undecodable(response: httpx.Response, exc: httpx.DecodingError) -> UnexpectedResponseError:
        """The error for a body that does not match its ``Content-Encoding``."""
        return UnexpectedResponseError(
            response.request.method,
            str(response.request.url),
            response.status_code,
            f"the body cannot be decoded as its Content-Encoding says ({exc})",
        )

    def _too_large(self, response: httpx.Response, limit: int) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            response.request.method,
            str(response.request.url),
            response.status_code,
            f"the answer is larger than {limit} bytes",
        )

    def _status_error(self, method: str, response: httpx.Response) -> APIClientError:
        # What the error keeps is a copy without secrets: the server may echo them back.
        body = self.redact_bytes(response.content)
        request = self._detached(response.request)
        headers = [
            (k, self.redact(v))
            for k, v in response.headers.items()
            if k.lower() not in _DROPPED_ERROR_HEADERS
        ]
        detached = httpx.Response(
            response.status_code, headers=headers, content=body, request=request
        )
        text = self.redact(body.decode("utf-8", errors="replace"))
        cls = error_class_for_status(response.status_code)
        return cls(method, str(request.url), response.status_code, text, response=detached)

    def map_transport_error(self, exc: httpx.TransportError, request: httpx.Request) -> Exception:
        sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        detached = self._detached(request)
        exc.request = detached  # the original stays the __cause__: without credentials
        text = self.redact(
            f"[{request.method}] {request.url} - {type(exc).__name__}: {exc or 'no detail'}"
        )
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return cls(text, request=detached, request_sent=sent)


@dataclass
class _Throttle:
    """Per-request record of 429 waiting (shared by the attempts of one request)."""

    since: float | None = None
