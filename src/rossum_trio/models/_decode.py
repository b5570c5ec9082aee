"""Resource → model table and the decoders built from it.

Two paths, as in the design (Non-negotiable 4):

* the fast path: response bytes go straight into Structs with :func:`decode_resource` (or a
  decoder from :func:`decoder_for` for pages and other shapes), one decoder built per type;
* the dict path: :func:`deserialize_default`, the official ``(Resource, dict)`` deserializer, used
  when a custom ``deserializer=`` is configured or a dict is already at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from rossum_trio._resources import Resource
from rossum_trio.models.annotation import Annotation, AnnotationProcessingDuration
from rossum_trio.models.automation import AutomationProjections, AutomationStats, AutomationTarget
from rossum_trio.models.connector import Connector
from rossum_trio.models.document import Document
from rossum_trio.models.document_relation import DocumentRelation
from rossum_trio.models.email import Email
from rossum_trio.models.email_template import EmailTemplate
from rossum_trio.models.engine import Engine, EngineField
from rossum_trio.models.group import Group
from rossum_trio.models.hook import Hook, HookRunData
from rossum_trio.models.hook_template import HookTemplate
from rossum_trio.models.inbox import Inbox
from rossum_trio.models.organization import Organization
from rossum_trio.models.organization_group import OrganizationGroup
from rossum_trio.models.queue import Queue
from rossum_trio.models.relation import Relation
from rossum_trio.models.rule import Rule
from rossum_trio.models.rules_execution_logs import RulesExecutionLog
from rossum_trio.models.schema import Schema
from rossum_trio.models.task import Task
from rossum_trio.models.upload import Upload
from rossum_trio.models.user import User
from rossum_trio.models.workspace import Workspace
from rossum_trio.types import JsonDict

#: Signature of a custom ``deserializer=``: ``(resource, payload dict) -> model``.
Deserializer = Callable[[Resource, JsonDict], Any]

#: The model class of each resource (every :class:`Resource` except ``Auth``).
RESOURCE_TO_MODEL: dict[Resource, type[Any]] = {
    Resource.Annotation: Annotation,
    Resource.AnnotationProcessingDuration: AnnotationProcessingDuration,
    Resource.AutomationStats: AutomationStats,
    Resource.AutomationProjections: AutomationProjections,
    Resource.AutomationTarget: AutomationTarget,
    Resource.Connector: Connector,
    Resource.Document: Document,
    Resource.DocumentRelation: DocumentRelation,
    Resource.EmailTemplate: EmailTemplate,
    Resource.Engine: Engine,
    Resource.EngineField: EngineField,
    Resource.Group: Group,
    Resource.Hook: Hook,
    Resource.HookRunData: HookRunData,
    Resource.HookTemplate: HookTemplate,
    Resource.Inbox: Inbox,
    Resource.Email: Email,
    Resource.Organization: Organization,
    Resource.OrganizationGroup: OrganizationGroup,
    Resource.Queue: Queue,
    Resource.Relation: Relation,
    Resource.Rule: Rule,
    Resource.RulesExecutionLog: RulesExecutionLog,
    Resource.Schema: Schema,
    Resource.Task: Task,
    Resource.Upload: Upload,
    Resource.User: User,
    Resource.Workspace: Workspace,
}


#: The resource of each model class (the inverse of :data:`RESOURCE_TO_MODEL`).
MODEL_TO_RESOURCE: dict[type[Any], Resource] = {m: r for r, m in RESOURCE_TO_MODEL.items()}


def resource_of(model: type[Any]) -> Resource:
    """The :class:`Resource` whose objects ``model`` describes (what a custom deserializer
    is told)."""
    return MODEL_TO_RESOURCE[model]


_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def decoder_for(tp: Any) -> msgspec.json.Decoder[Any]:
    """Return the JSON decoder for type ``tp`` (e.g. ``Queue`` or ``list[Queue]``).

    Built once per type and cached for the life of the process; ``tp`` must be hashable.
    """
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = msgspec.json.Decoder(tp)
    return decoder


def decode_resource(resource: Resource, data: bytes) -> Any:
    """Decode one object of ``resource`` from response bytes straight into its model.

    Same as ``decoder_for(RESOURCE_TO_MODEL[resource]).decode(data)``; a schema with nodes of
    unknown ``category`` decodes too (those nodes stay raw dicts).
    Raises :class:`msgspec.ValidationError` when the payload does not fit the model,
    :class:`msgspec.DecodeError` on invalid JSON, and :class:`KeyError` for ``Resource.Auth``.
    """
    return decoder_for(RESOURCE_TO_MODEL[resource]).decode(data)


def deserialize_default(resource: Resource, payload: JsonDict) -> Any:
    """The official default deserializer: turn a payload dict into the resource's model.

    ``Email`` takes the wire key ``from``; ``Schema`` and ``Rule`` go through their ``from_dict``.

    Raises :class:`msgspec.ValidationError` when the payload does not fit the model and
    :class:`KeyError` for ``Resource.Auth`` (as the official one does).
    """
    model = RESOURCE_TO_MODEL[resource]
    if model is Schema:
        return Schema.from_dict(payload)
    if model is Rule:
        return Rule.from_dict(payload)
    return msgspec.convert(payload, model)
