"""Blocking listing of many pages: windowed (concurrent) vs page by page.

A loopback HTTP/1.1 server (threads, keep-alive) answers ``GET /api/v1/workspaces?page=N``
after ``--latency`` seconds. The same :class:`~rossum_trio.SyncRossumAPIClient` listing runs
twice in one process:

* page by page, as the official sync client does (emulated with ``max_in_flight_requests=1``:
  each window is one page);
* windowed: each ``trio.run`` fetches the next window of ``--cap`` pages concurrently.

The speed-up should come close to the cap when the latency dominates::

    python benchmarks/bench_sync_listing.py --pages 60 --latency 0.02 --cap 4
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rossum_trio import SyncRossumAPIClient, Token

PAGE_SIZE = 100


def _page(base: str, page: int, pages: int) -> bytes:
    start = (page - 1) * PAGE_SIZE
    results = [
        {
            "id": i,
            "name": f"ws-{i}",
            "url": f"{base}/workspaces/{i}",
            "autopilot": False,
            "organization": f"{base}/organizations/1",
            "queues": [],
        }
        for i in range(start, start + PAGE_SIZE)
    ]
    pagination = {"total": pages * PAGE_SIZE, "total_pages": pages, "next": None}
    return json.dumps({"pagination": pagination, "results": results}).encode()


class LatencyServer:
    """Serves ``pages`` pages of workspaces, each answer after ``latency`` seconds."""

    def __init__(self, pages: int, latency: float) -> None:
        self.requests = 0
        self.connections = 0
        bodies: dict[int, bytes] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16

            def setup(self) -> None:
                outer.connections += 1
                super().setup()

            def do_GET(self) -> None:
                outer.requests += 1
                time.sleep(latency)
                page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
                body = bodies.get(page)
                if body is None:
                    body = bodies[page] = _page(outer.base_url, page, pages)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # socketserver's default backlog is 5: with a cap of 8, connections beyond it
            # wait for a SYN retransmit (1 s) and the run measures that instead.
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> LatencyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def timed_listing(base_url: str, cap: int) -> tuple[float, int]:
    """Seconds to list every workspace with ``max_in_flight_requests=cap``, and the count."""
    # The test server has no rate budget: pacing off, or both runs would measure the pacer
    # (9 requests/s against any network host by default), not the windowing.
    with SyncRossumAPIClient(
        base_url, Token("bench"), max_in_flight_requests=cap, rate_limit_per_second=None
    ) as client:
        client.request_json("GET", "workspaces", params={"page": 1})  # warm the pool up
        start = time.perf_counter()
        count = sum(1 for _ in client.list_workspaces())
        return time.perf_counter() - start, count


def main() -> None:
    """Run both listings side by side and print the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--cap", type=int, default=4, help="max_in_flight_requests")
    options = parser.parse_args()
    with LatencyServer(options.pages, options.latency) as server:
        sequential, n_seq = timed_listing(server.base_url, 1)
        windowed, n_win = timed_listing(server.base_url, options.cap)
    assert n_seq == n_win == options.pages * PAGE_SIZE
    print(
        f"{options.pages} pages x {PAGE_SIZE} items, {options.latency * 1000:.0f} ms latency"
        f" per request ({server.requests} requests, {server.connections} connections)"
    )
    print(f"  page by page (cap 1, like the official sync client): {sequential:6.3f} s")
    print(f"  windowed (cap {options.cap}, one trio.run per window):     {windowed:6.3f} s")
    print(f"  speed-up: {sequential / windowed:.2f}x (ideal: about {options.cap}x)")


if __name__ == "__main__":
    main()
