"""Property tests: every model round-trips, and hostile payloads never crash decoding.

Struct strategies are derived from the models' own type information (msgspec.inspect), so a
new field is covered without touching this file.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio._resources import Resource
from rossum_trio.models import (
    RESOURCE_TO_MODEL,
    decode_resource,
    deserialize_default,
    document_relation,
    email,
    hook,
    organization_limit,
    relation,
    rule,
    schema,
    task,
)
from rossum_trio.models import automation as automation_models
from rossum_trio.models.schema import Datapoint, Multivalue, Node, Schema, Section, Tuple

ENUMS: list[type[StrEnum]] = [
    task.TaskType,
    task.TaskStatus,
    relation.RelationType,
    document_relation.DocumentRelationType,
    email.EmailType,
    hook.HookEventAndAction,
    schema.ValueSource,
]
#: Known enum values and action types, mixed into generated strings to exercise coercion.
KNOWN_STRINGS = sorted(
    {member.value for enum in ENUMS for member in enum}
    | set(rule._ACTION_TYPE_TO_PAYLOAD)
    | {"section", "datapoint", "multivalue", "tuple", "button", "formula"}
)

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
strings = st.one_of(text, st.sampled_from(KNOWN_STRINGS))
ints = st.integers(min_value=-(2**53), max_value=2**53)
floats = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False)
json_values = st.recursive(
    st.none() | st.booleans() | ints | floats | strings,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)

MODELS: list[type[msgspec.Struct]] = sorted(
    {
        *RESOURCE_TO_MODEL.values(),
        organization_limit.OrganizationLimit,
        automation_models.FieldErrorRateLimit,
        rule.RuleAction,
        schema.Section,
        schema.Multivalue,
        schema.Tuple,
        schema.Datapoint,
    },
    key=lambda cls: cls.__name__,
)


def for_type(t: mi.Type) -> st.SearchStrategy[Any]:
    """A strategy producing valid Python values of msgspec type ``t``."""
    if isinstance(t, mi.StrType):
        return strings
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.IntType):
        return ints
    if isinstance(t, mi.FloatType):
        return floats
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.AnyType):
        return json_values
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.ListType):
        return st.lists(for_type(t.item_type), max_size=3)
    if isinstance(t, mi.DictType):
        return st.dictionaries(for_type(t.key_type), for_type(t.value_type), max_size=3)
    if isinstance(t, mi.UnionType):
        return st.one_of([for_type(member) for member in t.types])
    if isinstance(t, mi.StructType):
        return structs(t.cls)
    raise NotImplementedError(t)


@functools.cache
def structs(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """A strategy building ``cls`` with generated values for every field."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    fields = {field.name: for_type(field.type) for field in info.fields}
    # Schema containers hold their children as `Any` for msgspec (converted by category in
    # __post_init__); generate real nodes. A node's category is always its own kind.
    if cls is Schema:
        fields["content"] = st.lists(structs(Section), max_size=3)
    if cls is Section:
        fields["children"] = st.lists(
            st.one_of(structs(Datapoint), structs(Multivalue), structs(Tuple)), max_size=3
        )
    if cls is Multivalue:
        fields["children"] = st.one_of(structs(Datapoint), structs(Tuple))
    if cls is Tuple:
        fields["children"] = st.lists(structs(Datapoint), max_size=3)
    if "category" in fields and issubclass(cls, Node):
        fields["category"] = st.just(next(f.default for f in info.fields if f.name == "category"))
    if cls is rule.RuleAction:
        # Also build well-formed actions of every known type with their payload Structs.
        payloads = st.sampled_from(sorted(rule._ACTION_TYPE_TO_PAYLOAD)).flatmap(
            lambda kind: st.tuples(st.just(kind), structs(rule._ACTION_TYPE_TO_PAYLOAD[kind]))
        )
        typed = payloads.flatmap(
            lambda pair: st.builds(
                cls, id=strings, type=st.just(pair[0]), payload=st.just(pair[1]), event=strings
            )
        )
        return st.one_of(st.builds(cls, **fields), typed)
    return st.builds(cls, **fields)


def _round_trip(obj: msgspec.Struct) -> None:
    encoded = msgspec.json.encode(obj)
    decoded = msgspec.json.decode(encoded, type=type(obj))
    assert decoded == obj
    assert msgspec.json.encode(decoded) == encoded


