"""Helpers of the reliability suite (issue #9): hostile servers, recorders, figures.

Everything the suite needs lives here, so the suite stays self-contained:

* :func:`make_client`: an ``AsyncRossumAPIClient`` on a scripted handler (keyword arguments the
  client does not know are dropped, so the suite also runs against older versions of the code);
* :class:`Recorder`: an ``httpx.MockTransport`` handler that records every request, by origin;
* :class:`RawServer`: a loopback HTTP/1.1 server on raw trio sockets that can reset connections,
  truncate or trickle bodies, send endless bodies or never answer;
* :class:`Figures`: the counters behind ``docs/reliability.md`` (collected by ``conftest.py``,
  written out by ``tools/reliability_report.py``), and :func:`scan_for_secrets`;
* JSON builders for the answers the tests script.
"""

from __future__ import annotations

import inspect
import io
import json
import logging
import pathlib
import pickle
import socket
import struct
import threading
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import trio

from rossum_trio import AsyncRossumAPIClient, Token, UserCredentials

HOME = "home.rossum.test"
BASE = f"https://{HOME}/api/v1"
EVIL = "evil.example"
#: Secrets the tests hand to clients; none may ever show up in text.
TOKEN = "b7e1c0ffee0ddba11c0ffee0ddba11c0ffee0dd1"
USERNAME = "alice@example.com"
PASSWORD = "hunter2-Sup3r-secret"
SECRETS = (TOKEN, PASSWORD)

#: Every hostile link the suite offers: other hosts, other schemes, other ports, tricks.
FOREIGN_LINKS = (
    f"https://{EVIL}/api/v1/workspaces?page=2",
    f"http://{HOME}/api/v1/workspaces?page=2",  # same host, plain http
    f"https://{HOME}:8443/api/v1/workspaces?page=2",  # same host, other port
    f"https://{HOME}.{EVIL}/api/v1/workspaces?page=2",  # suffix trick
    f"https://{HOME}@{EVIL}/api/v1/workspaces?page=2",  # userinfo trick
    f"https://user:pw@{EVIL}/api/v1/workspaces?page=2",
    f"https://{EVIL}:443/api/v1/workspaces?page=2",
)


# -- answers ---------------------------------------------------------------------------------------


def workspace(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"ws-{i}",
        "url": f"{base}/workspaces/{i}",
        "autopilot": False,
        "organization": f"{base}/organizations/1",
        "queues": [],
    }


def annotation(i: int, status: str = "to_review", base: str = BASE, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i,
        "url": f"{base}/annotations/{i}",
        "status": status,
        "document": f"{base}/documents/{i + 100}",
        "queue": f"{base}/queues/8199",
        "schema": f"{base}/schemas/95",
        "modifier": None,
        "content": f"{base}/annotations/{i}/content",
        "metadata": {},
    }
    data.update(extra)
    return data


def document(i: int, name: str = "invoice.pdf", base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{base}/documents/{i}",
        "s3_name": "272c2f01ae84a4e19a421cb432e490bb",
        "annotations": [],
        "mime_type": "application/pdf",
        "arrived_at": "2030-01-01T00:00:00.000000Z",
        "original_file_name": name,
        "content": f"{base}/documents/{i}/content",
        "metadata": {},
    }


def page(
    results: list[Any],
    *,
    total: int | None = None,
    total_pages: int | None = None,
    next_url: str | None = None,
) -> dict[str, Any]:
    pagination: dict[str, Any] = {"next": next_url, "previous": None}
    if total is not None:
        pagination["total"] = total
    if total_pages is not None:
        pagination["total_pages"] = total_pages
    return {"pagination": pagination, "results": results}


def upload_answer(annotation_id: int, base: str = BASE) -> dict[str, Any]:
    """What ``POST /queues/{id}/upload`` answers for one file."""
    return {
        "results": [
            {
                "annotation": f"{base}/annotations/{annotation_id}",
                "document": f"{base}/documents/{annotation_id + 100}",
            }
        ]
    }


def write_files(folder: pathlib.Path, count: int, prefix: str = "f") -> list[tuple[Any, str]]:
    files: list[tuple[Any, str]] = []
    for i in range(count):
        path = folder / f"{prefix}{i:03d}.pdf"
        path.write_bytes(b"%PDF-1.4 " + str(i).encode())
        files.append((path, path.name))
    return files


