"""The wire tests of plain retrieve/create/update/delete/list methods, as tables.

An endpoint's test module lists its methods in rows and binds the tests these factories make::

    test_retrieve = retrieve_tests(("retrieve_queue", Resource.Queue, "queues/7"))

Each case checks the request the official 3.17.0 client sends for the method (method, path,
query, JSON body), through the ``dict_client`` fixture, whose ``deserializer`` returns
``(Resource, dict)``: so each case also checks which :class:`Resource` the answer is given as.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from rossum_trio import Resource
from tests.support import BASE, LIST_QUERY
from tests.support.payloads import page
from tests.support.wire import Wire, body_of, query_of

DATA = {"name": "x", "metadata": {"k": [1, 2]}}
ITEM = {"id": 1, "url": f"{BASE}/x/1"}

Test = Callable[..., Coroutine[Any, Any, None]]


def _names(rows: tuple[Any, ...]) -> list[str]:
    """Each case is named by its method."""
    return [row[0] for row in rows]


def retrieve_tests(*rows: tuple[str, Resource, str]) -> Test:
    """Rows (method name, resource, path) of "retrieve one object by id" (id 7)."""

    @pytest.mark.parametrize(("name", "resource", "path"), rows, ids=_names(rows))
    async def test_retrieve(
        dict_client: Any, wire: Wire, name: str, resource: Resource, path: str
    ) -> None:
        wire.on("GET", path, ITEM)
        result = await getattr(dict_client, name)(7)
        request = wire.only()
        assert (request.method, request.url.path) == ("GET", f"/api/v1/{path}")
        assert query_of(request) == {}
        assert request.content == b""
        assert result == (resource, ITEM)

    return test_retrieve


def create_tests(*rows: tuple[str, Resource, str]) -> Test:
    """Rows (method name, resource, path) of "create one object from a dict"."""

    @pytest.mark.parametrize(("name", "resource", "path"), rows, ids=_names(rows))
    async def test_create(
        dict_client: Any, wire: Wire, name: str, resource: Resource, path: str
    ) -> None:
        wire.on("POST", path, ITEM, status=201)
        result = await getattr(dict_client, name)(DATA)
        request = wire.only()
        assert (request.method, request.url.path) == ("POST", f"/api/v1/{path}")
        assert query_of(request) == {}
        assert body_of(request) == DATA
        assert result == (resource, ITEM)

    return test_create


def update_tests(*rows: tuple[str, str, Resource, str]) -> Test:
    """Rows (method name, HTTP method, resource, path) of "update object 7 from a dict"."""

    @pytest.mark.parametrize(("name", "verb", "resource", "path"), rows, ids=_names(rows))
    async def test_update(
        dict_client: Any, wire: Wire, name: str, verb: str, resource: Resource, path: str
    ) -> None:
        wire.on(verb, path, ITEM)
        result = await getattr(dict_client, name)(7, DATA)
        request = wire.only()
        assert (request.method, request.url.path) == (verb, f"/api/v1/{path}")
        assert query_of(request) == {}
        assert body_of(request) == DATA
        assert result == (resource, ITEM)

    return test_update


def delete_tests(*rows: tuple[str, str]) -> Test:
    """Rows (method name, path) of "delete object 7"."""

    @pytest.mark.parametrize(("name", "path"), rows, ids=_names(rows))
    async def test_delete(dict_client: Any, wire: Wire, name: str, path: str) -> None:
        wire.on("DELETE", path, content=b"", status=204)
        assert await getattr(dict_client, name)(7) is None
        request = wire.only()
        assert (request.method, request.url.path) == ("DELETE", f"/api/v1/{path}")
        assert query_of(request) == {}
        assert request.content == b""

    return test_delete


ListRow = tuple[str, Resource, str, list[str], dict[str, str]]


def list_tests(*rows: ListRow) -> tuple[Test, Test]:
    """Rows (method name, resource, path, ordering sent, filters) of page-number lists:
    a list of two pages, and the same method called with no arguments."""

    @pytest.mark.parametrize(
        ("name", "resource", "path", "ordering", "filters"), rows, ids=_names(rows)
    )
    async def test_list(
        dict_client: Any,
        wire: Wire,
        name: str,
        resource: Resource,
        path: str,
        ordering: list[str],
        filters: dict[str, str],
    ) -> None:
        page1 = {"pagination": {"total": 2, "total_pages": 2, "next": "x"}, "results": [ITEM]}
        page2 = {"pagination": {"total": 2, "total_pages": 2, "next": None}, "results": [ITEM]}
        wire.on("GET", path, page1)
        wire.on("GET", path, page2)
        items = [x async for x in getattr(dict_client, name)(ordering, **filters)]
        assert items == [(resource, ITEM), (resource, ITEM)]
        first, second = wire.requests
        assert (first.method, first.url.path) == ("GET", f"/api/v1/{path}")
        expected = {**LIST_QUERY, "ordering": ",".join(ordering), **filters}
        assert query_of(first) == expected
        assert query_of(second) == {**expected, "page": "2"}
        assert first.content == second.content == b""

    @pytest.mark.parametrize(("name", "path"), [(row[0], row[2]) for row in rows], ids=_names(rows))
    async def test_list_defaults(dict_client: Any, wire: Wire, name: str, path: str) -> None:
        """Called with no arguments: the empty ``ordering=`` etc. are sent, as officially."""
        wire.on("GET", path, page([]))
        assert [x async for x in getattr(dict_client, name)()] == []
        assert query_of(wire.only()) == LIST_QUERY

    return test_list, test_list_defaults
