"""Rules: action payloads typed by action type, raw dicts for the unknown."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from rossum_trio._resources import Resource
from rossum_trio.models import decode_resource, deserialize_default
from rossum_trio.models.rule import (
    AddAutomationBlockerPayload,
    AddLabelPayload,
    AddRemoveLabelPayload,
    AddValidationSourcePayload,
    ChangeQueuePayload,
    ChangeStatusPayload,
    CustomActionPayload,
    HideFieldPayload,
    LabelsPayload,
    RemoveLabelPayload,
    Rule,
    RuleAction,
    SchemaIdsPayload,
    SendEmailPayload,
    ShowFieldPayload,
    ShowHideFieldPayload,
    ShowMessagePayload,
)
from tests.support import BASE

RULE: dict[str, Any] = {
    "id": 123,
    "url": f"{BASE}/rules/123",
    "name": "rule",
    "enabled": True,
    "organization": f"{BASE}/organizations/1",
    "schema": f"{BASE}/schemas/1",
    "trigger_condition": "True",
    "created_by": f"{BASE}/users/1",
    "created_at": "2024-01-01T00:00:00Z",
    "modified_by": f"{BASE}/users/1",
    "modified_at": "2024-01-02T00:00:00Z",
    "rule_template": None,
    "synchronized_from_template": False,
    "actions": [
        {
            "id": "f3c43f16-b5f1-4c2b-8a5c-1f1b1f1b1f1b",
            "enabled": True,
            "type": "show_message",
            "payload": {"type": "error", "content": "Error message!", "schema_id": "invoice_id"},
            "event": "validation",
        }
    ],
}

ACTIONS: list[tuple[str, dict[str, Any], Any]] = [
    ("show_message", {"type": "info", "content": "hi"}, ShowMessagePayload("info", "hi")),
    ("add_automation_blocker", {"content": "no"}, AddAutomationBlockerPayload("no")),
    ("change_status", {"method": "postpone"}, ChangeStatusPayload("postpone")),
    ("change_queue", {"queue": f"{BASE}/queues/2"}, ChangeQueuePayload(f"{BASE}/queues/2")),
    ("add_label", {"labels": ["l"]}, LabelsPayload(["l"])),
    ("remove_label", {"labels": ["l"]}, LabelsPayload(["l"])),
    ("add_remove_label", {"labels": ["l"]}, AddRemoveLabelPayload(["l"], True)),
    ("show_field", {"schema_ids": ["a"]}, SchemaIdsPayload(None, ["a"])),
    ("hide_field", {"schema_id": "a"}, SchemaIdsPayload("a")),
    (
        "show_hide_field",
        {"schema_ids": ["a"], "condition": False},
        ShowHideFieldPayload(None, ["a"], False),
    ),
    ("add_validation_source", {"schema_id": "a"}, AddValidationSourcePayload("a")),
    ("send_email", {"to": ["x@y.z"], "subject": "s"}, SendEmailPayload(to=["x@y.z"], subject="s")),
    ("custom", {"hook_interface": "h", "payload": {"k": 1}}, CustomActionPayload("h", {"k": 1})),
]


def test_payload_aliases_are_the_same_classes() -> None:
    assert AddLabelPayload is LabelsPayload
    assert RemoveLabelPayload is LabelsPayload
    assert ShowFieldPayload is SchemaIdsPayload
    assert HideFieldPayload is SchemaIdsPayload


def test_rule_from_the_wire() -> None:
    rule = decode_resource(Resource.Rule, json.dumps(RULE).encode())
    assert rule == deserialize_default(Resource.Rule, RULE) == Rule.from_dict(RULE)
    (action,) = rule.actions
    assert action.payload == ShowMessagePayload("error", "Error message!", "invoice_id")
    assert action.event == "validation"
    assert rule.queues == []
    assert rule.description == ""
    encoded = msgspec.json.encode(rule)
    assert json.loads(encoded)["actions"][0]["payload"] == RULE["actions"][0]["payload"]
    assert msgspec.json.decode(encoded, type=Rule) == rule


@pytest.mark.parametrize(("action_type", "payload", "expected"), ACTIONS)
def test_payload_struct_by_action_type(
    action_type: str, payload: dict[str, Any], expected: Any
) -> None:
    data = {"id": "a", "type": action_type, "payload": payload, "event": "validation"}
    action = RuleAction.from_dict(data)
    assert type(action.payload) is type(expected)
    assert action.payload == expected
    assert action.enabled is True
    assert msgspec.json.decode(msgspec.json.encode(action), type=RuleAction) == action


def test_unknown_action_type_keeps_the_raw_payload() -> None:
    data = {"id": "a", "type": "launch_rocket", "payload": {"to": "moon"}, "event": "new_event"}
    action = RuleAction.from_dict(data)
    assert action.payload == {"to": "moon"}
    assert (action.type, action.event) == ("launch_rocket", "new_event")
    rule = Rule.from_dict({**RULE, "actions": [data]})
    assert rule.actions[0] == action


def test_payload_not_fitting_its_type_stays_raw() -> None:
    # `show_message` without the required `content`: kept as the dict, not a decode failure.
    action = RuleAction.from_dict(
        {"id": "a", "type": "show_message", "payload": {"type": "error"}, "event": "validation"}
    )
    assert action.payload == {"type": "error"}


def test_wrong_types_fail() -> None:
    with pytest.raises(msgspec.ValidationError):
        Rule.from_dict({**RULE, "id": "x"})
    with pytest.raises(msgspec.ValidationError):
        RuleAction.from_dict({"id": "a", "type": "custom", "payload": [1], "event": "e"})
