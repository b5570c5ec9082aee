"""Every official ``rossum_api.models.<module>`` path exposes every official name.

The names per module come from upstream-surface.md §13 (rossum-api 3.17.0).
"""

from __future__ import annotations

import importlib
import inspect
import typing
from typing import Any

import msgspec
import pytest

OFFICIAL_NAMES: dict[str, list[str]] = {
    "annotation": ["Annotation", "AnnotationProcessingDuration", "Prediction"],
    "automation": [
        "AutomationProjections",
        "AutomationSetupExcludeBlocker",
        "AutomationStats",
        "AutomationTarget",
        "AutomationTargetType",
        "DailyEstimatedErrorRate",
        "DatapointAutomationTarget",
        "DatapointStatistics",
        "DocumentAutomationTimeSeriesData",
        "DocumentBlocker",
        "DocumentBlockerGranularity",
        "FieldErrorRateLimit",
    ],
    "automation_blocker": [
        "AutomationBlocker",
        "AutomationBlockerContent",
        "AutomationBlockerTypes",
    ],
    "connector": ["Connector"],
    "document": ["Document"],
    "document_relation": ["DocumentRelation", "DocumentRelationType"],
    "email": ["Email", "EmailLabel", "EmailType"],
    "email_template": ["EmailTemplate"],
    "engine": ["Engine", "EngineField", "EngineFieldType", "MultilineType"],
    "group": ["Group"],
    "hook": ["Hook", "HookEventAndAction", "HookExtensionSource", "HookRunData", "HookType"],
    "hook_template": [
        "HookEventAndAction",
        "HookExtensionSource",
        "HookTemplate",
        "HookType",
        "InstallAction",
    ],
    "inbox": ["Inbox"],
    "organization": ["Organization"],
    "organization_group": ["OrganizationGroup"],
    "organization_limit": ["EmailLimits", "OrganizationLimit"],
    "queue": ["Queue"],
    "relation": ["Relation", "RelationType"],
    "rule": [
        "AddAutomationBlockerPayload",
        "AddLabelPayload",
        "AddRemoveLabelPayload",
        "AddValidationSourcePayload",
        "ChangeQueuePayload",
        "ChangeStatusMethod",
        "ChangeStatusPayload",
        "CustomActionPayload",
        "HideFieldPayload",
        "LabelsPayload",
        "RemoveLabelPayload",
        "Rule",
        "RuleAction",
        "RuleActionEvent",
        "RuleActionPayload",
        "RuleActionType",
        "SchemaIdsPayload",
        "SendEmailPayload",
        "ShowFieldPayload",
        "ShowHideFieldPayload",
        "ShowMessagePayload",
        "ShowMessageType",
    ],
    "rules_execution_logs": ["ExecutionResult", "RulesExecutionLog"],
    "schema": [
        "Datapoint",
        "DateFormat",
        "Matching",
        "MatchingConfiguration",
        "MatchingQuery",
        "MatchingVariable",
        "Multivalue",
        "Node",
        "NumberFormat",
        "ParentType",
        "Schema",
        "Section",
        "Tuple",
        "ValueSource",
    ],
    "task": ["Task", "TaskStatus", "TaskType"],
    "upload": ["Upload"],
    "user": ["User"],
    "workspace": ["Workspace"],
}

PACKAGE_NAMES = [
    "Annotation",
    "Connector",
    "Document",
    "DocumentRelation",
    "Email",
    "EmailTemplate",
    "Engine",
    "EngineField",
    "Group",
    "Hook",
    "HookRunData",
    "HookTemplate",
    "Inbox",
    "Organization",
    "OrganizationGroup",
    "Queue",
    "Relation",
    "Rule",
    "RulesExecutionLog",
    "Schema",
    "Task",
    "Upload",
    "User",
    "Workspace",
    "RESOURCE_TO_MODEL",
    "deserialize_default",
    "Deserializer",
    "ResponsePostProcessor",
    "JsonDict",
]

