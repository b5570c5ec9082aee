"""Throughput of the in-process emulator: list requests per second on one core.

Run: ``python benchmarks/bench_emulator.py [--seconds 3]``. Goal: >= 2,000 list requests/s
through ``httpx.AsyncClient`` + the in-process transport. Also prints the raw ASGI rate (no httpx)
to show how much of the time is the emulator itself.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import httpx
import trio

from rossum_trio.emulator import Emulator

PARAMS = {"page_size": "20", "ordering": "", "sideload": "", "content.schema_id": ""}


def _emulator(n_workspaces: int, n_invoices: int) -> Emulator:
    emu = Emulator(import_delay_s=0, preload_invoices=n_invoices)
    st = emu._state  # seed extra objects directly, quickly
    for i in range(n_workspaces):
        wid = st.next_id("workspaces")
        st.table("workspaces")[wid] = {
            "id": wid,
            "url": st.url("workspaces", wid),
            "name": f"ws {i}",
            "autopilot": False,
            "organization": st.url("organizations", 1),
            "queues": [],
            "metadata": {},
        }
    return emu


async def _httpx_rate(emu: Emulator, path: str, seconds: float) -> float:
    async with httpx.AsyncClient(
        transport=emu.transport(),
        base_url=emu.base_url,
        headers={"Authorization": f"Bearer {emu.token}"},
    ) as client:
        for _ in range(50):  # warm-up
            await client.get(path, params=PARAMS)
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            r = await client.get(path, params=PARAMS)
            assert r.status_code == 200
            n += 1
        return n / (time.perf_counter() - start)


async def _asgi_rate(emu: Emulator, path: str, seconds: float) -> float:
    query = b"page_size=20&ordering=&sideload=&content.schema_id="
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": f"{emu.api_path}{path}",
        "query_string": query,
        "headers": [
            (b"host", b"rossum.emulator"),
            (b"authorization", f"Bearer {emu.token}".encode()),
        ],
        "scheme": "http",
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        await emu.app(scope, receive, send)
        n += 1
    return n / (time.perf_counter() - start)


async def main(seconds: float) -> None:
    emu = _emulator(200, 20)
    for path in ("/workspaces", "/annotations", "/queues"):
        rate = await _httpx_rate(emu, path, seconds)
        raw = await _asgi_rate(emu, path, seconds)
        print(f"GET {path:<13} httpx in-process: {rate:8.0f} req/s   raw ASGI: {raw:8.0f} req/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    trio.run(main, parser.parse_args().seconds)