@pytest.mark.parametrize("model", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_models_round_trip(model: type[msgspec.Struct], data: st.DataObject) -> None:
    obj = data.draw(structs(model))
    _round_trip(obj)
    # The dict path agrees with the bytes path.
    assert msgspec.convert(msgspec.to_builtins(obj), type(obj)) == obj


#: The enum-coerced fields of each model.
ENUM_FIELDS: dict[type[Any], dict[str, type[StrEnum]]] = {
    task.Task: {"type": task.TaskType, "status": task.TaskStatus},
    relation.Relation: {"type": relation.RelationType},
    email.Email: {"type": email.EmailType},
    document_relation.DocumentRelation: {"type": document_relation.DocumentRelationType},
}


def _enum_fields_hold_members(obj: Any) -> None:
    for name, enum in ENUM_FIELDS[type(obj)].items():
        value = getattr(obj, name)
        if value in enum._value2member_map_:
            assert value is enum(value)
        elif value is not None:
            assert type(value) is str


@settings(max_examples=60, deadline=None)
@given(obj=st.one_of([structs(cls) for cls in ENUM_FIELDS]))
def test_known_values_become_members_and_unknown_stay_str(obj: Any) -> None:
    _enum_fields_hold_members(obj)
    decoded = msgspec.json.decode(msgspec.json.encode(obj), type=type(obj))
    _enum_fields_hold_members(decoded)
    events = hook.Hook(
        1, "h", "u", True, {}, {}, None, None, None, events=[obj.url, "email.received"]
    )
    assert events.events[1] is hook.HookEventAndAction.EMAIL_RECEIVED


def _walk(node: Any, parent: Any) -> None:
    if isinstance(node, Node):
        assert node.parent is parent
        children = getattr(node, "children", [])
        for child in children if isinstance(children, list) else [children]:
            _walk(child, node)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=structs(Schema))
def test_schema_parents_after_decode(obj: Schema) -> None:
    decoded = decode_resource(Resource.Schema, msgspec.json.encode(obj))
    for section in decoded.content:
        _walk(section, decoded)
    ids = {n.id for n in decoded.traverse(ignore_buttons=False)} | {s.id for s in decoded.content}
    for node_id in ids:
        found = decoded.get_by_id(node_id, ignore_buttons=False)
        assert found is not None and found.id == node_id


# --- hostile payloads -----------------------------------------------------------------------

#: Minimal valid payloads per resource, shared with test_models_deserialize.py.
SAMPLES: dict[Resource, dict[str, Any]] = {
    Resource[name]: payload
    for name, payload in json.loads(
        (Path(__file__).parent / "model_samples.json").read_text()
    ).items()
}
MODELLED = sorted(SAMPLES, key=lambda r: r.name)


@st.composite
def with_extra_keys(draw: st.DrawFn, resource: Resource) -> dict[str, Any]:
    """The sample payload plus random keys the model does not know."""
    known = {f.encode_name for f in msgspec.structs.fields(RESOURCE_TO_MODEL[resource])}
    unknown = text.filter(lambda k: k not in known and k != "category")
    extra = draw(st.dictionaries(unknown, json_values, max_size=4))
    return {**SAMPLES[resource], **extra}


def _decode_both(resource: Resource, payload: Any) -> None:
    """Decode on both paths; only msgspec.ValidationError may escape."""
    for decode in (
        lambda: decode_resource(resource, msgspec.json.encode(payload)),
        lambda: deserialize_default(resource, copy.deepcopy(payload)),
    ):
        with contextlib.suppress(msgspec.ValidationError):
            decode()


@pytest.mark.parametrize("resource", MODELLED, ids=lambda r: r.name)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_extra_keys_never_break_decoding(resource: Resource, data: st.DataObject) -> None:
    payload = data.draw(with_extra_keys(resource))
    expected = deserialize_default(resource, SAMPLES[resource])
    assert decode_resource(resource, msgspec.json.encode(payload)) == expected
    assert deserialize_default(resource, payload) == expected


#: The open-set string fields of each resource.
OPEN_SETS: dict[Resource, list[str]] = {
    Resource.Task: ["type", "status"],
    Resource.Relation: ["type"],
    Resource.DocumentRelation: ["type"],
    Resource.Email: ["type"],
    Resource.EmailTemplate: ["type"],
    Resource.Engine: ["type"],
    Resource.EngineField: ["type", "multiline"],
    Resource.Hook: ["type", "extension_source"],
    Resource.HookRunData: ["log_level", "hook_type", "action", "event"],
    Resource.HookTemplate: ["type", "extension_source", "install_action"],
    Resource.Inbox: ["dmarc_check_action"],
    Resource.AutomationTarget: ["type"],
    Resource.RulesExecutionLog: ["execution_result"],
    Resource.Annotation: ["status"],
}


@pytest.mark.parametrize("resource", sorted(OPEN_SETS, key=lambda r: r.name), ids=lambda r: r.name)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_unknown_enum_values_decode(resource: Resource, data: st.DataObject) -> None:
    payload = dict(SAMPLES[resource])
    values = {name: data.draw(strings, label=name) for name in OPEN_SETS[resource]}
    payload.update(values)
    decoded = decode_resource(resource, msgspec.json.encode(payload))
    assert decoded == deserialize_default(resource, payload)
    for name, value in values.items():
        assert getattr(decoded, name) == value


@settings(max_examples=50, deadline=None)
@given(events=st.lists(strings, max_size=4), labels=st.lists(strings, max_size=4))
def test_unknown_list_values_decode(events: list[str], labels: list[str]) -> None:
    hook_ = decode_resource(
        Resource.Hook, msgspec.json.encode({**SAMPLES[Resource.Hook], "events": events})
    )
    assert hook_.events == events
    email_ = decode_resource(
        Resource.Email, msgspec.json.encode({**SAMPLES[Resource.Email], "labels": labels})
    )
    assert email_.labels == labels


