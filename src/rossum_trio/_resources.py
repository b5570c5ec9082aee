"""The resource table: each API resource and the URL segment it lives under."""

from __future__ import annotations

from enum import Enum


class Resource(Enum):
    """An API resource; the value is its URL segment relative to the base URL.

    Also the first argument given to a custom ``deserializer=`` callable.
    """

    Annotation = "annotations"
    AnnotationProcessingDuration = "annotations/processing_duration"
    Auth = "auth"
    AutomationStats = "automation/insights"
    AutomationProjections = "automation/projections"
    AutomationTarget = "automation/targets"
    Connector = "connectors"
    Document = "documents"
    DocumentRelation = "document_relations"
    EmailTemplate = "email_templates"
    Engine = "engines"
    EngineField = "engine_fields"
    Group = "groups"
    Hook = "hooks"
    HookRunData = "hooks/logs"
    HookTemplate = "hook_templates"
    Inbox = "inboxes"
    Email = "emails"
    Organization = "organizations"
    OrganizationGroup = "organization_groups"
    Queue = "queues"
    Relation = "relations"
    Rule = "rules"
    RulesExecutionLog = "rules_execution_logs"
    Schema = "schemas"
    Task = "tasks"
    Upload = "uploads"
    User = "users"
    Workspace = "workspaces"


#: Resources listed with one request and no page-number pagination.
NON_PAGINATED_RESOURCES: frozenset[Resource] = frozenset({Resource.HookRunData})