# -- clients ---------------------------------------------------------------------------------------


def _accepted(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the client under test knows (older code lacks some)."""
    known = inspect.signature(AsyncRossumAPIClient.__init__).parameters
    return {k: v for k, v in kwargs.items() if k in known}


def make_client(
    handler: Callable[[httpx.Request], Any] | httpx.AsyncBaseTransport | None = None,
    *,
    base_url: str = BASE,
    credentials: Token | UserCredentials | None = None,
    **kwargs: Any,
) -> AsyncRossumAPIClient:
    """A client on ``handler`` (a MockTransport handler or a transport; None: the network)."""
    kwargs.setdefault("retry_backoff_factor", 0.1)
    kwargs.setdefault("retry_max_jitter", 0.0)
    if handler is not None and not isinstance(handler, httpx.AsyncBaseTransport):
        handler = httpx.MockTransport(handler)
    return AsyncRossumAPIClient(
        base_url,
        credentials if credentials is not None else Token(TOKEN),
        transport=handler,
        **_accepted(kwargs),
    )


def borrowed(client: AsyncRossumAPIClient) -> int:
    """In-flight slots the client holds now."""
    return int(client.limiter.statistics().borrowed_tokens)


@dataclass
class Seen:
    method: str
    url: str
    scheme: str
    host: str
    port: int | None
    authorization: str | None
    body: bytes


class Recorder:
    """A MockTransport handler that records every request, then answers with ``answer``."""

    def __init__(self, answer: Callable[[httpx.Request], Any], home: str = BASE) -> None:
        self.answer = answer
        self.home = httpx.URL(home)
        self.seen: list[Seen] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.seen.append(
            Seen(
                request.method,
                str(request.url),
                request.url.scheme,
                request.url.host,
                request.url.port,
                request.headers.get("authorization"),
                body,
            )
        )
        result = self.answer(request)
        if inspect.isawaitable(result):
            result = await result
        return result  # type: ignore[no-any-return]

    def foreign(self) -> list[Seen]:
        """Requests that left the origin of ``home``."""
        home = (self.home.scheme, self.home.host, self.home.port)
        return [s for s in self.seen if (s.scheme, s.host, s.port) != home]


# -- the raw socket server -------------------------------------------------------------------------


@dataclass
class RawRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[[trio.SocketStream, RawRequest], Awaitable[None]]


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(status: int = 200, body: bytes | Any = b"", **headers: str) -> Behaviour:
    """A complete answer (JSON-encoded unless ``body`` is bytes), then the connection closes."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        head = {"Content-Length": str(len(data)), "Connection": "close", **headers}
        head.setdefault("Content-Type", "application/json")
        await stream.send_all(_head(status, head) + data)

    return behave


def reset_connection() -> Behaviour:
    """Close with a TCP reset (RST), no answer at all."""

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return behave


def truncate(status: int = 200, body: bytes = b'{"id": 7, "na', declared: int = 500) -> Behaviour:
    """Promise ``declared`` bytes, send fewer, close."""

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        head = {"Content-Length": str(declared), "Content-Type": "application/json"}
        await stream.send_all(_head(status, head) + body)

    return behave


def trickle(every_s: float, status: int = 200, size: int = 10_000) -> Behaviour:
    """Send the head, then one byte of a ``size``-byte body every ``every_s`` seconds."""

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        head = {"Content-Length": str(size), "Content-Type": "text/csv"}
        await stream.send_all(_head(status, head))
        for _ in range(size):
            await trio.sleep(every_s)
            await stream.send_all(b"x")

    return behave


def endless(chunk: bytes = b"[" * 65536) -> Behaviour:
    """A chunked body that never ends, sent as fast as it is read."""

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        head = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
        await stream.send_all(_head(200, head))
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            await stream.send_all(frame)

    return behave


def hang() -> Behaviour:
    """Read the request, never answer."""

    async def behave(stream: trio.SocketStream, request: RawRequest) -> None:
        await trio.sleep_forever()

    return behave


class RawServer:
    """A loopback HTTP/1.1 server on raw trio sockets; ``script(request)`` picks a behaviour.

    One request per connection (answers say ``Connection: close``). Records every request.
    Use ``async with RawServer(script).serving() as server: server.base_url``.
    """

    def __init__(self, script: Callable[[RawRequest], Behaviour]) -> None:
        self.script = script
        self.requests: list[RawRequest] = []
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, stream: trio.SocketStream) -> None:
        try:
            request = await self._read_request(stream)
            if request is None:
                return
            self.requests.append(request)
            await self.script(request)(stream, request)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            await trio.aclose_forcefully(stream)

    async def _read_request(self, stream: trio.SocketStream) -> RawRequest | None:
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            data = await stream.receive_some(65536)
            if not data:
                return None
            buffer += data
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            data = await stream.receive_some(65536)
            if not data:
                break
            body += data
        return RawRequest(method, target, headers, body)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[RawServer]:
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(
                partial(trio.serve_tcp, self._handle, 0, host="127.0.0.1")
            )
            self.port = listeners[0].socket.getsockname()[1]
            try:
                yield self
            finally:
                nursery.cancel_scope.cancel()


