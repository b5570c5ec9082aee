"""Fixtures for the blocking-client tests: fake list handlers and a loopback HTTP(S) server."""

from __future__ import annotations

import json
import math
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
import trustme

BASE = "https://fake.rossum.app/api/v1"


def workspace(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"ws-{i}",
        "url": f"{base}/workspaces/{i}",
        "autopilot": False,
        "organization": f"{base}/organizations/1",
        "queues": [],
    }


class ListHandler:
    """An async MockTransport handler serving ``/workspaces`` in pages; counts concurrency.

    Each request stays "in flight" across a few scheduler checkpoints (no sleeping), so
    requests started together overlap and ``max_in_flight`` shows how many ran at once.
    """

    def __init__(self, total_pages: int, page_size: int = 3) -> None:
        self.total_pages = total_pages
        self.page_size = page_size
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(20):
                await trio.lowlevel.checkpoint()
        finally:
            self.in_flight -= 1
        path = request.url.path
        if path.endswith("/workspaces"):
            page = int(request.url.params.get("page", "1"))
            start = (page - 1) * self.page_size
            ids = range(start, start + self.page_size)
            return httpx.Response(
                200,
                json={
                    "pagination": {
                        "total": self.total_pages * self.page_size,
                        "total_pages": self.total_pages,
                        "next": None,
                        "previous": None,
                    },
                    "results": [workspace(i) for i in ids],
                },
            )
        if "/workspaces/" in path:
            return httpx.Response(200, json=workspace(int(path.rsplit("/", 1)[1])))
        return httpx.Response(404, json={"detail": "Not found."})

    @property
    def pages_requested(self) -> list[int]:
        return [int(r.url.params.get("page", "1")) for r in self.requests]


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


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 from a throwaway test CA (trustme): (CA cert, server PEM)."""
    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    ca_cert, server_pem = folder / "ca.pem", folder / "server.pem"
    authority.cert_pem.write_to_path(str(ca_cert))
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    return ca_cert, server_pem


@pytest.fixture
def tls_loopback(tls_files: tuple[Path, Path]) -> Iterator[tuple[LoopbackServer, ssl.SSLContext]]:
    """A TLS loopback server and a client SSL context that trusts it."""
    ca_cert, server_pem = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(server_pem)
    client_ctx = ssl.create_default_context(cafile=str(ca_cert))
    with LoopbackServer(tls=server_ctx) as server:
        yield server, client_ctx


@pytest.fixture
def list_handler() -> ListHandler:
    return ListHandler(total_pages=10)


def pages_for(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))
