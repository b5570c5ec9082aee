"""Queues and queue automation (``_endpoints/queues.py``) on the wire."""

from __future__ import annotations

import inspect
from typing import Any

import respx
import trio

from rossum_trio import AsyncRossumAPIClient, Resource
from rossum_trio.models import (
    AutomationStats,
    AutomationTarget,
    DatapointAutomationTarget,
    FieldErrorRateLimit,
    Queue,
)
from tests.support import BASE
from tests.support.crud import create_tests, delete_tests, list_tests, retrieve_tests
from tests.support.payloads import page, queue
from tests.support.wire import Wire, body_of, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(
    ("retrieve_queue", Resource.Queue, "queues/7"),
    ("retrieve_automation_insights", Resource.AutomationStats, "queues/7/automation/insights"),
)
test_create = create_tests(("create_new_queue", Resource.Queue, "queues"))
test_delete = delete_tests(("delete_queue", "queues/7"))
test_list, test_list_defaults = list_tests(
    ("list_queues", Resource.Queue, "queues", ["-id", "name"], {"workspace": "3"})
)


async def test_queues(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/queues/1").respond(json=queue(1))
    listing = api.get("/queues").respond(json=page([queue(1), queue(2)]))
    create = api.post("/queues").respond(201, json=queue(3))
    delete = api.delete("/queues/3").respond(202)
    assert isinstance(await client.retrieve_queue(1), Queue)
    assert [q.id async for q in client.list_queues(workspace=7, ordering=["-id"])] == [1, 2]
    assert query_of(listing.calls.last.request)["workspace"] == "7"
    data = {"name": "Q", "workspace": f"{BASE}/workspaces/7", "schema": f"{BASE}/schemas/95"}
    assert (await client.create_new_queue(data)).id == 3
    assert body_of(create.calls.last.request) == data
    assert await client.delete_queue(3) is None
    assert delete.called


# -- queue automation ------------------------------------------------------------------------------


INSIGHTS = {
    "document_automation_rate": 0.5,
    "document_touchless_rate": 0.25,
    "datapoint_statistics": [
        {"schema_id": "amount", "is_quality_estimate": True, "estimated_error_rate": 0.01}
    ],
}


PROJECTIONS = {"baseline": INSIGHTS, "total_document_count": 10, "used_document_count": 8}


TARGET = {
    "automation_rate_target": 0.8,
    "error_rate_target": 0.02,
    "type": "automation_assistant_v1",
    "datapoint_automation_targets": [
        {"schema_id": "amount", "error_rate_target": 0.01, "confidence_threshold": 0.9}
    ],
}


async def test_retrieve_automation_insights_default_model(wire_client: Any, wire: Wire) -> None:
    wire.on("GET", "queues/7/automation/insights", INSIGHTS)
    async with wire_client() as client:
        stats = await client.retrieve_automation_insights(7)
    assert isinstance(stats, AutomationStats)
    assert stats.datapoint_statistics[0].schema_id == "amount"


async def test_retrieve_automation_projections(dict_client: Any, wire: Wire) -> None:
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    fields = [FieldErrorRateLimit("amount", 0.01), {"schema_id": "date", "error_rate_limit": 0}]
    result = await dict_client.retrieve_automation_projections(7, fields)
    assert result == (Resource.AutomationProjections, PROJECTIONS)
    request = wire.only()
    assert query_of(request) == {}
    assert body_of(request) == {
        "fields": [
            {"schema_id": "amount", "error_rate_limit": 0.01},
            {"schema_id": "date", "error_rate_limit": 0},
        ]
    }


async def test_retrieve_automation_projections_excluding_blockers(
    dict_client: Any, wire: Wire
) -> None:
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    await dict_client.retrieve_automation_projections(
        7, [FieldErrorRateLimit("amount", 0.01)], ["error_message", "extension"]
    )
    assert query_of(wire.only()) == {"exclude_blockers": "error_message,extension"}


async def test_retrieve_automation_projections_is_retried(
    wire_client: Any, wire: Wire, autojump_clock: trio.abc.Clock
) -> None:
    # A projection changes nothing on the server, so it is retried like a GET.
    wire.on("POST", "queues/7/automation/projections", {"detail": "busy"}, status=503)
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    async with wire_client(n_retries=2, deserializer=lambda r, d: d) as client:
        assert await client.retrieve_automation_projections(7, []) == PROJECTIONS
    assert len(wire.requests) == 2


async def test_list_automation_targets(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "queues/7/automation/targets", {"results": [TARGET, TARGET]})
    targets = dict_client.list_automation_targets(7)
    assert not inspect.isasyncgen(targets)
    assert wire.requests == []  # nothing is sent before iterating
    assert [t async for t in targets] == [(Resource.AutomationTarget, TARGET)] * 2
    request = wire.only()
    assert (request.method, request.url.path) == ("GET", "/api/v1/queues/7/automation/targets")
    assert query_of(request) == {}


async def test_list_automation_targets_default_model_and_empty(
    wire_client: Any, wire: Wire
) -> None:
    wire.on("GET", "queues/7/automation/targets", {"results": [TARGET]})
    wire.on("GET", "queues/8/automation/targets", {})
    async with wire_client() as client:
        (target,) = [t async for t in client.list_automation_targets(7)]
        assert [t async for t in client.list_automation_targets(8)] == []
    assert isinstance(target, AutomationTarget)
    assert target.datapoint_automation_targets[0].confidence_threshold == 0.9


async def test_create_new_automation_target(dict_client: Any, wire: Wire) -> None:
    wire.on("POST", "queues/7/automation/targets", TARGET, status=201)
    targets = [
        DatapointAutomationTarget("amount", 0.01, 0.9),
        {
            "schema_id": "date",
            "error_rate_target": 0.02,
            "confidence_threshold": 0.8,
            "error_rate_limit": 0.1,
        },
    ]
    assert await dict_client.create_new_automation_target(7, 0.8, 0.02, targets) is None
    request = wire.only()
    assert query_of(request) == {}
    assert body_of(request) == {
        "automation_rate_target": 0.8,
        "error_rate_target": 0.02,
        "datapoint_automation_targets": [
            {
                "schema_id": "amount",
                "error_rate_target": 0.01,
                "confidence_threshold": 0.9,
                "error_rate_limit": None,
            },
            {
                "schema_id": "date",
                "error_rate_target": 0.02,
                "confidence_threshold": 0.8,
                "error_rate_limit": 0.1,
            },
        ],
        "type": "automation_assistant_v1",
    }


async def test_create_new_automation_target_legacy(dict_client: Any, wire: Wire) -> None:
    wire.on("POST", "queues/7/automation/targets", TARGET, status=201)
    await dict_client.create_new_automation_target(7, 0.5, 0.1, [], target_type="legacy_thresholds")
    assert body_of(wire.only())["type"] == "legacy_thresholds"
