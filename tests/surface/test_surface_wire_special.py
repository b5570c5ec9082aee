"""Wire tests of the methods whose requests are not plain CRUD: engines, hook logs, e-mail
import, passwords, organization limits, queue automation."""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import trio

from rossum_trio import AsyncRossumAPIClient, Resource, Token, UserCredentials
from rossum_trio.errors import ServerError
from rossum_trio.models import (
    AutomationStats,
    AutomationTarget,
    DatapointAutomationTarget,
    FieldErrorRateLimit,
    OrganizationLimit,
)

B = "https://acme.rossum.app/api/v1"
ITEM = {"id": 1, "url": f"{B}/x/1"}
NO_TOTAL_QUERY = {"page_size": "100", "ordering": "", "sideload": "", "content.schema_id": ""}

USER = {
    "id": 10997,
    "url": f"{B}/users/10997",
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@example.com",
    "date_joined": "2018-09-19T13:44:56.000000Z",
    "username": "jane@example.com",
    "organization": f"{B}/organizations/406",
}
LIMITS = {
    "email_limits": {
        "count_today": 7,
        "count_today_notification": 4,
        "count_total": 9,
        "email_per_day_limit": 10,
        "email_per_day_limit_notification": 10,
        "email_total_limit": 20,
        "last_sent_at": "2022-01-13",
        "last_sent_at_notification": "2022-01-13",
    }
}
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


# -- engines ----------------------------------------------------------------------------------


async def test_retrieve_engine_fields_without_engine_sends_empty_filter(
    client: Any, wire: Any
) -> None:
    wire.on("GET", "engine_fields", {**wire.EMPTY_PAGE, "results": [ITEM]})
    assert [f async for f in client.retrieve_engine_fields()] == [(Resource.EngineField, ITEM)]
    request = wire.only()
    assert wire.query(request) == {**wire.LIST_QUERY, "engine": ""}


async def test_retrieve_engine_fields_of_an_engine(client: Any, wire: Any) -> None:
    wire.on("GET", "engine_fields", wire.EMPTY_PAGE)
    assert [f async for f in client.retrieve_engine_fields(engine_id=12)] == []
    assert wire.query(wire.only()) == {**wire.LIST_QUERY, "engine": "12"}


async def test_retrieve_engine_queues(client: Any, wire: Any) -> None:
    wire.on("GET", "queues", {**wire.EMPTY_PAGE, "results": [ITEM]})
    assert [q async for q in client.retrieve_engine_queues(12)] == [(Resource.Queue, ITEM)]
    request = wire.only()
    assert request.url.path == "/api/v1/queues"
    assert wire.query(request) == {**wire.LIST_QUERY, "engine": "12"}


async def test_list_engines_sends_sideloads(client: Any, wire: Any) -> None:
    wire.on("GET", "engines", wire.EMPTY_PAGE)
    assert [e async for e in client.list_engines(["-id"], ["queues"], agenda_id="a")] == []
    assert wire.query(wire.only()) == {
        **wire.LIST_QUERY,
        "ordering": "-id",
        "sideload": "queues",
        "agenda_id": "a",
    }


# -- hooks ------------------------------------------------------------------------------------


async def test_list_hook_run_data_is_one_request_without_paging(client: Any, wire: Any) -> None:
    # Even if the answer looked paginated, hooks/logs is read with exactly one request.
    page = {"pagination": {"total_pages": 3, "next": f"{B}/hooks/logs?page=2"}, "results": [ITEM]}
    wire.on("GET", "hooks/logs", page)
    logs = [x async for x in client.list_hook_run_data(hook=5, log_level="ERROR")]
    assert logs == [(Resource.HookRunData, ITEM)]
    request = wire.only()
    assert request.url.path == "/api/v1/hooks/logs"
    assert wire.query(request) == {**NO_TOTAL_QUERY, "hook": "5", "log_level": "ERROR"}


async def test_list_hook_run_data_plain_results(client: Any, wire: Any) -> None:
    wire.on("GET", "hooks/logs", {"results": [ITEM, ITEM]})
    assert len([x async for x in client.list_hook_run_data(page_size=2)]) == 2
    assert wire.query(wire.only()) == {**NO_TOTAL_QUERY, "page_size": "2"}


async def test_list_hook_templates(client: Any, wire: Any) -> None:
    wire.on("GET", "hook_templates", {**wire.EMPTY_PAGE, "results": [ITEM]})
    items = [t async for t in client.list_hook_templates(extension_source="rossum_store")]
    assert items == [(Resource.HookTemplate, ITEM)]
    assert wire.query(wire.only()) == {**wire.LIST_QUERY, "extension_source": "rossum_store"}


