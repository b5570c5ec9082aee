"""Helpers of the emulator tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

import httpx

from rossum_trio.emulator import Emulator, sample_invoices

# What the official client sends on every list request.
OFFICIAL_LIST_PARAMS = {"page_size": "100", "ordering": "", "sideload": "", "content.schema_id": ""}


def rid(url: str) -> int:
    """The id at the end of an object URL."""
    return int(url.rstrip("/").rsplit("/", 1)[1])


async def upload(http: httpx.AsyncClient, emu: Emulator, n: int = 1, *, seed: int = 0) -> list[int]:
    """Upload ``n`` sample invoices through the legacy endpoint; the annotation ids."""
    ids = []
    for name, data in sample_invoices(n, seed=seed):
        r = await http.post(
            f"/queues/{emu.seeded.queue_id}/upload",
            files={"content": (name, data, "application/octet-stream")},
        )
        assert r.status_code == 201, r.text
        ids.append(rid(r.json()["results"][0]["annotation"]))
    return ids


async def list_all(http: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every result of a list, walking ``next``."""
    out: list[dict[str, Any]] = []
    r = await http.get(path, params=params)
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["results"]
        if not body["pagination"]["next"]:
            return out
        r = await http.get(body["pagination"]["next"])
