"""The :class:`Emulator`: state + faults + the ASGI application, and the in-process transport."""

from __future__ import annotations

import copy
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import trio

from . import _auth as auth
from ._faults import ConnectionDropped, FaultInjector, Faults
from ._http import ApiError, Request, Response, encode_json, json_response, parse_query
from ._routes import Router
from ._seed import preload_invoices as _preload
from ._seed import seed_state
from ._store import Obj, State, default_clock
from ._table import route_table

__all__ = ["DEFAULT_BASE_URL", "Emulator", "EmulatorTransport", "RequestLog", "RequestRecord"]

DEFAULT_BASE_URL = "http://rossum.emulator/api/v1"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator received (the ``Authorization`` header is never kept)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body_size: int
    status: int | None
    """The status answered, or None when the connection was dropped."""

    @property
    def params(self) -> dict[str, list[str]]:
        """The query string parsed into lists of values."""
        out: dict[str, list[str]] = {}
        for k, v in parse_query(self.query):
            out.setdefault(k, []).append(v)
        return out


class RequestLog:
    """The most recent requests (up to ``maxlen``), oldest first."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._items: deque[RequestRecord] = deque(maxlen=maxlen)

    def append(self, record: RequestRecord) -> None:
        """Record one request."""
        self._items.append(record)

    def clear(self) -> None:
        """Forget every recorded request."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(list(self._items))

    def __getitem__(self, index: int) -> RequestRecord:
        return self._items[index]

    def filter(
        self, method: str | None = None, path_contains: str | None = None
    ) -> list[RequestRecord]:
        """Records matching a method and/or a path substring."""
        return [
            rec
            for rec in self._items
            if (method is None or rec.method == method.upper())
            and (path_contains is None or path_contains in rec.path)
        ]


async def _sleep(seconds: float) -> None:
    if trio.lowlevel.in_trio_run():
        await trio.sleep(seconds)
        return
    import asyncio

    await asyncio.sleep(seconds)


