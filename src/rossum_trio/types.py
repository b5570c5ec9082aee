"""Type aliases used in the client's signatures (as in ``rossum_api.types`` and
``rossum_api.clients.types``). The ordering aliases are hints only; any field name the API
accepts may be passed, with a leading ``-`` for descending order."""

from __future__ import annotations

from typing import Any, Literal, Protocol

__all__ = [
    "AnnotationOrdering",
    "ConnectorOrdering",
    "DocumentRelationOrdering",
    "EmailTemplateOrdering",
    "HookOrdering",
    "HttpMethod",
    "JsonDict",
    "ObjectWithStatus",
    "OrganizationGroupOrdering",
    "OrganizationOrdering",
    "QueueOrdering",
    "RelationOrdering",
    "RuleOrdering",
    "RulesExecutionLogOrdering",
    "SchemaOrdering",
    "Sideload",
    "UserOrdering",
    "UserRoleOrdering",
    "WorkspaceOrdering",
]

JsonDict = dict[str, Any]
HttpMethod = Literal["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
Sideload = Literal["content", "automation_blockers", "documents", "modifiers", "queues"]


class ObjectWithStatus(Protocol):
    """Anything with a ``status`` (annotations, tasks; the bound of the official
    ``AnnotationType`` and ``TaskType``)."""

    status: Any


AnnotationOrdering = Literal[
    "document",
    "document__arrived_at",
    "document__original_file_name",
    "modifier",
    "modifier__username",
    "modified_by",
    "modified_by__username",
    "creator",
    "creator__username",
    "queue",
    "status",
    "created_at",
    "assigned_at",
    "confirmed_at",
    "modified_at",
    "exported_at",
    "export_failed_at",
    "purged_at",
    "rejected_at",
    "deleted_at",
    "confirmed_by",
    "deleted_by",
    "exported_by",
    "purged_by",
    "rejected_by",
    "confirmed_by__username",
    "deleted_by__username",
    "exported_by__username",
    "purged_by__username",
    "rejected_by__username",
]
ConnectorOrdering = Literal["id", "name", "service_url"]
DocumentRelationOrdering = Literal["id", "type", "annotation"]
EmailTemplateOrdering = Literal["id", "name"]
HookOrdering = Literal["id", "name", "type", "active", "config_url", "config_app_url", "events"]
OrganizationOrdering = Literal["id", "name"]
OrganizationGroupOrdering = Literal["id", "name"]
QueueOrdering = Literal[
    "id", "name", "workspace", "connector", "webhooks", "schema", "inbox", "locale"
]
RelationOrdering = Literal["type", "parent", "key"]
RuleOrdering = Literal["id", "name", "organization"]
RulesExecutionLogOrdering = Literal[
    "rule_id", "queue_id", "annotation_id", "created_at", "execution_result"
]
SchemaOrdering = Literal["id"]
UserOrdering = Literal[
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "last_login",
    "date_joined",
    "deleted",
    "not_deleted",
]
UserRoleOrdering = Literal["name"]
WorkspaceOrdering = Literal["id", "name"]
