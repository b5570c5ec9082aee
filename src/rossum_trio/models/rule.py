"""Rules: trigger conditions and the actions they run on annotations."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import msgspec

#: Known values of :attr:`RuleAction.type` (the field accepts any string).
RuleActionType = Literal[
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
]
#: Known values of :attr:`RuleAction.event` (the field accepts any string).
RuleActionEvent = Literal[
    "validation", "annotation_imported", "annotation_confirmed", "annotation_exported"
]
#: Known values of :attr:`ShowMessagePayload.type`.
ShowMessageType = Literal["error", "warning", "info"]
#: Known values of :attr:`ChangeStatusPayload.method`.
ChangeStatusMethod = Literal["postpone", "export", "delete", "confirm", "reject"]


class ShowMessagePayload(msgspec.Struct):
    """Payload of ``show_message``: a message of ``type`` error/warning/info."""

    type: str
    content: str
    schema_id: str | None = None


class AddAutomationBlockerPayload(msgspec.Struct):
    """Payload of ``add_automation_blocker``."""

    content: str
    schema_id: str | None = None


class ChangeStatusPayload(msgspec.Struct):
    """Payload of ``change_status``: ``method`` is postpone/export/delete/confirm/reject."""

    method: str


class ChangeQueuePayload(msgspec.Struct):
    """Payload of ``change_queue``."""

    queue: str
    reimport: bool = False


class LabelsPayload(msgspec.Struct):
    """Payload of ``add_label`` and ``remove_label``."""

    labels: list[str] = []


AddLabelPayload = LabelsPayload
RemoveLabelPayload = LabelsPayload


class AddRemoveLabelPayload(msgspec.Struct):
    """Payload of ``add_remove_label``: add the labels when ``condition`` holds, else remove."""

    labels: list[str] = []
    condition: bool = True


class SchemaIdsPayload(msgspec.Struct):
    """Payload of ``show_field`` and ``hide_field``."""

    schema_id: str | None = None
    schema_ids: list[str] = []


ShowFieldPayload = SchemaIdsPayload
HideFieldPayload = SchemaIdsPayload


class ShowHideFieldPayload(msgspec.Struct):
    """Payload of ``show_hide_field``: show the fields when ``condition`` holds, else hide."""

    schema_id: str | None = None
    schema_ids: list[str] = []
    condition: bool = True


class AddValidationSourcePayload(msgspec.Struct):
    """Payload of ``add_validation_source``."""

    schema_id: str | None = None
    schema_ids: list[str] = []
    multivalue_child_id: int | None = None


class SendEmailPayload(msgspec.Struct):
    """Payload of ``send_email``."""

    email_template: str | None = None
    attach_document: bool = False
    to: list[str] = []
    subject: str | None = None
    body: str | None = None
    cc: list[str] = []
    bcc: list[str] = []


class CustomActionPayload(msgspec.Struct):
    """Payload of ``custom``: a call to a hook interface."""

    hook_interface: str
    payload: dict[str, Any] = {}


#: Any action payload: a known payload Struct, or the raw dict for unknown action types.
RuleActionPayload: TypeAlias = (
    ShowMessagePayload
    | AddAutomationBlockerPayload
    | ChangeStatusPayload
    | ChangeQueuePayload
    | LabelsPayload
    | AddRemoveLabelPayload
    | SchemaIdsPayload
    | ShowHideFieldPayload
    | AddValidationSourcePayload
    | SendEmailPayload
    | CustomActionPayload
    | dict[str, Any]
)

_ACTION_TYPE_TO_PAYLOAD: dict[str, type[Any]] = {
    "show_message": ShowMessagePayload,
    "add_automation_blocker": AddAutomationBlockerPayload,
    "change_status": ChangeStatusPayload,
    "change_queue": ChangeQueuePayload,
    "add_label": AddLabelPayload,
    "remove_label": RemoveLabelPayload,
    "add_remove_label": AddRemoveLabelPayload,
    "show_field": ShowFieldPayload,
    "hide_field": HideFieldPayload,
    "show_hide_field": ShowHideFieldPayload,
    "add_validation_source": AddValidationSourcePayload,
    "send_email": SendEmailPayload,
    "custom": CustomActionPayload,
}


class RuleAction(msgspec.Struct):
    """One action of a rule.

    ``payload`` becomes the payload Struct of the action ``type`` (e.g. a
    :class:`ShowMessagePayload` for ``show_message``). An unknown type, or a payload that does
    not fit its type's Struct, stays the raw dict, so new action kinds never break decoding.
    """

    id: str
    type: str
    # msgspec decodes a plain object (no single Struct fits all action types); __post_init__
    # then picks the payload Struct by ``type``. Type checkers see the full union.
    if TYPE_CHECKING:
        payload: RuleActionPayload
    else:
        payload: dict[str, Any]
    event: str
    enabled: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.payload, dict):
            payload_type = _ACTION_TYPE_TO_PAYLOAD.get(self.type)
            if payload_type is not None:
                # A payload not fitting its Struct stays the raw dict (see the docstring).
                with contextlib.suppress(msgspec.ValidationError):
                    self.payload = msgspec.convert(self.payload, payload_type)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleAction:
        """Build an action from its API dict (``msgspec.ValidationError`` if it does not fit)."""
        return msgspec.convert(data, cls)


class Rule(msgspec.Struct):
    """A rule (``/rules/{id}``): a ``trigger_condition`` and the actions it runs."""

    id: int
    name: str
    enabled: bool
    organization: str
    queues: list[str] = []
    trigger_condition: str = "True"
    url: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    modified_by: str | None = None
    modified_at: str | None = None
    rule_template: str | None = None
    synchronized_from_template: bool = False
    actions: list[RuleAction] = []
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rule:
        """Build a rule from its API dict (``msgspec.ValidationError`` if it does not fit)."""
        return msgspec.convert(data, cls)