# -- emails -----------------------------------------------------------------------------------


async def test_import_email(client: Any, wire: Any) -> None:
    wire.on("POST", "emails/import", {"url": f"{B}/tasks/42"}, status=202)
    task_url = await client.import_email(b"From: a@b.c\r\n\r\nhi", "inbox@acme.rossum.app")
    assert task_url == f"{B}/tasks/42"
    request = wire.only()
    assert wire.query(request) == {}
    (message, recipient) = wire.multipart(request)
    assert message[:2] == ("raw_message", "email.eml")
    assert message[3] == b"From: a@b.c\r\n\r\nhi"
    assert recipient == ("recipient", None, None, b"inbox@acme.rossum.app")


async def test_import_email_with_mime_type(client: Any, wire: Any) -> None:
    wire.on("POST", "emails/import", {"url": f"{B}/tasks/42"}, status=202)
    await client.import_email(b"raw", "inbox@acme.rossum.app", "message/rfc822")
    (message, _) = wire.multipart(wire.only())
    assert message == ("raw_message", "email.eml", "message/rfc822", b"raw")


async def test_import_email_is_not_repeated_after_a_server_error(
    make_client: Any, wire: Any
) -> None:
    wire.on("POST", "emails/import", {"detail": "oops"}, status=503)
    async with make_client(n_retries=3, retry_backoff_factor=0, retry_max_jitter=0) as client:
        with pytest.raises(ServerError):
            await client.import_email(b"raw", "inbox@acme.rossum.app")
    assert len(wire.requests) == 1  # no duplicate e-mail


async def test_import_email_rejects_text(client: Any, wire: Any) -> None:
    with pytest.raises(ValueError, match="bytes"):
        await client.import_email("text", "inbox@acme.rossum.app")
    assert wire.requests == []


# -- users and passwords ----------------------------------------------------------------------


async def test_reset_user_password(client: Any, wire: Any) -> None:
    answer = {"detail": "Password reset e-mail has been sent."}
    wire.on("POST", "auth/password/reset", answer)
    assert await client.reset_user_password("jane@example.com") == answer
    request = wire.only()
    assert wire.body(request) == {"email": "jane@example.com"}


async def test_change_user_password_with_token_needs_old_password(client: Any, wire: Any) -> None:
    with pytest.raises(ValueError, match="old_password"):
        await client.change_user_password("a-New-passw0rd-long")
    assert wire.requests == []
    wire.on("POST", "auth/password/change", USER)
    assert await client.change_user_password("a-New-passw0rd-long", old_password="old") == USER
    assert wire.body(wire.only()) == {
        "new_password1": "a-New-passw0rd-long",
        "new_password2": "a-New-passw0rd-long",
        "old_password": "old",
    }


async def test_change_user_password_with_credentials_then_relogin_uses_new_one(
    wire: Any,
) -> None:
    wire.on("POST", "auth/login", {"key": "k1"})
    wire.on("POST", "auth/login", {"key": "k2"})
    wire.on("POST", "auth/password/change", USER)
    wire.on("GET", "users/10997", {"detail": "expired"}, status=401)
    wire.on("GET", "users/10997", USER)
    credentials = UserCredentials("jane@example.com", "old-password")
    async with AsyncRossumAPIClient(
        B, credentials, transport=httpx.MockTransport(wire.handler), deserializer=lambda r, d: d
    ) as client:
        await client.change_user_password("new-Password-123")
        assert await client.retrieve_user(10997) == USER
    login1, change, get1, login2, get2 = wire.requests
    assert parse_qs(login1.content.decode()) == {
        "username": ["jane@example.com"],
        "password": ["old-password"],
    }
    assert wire.body(change)["old_password"] == "old-password"
    assert parse_qs(login2.content.decode())["password"] == ["new-Password-123"]
    assert get2.headers["Authorization"] == "Bearer k2"
    assert credentials.password == "old-password"  # the caller's object is not modified


# -- organizations ----------------------------------------------------------------------------


async def test_retrieve_organization_limit_ignores_custom_deserializer(
    client: Any, wire: Any
) -> None:
    wire.on("GET", "organizations/406/limits", LIMITS)
    limit = await client.retrieve_organization_limit(406)
    assert isinstance(limit, OrganizationLimit)
    assert limit.email_limits.email_total_limit == 20
    assert wire.query(wire.only()) == {}


