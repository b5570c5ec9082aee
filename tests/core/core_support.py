"""Helpers for the core tests: a scripted fake list server and client factories."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx
import trio

from rossum_trio import AsyncRossumAPIClient, Token, UserCredentials

BASE = "https://fake.rossum.app/api/v1"


def workspace(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"ws-{i}",
        "url": f"{BASE}/workspaces/{i}",
        "autopilot": False,
        "organization": f"{BASE}/organizations/1",
        "queues": [],
    }


class FakeListServer:
    """Serves ``/workspaces`` as ``total`` items in pages of ``page_size`` (server-side size).

    Records every request, the most requests in flight at once, and can add latency.
    """

    def __init__(self, total: int, page_size: int, latency: float = 0.01) -> None:
        self.total = total
        self.page_size = page_size
        self.latency = latency
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.completed = 0

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await trio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        page = int(request.url.params.get("page", "1"))
        if page > self.total_pages:
            return httpx.Response(404, json={"detail": "Invalid page."})
        start = (page - 1) * self.page_size
        ids = range(start, min(start + self.page_size, self.total))
        self.completed += 1
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


def token_client(handler: Callable[[httpx.Request], Any], **kwargs: Any) -> AsyncRossumAPIClient:
    kwargs.setdefault("retry_backoff_factor", 0.5)
    kwargs.setdefault("retry_max_jitter", 0.0)
    return AsyncRossumAPIClient(
        BASE, Token("secret-token-123"), transport=httpx.MockTransport(handler), **kwargs
    )


def password_client(handler: Callable[[httpx.Request], Any], **kwargs: Any) -> AsyncRossumAPIClient:
    kwargs.setdefault("retry_backoff_factor", 0.5)
    kwargs.setdefault("retry_max_jitter", 0.0)
    return AsyncRossumAPIClient(
        BASE,
        UserCredentials("alice@example.com", "hunter2-password"),
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


def annotation(i: int, status: str = "to_review", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i,
        "url": f"{BASE}/annotations/{i}",
        "status": status,
        "document": f"{BASE}/documents/{i + 100}",
        "queue": f"{BASE}/queues/8199",
        "schema": f"{BASE}/schemas/95",
        "modifier": None,
        "content": f"{BASE}/annotations/{i}/content",
        "automation_blocker": None,
        "metadata": {},
    }
    data.update(extra)
    return data


def document(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{BASE}/documents/{i}",
        "s3_name": "272c2f01ae84a4e19a421cb432e490bb",
        "parent": None,
        "email": None,
        "annotations": [],
        "mime_type": "application/pdf",
        "creator": f"{BASE}/users/1",
        "created_at": "2019-10-13T23:04:00.933658Z",
        "arrived_at": "2019-10-13T23:04:00.933658Z",
        "original_file_name": "invoice.pdf",
        "content": f"{BASE}/documents/{i}/content",
        "metadata": {},
    }


def task(i: int, status: str = "running", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i,
        "url": f"{BASE}/tasks/{i}",
        "type": "upload_created",
        "status": status,
        "expires_at": "2030-01-01T00:00:00.000000Z",
        "content": {"upload": f"{BASE}/uploads/{i}"},
        "detail": None,
    }
    data.update(extra)
    return data


def queue(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"queue-{i}",
        "url": f"{BASE}/queues/{i}",
        "workspace": f"{BASE}/workspaces/7",
        "connector": None,
        "schema": f"{BASE}/schemas/95",
        "inbox": None,
        "counts": {"to_review": 1},
    }


def organization(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": "Org",
        "url": f"{BASE}/organizations/{i}",
        "workspaces": [],
        "users": [],
        "organization_group": f"{BASE}/organization_groups/1",
        "is_trial": False,
        "created_at": "2019-09-02T14:28:11.000000Z",
    }


def relation(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "type": "duplicate",
        "key": "abc",
        "parent": f"{BASE}/annotations/1",
        "annotations": [f"{BASE}/annotations/2"],
        "url": f"{BASE}/relations/{i}",
    }


def page(results: list[Any], total_pages: int = 1, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "pagination": {
            "total": len(results) * total_pages,  # pages of this size
            "total_pages": total_pages,
            "next": None,
            "previous": None,
        },
        "results": results,
    }
    body.update(extra)
    return body


LIST_QUERY = {"page_size": "100", "ordering": "", "sideload": "", "content.schema_id": ""}