ENUM_MEMBERS: dict[tuple[str, str], dict[str, str]] = {
    ("task", "TaskType"): {
        "DOCUMENTS_DOWNLOAD": "documents_download",
        "UPLOAD_CREATED": "upload_created",
        "EMAIL_IMPORTED": "email_imported",
    },
    ("task", "TaskStatus"): {"RUNNING": "running", "SUCCEEDED": "succeeded", "FAILED": "failed"},
    ("relation", "RelationType"): {
        "EDIT": "edit",
        "ATTACHMENT": "attachment",
        "DUPLICATE": "duplicate",
    },
    ("document_relation", "DocumentRelationType"): {"EXPORT": "export", "EINVOICE": "einvoice"},
    ("email", "EmailType"): {"INCOMING": "incoming", "OUTGOING": "outgoing"},
    ("schema", "ValueSource"): {
        "CAPTURED": "captured",
        "DATA": "data",
        "MANUAL": "manual",
        "FORMULA": "formula",
        "REASONING": "reasoning",
        "LOOKUP": "lookup",
    },
    ("hook", "HookEventAndAction"): {
        "ANNOTATION_STATUS_CHANGED": "annotation_status.changed",
        "ANNOTATION_CONTENT_INITIALIZE": "annotation_content.initialize",
        "ANNOTATION_CONTENT_STARTED": "annotation_content.started",
        "ANNOTATION_CONTENT_USER_UPDATE": "annotation_content.user_update",
        "ANNOTATION_CONTENT_UPDATED": "annotation_content.updated",
        "ANNOTATION_CONTENT_CONFIRM": "annotation_content.confirm",
        "ANNOTATION_CONTENT_EXPORT": "annotation_content.export",
        "UPLOAD_CREATED": "upload.created",
        "EMAIL_RECEIVED": "email.received",
        "INVOCATION_SCHEDULED": "invocation.scheduled",
        "INVOCATION_MANUAL": "invocation.manual",
        "INVOCATION_INTERFACE": "invocation.interface",
    },
}

#: Official field order of a few models (positional construction depends on it).
FIELD_ORDER: dict[tuple[str, str], list[str]] = {
    ("task", "Task"): [
        "id",
        "url",
        "type",
        "status",
        "expires_at",
        "content",
        "detail",
        "code",
        "result_url",
    ],  # fmt: skip
    ("relation", "Relation"): ["id", "type", "key", "parent", "annotations", "url"],
    ("annotation", "Annotation"): ["url", "status", "schema", "modifier", "content", "id"],
    ("schema", "Tuple"): [
        "id",
        "children",
        "category",
        "label",
        "disable_prediction",
        "hidden",
        "rir_field_names",
    ],  # fmt: skip
    ("schema", "Datapoint"): [
        "id",
        "type",
        "label",
        "description",
        "category",
        "disable_prediction",
        "hidden",
        "can_export",
        "can_collapse",
        "rir_field_names",
        "default_value",
        "constraints",
        "score_threshold",
        "options",
        "ui_configuration",
        "width",
        "stretch",
        "width_chars",
        "formula",
        "prompt",
        "context",
        "matching",
        "enum_value_type",
        "format",
    ],  # fmt: skip
    ("schema", "Multivalue"): [
        "id",
        "children",
        "category",
        "label",
        "rir_field_names",
        "min_occurrences",
        "max_occurrences",
        "grid",
        "show_grid_by_default",
        "hidden",
    ],  # fmt: skip
    ("schema", "Section"): ["id", "children", "category", "label", "icon"],
    ("schema", "Schema"): [
        "id",
        "name",
        "queues",
        "url",
        "content",
        "metadata",
        "modified_by",
        "modified_at",
    ],  # fmt: skip
    ("hook_template", "HookTemplate"): ["name", "url", "id", "type", "events"],
}


@pytest.mark.parametrize("module", sorted(OFFICIAL_NAMES))
def test_official_module_exposes_every_name(module: str) -> None:
    compat = importlib.import_module(f"rossum_api.models.{module}")
    ours = importlib.import_module(f"rossum_trio.models.{module}")
    for name in OFFICIAL_NAMES[module]:
        assert hasattr(compat, name), f"rossum_api.models.{module}.{name}"
        # One definition, imported twice.
        assert getattr(compat, name) is getattr(ours, name), name


def test_models_package_exposes_the_official_names() -> None:
    package = importlib.import_module("rossum_api.models")
    for name in PACKAGE_NAMES:
        assert hasattr(package, name), name
    assert package.JsonDict == dict[str, Any]