@settings(max_examples=50, deadline=None)
@given(
    blocker_type=strings,
    action=st.fixed_dictionaries({"id": strings, "type": strings, "event": strings}),
    payload=st.dictionaries(text, json_values, max_size=3),
)
def test_nested_unknown_values_decode(
    blocker_type: str, action: dict[str, Any], payload: dict[str, Any]
) -> None:
    blocker = {
        "id": 1,
        "url": "u",
        "annotation": "a",
        "content": [{"level": "x", "type": blocker_type}],
    }
    annotation = {**SAMPLES[Resource.Annotation], "automation_blocker": blocker}
    decoded = decode_resource(Resource.Annotation, msgspec.json.encode(annotation))
    assert decoded.automation_blocker.content[0].type == blocker_type
    rule_payload = {**SAMPLES[Resource.Rule], "actions": [{**action, "payload": payload}]}
    decoded_rule = decode_resource(Resource.Rule, msgspec.json.encode(rule_payload))
    assert decoded_rule == deserialize_default(Resource.Rule, rule_payload)
    assert decoded_rule.actions[0].type == action["type"]


KINDS = {Section: "section", Datapoint: "datapoint", Multivalue: "multivalue", Tuple: "tuple"}


def _categories_match(node: Any, data: dict[str, Any]) -> None:
    assert data["category"] == node.category == KINDS[type(node)]
    children = getattr(node, "children", None)
    if children is None:
        return
    if isinstance(children, list):
        for child, child_data in zip(children, data["children"], strict=True):
            _categories_match(child, child_data)
    else:
        _categories_match(children, data["children"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=structs(Schema))
def test_schema_categories_survive_every_round_trip(obj: Schema) -> None:
    """Each node is written out with its own category and comes back as the same node, on
    the bytes path, the dict path and the official ``from_dict``."""
    builtins = msgspec.to_builtins(obj)
    for section, section_data in zip(obj.content, builtins["content"], strict=True):
        _categories_match(section, section_data)
    encoded = msgspec.json.encode(obj)
    assert decode_resource(Resource.Schema, encoded) == obj
    assert deserialize_default(Resource.Schema, json.loads(encoded)) == obj
    assert Schema.from_dict(builtins) == obj


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=structs(Schema), data=st.data())
def test_unknown_schema_categories_decode(obj: Schema, data: st.DataObject) -> None:
    """Renaming the category of any node (to anything else) still decodes the schema."""
    payload = json.loads(msgspec.json.encode(obj))
    nodes: list[dict[str, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            nodes.append(node)
            children = node.get("children", [])
            for child in children if isinstance(children, list) else [children]:
                collect(child)

    for section in payload["content"]:
        collect(section)
    if nodes:
        victim = data.draw(st.sampled_from(nodes))
        categories = strings.filter(
            lambda c: c not in {"section", "datapoint", "multivalue", "tuple"}
        )
        victim["category"] = data.draw(categories | st.none() | ints, label="category")
    decoded = decode_resource(Resource.Schema, msgspec.json.encode(payload))
    assert decoded == deserialize_default(Resource.Schema, payload)
    assert isinstance(decoded, Schema)
    assert all(isinstance(s, (Section, dict)) for s in decoded.content)
    list(decoded.traverse(ignore_buttons=False))  # raw dict nodes are skipped, not fatal


@pytest.mark.parametrize("resource", MODELLED, ids=lambda r: r.name)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_wrong_values_raise_only_validation_errors(resource: Resource, data: st.DataObject) -> None:
    """Replacing any field with any JSON value either decodes or raises ValidationError."""
    payload = dict(SAMPLES[resource])
    key = data.draw(st.sampled_from(sorted(payload)), label="key")
    payload[key] = data.draw(json_values, label="value")
    _decode_both(resource, payload)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=structs(Schema), data=st.data())
def test_hostile_schemas_raise_only_validation_errors(obj: Schema, data: st.DataObject) -> None:
    payload = json.loads(msgspec.json.encode(obj))
    targets: list[dict[str, Any]] = [payload]

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            targets.append(node)
            children = node.get("children", [])
            for child in children if isinstance(children, list) else [children]:
                collect(child)

    for section in payload["content"]:
        collect(section)
    target = data.draw(st.sampled_from(targets))
    key = data.draw(st.sampled_from(sorted(target)) | text, label="key")
    target[key] = data.draw(json_values, label="value")
    _decode_both(Resource.Schema, payload)


@pytest.mark.parametrize("resource", MODELLED, ids=lambda r: r.name)
def test_wrong_top_level_types_raise_validation_errors(resource: Resource) -> None:
    for payload in ([], "x", 1, None):
        with pytest.raises(msgspec.ValidationError):
            decode_resource(resource, msgspec.json.encode(payload))
        with pytest.raises(msgspec.ValidationError):
            deserialize_default(resource, payload)  # type: ignore[arg-type]
