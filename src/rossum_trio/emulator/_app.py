"""The :class:`Emulator`: state + faults + the ASGI application, and the in-process transport.

Every request is routed before its body is read, so the body limit of the route applies while it
streams (413 without reading further); a body that stalls answers 408. Handlers run under a lock,
so the emulator may be served from a thread while a test reads its state.
"""

from __future__ import annotations

import copy
import re
import threading
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

import httpx

from ._auth import Auth, authenticate, require
from ._faults import ConnectionDropped, FaultInjector, Faults
from ._http import ApiError, Request, Response, error_body, json_response, parse_query
from ._log import RequestLog
from ._routing import MAX_BODY_BYTES, Route, Router
from ._seed import add_user, seed_state
from ._seed import preload_invoices as _preload
from ._store import Obj, State, default_clock, iso_now
from ._wire import read_body, record_request, sleep

__all__ = ["DEFAULT_BASE_URL", "Emulator", "EmulatorTransport"]

DEFAULT_BASE_URL = "http://rossum.emulator/api/v1"

_T = TypeVar("_T")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_UNSAFE_HEADER = re.compile(rb"[\r\n\x00]")
_HOST = re.compile(r"[A-Za-z0-9._\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


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
        seed: Seeds the fault injector, the import jitter and the sample invoices.
        import_delay_s: Time from upload to ``to_review`` (annotation ``importing`` meanwhile).
        import_jitter_s: Each import takes up to this much longer (random, seeded), as real
            imports vary.
        task_delay_s: Time until an upload task is ``succeeded`` (default: a fifth of the import
            delay).
        faults: Initial fault knobs (also settable later through :attr:`faults`).
        clock: Seconds-returning clock for delays and token expiry (default: trio's MockClock
            time under a test clock, else ``time.monotonic``).
        username, password: Credentials of the seeded user (role ``admin``).
        preload_invoices: Sample invoices to import into the default queue at start (``to_review``).
        max_token_lifetime_s: Upper bound and default of token lifetimes (the API's: 162 h).
        body_timeout_s: A request body that sends nothing for this long answers 408.
        admin_token: Token of the control endpoints (default: random; see :attr:`admin_token`).
        create_key: The ``create_key`` of ``POST /organizations/create`` (default: random).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        seed: int = 0,
        import_delay_s: float = 0.5,
        import_jitter_s: float = 0.0,
        task_delay_s: float | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] | None = None,
        username: str = "emma@rossum.emulator",
        password: str = "emulator-password",
        preload_invoices: int = 0,
        max_token_lifetime_s: float = 583_200.0,
        body_timeout_s: float = 30.0,
        admin_token: str | None = None,
        create_key: str | None = None,
    ) -> None:
        from urllib.parse import urlsplit

        split = urlsplit(base_url.rstrip("/"))
        if split.scheme not in ("http", "https") or not split.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        for name, value in (("import_delay_s", import_delay_s), ("body_timeout_s", body_timeout_s)):
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        self._prefix = split.path
        self._lock = threading.RLock()
        self.server_errors: list[str] = []
        """Tracebacks of unexpected exceptions in handlers (answered with 500)."""
        self.username = username
        self.password = password
        self.body_timeout_s = body_timeout_s
        """Seconds a request body may stall before the answer is 408."""
        self._state = State(
            api=base_url.rstrip("/"),
            clock=clock or default_clock,
            import_delay_s=import_delay_s,
            task_delay_s=task_delay_s if task_delay_s is not None else import_delay_s / 5,
            max_token_lifetime_s=max_token_lifetime_s,
            faults=faults if faults is not None else Faults(),
            import_jitter_s=import_jitter_s,
        )
        self._state.rng.seed(seed)
        if admin_token is not None:
            self._state.admin_token = admin_token
        if create_key is not None:
            self._state.create_key = create_key
        self._injector = FaultInjector(self._state.faults, seed)
        self.seeded = seed_state(self._state, username=username, password=password)
        """Ids of the seeded organization, user, workspace, schema and queue."""
        if preload_invoices:
            _preload(self._state, self.seeded, preload_invoices, seed=seed)
        self.token: str = self._state.issue_token(self.seeded.user_id)
        """A valid token of the seeded user, issued at construction."""
        self._router = Router()

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
    def admin_token(self) -> str:
        """Bearer token of the control endpoints (``/_emulator/faults``, ``.../requests``)."""
        return self._state.admin_token

    @property
    def create_key(self) -> str:
        """The ``create_key`` that ``POST /organizations/create`` accepts."""
        return self._state.create_key

    @property
    def faults(self) -> Faults:
        """Fault knobs; change them at any time (assignments are validated)."""
        return self._state.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        if not isinstance(value, Faults):
            raise TypeError("faults must be a Faults instance")
        self._state.faults = value
        self._injector.faults = value

    @property
    def requests(self) -> RequestLog:
        """Requests received, oldest first (see :class:`RequestRecord` and the assertions)."""
        return self._state.log

    @property
    def import_delay_s(self) -> float:
        """Seconds from upload to ``to_review``; settable."""
        return self._state.import_delay_s

    @import_delay_s.setter
    def import_delay_s(self, value: float) -> None:
        self._state.import_delay_s = value

    @property
    def import_jitter_s(self) -> float:
        """Extra random seconds an import may take; settable."""
        return self._state.import_jitter_s

    @import_jitter_s.setter
    def import_jitter_s(self, value: float) -> None:
        self._state.import_jitter_s = value

    def transport(self) -> EmulatorTransport:
        """An httpx transport that calls this emulator in-process (no sockets, no rate limit
        unless :attr:`faults` sets one)."""
        return EmulatorTransport(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point (the in-process defaults: no rate limit)."""
        await self._asgi(scope, receive, send, None)

    @property
    def app(self) -> ASGIApp:
        """The ASGI application with the in-process defaults (no rate limit)."""
        return self.asgi_app()

    def asgi_app(self, *, rate_limit_per_s: float | None = None) -> ASGIApp:
        """The ASGI application, enforcing ``rate_limit_per_s`` (requests/s overall, 429 beyond)
        while ``faults.rate_limit_per_s`` is None. The loopback server passes the real 10/s."""

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await self._asgi(scope, receive, send, rate_limit_per_s)

        return app

    def issue_token(self, *, lifetime_s: float | None = None, user_id: int | None = None) -> str:
        """A new valid token (of the seeded user unless ``user_id`` is given)."""
        with self._lock:
            return self._state.issue_token(user_id or self.seeded.user_id, lifetime_s)

    def add_user(self, username: str, password: str, *, role: str = "annotator") -> int:
        """Create a user of the seeded organization with one role (``viewer``, ``annotator``,
        ``admin``, ...) and access to the seeded queue; returns the user id."""
        with self._lock:
            st = self._state
            if not any(g["name"] == role for g in st.table("groups").values()):
                raise ValueError(f"unknown role {role!r}")
            if username in st.passwords:
                raise ValueError(f"user {username!r} exists")
            org = st.table("organizations")[self.seeded.organization_id]
            user = add_user(
                st,
                org,
                username,
                password,
                first_name="",
                last_name="",
                role=role,
                joined_at=iso_now(),
            )
            user["queues"].append(st.url("queues", self.seeded.queue_id))
            return int(user["id"])

    def expire_tokens(self) -> None:
        """Invalidate every token now (clients must log in again)."""
        with self._lock:
            self._state.tokens.clear()

    def objects(self, kind: str) -> list[Obj]:
        """Deep copies of every stored object of ``kind`` (e.g. ``"annotations"``), as of now."""
        return self._copy(lambda st: list(st.table(kind).values()))

    def get(self, kind: str, obj_id: int) -> Obj:
        """A deep copy of one stored object, as of now; KeyError if unknown."""
        return self._copy(lambda st: st.table(kind)[obj_id])

    def content(self, annotation_id: int) -> list[Obj]:
        """A deep copy of an annotation's content tree, as of now."""
        return self._copy(lambda st: st.contents.get(annotation_id, []))

    def _copy(self, read: Callable[[State], _T]) -> _T:
        """A deep copy of what ``read`` finds in the state, once due transitions are applied."""
        with self._lock:
            self._state.advance()
            return copy.deepcopy(read(self._state))

    def advance(self) -> None:
        """Apply due timed transitions now (requests do this on their own)."""
        with self._lock:
            self._state.advance()

    # ---- ASGI ---------------------------------------------------------------------------

    def _base(self, scope: Scope, headers: dict[str, str]) -> str:
        host = headers.get("host", "")
        if not _HOST.fullmatch(host):
            server = scope.get("server") or ("localhost", None)
            host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}{self._prefix}"

    async def _asgi(
        self, scope: Scope, receive: Receive, send: Send, default_rate: float | None
    ) -> None:
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
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method: str = scope["method"].upper()
        path: str = scope["path"]
        raw_query = scope.get("query_string", b"").decode("latin-1")
        base = self._base(scope, headers)
        rel = None
        if path == self._prefix or path.startswith(self._prefix + "/"):
            rel = path[len(self._prefix) :].strip("/")
        found: tuple[Route, dict[str, str], Any] | None = None
        route_error: ApiError | None = None
        try:
            if rel is None:
                raise ApiError(404, {"detail": "Not found."})
            found = self._router.match(method, rel)
        except ApiError as exc:
            route_error = exc
        limit = found[0].max_body if found is not None else MAX_BODY_BYTES
        outcome = await read_body(receive, headers, limit, self.body_timeout_s)
        if outcome is None:
            return  # the client went away
        body, body_error = outcome
        req = Request(
            method, rel or "", path, raw_query, parse_query(raw_query), headers, body, base
        )
        control = found is not None and found[0].auth is Auth.ADMIN
        if body_error is not None:  # 413/408/400 before anything else: protects the emulator
            if not control:
                self._log(req, body_error.status)
            await self._send(send, body_error.response(), base, method)
            return
        if control:  # never faulted, throttled or logged
            assert found is not None
            await self._send(send, self._dispatch(req, found), base, method)
            return
        decision = self._injector.decide(
            path, self._state.now(), is_login=rel == "auth/login", default_rate=default_rate
        )
        if decision.delay_s > 0:
            await sleep(decision.delay_s)
        if decision.drop and not decision.drop_after:
            self._log(req, None)
            await self._drop(send)
        if decision.status is not None:
            headers_out = []
            if decision.retry_after is not None:
                wait = decision.retry_after
                headers_out.append((b"retry-after", str(wait).encode()))
                payload = error_body(
                    429, f"Request was throttled. Expected available in {wait} seconds."
                )
            else:
                payload = error_body(decision.status, "Injected fault.")
            response = json_response(decision.status, payload, headers_out)
        elif route_error is not None or found is None:
            response = (route_error or ApiError(404)).response()
        else:
            response = self._dispatch(req, found)
        if decision.drop_after:
            self._log(req, None)
            await self._drop(send)
        self._log(req, response.status)
        await self._send(send, response, base, method)

    def _log(self, req: Request, status: int | None) -> None:
        self._state.log.append(record_request(req, status))

    def _dispatch(self, req: Request, found: tuple[Route, dict[str, str], Any]) -> Response:
        route, groups, handler = found
        req.args, req.kind = groups, route.kind
        st = self._state
        with self._lock:
            try:
                st.advance()
                req.user_id = authenticate(st, req, route.auth)
                if route.auth in (Auth.TOKEN, Auth.BASIC):
                    require(st, req, route.perm(req.method))
                response: Response = handler(st, req)
                return response
            except ApiError as exc:
                if exc.status == 401 and not exc.headers:
                    exc.headers = [(b"www-authenticate", b'Bearer realm="api"')]
                return exc.response()
            except Exception:
                self.server_errors.append(traceback.format_exc())
                return json_response(500, error_body(500, "A server error occurred."))

    async def _send(self, send: Send, response: Response, base: str, method: str) -> None:
        body = response.body
        headers = list(response.headers)
        if base != self._state.api:
            old, new = self._state.api.encode(), base.encode()
            body = body.replace(old, new)
            headers = [(k, v.replace(old, new) if k == b"location" else v) for k, v in headers]
        if response.content_type is not None:
            headers.append((b"content-type", response.content_type))
        headers.append((b"content-length", str(len(body)).encode()))
        # header values never carry line breaks or NULs (a server would refuse to send them)
        headers = [(k, _UNSAFE_HEADER.sub(b" ", v)) for k, v in headers]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if method == "HEAD":
            body = b""
        chunk, delay = self.faults.slow_body_chunk, self.faults.slow_body_delay_s
        if chunk > 0 and len(body) > chunk:
            for start in range(0, len(body), chunk):
                if start:
                    await sleep(delay)
                part = body[start : start + chunk]
                await send({"type": "http.response.body", "body": part, "more_body": True})
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
