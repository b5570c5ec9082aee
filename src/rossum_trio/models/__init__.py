"""The API's objects as :class:`msgspec.Struct` models (mirrors ``rossum_api.models``).

Every model keeps the official field names, order and defaults, ignores unknown fields, and
stores open sets (statuses, types, events) as ``str``, turning known values into the
corresponding :class:`~enum.StrEnum` member.
"""

from rossum_trio.models._common import JsonDict
from rossum_trio.models._decode import (
    RESOURCE_TO_MODEL,
    Deserializer,
    ResponsePostProcessor,
    decode_resource,
    decoder_for,
    deserialize_default,
)
from rossum_trio.models.annotation import Annotation, AnnotationProcessingDuration, Prediction
from rossum_trio.models.automation_blocker import AutomationBlocker, AutomationBlockerContent
from rossum_trio.models.document import Document
from rossum_trio.models.group import Group
from rossum_trio.models.organization import Organization
from rossum_trio.models.queue import Queue
from rossum_trio.models.relation import Relation, RelationType
from rossum_trio.models.task import Task, TaskStatus, TaskType
from rossum_trio.models.upload import Upload
from rossum_trio.models.user import User
from rossum_trio.models.workspace import Workspace

__all__ = [
    "RESOURCE_TO_MODEL",
    "Annotation",
    "AnnotationProcessingDuration",
    "AutomationBlocker",
    "AutomationBlockerContent",
    "Deserializer",
    "Document",
    "Group",
    "JsonDict",
    "Organization",
    "Prediction",
    "Queue",
    "Relation",
    "RelationType",
    "ResponsePostProcessor",
    "Task",
    "TaskStatus",
    "TaskType",
    "Upload",
    "User",
    "Workspace",
    "decode_resource",
    "decoder_for",
    "deserialize_default",
]