class Emulator:
    """An in-memory fake of the Rossum API, served as an ASGI application.

    >>> emu = Emulator(import_delay_s=0)
    >>> emu.base_url
    'http://rossum.emulator/api/v1'

    Use it in-process with ``httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url)``
    or over loopback with :func:`rossum_trio.emulator.open_emulator_server`.

    Args:
        base_url: The API base used in the URLs of stored objects. Requests addressed to another
            host (e.g. the loopback server) see their own host in every URL.
        seed: Seeds the fault injector and the sample invoices.
        import_delay_s: Time from upload to ``to_review`` (annotation ``importing`` meanwhile).
        task_delay_s: Time until an upload task is ``succeeded`` (default: a fifth of the import
            delay).
        faults: Initial fault knobs (also settable later through :attr:`faults`).
        clock: Seconds-returning clock for delays and token expiry (default: trio's MockClock
            time under a test clock, else ``time.monotonic``).
        username, password: Credentials of the seeded user.
        preload_invoices: Sample invoices to import into the default queue at start (``to_review``).
        max_token_lifetime_s: Upper bound and default of token lifetimes (the API's: 162 h).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        seed: int = 0,
        import_delay_s: float = 0.5,
        task_delay_s: float | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] | None = None,
        username: str = "emma@rossum.emulator",
        password: str = "emulator-password",
        preload_invoices: int = 0,
        max_token_lifetime_s: float = 583_200.0,
    ) -> None:
        split = urlsplit(base_url.rstrip("/"))
        if split.scheme not in ("http", "https") or not split.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        self._prefix = split.path
        self.faults: Faults = faults if faults is not None else Faults()
        """Fault knobs; change them at any time."""
        self.requests = RequestLog()
        """Requests received, oldest first (see :class:`RequestRecord`)."""
        self.server_errors: list[str] = []
        """Tracebacks of unexpected exceptions in handlers (answered with 500)."""
        self.username = username
        self.password = password
        self._injector = FaultInjector(self.faults, seed)
        self._state = State(
            api=base_url.rstrip("/"),
            clock=clock or default_clock,
            import_delay_s=import_delay_s,
            task_delay_s=task_delay_s if task_delay_s is not None else import_delay_s / 5,
            max_token_lifetime_s=max_token_lifetime_s,
            token_lifetime_override=lambda: self.faults.token_lifetime_s,
        )
        self.seeded = seed_state(self._state, username=username, password=password)
        """Ids of the seeded organization, user, workspace, schema and queue."""
        if preload_invoices:
            _preload(self._state, self.seeded, preload_invoices, seed=seed)
        self.token: str = self._state.issue_token(self.seeded.user_id)
        """A valid token of the seeded user, issued at construction."""
        self._router = Router(route_table(self._control_faults, self._control_requests))

    # ---- public helpers -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL of stored object URLs (the in-process client's ``base_url``)."""
        return self._state.api

    @property
    def api_path(self) -> str:
        """The path prefix of the API (``/api/v1``)."""
        return self._prefix

    @property
    def import_delay_s(self) -> float:
        """Seconds from upload to ``to_review``; settable."""
        return self._state.import_delay_s

    @import_delay_s.setter
    def import_delay_s(self, value: float) -> None:
        self._state.import_delay_s = value

    def transport(self) -> EmulatorTransport:
        """An httpx transport that calls this emulator in-process (no sockets)."""
        return EmulatorTransport(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        await self._asgi(scope, receive, send)

    @property
    def app(self) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """The ASGI application (the emulator itself)."""
        return self._asgi

    def issue_token(self, *, lifetime_s: float | None = None, user_id: int | None = None) -> str:
        """A new valid token (of the seeded user unless ``user_id`` is given)."""
        return self._state.issue_token(user_id or self.seeded.user_id, lifetime_s)

    def expire_tokens(self) -> None:
        """Invalidate every token now (clients must log in again)."""
        self._state.tokens.clear()

    def objects(self, kind: str) -> list[Obj]:
        """Deep copies of every stored object of ``kind`` (e.g. ``"annotations"``)."""
        return copy.deepcopy(list(self._state.table(kind).values()))

    def get(self, kind: str, obj_id: int) -> Obj:
        """A deep copy of one stored object; KeyError if unknown."""
        return copy.deepcopy(self._state.table(kind)[obj_id])

    def content(self, annotation_id: int) -> list[Obj]:
        """A deep copy of an annotation's content tree."""
        return copy.deepcopy(self._state.contents.get(annotation_id, []))

    def advance(self) -> None:
        """Apply due timed transitions now (requests do this on their own)."""
        self._state.advance()

    # ---- ASGI ---------------------------------------------------------------------------

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        raw_query = scope.get("query_string", b"").decode("latin-1")
        host = headers.get("host")
        if not host:
            server = scope.get("server") or ("localhost", None)
            host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
        base = f"{scope.get('scheme', 'http')}://{host}{self._prefix}"
        rel = path[len(self._prefix) :].strip("/") if path.startswith(self._prefix) else None
        st = self._state
        decision = self._injector.decide(
            path, st.now(), is_login=rel == "auth/login" or (rel or "").startswith("_emulator")
        )
        if decision.delay_s > 0:
            await _sleep(decision.delay_s)
        st.advance()
        safe_headers = {k: v for k, v in headers.items() if k not in ("authorization", "cookie")}

        def record(status: int | None) -> None:
            self.requests.append(
                RequestRecord(scope["method"], path, raw_query, safe_headers, len(body), status)
            )

        if decision.drop and not decision.drop_after:
            record(None)
            await self._drop(send)
        if decision.status is not None:
            extra = []
            if decision.retry_after is not None:
                extra.append((b"retry-after", str(decision.retry_after).encode()))
                wait = decision.retry_after
                payload = {
                    "detail": f"Request was throttled. Expected available in {wait} seconds."
                }
            else:
                payload = {"detail": "Injected fault."}
            response = json_response(decision.status, payload, extra)
        elif rel is None:
            response = json_response(404, {"detail": "Not found."})
        else:
            req = Request(
                scope["method"], rel, path, raw_query, parse_query(raw_query), headers, body, base
            )
            response = self._dispatch(req)
        if decision.drop_after:
            record(None)
            await self._drop(send)
        record(response.status)
        await self._send(send, response, base)

    def _dispatch(self, req: Request) -> Response:
        st = self._state
        try:
            found = self._router.match(req.path)
            if found is None:
                raise ApiError(404, {"detail": "Not found."})
            route, groups = found
            handler = route.methods.get(req.method)
            if handler is None and req.method == "HEAD":
                handler = route.methods.get("GET")
            if handler is None:
                allow = ", ".join(sorted(route.methods))
                raise ApiError(
                    405,
                    {"detail": f'Method "{req.method}" not allowed.'},
                    [(b"allow", allow.encode())],
                )
            req.user_id = auth.authenticate(st, req, route.auth)
            return handler(st, req, groups)
        except ApiError as exc:
            if exc.status == 401 and not exc.headers:
                exc.headers = [(b"www-authenticate", b'Bearer realm="api"')]
            return exc.response()
        except Exception:
            self.server_errors.append(traceback.format_exc())
            return json_response(500, {"detail": "A server error occurred."})

    async def _send(self, send: Send, response: Response, base: str) -> None:
        body = response.body
        headers = list(response.headers)
        if base != self._state.api:
            old, new = self._state.api.encode(), base.encode()
            body = body.replace(old, new)
            headers = [(k, v.replace(old, new) if k == b"location" else v) for k, v in headers]
        if response.content_type is not None:
            headers.append((b"content-type", response.content_type))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        chunk, delay = self.faults.slow_body_chunk, self.faults.slow_body_delay_s
        if chunk > 0 and len(body) > chunk:
            for start in range(0, len(body), chunk):
                if start:
                    await _sleep(delay)
                await send(
                    {
                        "type": "http.response.body",
                        "body": body[start : start + chunk],
                        "more_body": True,
                    }
                )
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _drop(self, send: Send) -> None:
        # Start a response that promises a body, then fail: a server closes the connection
        # mid-response; the in-process transport turns the exception into a transport error.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
            }
        )
        raise ConnectionDropped("connection dropped by the emulator (fault injection)")

    # ---- the emulator's own control endpoints --------------------------------------------

    def _control_faults(self, st: State, req: Request, g: dict[str, str]) -> Response:
        if req.method in ("PATCH", "PUT", "POST"):
            if req.method == "PUT":
                self.faults.reset()
            try:
                self.faults.update(**req.json_object())
            except TypeError as exc:
                raise ApiError(400, {"detail": str(exc)}) from None
        return json_response(200, self.faults.to_dict())

    def _control_requests(self, st: State, req: Request, g: dict[str, str]) -> Response:
        if req.method == "DELETE":
            self.requests.clear()
            return Response(204, b"", [], None)
        return Response(
            200,
            encode_json(
                [
                    {
                        "method": x.method,
                        "path": x.path,
                        "query": x.query,
                        "status": x.status,
                        "body_size": x.body_size,
                    }
                    for x in self.requests
                ]
            ),
        )


class EmulatorTransport(httpx.AsyncBaseTransport):
    """httpx transport into an :class:`Emulator`; dropped connections become transport errors."""

    def __init__(self, emulator: Emulator) -> None:
        self._inner = httpx.ASGITransport(app=emulator.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the ASGI app."""
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
