"""Hostile or odd answers never escape as anything but our own errors (or a clean result)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio.errors import RossumError
from tests.support.clients import make_client
from tests.support.payloads import workspace

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

# Envelopes that look almost right: real keys with odd values, valid items mixed with junk.
ENVELOPES = st.fixed_dictionaries(
    {},
    optional={
        "results": st.lists(st.one_of(JSON, st.builds(workspace, st.integers(1, 99))), max_size=5),
        "pagination": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {},
                optional={
                    "total": JSON,
                    "total_pages": st.one_of(st.integers(-3, 10**12), JSON),
                    "next": st.one_of(st.none(), st.text(max_size=20), JSON),
                },
            ),
        ),
        "next": st.one_of(st.none(), JSON),
    },
)

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def first_page_only(body: bytes) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page")
        if page not in (None, "1") or "cursor" in str(request.url):
            return httpx.Response(404, json={"detail": "Invalid page."})
        return httpx.Response(200, content=body)

    return handler


@SETTINGS
@given(
    body=st.one_of(ENVELOPES, JSON).map(lambda v: json.dumps(v).encode()) | st.binary(max_size=40)
)
async def test_list_answers(body: bytes) -> None:
    async with make_client(first_page_only(body), n_retries=1) as client:
        try:
            items = [w async for w in client.list_workspaces()]
        except RossumError:
            return
    assert all(w.url.startswith("https://") for w in items)


@SETTINGS
@given(body=JSON.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=40))
async def test_object_answers(body: bytes) -> None:
    async with make_client(lambda _: httpx.Response(200, content=body), n_retries=1) as client:
        try:
            ws = await client.retrieve_workspace(7)
        except RossumError:
            return
    assert isinstance(ws.id, int)


@SETTINGS
@given(status=st.integers(300, 599), body=st.binary(max_size=40))
async def test_error_statuses(status: int, body: bytes) -> None:
    async with make_client(
        lambda _: httpx.Response(status, content=body), n_retries=1, rate_limit_max_wait_s=0
    ) as client:
        with pytest.raises(RossumError) as info:
            await client.retrieve_workspace(7)
    assert f"HTTP {status}" in str(info.value)
