"""Official import path ``rossum_api.types``: JSON/HTTP aliases and the per-entity TypeVars.

rossum-trio's client is not ``Generic`` over these TypeVars (it returns its msgspec models, or
whatever a custom ``deserializer=`` returns); they exist so that annotations written for the
official package still import. Note that several names (``TaskType``, ``EmailType``,
``RelationType``, ``DocumentRelationType``, ``HookType``, ``EngineFieldType``) are TypeVars
here but enums/Literals in ``rossum_api.models``, exactly as in the official package.
"""

from typing import TypeVar

from rossum_api.utils import ObjectWithStatus
from rossum_trio.types import HttpMethod, JsonDict, Sideload

RossumApiType = TypeVar("RossumApiType")

AnnotationType = TypeVar("AnnotationType", bound=ObjectWithStatus)
ConnectorType = TypeVar("ConnectorType")
DocumentType = TypeVar("DocumentType")
DocumentRelationType = TypeVar("DocumentRelationType")
EmailTemplateType = TypeVar("EmailTemplateType")
EngineType = TypeVar("EngineType")
EngineFieldType = TypeVar("EngineFieldType")
GroupType = TypeVar("GroupType")
HookType = TypeVar("HookType")
HookRunDataType = TypeVar("HookRunDataType")
HookTemplateType = TypeVar("HookTemplateType")
InboxType = TypeVar("InboxType")
EmailType = TypeVar("EmailType")
OrganizationType = TypeVar("OrganizationType")
OrganizationGroupType = TypeVar("OrganizationGroupType")
QueueType = TypeVar("QueueType")
RelationType = TypeVar("RelationType")
RuleType = TypeVar("RuleType")
RulesExecutionLogType = TypeVar("RulesExecutionLogType")
SchemaType = TypeVar("SchemaType")
TaskType = TypeVar("TaskType", bound=ObjectWithStatus)
UploadType = TypeVar("UploadType")
UserType = TypeVar("UserType")
WorkspaceType = TypeVar("WorkspaceType")

__all__ = [
    "AnnotationType",
    "ConnectorType",
    "DocumentRelationType",
    "DocumentType",
    "EmailTemplateType",
    "EmailType",
    "EngineFieldType",
    "EngineType",
    "GroupType",
    "HookRunDataType",
    "HookTemplateType",
    "HookType",
    "HttpMethod",
    "InboxType",
    "JsonDict",
    "OrganizationGroupType",
    "OrganizationType",
    "QueueType",
    "RelationType",
    "RossumApiType",
    "RuleType",
    "RulesExecutionLogType",
    "SchemaType",
    "Sideload",
    "TaskType",
    "UploadType",
    "UserType",
    "WorkspaceType",
]
