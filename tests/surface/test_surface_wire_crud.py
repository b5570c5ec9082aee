"""The requests of the plain CRUD and list methods, checked on the wire.

Each case names a client method, its arguments, and the request the official 3.17.0 client sends
for it (method, path, query, JSON body). The client's ``deserializer`` returns
``(Resource, dict)``, so each case also checks which :class:`Resource` the answer is given as.
"""

from __future__ import annotations

from typing import Any

import pytest

from rossum_trio import Resource

DATA = {"name": "x", "metadata": {"k": [1, 2]}}
ITEM = {"id": 1, "url": "https://acme.rossum.app/api/v1/x/1"}

# (method name, args, resource, path) for "retrieve one object by id".
RETRIEVE = [
    ("retrieve_queue", Resource.Queue, "queues/7"),
    ("retrieve_workspace", Resource.Workspace, "workspaces/7"),
    ("retrieve_organization", Resource.Organization, "organizations/7"),
    ("retrieve_organization_group", Resource.OrganizationGroup, "organization_groups/7"),
    ("retrieve_schema", Resource.Schema, "schemas/7"),
    ("retrieve_user", Resource.User, "users/7"),
    ("retrieve_engine", Resource.Engine, "engines/7"),
    ("retrieve_email", Resource.Email, "emails/7"),
    ("retrieve_email_template", Resource.EmailTemplate, "email_templates/7"),
    ("retrieve_connector", Resource.Connector, "connectors/7"),
    ("retrieve_hook", Resource.Hook, "hooks/7"),
    ("retrieve_hook_template", Resource.HookTemplate, "hook_templates/7"),
    ("retrieve_rule", Resource.Rule, "rules/7"),
    ("retrieve_document_relation", Resource.DocumentRelation, "document_relations/7"),
    ("retrieve_automation_insights", Resource.AutomationStats, "queues/7/automation/insights"),
]

CREATE = [
    ("create_new_queue", Resource.Queue, "queues"),
    ("create_new_workspace", Resource.Workspace, "workspaces"),
    ("create_new_relation", Resource.Relation, "relations"),
    ("create_new_schema", Resource.Schema, "schemas"),
    ("create_new_user", Resource.User, "users"),
    ("create_new_inbox", Resource.Inbox, "inboxes"),
    ("create_new_email_template", Resource.EmailTemplate, "email_templates"),
    ("create_new_connector", Resource.Connector, "connectors"),
    ("create_new_hook", Resource.Hook, "hooks"),
    ("create_new_rule", Resource.Rule, "rules"),
    ("create_new_document_relation", Resource.DocumentRelation, "document_relations"),
]

UPDATE = [
    ("update_part_hook", "PATCH", Resource.Hook, "hooks/7"),
    ("update_part_rule", "PATCH", Resource.Rule, "rules/7"),
    ("update_part_document_relation", "PATCH", Resource.DocumentRelation, "document_relations/7"),
    ("update_document_relation", "PUT", Resource.DocumentRelation, "document_relations/7"),
]

DELETE = [
    ("delete_queue", "queues/7"),
    ("delete_workspace", "workspaces/7"),
    ("delete_schema", "schemas/7"),
    ("delete_hook", "hooks/7"),
    ("delete_rule", "rules/7"),
    ("delete_document_relation", "document_relations/7"),
]