async def test_retrieve_own_organization(client: Any, wire: Any) -> None:
    wire.on("GET", "auth/user", USER)
    wire.on("GET", "organizations/406", ITEM)
    assert await client.retrieve_own_organization() == (Resource.Organization, ITEM)
    assert [r.url.path for r in wire.requests] == [
        "/api/v1/auth/user",
        "/api/v1/organizations/406",
    ]


async def test_retrieve_my_organization_is_deprecated(client: Any, wire: Any) -> None:
    wire.on("GET", "auth/user", USER)
    wire.on("GET", "organizations/406", ITEM)
    with pytest.warns(DeprecationWarning, match="retrieve_own_organization"):
        assert await client.retrieve_my_organization() == (Resource.Organization, ITEM)


# -- queue automation -------------------------------------------------------------------------


async def test_retrieve_automation_insights_default_model(make_client: Any, wire: Any) -> None:
    wire.on("GET", "queues/7/automation/insights", INSIGHTS)
    async with make_client() as client:
        stats = await client.retrieve_automation_insights(7)
    assert isinstance(stats, AutomationStats)
    assert stats.datapoint_statistics[0].schema_id == "amount"


async def test_retrieve_automation_projections(client: Any, wire: Any) -> None:
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    fields = [FieldErrorRateLimit("amount", 0.01), {"schema_id": "date", "error_rate_limit": 0}]
    result = await client.retrieve_automation_projections(7, fields)
    assert result == (Resource.AutomationProjections, PROJECTIONS)
    request = wire.only()
    assert wire.query(request) == {}
    assert wire.body(request) == {
        "fields": [
            {"schema_id": "amount", "error_rate_limit": 0.01},
            {"schema_id": "date", "error_rate_limit": 0},
        ]
    }


async def test_retrieve_automation_projections_excluding_blockers(client: Any, wire: Any) -> None:
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    await client.retrieve_automation_projections(
        7, [FieldErrorRateLimit("amount", 0.01)], ["error_message", "extension"]
    )
    assert wire.query(wire.only()) == {"exclude_blockers": "error_message,extension"}


async def test_retrieve_automation_projections_is_retried(
    make_client: Any, wire: Any, autojump_clock: trio.abc.Clock
) -> None:
    # A projection changes nothing on the server, so it is retried like a GET.
    wire.on("POST", "queues/7/automation/projections", {"detail": "busy"}, status=503)
    wire.on("POST", "queues/7/automation/projections", PROJECTIONS)
    async with make_client(n_retries=2, deserializer=lambda r, d: d) as client:
        assert await client.retrieve_automation_projections(7, []) == PROJECTIONS
    assert len(wire.requests) == 2


async def test_list_automation_targets(client: Any, wire: Any) -> None:
    wire.on("GET", "queues/7/automation/targets", {"results": [TARGET, TARGET]})
    targets = client.list_automation_targets(7)
    assert not inspect.isasyncgen(targets)
    assert wire.requests == []  # nothing is sent before iterating
    assert [t async for t in targets] == [(Resource.AutomationTarget, TARGET)] * 2
    request = wire.only()
    assert (request.method, request.url.path) == ("GET", "/api/v1/queues/7/automation/targets")
    assert wire.query(request) == {}


async def test_list_automation_targets_default_model_and_empty(make_client: Any, wire: Any) -> None:
    wire.on("GET", "queues/7/automation/targets", {"results": [TARGET]})
    wire.on("GET", "queues/8/automation/targets", {})
    async with make_client() as client:
        (target,) = [t async for t in client.list_automation_targets(7)]
        assert [t async for t in client.list_automation_targets(8)] == []
    assert isinstance(target, AutomationTarget)
    assert target.datapoint_automation_targets[0].confidence_threshold == 0.9


async def test_create_new_automation_target(client: Any, wire: Any) -> None:
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
    assert await client.create_new_automation_target(7, 0.8, 0.02, targets) is None
    request = wire.only()
    assert wire.query(request) == {}
    assert wire.body(request) == {
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


async def test_create_new_automation_target_legacy(client: Any, wire: Any) -> None:
    wire.on("POST", "queues/7/automation/targets", TARGET, status=201)
    await client.create_new_automation_target(7, 0.5, 0.1, [], target_type="legacy_thresholds")
    assert wire.body(wire.only())["type"] == "legacy_thresholds"


async def test_token_client_sends_bearer_and_never_logs_in(client: Any, wire: Any) -> None:
    wire.on("GET", "hooks/3", ITEM)
    await client.retrieve_hook(3)
    assert wire.only().headers["Authorization"] == "Bearer secret-token"
    assert isinstance(Token("x"), Token)
