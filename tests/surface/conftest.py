"""A recording fake API for the surface tests: canned answers per (method, path)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from rossum_trio import AsyncRossumAPIClient, Token

BASE = "https://acme.rossum.app/api/v1"

#: The query every page-number list request carries on its first page.
LIST_QUERY = {
    "page_size": "100",
    "ordering": "",
    "sideload": "",
    "content.schema_id": "",
    "include_total": "true",
}

EMPTY_PAGE = {"pagination": {"total": 0, "total_pages": 1, "next": None}, "results": []}


_PART = re.compile(
    rb'Content-Disposition: form-data; name="(?P<name>[^"]*)"(?:; filename="(?P<file>[^"]*)")?'
    rb"\r\n(?:Content-Type: (?P<type>[^\r]*)\r\n)?\r\n(?P<value>.*?)\r\n--",
    re.S,
)


@dataclass
class Wire:
    """Answers requests from ``routes`` and records every request it sees."""

    BASE = BASE
    LIST_QUERY = LIST_QUERY
    EMPTY_PAGE = EMPTY_PAGE

    @staticmethod
    def query(request: httpx.Request) -> dict[str, str]:
        """The request's query parameters (each key once)."""
        items = request.url.params.multi_items()
        assert len({k for k, _ in items}) == len(items), f"repeated query key in {request.url}"
        return dict(items)

    @staticmethod
    def body(request: httpx.Request) -> Any:
        """The request's JSON body."""
        assert request.headers["content-type"] == "application/json"
        return json.loads(request.content)

    @staticmethod
    def multipart(request: httpx.Request) -> list[tuple[str, str | None, str | None, bytes]]:
        """The parts of a multipart body: (field name, filename, content type, value)."""
        assert request.headers["content-type"].startswith("multipart/form-data")
        request.read()
        return [
            (
                m["name"].decode(),
                None if m["file"] is None else m["file"].decode(),
                None if m["type"] is None else m["type"].decode(),
                m["value"],
            )
            for m in _PART.finditer(request.content)
        ]

    routes: dict[tuple[str, str], list[httpx.Response]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        status: int = 200,
        content: bytes | None = None,
    ) -> None:
        """Answer ``method path`` (path relative to the API root) with this response."""
        if content is None:
            response = httpx.Response(status, json=json_body)
        else:
            response = httpx.Response(status, content=content)
        self.routes.setdefault((method, "/api/v1/" + path.lstrip("/")), []).append(response)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.routes.get((request.method, request.url.path))
        if not answers:
            return httpx.Response(
                599, json={"detail": f"unexpected {request.method} {request.url}"}
            )
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def only(self) -> httpx.Request:
        """The one request sent (fails if there were more or none)."""
        assert len(self.requests) == 1, [f"{r.method} {r.url}" for r in self.requests]
        return self.requests[0]


def record(resource: Any, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A custom deserializer that returns what it was given."""
    return (resource, data)


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def make_client(wire: Wire) -> Callable[..., AsyncRossumAPIClient]:
    """Build a Token client (no login) talking to ``wire``."""

    def build(**options: Any) -> AsyncRossumAPIClient:
        options.setdefault("n_retries", 1)
        return AsyncRossumAPIClient(
            BASE, Token("secret-token"), transport=httpx.MockTransport(wire.handler), **options
        )

    return build


@pytest.fixture
async def client(make_client: Callable[..., AsyncRossumAPIClient]) -> AsyncIterator[Any]:
    """A client whose ``deserializer`` returns ``(Resource, dict)`` (shape-agnostic)."""
    async with make_client(deserializer=record) as c:
        yield c