@contextmanager
def in_thread(opened: Callable[[], Any]) -> Iterator[Any]:
    """Enter the async context manager ``opened()`` in a thread of its own (its own
    ``trio.run``) and yield its value: a server for code that runs its own ``trio.run``
    (the blocking client, the CLI)."""
    ready = threading.Event()
    token: list[trio.lowlevel.TrioToken] = []
    value: list[Any] = []
    stop = trio.Event()

    async def run() -> None:
        async with opened() as entered:
            value.append(entered)
            token.append(trio.lowlevel.current_trio_token())
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=trio.run, args=(run,), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield value[0]
    finally:
        trio.from_thread.run_sync(stop.set, trio_token=token[0])
        thread.join(10)


def serve_in_thread(server: RawServer) -> Any:
    """Run a RawServer in a thread of its own (see :func:`in_thread`)."""
    return in_thread(server.serving)


# -- figures and secrets ---------------------------------------------------------------------------


@dataclass
class Figures:
    """Counters one test contributes to ``docs/reliability.md`` (see ``FIGURE_NAMES``)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, amount: int = 1) -> None:
        if name not in FIGURE_NAMES:
            raise KeyError(f"unknown figure {name!r}")
        self.counts[name] += amount

    @contextmanager
    def call(self, seconds: float = 20.0) -> Iterator[None]:
        """Count a call that must end: started, and ended (returned or raised on its own).

        Inside trio the block is bounded by ``trio.fail_after(seconds)`` (trio's clock: with
        an autojump clock, virtual seconds): a call still running then counts as not ended.
        """
        self.add("calls_started")
        bound = trio.fail_after(seconds) if trio.lowlevel.in_trio_task() else nullcontext()
        try:
            with bound:
                yield
        except trio.TooSlowError:
            raise
        except BaseException:
            self.add("calls_ended")
            raise
        self.add("calls_ended")

    def outcome(self, exc: BaseException | None, *, expected: type[BaseException]) -> None:
        """Count one hostile input and whether it ended in our own error family."""
        from rossum_trio.errors import RossumError

        self.add("hostile_inputs")
        if exc is not None and not isinstance(exc, RossumError | expected):
            self.add("raw_exceptions")


#: Every figure, with what it means (the report prints them in this order).
FIGURE_NAMES: dict[str, str] = {
    "items_expected": "list items the server holds, summed over the listings read under faults",
    "items_delivered": "list items delivered",
    "items_duplicated": "list items delivered more than once",
    "items_missing": "list items never delivered",
    "files": "files given to bulk uploads",
    "results_final": "files that ended with a final result",
    "results_lost": "files left without a result (or still pending)",
    "results_unknown": "files whose outcome stayed unknown (said so; may be on the server)",
    "server_duplicates": "files the server holds more than once after a bulk run",
    "on_server_reported_failed": "files reported failed or not sent that are on the server",
    "calls_started": "calls with a hostile server or input that must end",
    "calls_ended": "calls that ended on their own (answer or our error) within their bound",
    "slots_checked": "in-flight cap checks after a call or a dropped stream",
    "slots_held": "in-flight slots still held at those checks",
    "secrets_texts": "texts scanned for secrets (messages, reprs, tracebacks, pickles, logs, CLI)",
    "secrets_found": "secrets found in them",
    "foreign_links": "links to other origins offered by hostile answers or callers",
    "foreign_requests": "requests that reached another origin",
    "hostile_inputs": "hostile answers and caller inputs tried",
    "raw_exceptions": "of those, exceptions outside RossumError (or the documented ValueError)",
    "bad_inputs": "invalid caller inputs tried (ids, page sizes, base URLs, credentials)",
    "bad_inputs_sent": "requests sent for them",
}


def texts_of(exc: BaseException) -> list[str]:
    """Every text an error can end up in: str, repr, traceback (with causes), notes,
    pickle, the request/response it carries."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts.extend(getattr(exc, "__notes__", []))
    try:
        texts.append(pickle.dumps(exc).decode("latin-1"))
    except Exception as problem:  # an unpicklable error is a finding of its own
        texts.append(f"unpicklable: {problem!r}")
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for name in ("request", "response"):
            try:
                value = getattr(current, name, None)
            except RuntimeError:  # httpx: "The .request property has not been set."
                value = None
            if isinstance(value, httpx.Request):
                texts.append(repr(value.headers) + repr(value.url))
                if not isinstance(value.stream, httpx.AsyncByteStream) or hasattr(
                    value, "_content"
                ):
                    texts.append(value.content.decode("latin-1"))
            elif isinstance(value, httpx.Response):
                texts.append(repr(value.headers))
                if hasattr(value, "_content"):
                    texts.append(value.content.decode("latin-1"))
                with suppress(RuntimeError, httpx.RequestNotRead):
                    texts.append(repr(value.request.headers) + value.request.content.decode())
        current = current.__cause__ or current.__context__
    return texts