# (method name, resource, path, ordering sent, filters) for page-number lists.
LISTS = [
    ("list_queues", Resource.Queue, "queues", ["-id", "name"], {"workspace": "3"}),
    ("list_workspaces", Resource.Workspace, "workspaces", ["name"], {"organization": "3"}),
    ("list_organizations", Resource.Organization, "organizations", ["id"], {"name": "o"}),
    ("list_organization_groups", Resource.OrganizationGroup, "organization_groups", [], {}),
    ("list_relations", Resource.Relation, "relations", ["type"], {"parent": "3"}),
    ("list_schemas", Resource.Schema, "schemas", ["id"], {"queue": "3"}),
    ("list_users", Resource.User, "users", ["-last_login"], {"is_active": "true"}),
    ("list_user_roles", Resource.Group, "groups", ["name"], {"name": "admin"}),
    ("list_engines", Resource.Engine, "engines", ["-id"], {"type": "extractor"}),
    ("list_email_templates", Resource.EmailTemplate, "email_templates", [], {"queue": "3"}),
    ("list_connectors", Resource.Connector, "connectors", ["service_url"], {}),
    ("list_hooks", Resource.Hook, "hooks", ["-active", "name"], {"queue": "3"}),
    ("list_rules", Resource.Rule, "rules", ["organization"], {"schema": "3"}),
    (
        "list_rules_execution_logs",
        Resource.RulesExecutionLog,
        "rules_execution_logs",
        ["-created_at"],
        {"rule": "3"},
    ),
    ("list_document_relations", Resource.DocumentRelation, "document_relations", ["id"], {}),
]


@pytest.mark.parametrize(("name", "resource", "path"), RETRIEVE)
async def test_retrieve(client: Any, wire: Any, name: str, resource: Resource, path: str) -> None:
    wire.on("GET", path, ITEM)
    result = await getattr(client, name)(7)
    request = wire.only()
    assert (request.method, request.url.path) == ("GET", f"/api/v1/{path}")
    assert wire.query(request) == {}
    assert request.content == b""
    assert result == (resource, ITEM)


@pytest.mark.parametrize(("name", "resource", "path"), CREATE)
async def test_create(client: Any, wire: Any, name: str, resource: Resource, path: str) -> None:
    wire.on("POST", path, ITEM, status=201)
    result = await getattr(client, name)(DATA)
    request = wire.only()
    assert (request.method, request.url.path) == ("POST", f"/api/v1/{path}")
    assert wire.query(request) == {}
    assert wire.body(request) == DATA
    assert result == (resource, ITEM)


@pytest.mark.parametrize(("name", "verb", "resource", "path"), UPDATE)
async def test_update(
    client: Any, wire: Any, name: str, verb: str, resource: Resource, path: str
) -> None:
    wire.on(verb, path, ITEM)
    result = await getattr(client, name)(7, DATA)
    request = wire.only()
    assert (request.method, request.url.path) == (verb, f"/api/v1/{path}")
    assert wire.query(request) == {}
    assert wire.body(request) == DATA
    assert result == (resource, ITEM)


@pytest.mark.parametrize(("name", "path"), DELETE)
async def test_delete(client: Any, wire: Any, name: str, path: str) -> None:
    wire.on("DELETE", path, content=b"", status=204)
    assert await getattr(client, name)(7) is None
    request = wire.only()
    assert (request.method, request.url.path) == ("DELETE", f"/api/v1/{path}")
    assert wire.query(request) == {}
    assert request.content == b""


@pytest.mark.parametrize(("name", "resource", "path", "ordering", "filters"), LISTS)
async def test_list(
    client: Any,
    wire: Any,
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
    items = [x async for x in getattr(client, name)(ordering, **filters)]
    assert items == [(resource, ITEM), (resource, ITEM)]
    first, second = wire.requests
    assert (first.method, first.url.path) == ("GET", f"/api/v1/{path}")
    expected = {**wire.LIST_QUERY, "ordering": ",".join(ordering), **filters}
    assert wire.query(first) == expected
    assert wire.query(second) == {**expected, "page": "2"}
    assert first.content == second.content == b""


@pytest.mark.parametrize(("name", "resource", "path", "ordering", "filters"), LISTS)
async def test_list_defaults(
    client: Any,
    wire: Any,
    name: str,
    resource: Resource,
    path: str,
    ordering: list[str],
    filters: dict[str, str],
) -> None:
    """Called with no arguments: the empty ``ordering=`` etc. are sent, as officially."""
    wire.on("GET", path, wire.EMPTY_PAGE)
    assert [x async for x in getattr(client, name)()] == []
    assert wire.query(wire.only()) == wire.LIST_QUERY
