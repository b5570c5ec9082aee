"""Servers a test talks to: a paged list (in-process), raw sockets, a keep-alive loopback server.

* :class:`ListServer`: ``/workspaces`` in pages behind an ``httpx.MockTransport``, counting the
  requests in flight (the pagination engine, listings of the blocking client, prefetch);
* :class:`RawServer`: a loopback HTTP/1.1 server on raw trio sockets that can reset
  connections, truncate or trickle bodies, send endless bodies or never answer (one request
  per connection); its behaviours are :func:`respond`, :func:`reset_connection`,
  :func:`truncate`, :func:`trickle`, :func:`endless`, :func:`hang`;
* :class:`LoopbackServer`: a well-behaved threaded keep-alive HTTP/1.1 server (TCP or TLS) that
  counts connections (the blocking client's connection pool, Ctrl-C);
* :func:`in_thread`: an async server (a RawServer, the emulator's loopback server) run in a
  thread of its own, for code that runs its own ``trio.run``.
"""

from __future__ import annotations

import json
import math
import socket
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import trio

from tests.support.payloads import workspace
from tests.support.wire import Recorder


class ListServer(Recorder):
    """Serves ``/workspaces`` as ``total`` items in pages of ``page_size`` (the server's size,
    whatever the client asks; a page past the end is a 404), and ``/workspaces/{id}``.

    Records every request (see :class:`~tests.support.wire.Recorder`) and the most requests in
    flight at once. Each answer takes ``latency`` seconds of trio's clock or, with no latency,
    ``checkpoints`` scheduler checkpoints, so that requests started together overlap. The pages
    in ``refuse`` are answered with that status (an error), at once.
    """

    def __init__(
        self,
        total: int,
        page_size: int,
        latency: float = 0.01,
        checkpoints: int = 1,
        refuse: dict[int, int] | None = None,
    ) -> None:
        super().__init__(self._answer)
        self.total = total
        self.page_size = page_size
        self.latency = latency
        self.checkpoints = checkpoints
        self.refuse = refuse or {}
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def pages_requested(self) -> list[int]:
        return [int(r.url.params.get("page", "1")) for r in self.requests]

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        if number in self.refuse:
            return httpx.Response(self.refuse[number], json={"detail": "refused"})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await trio.sleep(self.latency)
            else:
                for _ in range(self.checkpoints):
                    await trio.lowlevel.checkpoint()
        finally:
            self.in_flight -= 1
        path = request.url.path
        if not path.endswith("/workspaces"):
            return httpx.Response(200, json=workspace(int(path.rsplit("/", 1)[1])))
        if number > self.total_pages:
            return httpx.Response(404, json={"detail": "Invalid page."})
        start = (number - 1) * self.page_size
        ids = range(start, min(start + self.page_size, self.total))
        return httpx.Response(
            200,
            json={
                "pagination": {
                    "total": self.total,
                    "total_pages": self.total_pages,
                    "next": None,
                    "previous": None,
                },
                "results": [workspace(i) for i in ids],
            },
        )


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


class LoopbackServer:
    """A threaded HTTP/1.1 keep-alive server on 127.0.0.1 (optionally TLS).

    ``connections`` counts accepted TCP connections. ``GET .../workspaces/<id>`` answers a
    workspace, ``GET .../workspaces`` a list of ``total_pages`` pages, ``POST .../auth/login``
    a token; ``latency`` seconds are added to every answer; paths containing ``slow`` or
    ``/tasks/`` (and logins while ``slow_login`` is set) wait until :meth:`release` (or 10 s).
    """

    def __init__(self, tls: ssl.SSLContext | None = None, latency: float = 0.0) -> None:
        self.connections = 0
        self.requests: list[str] = []
        self.latency = latency
        self.total_pages = 5
        self.slow_login = False
        self._release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # one write per answer (no Nagle/delayed-ACK stalls)

            def setup(self) -> None:
                with server._lock:
                    server.connections += 1
                super().setup()

            def _answer(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append(f"GET {self.path}")
                if server.latency:
                    server._release.wait(server.latency)
                path, _, query = self.path.partition("?")
                if "slow" in path or "/tasks/" in path:
                    server._release.wait(10)
                    self._answer(200, {"slow": True})
                elif path.endswith("/workspaces"):
                    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                    page = int(params.get("page", "1"))
                    size = 10
                    self._answer(
                        200,
                        {
                            "pagination": {
                                "total": server.total_pages * size,
                                "total_pages": server.total_pages,
                                "next": None,
                                "previous": None,
                            },
                            "results": [
                                workspace(i, server.base_url)
                                for i in range((page - 1) * size, page * size)
                            ],
                        },
                    )
                elif "/workspaces/" in path:
                    self._answer(200, workspace(int(path.rsplit("/", 1)[1]), server.base_url))
                else:
                    self._answer(404, {"detail": "Not found."})

            def do_POST(self) -> None:
                server.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                if self.path.endswith("/auth/login"):
                    if server.slow_login:
                        server._release.wait(10)
                    self._answer(200, {"key": "token-123"})
                else:
                    self._answer(404, {"detail": "Not found."})

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # socketserver's 5 drops concurrent connects (1 s SYN retry)

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client hung up (interrupted calls): expected here

        self._server = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}/api/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def release(self) -> None:
        self._release.set()

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
