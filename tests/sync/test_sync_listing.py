"""Blocking listings: windows of pages fetched concurrently, nothing fetched after a break."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rossum_trio import SyncRossumAPIClient, Token

BASE = "https://fake.rossum.app/api/v1"


def client_for(handler: Any, **options: Any) -> SyncRossumAPIClient:
    return SyncRossumAPIClient(BASE, Token("t"), transport=httpx.MockTransport(handler), **options)


@pytest.mark.parametrize("cap", [1, 3, 4])
def test_pages_of_a_window_are_fetched_concurrently(list_handler: Any, cap: int) -> None:
    with client_for(list_handler, max_in_flight_requests=cap) as client:
        items = list(client.list_workspaces())
    assert [w.id for w in items] == list(range(list_handler.total_pages * 3))
    assert sorted(list_handler.pages_requested) == list(range(1, 11))
    # Page 1 alone (it tells the page count), then windows of `cap` pages at once.
    assert list_handler.max_in_flight == cap


def test_early_break_makes_no_further_requests(list_handler: Any) -> None:
    with client_for(list_handler, max_in_flight_requests=4) as client:
        listing = client.list_workspaces(ordering=["id"])
        assert list_handler.requests == []  # nothing until the first next()
        first = next(listing)
        assert first.id == 0
        assert list_handler.pages_requested == [1]
        for workspace in listing:
            if workspace.id == 3:  # first item of page 2: one window (pages 2-5) fetched
                break
        assert sorted(list_handler.pages_requested) == [1, 2, 3, 4, 5]
        del listing
        # Nothing runs between calls: another call sees no listing traffic.
        assert client.retrieve_workspace(1).id == 1
    assert len(list_handler.requests) == 6
    assert list_handler.requests[-1].url.path.endswith("/workspaces/1")


def test_window_bounds_memory(list_handler: Any) -> None:
    with client_for(list_handler, max_in_flight_requests=2) as client:
        listing = client.list_workspaces()
        seen = [next(listing).id for _ in range(4)]  # page 1 (3 items) + 1 from pages 2-3
        assert seen == [0, 1, 2, 3]
        assert sorted(list_handler.pages_requested) == [1, 2, 3]


def test_filters_and_max_pages_reach_the_wire(list_handler: Any) -> None:
    with client_for(list_handler) as client:
        items = list(client.list_workspaces(["name"], name="x", max_pages=2))
    assert len(items) == 6
    first = list_handler.requests[0].url.params
    assert first["ordering"] == "name" and first["name"] == "x"
    assert first["page_size"] == "100" and first["include_total"] == "true"
    assert sorted(list_handler.pages_requested) == [1, 2]


def test_errors_in_a_window_propagate_and_the_client_stays_usable() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        calls.append(page)
        if page == 3:
            return httpx.Response(400, json={"detail": "bad"})
        return httpx.Response(
            200,
            json={
                "pagination": {"total": 50, "total_pages": 5, "next": None, "previous": None},
                "results": [{"id": page}],
            },
        )

    with client_for(handler) as client:
        with pytest.raises(httpx.HTTPStatusError):
            list(client.request_paginated("things"))
        assert client.limiter.statistics().borrowed_tokens == 0
        assert list(client.request_paginated("things", max_pages=2)) == [{"id": 1}, {"id": 2}]
