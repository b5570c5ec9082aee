"""Engines, engine fields and the queues of an engine (``_endpoints/engines.py``) on the wire."""

from __future__ import annotations

from typing import Any

from rossum_trio import Resource
from tests.support import LIST_QUERY
from tests.support.crud import ITEM, list_tests, retrieve_tests
from tests.support.payloads import page
from tests.support.wire import Wire, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_engine", Resource.Engine, "engines/7"))
test_list, test_list_defaults = list_tests(
    ("list_engines", Resource.Engine, "engines", ["-id"], {"type": "extractor"})
)


async def test_retrieve_engine_fields_without_engine_sends_empty_filter(
    dict_client: Any, wire: Wire
) -> None:
    wire.on("GET", "engine_fields", page([ITEM]))
    assert [f async for f in dict_client.retrieve_engine_fields()] == [(Resource.EngineField, ITEM)]
    request = wire.only()
    assert query_of(request) == {**LIST_QUERY, "engine": ""}


async def test_retrieve_engine_fields_of_an_engine(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "engine_fields", page([]))
    assert [f async for f in dict_client.retrieve_engine_fields(engine_id=12)] == []
    assert query_of(wire.only()) == {**LIST_QUERY, "engine": "12"}


async def test_retrieve_engine_queues(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "queues", page([ITEM]))
    assert [q async for q in dict_client.retrieve_engine_queues(12)] == [(Resource.Queue, ITEM)]
    request = wire.only()
    assert request.url.path == "/api/v1/queues"
    assert query_of(request) == {**LIST_QUERY, "engine": "12"}


async def test_list_engines_sends_sideloads(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "engines", page([]))
    assert [e async for e in dict_client.list_engines(["-id"], ["queues"], agenda_id="a")] == []
    assert query_of(wire.only()) == {
        **LIST_QUERY,
        "ordering": "-id",
        "sideload": "queues",
        "agenda_id": "a",
    }
