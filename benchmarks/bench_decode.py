"""Decoding a page of 100 annotations: straight from bytes into Structs vs a dict stage.

Side by side in one run (ratios, not absolute times): our default path
(``msgspec.json.decode(bytes, type=Envelope[Annotation])``) against the dict path a custom
``deserializer=`` takes (``json`` -> dict -> one object per item), which is how the official
client works (``response.json()`` then dacite per item).

    .venv/bin/python benchmarks/bench_decode.py
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import msgspec

from rossum_trio._base import ClientBase
from rossum_trio.dtos import Token
from rossum_trio.models import deserialize_default
from rossum_trio.models.annotation import Annotation

BASE = "https://bench.rossum.app/api/v1"


def annotation(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{BASE}/annotations/{i}",
        "status": "to_review",
        "document": f"{BASE}/documents/{i}",
        "queue": f"{BASE}/queues/8199",
        "schema": f"{BASE}/schemas/95",
        "relations": [],
        "pages": [f"{BASE}/pages/{i}"],
        "creator": f"{BASE}/users/1",
        "modifier": None,
        "created_at": "2021-04-26T10:08:03.856648Z",
        "rir_poll_id": "54f6b9ecfa751789f71ddf12",
        "messages": None,
        "content": f"{BASE}/annotations/{i}/content",
        "time_spent": 0,
        "metadata": {"batch": i % 7},
        "automated": False,
        "related_emails": [],
        "email": f"{BASE}/emails/96743",
        "automation_blocker": None,
        "organization": f"{BASE}/organizations/1",
        "assignees": [],
        "labels": [],
        "restricted_access": False,
        "training_enabled": True,
        "einvoice": False,
    }


def best_of(fn: Any, rounds: int = 7, number: int = 200) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        timings.append((time.perf_counter() - start) / number)
    return min(timings)


def main() -> None:
    body = json.dumps(
        {
            "pagination": {"total": 100, "total_pages": 1, "next": None, "previous": None},
            "results": [annotation(i) for i in range(100)],
        }
    ).encode()
    response = httpx.Response(200, content=body, request=httpx.Request("GET", BASE))
    fast = ClientBase(BASE, Token("t"))
    dict_path = ClientBase(BASE, Token("t"), deserializer=deserialize_default)

    def decode_fast() -> None:
        page = fast._decode_page(Annotation, response)
        assert len(page.items) == 100

    def decode_via_dicts() -> None:
        page = dict_path._decode_page(Annotation, response)
        assert len(page.items) == 100

    def stdlib_json_only() -> None:
        data = json.loads(body)
        assert len(data["results"]) == 100

    a = best_of(decode_fast)
    b = best_of(decode_via_dicts)
    c = best_of(stdlib_json_only)
    print(f"page of 100 annotations ({len(body)} bytes), best per-page time:")
    print(f"  bytes -> Structs (default)       {a * 1e6:8.1f} us")
    print(f"  bytes -> dicts -> Structs        {b * 1e6:8.1f} us   ({b / a:.1f}x the default)")
    print(f"  json.loads only (no models)      {c * 1e6:8.1f} us   ({c / a:.1f}x the default)")
    # Equal results either way.
    one = msgspec.json.encode(fast._decode_page(Annotation, response).items)
    two = msgspec.json.encode(dict_path._decode_page(Annotation, response).items)
    assert one == two


if __name__ == "__main__":
    main()