LITERALS: dict[tuple[str, str], tuple[str, ...]] = {
    ("automation", "AutomationTargetType"): ("legacy_thresholds", "automation_assistant_v1"),
    ("automation", "AutomationSetupExcludeBlocker"): ("error_message", "extension"),
    ("automation", "DocumentBlockerGranularity"): ("annotation", "datapoint"),
    ("automation_blocker", "AutomationBlockerTypes"): (
        "automation_disabled",
        "is_duplicate",
        "suggested_edit_present",
        "low_score",
        "failed_checks",
        "no_validation_sources",
        "error_message",
        "delete_recommendation_filename",
        "delete_recommendation_page_count",
        "delete_recommendation_field",
        "extension",
    ),
    ("email", "EmailLabel"): (
        "rejection",
        "automatic_rejection",
        "rejected",
        "automatic_status_changed_info",
        "forwarded",
        "reply",
    ),
    ("engine", "EngineFieldType"): ("string", "number", "date", "enum"),
    ("engine", "MultilineType"): ("true", "false", ""),
    ("hook", "HookType"): ("webhook", "function", "job"),
    ("hook", "HookExtensionSource"): ("custom", "rossum_store"),
    ("hook_template", "InstallAction"): ("copy", "request_access"),
    ("rule", "RuleActionType"): (
        "show_message",
        "add_automation_blocker",
        "change_status",
        "change_queue",
        "add_label",
        "remove_label",
        "add_remove_label",
        "show_field",
        "hide_field",
        "show_hide_field",
        "add_validation_source",
        "send_email",
        "custom",
    ),
    ("rule", "RuleActionEvent"): (
        "validation",
        "annotation_imported",
        "annotation_confirmed",
        "annotation_exported",
    ),
    ("rule", "ShowMessageType"): ("error", "warning", "info"),
    ("rule", "ChangeStatusMethod"): ("postpone", "export", "delete", "confirm", "reject"),
    ("rules_execution_logs", "ExecutionResult"): ("success", "failure", "partial_success"),
    ("schema", "NumberFormat"): (
        "# ##0,#",
        "# ##0.#",
        "#,##0.#",
        "#'##0.#",
        "#.##0,#",
        "# ##0",
        "#,##0",
        "#'##0",
        "#.##0",
    ),
}


@pytest.mark.parametrize(("key", "values"), list(LITERALS.items()), ids=str)
def test_literal_aliases(key: tuple[str, str], values: tuple[str, ...]) -> None:
    module, name = key
    alias = getattr(importlib.import_module(f"rossum_api.models.{module}"), name)
    assert typing.get_origin(alias) is typing.Literal
    assert typing.get_args(alias) == values


def test_other_aliases() -> None:
    schema = importlib.import_module("rossum_api.models.schema")
    assert schema.DateFormat is str
    assert isinstance(schema.ParentType, typing.TypeVar)
    rule = importlib.import_module("rossum_api.models.rule")
    members = set(typing.get_args(rule.RuleActionPayload))
    assert dict[str, Any] in members
    assert rule.ShowMessagePayload in members and rule.CustomActionPayload in members
    assert len(members) == 12


@pytest.mark.parametrize(("key", "members"), list(ENUM_MEMBERS.items()), ids=str)
def test_enum_members(key: tuple[str, str], members: dict[str, str]) -> None:
    module, name = key
    enum = getattr(importlib.import_module(f"rossum_api.models.{module}"), name)
    assert {m.name: m.value for m in enum} == members
    for value in members.values():
        assert enum(value) == value
        assert str(enum(value)) == value


@pytest.mark.parametrize(("key", "prefix"), list(FIELD_ORDER.items()), ids=str)
def test_field_order(key: tuple[str, str], prefix: list[str]) -> None:
    module, name = key
    model = getattr(importlib.import_module(f"rossum_api.models.{module}"), name)
    assert [f.name for f in msgspec.structs.fields(model)][: len(prefix)] == prefix


def test_every_model_class_is_a_mutable_struct_with_a_docstring() -> None:
    for module in OFFICIAL_NAMES:
        compat = importlib.import_module(f"rossum_api.models.{module}")
        for name in OFFICIAL_NAMES[module]:
            obj = getattr(compat, name)
            if inspect.isclass(obj) and issubclass(obj, msgspec.Struct):
                assert obj.__doc__, name
                assert not obj.__struct_config__.frozen, name