def scan_for_secrets(
    figures: Figures, texts: Iterable[str], secrets: Iterable[str] = SECRETS
) -> list[str]:
    """Count the texts and the secrets in them; returns what was found (for the assert)."""
    found = []
    secrets = list(secrets)
    for text in texts:
        figures.add("secrets_texts")
        for secret in secrets:
            if secret and secret in text:
                figures.add("secrets_found")
                found.append(f"{secret[:3]}... in {text[:200]!r}")
    return found


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged (any logger, DEBUG and up) while the block runs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


# -- the emulator ----------------------------------------------------------------------------------

#: Statuses a file of a bulk upload may end in (anything else is lost or still pending).
FINAL_STATUSES = frozenset({"imported", "failed", "unknown", "uploaded", "not_sent"})


class Intercept(httpx.AsyncBaseTransport):
    """A transport in front of another (the emulator's): ``hook(request, forward)`` answers.

    ``forward()`` passes the request on and returns the answer with its body read.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        hook: Callable[[httpx.Request, Callable[[], Awaitable[httpx.Response]]], Awaitable[Any]],
    ) -> None:
        self.inner = inner
        self.hook = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def forward() -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )

        return await self.hook(request, forward)  # type: ignore[no-any-return]


def server_files(emulator: Any) -> Counter[str]:
    """How many documents of each file name the emulator holds."""
    return Counter(d["original_file_name"] for d in emulator.objects("documents"))


def status_of(result: Any) -> str:
    """A bulk result's status (older code has none: derived from its error)."""
    status = getattr(result, "status", None)
    if status is not None:
        return str(status)
    return "failed" if result.error is not None else "imported"


def account_bulk(
    figures: Figures, results: list[Any], names: list[str], on_server: Counter[str]
) -> dict[str, int]:
    """Count a bulk run: every file has a final result, nothing is on the server twice,
    nothing reported failed is on the server. Returns the counts (to assert on)."""
    by_name = Counter(names)
    statuses = [status_of(r) for r in results]
    lost = len(names) - sum(s in FINAL_STATUSES for s in statuses)
    duplicates = sum(max(0, on_server[name] - by_name[name]) for name in by_name)
    hidden = sum(
        1
        for r, s in zip(results, statuses, strict=False)
        if s in ("failed", "not_sent")
        and not getattr(r, "annotation_ids", None)
        and not r.annotations
        and on_server[r.filename] > 0
    )
    figures.add("files", len(names))
    figures.add("results_final", len(names) - lost)
    figures.add("results_lost", lost)
    figures.add("results_unknown", statuses.count("unknown"))
    figures.add("server_duplicates", duplicates)
    figures.add("on_server_reported_failed", hidden)
    return {"lost": lost, "duplicates": duplicates, "hidden": hidden}
