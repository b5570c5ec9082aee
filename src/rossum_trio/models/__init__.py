"""The API's objects as :class:`msgspec.Struct` models (mirrors ``rossum_api.models``).

Every model keeps the official field names, order and defaults, ignores unknown fields, and
stores open sets (statuses, types, events) as ``str``, turning known values into the
corresponding :class:`~enum.StrEnum` member.
"""

from rossum_trio._http import ResponsePostProcessor
from rossum_trio._resources import Resource
from rossum_trio.models._decode import (
    RESOURCE_TO_MODEL,
    Deserializer,
    decode_resource,
    decoder_for,
    deserialize_default,
)
from rossum_trio.models.annotation import Annotation, AnnotationProcessingDuration, Prediction
from rossum_trio.models.automation import (
    AutomationProjections,
    AutomationStats,
    AutomationTarget,
    DailyEstimatedErrorRate,
    DatapointAutomationTarget,
    DatapointStatistics,
    DocumentAutomationTimeSeriesData,
    DocumentBlocker,
    FieldErrorRateLimit,
)
from rossum_trio.models.automation_blocker import AutomationBlocker, AutomationBlockerContent
from rossum_trio.models.connector import Connector
from rossum_trio.models.document import Document
from rossum_trio.models.document_relation import DocumentRelation, DocumentRelationType
from rossum_trio.models.email import Email, EmailType
from rossum_trio.models.email_template import EmailTemplate
from rossum_trio.models.engine import Engine, EngineField
from rossum_trio.models.group import Group
from rossum_trio.models.hook import Hook, HookEventAndAction, HookRunData
from rossum_trio.models.hook_template import HookTemplate
from rossum_trio.models.inbox import Inbox
from rossum_trio.models.organization import Organization
from rossum_trio.models.organization_group import OrganizationGroup
from rossum_trio.models.organization_limit import EmailLimits, OrganizationLimit
from rossum_trio.models.queue import Queue
from rossum_trio.models.relation import Relation, RelationType
from rossum_trio.models.rule import Rule, RuleAction
from rossum_trio.models.rules_execution_logs import RulesExecutionLog
from rossum_trio.models.schema import (
    Datapoint,
    Multivalue,
    Schema,
    Section,
    Tuple,
    ValueSource,
)
from rossum_trio.models.task import Task, TaskStatus, TaskType
from rossum_trio.models.upload import Upload
from rossum_trio.models.user import User
from rossum_trio.models.workspace import Workspace
from rossum_trio.types import JsonDict

__all__ = [
    "RESOURCE_TO_MODEL",
    "Annotation",
    "AnnotationProcessingDuration",
    "AutomationBlocker",
    "AutomationBlockerContent",
    "AutomationProjections",
    "AutomationStats",
    "AutomationTarget",
    "Connector",
    "DailyEstimatedErrorRate",
    "Datapoint",
    "DatapointAutomationTarget",
    "DatapointStatistics",
    "Deserializer",
    "Document",
    "DocumentAutomationTimeSeriesData",
    "DocumentBlocker",
    "DocumentRelation",
    "DocumentRelationType",
    "Email",
    "EmailLimits",
    "EmailTemplate",
    "EmailType",
    "Engine",
    "EngineField",
    "FieldErrorRateLimit",
    "Group",
    "Hook",
    "HookEventAndAction",
    "HookRunData",
    "HookTemplate",
    "Inbox",
    "JsonDict",
    "Multivalue",
    "Organization",
    "OrganizationGroup",
    "OrganizationLimit",
    "Prediction",
    "Queue",
    "Relation",
    "RelationType",
    "Resource",
    "ResponsePostProcessor",
    "Rule",
    "RuleAction",
    "RulesExecutionLog",
    "Schema",
    "Section",
    "Task",
    "TaskStatus",
    "TaskType",
    "Tuple",
    "Upload",
    "User",
    "ValueSource",
    "Workspace",
    "decode_resource",
    "decoder_for",
    "deserialize_default",
]
